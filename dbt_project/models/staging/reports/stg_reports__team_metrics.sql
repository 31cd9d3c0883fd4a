select
    lower(trim(team)) as team,
    lower(trim(metric)) as team_metric,
    period_start,
    period_end,
    value,
    _source_file
from {{ source('reports', 'team_reports') }}
