{%- if funnel_sources().reports == 'off' %}
-- Team reports are switched off in sources.yml.
select
    cast(null as {{ dbt.type_string() }}) as team,
    cast(null as {{ dbt.type_string() }}) as team_metric,
    cast(null as date) as period_start,
    cast(null as date) as period_end,
    cast(null as {{ dbt.type_string() }}) as contact_id
where false
{%- else %}
select distinct
    lower(trim(team)) as team,
    lower(trim(metric)) as team_metric,
    period_start,
    period_end,
    trim(record_id) as contact_id
from {{ source('reports', 'team_report_records') }}
where record_id is not null
{%- endif %}
