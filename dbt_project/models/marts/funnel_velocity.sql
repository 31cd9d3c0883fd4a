-- Funnel velocity (docs/analytics.md): days from entering one stage to entering a later one,
-- overall, by source channel and by company-size segment. Only people who entered both stages
-- themselves count (a skipped stage would add a meaningless 0).
with firsts as (
    select person_id, stage, stage_order, entered_at, channel
    from {{ ref('fct_stage_entries') }}
    where entry_number = 1 and not is_backfilled
),

segments as (
    select * from {{ ref('int_person_segments') }}
),

transitions as (
    select
        origin.stage as from_stage,
        origin.stage_order as from_stage_order,
        reached.stage as to_stage,
        reached.stage_order as to_stage_order,
        origin.channel,
        coalesce(segments.segment, 'unknown') as segment,
        {{ seconds_between('origin.entered_at', 'reached.entered_at') }} / 86400.0 as days,
        -- Whole milliseconds sum exactly, so the mean does not depend on the order rows arrive in.
        cast(round({{ seconds_between('origin.entered_at', 'reached.entered_at') }} * 1000) as bigint) as millis
    from firsts as origin
    join firsts as reached
        on reached.person_id = origin.person_id
        and reached.stage_order > origin.stage_order
    left join segments on segments.person_id = origin.person_id
),

sliced as (
    select 'all' as dimension, 'all' as dimension_value, * from transitions
    union all
    select 'channel', channel, * from transitions
    union all
    select 'segment', segment, * from transitions
)

select
    from_stage,
    from_stage_order,
    to_stage,
    to_stage_order,
    dimension,
    dimension_value,
    count(*) as transitions,
    sum(millis) / count(*) / 86400000.0 as avg_days,
    {{ quantile('days', 0.5) }} as median_days,
    {{ quantile('days', 0.75) }} as p75_days,
    {{ quantile('days', 0.9) }} as p90_days
from sliced
group by from_stage, from_stage_order, to_stage, to_stage_order, dimension, dimension_value
