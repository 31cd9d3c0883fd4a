-- The stage dates HubSpot keeps on a deal, as known at the run's instant:
-- base_hubspot__deal_stage_dates inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_hubspot__deal_stage_dates') }}
where {{ known_at_run('entered_at') }}
