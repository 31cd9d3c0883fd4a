-- HubSpot engagements (calls, emails, meetings, notes, tasks) as known at the run's instant:
-- base_hubspot__engagements inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_hubspot__engagements') }}
where {{ known_at_run('created_at') }}
