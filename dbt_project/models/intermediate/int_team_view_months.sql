-- The months of a team's entry metrics whose records can be compared with the canonical ones:
-- those the team reported and either has a view of (its own rules in funnel.yml) or listed
-- the records of (reports/records/). With the instant the team pulled its report. Views are
-- monthly; weekly or daily reports are reconciled without record-level explanations.
{%- set teams = funnel_contract().alignment.team_reports | selectattr('measure', 'equalto', 'entries') | list %}
with reported_months as (
    select distinct team, team_metric, period_start as month_start
    from {{ ref('stg_reports__team_metrics') }}
    where period_start = {{ month_start('period_start') }}
),

listed_months as (
    select distinct team, team_metric, period_start as month_start
    from {{ ref('stg_reports__team_records') }}
    where period_start = {{ month_start('period_start') }}
),

months as (
    {%- for row in teams %}
    {% if not loop.first %}union all{% endif %}
    select
        reported_months.team,
        reported_months.team_metric,
        reported_months.month_start,
        {{ snapshot_instant('reported_months.month_start', row) }} as snapshot_at,
        listed_months.month_start is not null as is_listed
    from reported_months
    left join listed_months
        on listed_months.team = reported_months.team
        and listed_months.team_metric = reported_months.team_metric
        and listed_months.month_start = reported_months.month_start
    where reported_months.team = {{ funnel_string(row.team) }}
        and reported_months.team_metric = {{ funnel_string(row.team_metric) }}
        {%- if not row.has_view %}
        and listed_months.month_start is not null
        {%- endif %}
    {%- endfor %}
    {%- if not teams %}
    select team, team_metric, month_start, cast(null as {{ dbt.type_timestamp() }}) as snapshot_at, false as is_listed
    from reported_months
    where false
    {%- endif %}
)

select * from months
