-- Leadership's targets against what happened (docs/analytics.md): entries per stage per month
-- against the contract's targets, and for the run's current month the pace to target.
{%- set targets = funnel_contract().targets %}
with targets as (
    {%- for target in targets %}
    select
        {{ funnel_string(target.period) }} as period,
        {{ funnel_string(target.stage) }} as stage,
        {{ funnel_number(target.value) }} as target
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as period,
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as double) as target
    where false
    {%- endfor %}
),

periods as (
    select
        period,
        stage,
        target,
        cast(period || '-01' as date) as period_start,
        cast({{ dbt.last_day("cast(period || '-01' as date)", 'month') }} as date) as period_end
    from targets
),

actuals as (
    select stage, {{ month_start('entered_date') }} as month, count(*) as actual
    from {{ ref('fct_stage_entries') }}
    group by stage, {{ month_start('entered_date') }}
),

elapsed as (
    select
        periods.*,
        coalesce(actuals.actual, 0) as actual,
        {{ days_between('periods.period_start', 'periods.period_end') }} + 1 as days_in_period,
        case
            when {{ run_day() }} >= periods.period_end
                then {{ days_between('periods.period_start', 'periods.period_end') }} + 1
            when {{ run_day() }} < periods.period_start then 0
            else {{ days_between('periods.period_start', run_day()) }} + 1
        end as days_elapsed,
        {{ run_day() }} between periods.period_start and periods.period_end as is_current_period
    from periods
    left join actuals on actuals.stage = periods.stage and actuals.month = periods.period_start
)

select
    period,
    period_start,
    period_end,
    stage,
    target,
    actual,
    cast(actual as double) / nullif(target, 0) as attainment,
    is_current_period,
    days_in_period,
    days_elapsed,
    case when days_elapsed > 0 then target * days_elapsed / days_in_period end as expected_to_date,
    case
        when days_elapsed > 0 then actual / nullif(cast(target * days_elapsed as double) / days_in_period, 0)
    end as pace,
    case when days_elapsed > 0 then cast(actual as double) * days_in_period / days_elapsed end as projected
from elapsed
