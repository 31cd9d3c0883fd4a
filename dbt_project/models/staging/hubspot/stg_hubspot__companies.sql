-- HubSpot companies, as known at the run's instant:
-- base_hubspot__companies inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_hubspot__companies') }}
where {{ known_at_run('created_at') }}
