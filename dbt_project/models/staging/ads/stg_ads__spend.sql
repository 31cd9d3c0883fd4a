-- Ad spend per platform, campaign and day, as known at the run's instant:
-- base_ads__spend inside the run boundary (docs/design.md, "The run's instant").
select *
from {{ ref('base_ads__spend') }}
where {{ known_on_run_day('spend_date') }}
