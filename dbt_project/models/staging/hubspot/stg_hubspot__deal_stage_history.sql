-- Every deal stage change, as known at the run's instant:
-- base_hubspot__deal_stage_history inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_hubspot__deal_stage_history') }}
where {{ known_at_run('changed_at') }}
