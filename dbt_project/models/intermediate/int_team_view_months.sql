-- The months each team reported for a metric it has a view of, with the instant the team
-- pulled its report (views are monthly; weekly or daily reports are reconciled without one).
{%- set views = funnel_contract().alignment.team_views %}
with reported_months as (
    select distinct team, team_metric, period_start as month_start
    from {{ ref('stg_reports__team_metrics') }}
    where period_start = {{ month_start('period_start') }}
)

{%- for view in views %}
{% if not loop.first %}union all{% endif %}
select
    team,
    team_metric,
    month_start,
    {{ snapshot_instant('month_start', view) }} as snapshot_at
from reported_months
where team = {{ funnel_string(view.team) }} and team_metric = {{ funnel_string(view.team_metric) }}
{%- endfor %}
{%- if not views %}
select team, team_metric, month_start, cast(null as {{ dbt.type_timestamp() }}) as snapshot_at
from reported_months
where false
{%- endif %}
