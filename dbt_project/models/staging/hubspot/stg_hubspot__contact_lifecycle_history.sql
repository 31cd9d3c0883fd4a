-- Every dated change of a contact property, as known at the run's instant:
-- base_hubspot__contact_lifecycle_history inside the run boundary (docs/design.md, "The run's instant").
-- The base model is read unbounded only by int_value_warnings (dates in the future are listed).
select *
from {{ ref('base_hubspot__contact_lifecycle_history') }}
where {{ known_at_run('changed_at') }}
