-- Period conversion (docs/analytics.md): entries into the next stage in a month over entries into
-- the stage in the same month, for each adjacent stage pair. People are not followed across
-- months: that is funnel_conversion_cohort.
with monthly as (
    select {{ month_start('entered_date') }} as month, stage, count(*) as entries
    from {{ ref('fct_stage_entries') }}
    group by {{ month_start('entered_date') }}, stage
),

months as (
    select distinct month from monthly
),

stages as (
    {{ stage_rows() }}
),

adjacent as (
    select
        from_stages.stage as from_stage,
        from_stages.stage_order as from_stage_order,
        to_stages.stage as to_stage
    from stages as from_stages
    join stages as to_stages on to_stages.stage_order = from_stages.stage_order + 1
)

select
    months.month,
    adjacent.from_stage,
    adjacent.from_stage_order,
    adjacent.to_stage,
    coalesce(from_entries.entries, 0) as from_entries,
    coalesce(to_entries.entries, 0) as to_entries,
    cast(coalesce(to_entries.entries, 0) as double) / nullif(from_entries.entries, 0) as conversion_rate
from months
cross join adjacent
left join monthly as from_entries
    on from_entries.month = months.month and from_entries.stage = adjacent.from_stage
left join monthly as to_entries
    on to_entries.month = months.month and to_entries.stage = adjacent.to_stage
