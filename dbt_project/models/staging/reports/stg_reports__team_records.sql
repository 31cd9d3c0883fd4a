select distinct
    lower(trim(team)) as team,
    lower(trim(metric)) as team_metric,
    period_start,
    period_end,
    trim(record_id) as contact_id
from {{ source('reports', 'team_report_records') }}
where record_id is not null
