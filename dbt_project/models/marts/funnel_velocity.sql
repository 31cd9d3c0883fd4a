-- Funnel velocity (docs/analytics.md): days from entering one stage to entering a later one,
-- overall, by source channel, by company-size segment and by how fast sales first touched the
-- person (the first SLA's speed band, sla_speed_to_lead). Only people who entered both stages
-- themselves count (a skipped stage would add a meaningless 0).
{%- set sla_stages = funnel_contract().stages | selectattr('sla_hours') | list %}
with firsts as (
    select person_id, stage, stage_order, entered_at, channel
    from {{ ref('fct_stage_entries') }}
    where entry_number = 1 and not is_backfilled
),

segments as (
    select * from {{ ref('int_person_segments') }}
),

speeds as (
    {%- if sla_stages %}
    select person_id, first_touch_speed_band
    from {{ ref('sla_speed_to_lead') }}
    where sla_stage = {{ funnel_string(sla_stages[0].key) }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_string() }}) as first_touch_speed_band
    from segments
    where false
    {%- endif %}
),

transitions as (
    select
        origin.stage as from_stage,
        origin.stage_order as from_stage_order,
        reached.stage as to_stage,
        reached.stage_order as to_stage_order,
        origin.channel,
        coalesce(segments.segment, 'unknown') as segment,
        coalesce(speeds.first_touch_speed_band, 'not_measured') as first_touch_speed,
        {{ seconds_between('origin.entered_at', 'reached.entered_at') }} / 86400.0 as days,
        -- Whole milliseconds sum exactly, so the mean does not depend on the order rows arrive in.
        cast(round({{ seconds_between('origin.entered_at', 'reached.entered_at') }} * 1000) as bigint) as millis
    from firsts as origin
    join firsts as reached
        on reached.person_id = origin.person_id
        and reached.stage_order > origin.stage_order
    left join segments on segments.person_id = origin.person_id
    left join speeds on speeds.person_id = origin.person_id
),

sliced as (
    select 'all' as dimension, 'all' as dimension_value, * from transitions
    union all
    select 'channel', channel, * from transitions
    union all
    select 'segment', segment, * from transitions
    union all
    select 'first_touch_speed', first_touch_speed, * from transitions
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
