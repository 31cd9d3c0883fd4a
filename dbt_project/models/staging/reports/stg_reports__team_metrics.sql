{%- if funnel_sources().reports == 'off' %}
-- Team reports are switched off in sources.yml.
select
    cast(null as {{ dbt.type_string() }}) as team,
    cast(null as {{ dbt.type_string() }}) as team_metric,
    cast(null as date) as period_start,
    cast(null as date) as period_end,
    cast(null as decimal(18, 2)) as value,
    cast(null as {{ dbt.type_string() }}) as _source_file
where false
{%- else %}
select
    lower(trim(team)) as team,
    lower(trim(metric)) as team_metric,
    period_start,
    period_end,
    value,
    _source_file
from {{ source('reports', 'team_reports') }}
{%- endif %}
