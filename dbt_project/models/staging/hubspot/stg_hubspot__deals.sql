-- HubSpot deals, as known at the run's instant:
-- base_hubspot__deals inside the run boundary (docs/design.md, "The run's instant").
-- The base model is read unbounded only by int_value_warnings (dates in the future are listed).
select *
from {{ ref('base_hubspot__deals') }}
where {{ known_at_run('created_at') }}
