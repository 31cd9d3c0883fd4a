-- Each team's reported number next to the canonical one, per metric and period, with the
-- contract's tolerance: allowed delta = max(absolute, relative × canonical). Where the team has a
-- view (its own rules in funnel.yml), its tool's own count and the part of the delta the
-- divergences explain record by record; the rest is `unexplained_delta`.
--
-- Signed-off divergences (alignment_acceptances.yml beside the contract, passed as the var
-- `alignment_acceptances`): a period outside tolerance is `accepted` while its delta and the
-- fingerprint of its divergent records (explanation_md5) are those accepted and the acceptance
-- has not expired; otherwise acceptance_state says why it re-opened.
{%- set alignment = funnel_contract().alignment %}
{%- set acceptances = var('alignment_acceptances', []) %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with run_day as (
    -- The day after the run's day, in the reporting timezone: the as-of instant is the end of the
    -- run's day (exclusive), so its local date is the next day. A replayed day judges as it did then.
    select coalesce({{ to_reporting_date('as_of') }}, current_date) as day_after from {{ ref('int_run_context') }}
),

reports as (
    select * from {{ ref('stg_reports__team_metrics') }}
    where period_end >= period_start  -- a period ending before it starts is rejected (int_rejected_values)
        -- A period is judged once it has ended: on an earlier day its report could not exist yet.
        and period_end < (select day_after from run_day)
),

entries as (
    select * from {{ ref('fct_stage_entries') }}
),

view_periods as (
    select * from {{ ref('int_team_view_periods') }}
),

view_counts as (
    select team, team_metric, period_start, period_end, count(*) as team_computed_value
    from {{ ref('int_team_view_records') }}
    group by team, team_metric, period_start, period_end
),

divergence_counts as (
    select
        team,
        team_metric,
        period_start,
        period_end,
        sum(case when counted_by = 'canonical' then 0 else 1 end) as team_only_records,
        sum(case when counted_by = 'canonical' then 1 else 0 end) as canonical_only_records,
        {{ sorted_text_md5("divergence_id || '|' || reason") }} as explanation_md5
    from {{ ref('alignment_divergences') }}
    group by team, team_metric, period_start, period_end
),

mapping as (
    {%- for row in alignment.team_reports %}
    select
        {{ funnel_string(row.team) }} as team,
        {{ funnel_string(row.team_metric) }} as team_metric,
        {{ funnel_string(row.metric) }} as metric
    union all
    {%- endfor %}
    -- Named, so that a contract without team reports still binds (and reconciles nothing).
    select {{ string_null }} as team, {{ string_null }} as team_metric, {{ string_null }} as metric
    where false
),

metrics as (
    {%- for m in alignment.metrics %}
    select
        {{ funnel_string(m.metric) }} as metric,
        {{ funnel_string(m.measure) }} as measure,
        {{ funnel_string(m.stage) if m.stage else string_null }} as stage,
        {{ funnel_string(m.pipeline) if m.pipeline else string_null }} as pipeline_id,
        {{ funnel_number(m.relative) }} as tolerance_relative,
        {{ funnel_number(m.absolute) }} as tolerance_absolute,
        {{ funnel_string(m.severity) }} as severity
    union all
    {%- endfor %}
    select {{ string_null }} as metric, {{ string_null }} as measure, {{ string_null }} as stage,
        {{ string_null }} as pipeline_id, cast(null as double) as tolerance_relative,
        cast(null as double) as tolerance_absolute, {{ string_null }} as severity
    where false
),

acceptances as (
    {%- for a in acceptances %}
    select
        {{ funnel_string(a.team) }} as team,
        {{ funnel_string(a.team_metric) }} as team_metric,
        cast({{ funnel_string(a.period_start) }} as date) as period_start,
        cast({{ funnel_number(a.delta) }} as decimal(18, 2)) as accepted_delta,
        {{ funnel_string(a.explanation_md5) }} as accepted_explanation_md5,
        {{ funnel_string(a.reason) }} as accepted_reason,
        {{ funnel_string(a.by) }} as accepted_by,
        cast({{ funnel_string(a.accepted_on) }} as date) as accepted_on,
        {{ 'cast(' ~ funnel_string(a.expires_on) ~ ' as date)' if a.expires_on else 'cast(null as date)' }}
            as accepted_until
    union all
    {%- endfor %}
    select {{ string_null }} as team, {{ string_null }} as team_metric, cast(null as date) as period_start,
        cast(null as decimal(18, 2)) as accepted_delta, {{ string_null }} as accepted_explanation_md5,
        {{ string_null }} as accepted_reason, {{ string_null }} as accepted_by, cast(null as date) as accepted_on,
        cast(null as date) as accepted_until
    where false
),

deals as (
    select * from {{ ref('pipeline_deals') }}
),

reported as (
    select reports.*, mapping.metric, metrics.measure, metrics.stage, metrics.pipeline_id, metrics.tolerance_relative,
        metrics.tolerance_absolute, metrics.severity
    from reports
    join mapping on mapping.team = reports.team and mapping.team_metric = reports.team_metric
    join metrics on metrics.metric = mapping.metric
),

entry_counts as (
    select
        reported.team,
        reported.team_metric,
        reported.period_start,
        count(entries.stage_entry_id) as canonical_value
    from reported
    left join entries
        on entries.stage = reported.stage
        and entries.entered_date between reported.period_start and reported.period_end
    where reported.measure = 'entries'
    group by reported.team, reported.team_metric, reported.period_start
),

touched_counts as (
    -- People who had entered the stage and got a sales touch in the period, once each.
    select
        reported.team,
        reported.team_metric,
        reported.period_start,
        count(distinct touched.person_id) as canonical_value
    from reported
    left join {{ ref('int_people_touched') }} as touched
        on touched.stage = reported.stage
        and touched.touched_date between reported.period_start and reported.period_end
    where reported.measure = 'people_touched'
    group by reported.team, reported.team_metric, reported.period_start
),

amounts as (
    -- Pipeline created, or revenue won, in the period (reporting-currency amounts).
    select
        reported.team,
        reported.team_metric,
        reported.period_start,
        coalesce(sum(deals.amount_reporting), 0) as canonical_value
    from reported
    left join deals
        on deals.pipeline_id = reported.pipeline_id
        and (
            (reported.measure = 'pipeline_amount'
                and deals.created_date between reported.period_start and reported.period_end)
            or (reported.measure = 'won_revenue'
                and deals.won_date between reported.period_start and reported.period_end)
        )
    where reported.measure in ('pipeline_amount', 'won_revenue')
    group by reported.team, reported.team_metric, reported.period_start
),

canonical as (
    select * from entry_counts
    union all
    select * from touched_counts
    union all
    select * from amounts
),

compared as (
    select
        reported.metric,
        reported.team,
        reported.team_metric,
        reported.period_start,
        reported.period_end,
        reported.value as team_value,
        canonical.canonical_value,
        reported.value - canonical.canonical_value as delta,
        case when canonical.canonical_value > 0
            -- In double on every engine (Spark would keep a decimal of scale 6).
            then cast(reported.value - canonical.canonical_value as double) / canonical.canonical_value
        end as delta_pct,
        reported.tolerance_relative,
        reported.tolerance_absolute,
        greatest(reported.tolerance_absolute, reported.tolerance_relative * canonical.canonical_value)
            as allowed_delta,
        reported.severity,
        view_periods.period_start is not null as has_team_view,
        case when view_periods.period_start is not null then coalesce(view_counts.team_computed_value, 0) end
            as team_computed_value,
        case when view_periods.period_start is not null
            then coalesce(divergence_counts.team_only_records, 0)
                - coalesce(divergence_counts.canonical_only_records, 0)
            else 0
        end as explained_delta,
        coalesce(divergence_counts.explanation_md5, md5('')) as explanation_md5,
        acceptances.accepted_delta,
        acceptances.accepted_explanation_md5,
        acceptances.accepted_reason,
        acceptances.accepted_by,
        acceptances.accepted_on,
        acceptances.accepted_until,
        run_day.day_after
    from reported
    cross join run_day
    join canonical
        on canonical.team = reported.team
        and canonical.team_metric = reported.team_metric
        and canonical.period_start = reported.period_start
    left join view_periods
        on view_periods.team = reported.team
        and view_periods.team_metric = reported.team_metric
        and view_periods.period_start = reported.period_start
        and view_periods.period_end = reported.period_end
    left join view_counts
        on view_counts.team = reported.team
        and view_counts.team_metric = reported.team_metric
        and view_counts.period_start = reported.period_start
        and view_counts.period_end = reported.period_end
    left join divergence_counts
        on divergence_counts.team = reported.team
        and divergence_counts.team_metric = reported.team_metric
        and divergence_counts.period_start = reported.period_start
        and divergence_counts.period_end = reported.period_end
    left join acceptances
        on acceptances.team = reported.team
        and acceptances.team_metric = reported.team_metric
        and acceptances.period_start = reported.period_start
),

judged as (
    select
        *,
        abs(delta) <= allowed_delta as within_tolerance,
        case
            when accepted_by is null then {{ string_null }}
            -- accepted_until is the last day it holds: expired once a later day is run.
            when {{ days_between('accepted_until', 'day_after') }} > 1 then 'expired'
            when cast(delta as decimal(18, 2)) <> accepted_delta then 'reopened_delta_changed'
            when explanation_md5 <> accepted_explanation_md5 then 'reopened_records_changed'
            else 'accepted'
        end as acceptance_state
    from compared
)

select
    metric,
    team,
    team_metric,
    period_start,
    period_end,
    team_value,
    canonical_value,
    delta,
    delta_pct,
    tolerance_relative,
    tolerance_absolute,
    allowed_delta,
    severity,
    has_team_view,
    team_computed_value,
    explained_delta,
    explanation_md5,
    acceptance_state,
    accepted_delta,
    accepted_by,
    accepted_on,
    accepted_until,
    accepted_reason,
    delta - explained_delta as unexplained_delta,
    abs(delta) as abs_delta,
    case
        when within_tolerance then 'ok'
        when acceptance_state = 'accepted' then 'accepted'
        when severity = 'warn' then 'warn'
        else 'fail'
    end as status,
    coalesce(not within_tolerance and acceptance_state = 'accepted', false) as is_accepted
from judged
