-- Form submissions, as known at the run's instant:
-- base_hubspot__form_submissions inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_hubspot__form_submissions') }}
where {{ known_at_run('submitted_at') }}
