-- The reported periods of a team's metrics counting people (entries, people touched) whose
-- records can be compared with the canonical ones: those the team has a view of (its own rules
-- in funnel.yml) or listed the records of (reports/records/), with the instant the team pulled
-- the report — its snapshot `days_after` the period ended, at `time` in `timezone`. Any period
-- works: a month, a week, a day.
{%- set teams = funnel_contract().alignment.team_reports | selectattr('measure', 'in', ['entries', 'people_touched'])
    | list %}
with reported as (
    select distinct team, team_metric, period_start, period_end
    from {{ ref('stg_reports__team_metrics') }}
    where period_end >= period_start  -- any other row is rejected (int_rejected_values)
),

listed as (
    select distinct team, team_metric, period_start, period_end
    from {{ ref('stg_reports__team_records') }}
),

periods as (
    {%- for row in teams %}
    {% if not loop.first %}union all{% endif %}
    select
        reported.team,
        reported.team_metric,
        reported.period_start,
        reported.period_end,
        {{ snapshot_instant('reported.period_end', row) }} as snapshot_at,
        listed.period_start is not null as is_listed
    from reported
    left join listed
        on listed.team = reported.team
        and listed.team_metric = reported.team_metric
        and listed.period_start = reported.period_start
        and listed.period_end = reported.period_end
    where reported.team = {{ funnel_string(row.team) }}
        and reported.team_metric = {{ funnel_string(row.team_metric) }}
        {%- if not row.has_view %}
        and listed.period_start is not null
        {%- endif %}
    {%- endfor %}
    {%- if not teams %}
    select team, team_metric, period_start, period_end, cast(null as {{ dbt.type_timestamp() }}) as snapshot_at,
        false as is_listed
    from reported
    where false
    {%- endif %}
)

select * from periods
