-- Credit of each touch for each conversion under six attribution models (docs/analytics.md):
-- one row per conversion, model and credited touch (or the person's channel when no touch lies
-- in the window). A conversion is a person's first entry into a stage, or a won deal (with its
-- revenue). Touches count within the contract's window before the conversion; rows with zero
-- credit are left out. marts.attribution_credit publishes it.
{{ config(
    materialized=person_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_people_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
{%- set policies = funnel_contract().policies %}
{%- set first_stage = funnel_contract().stages[0].key %}
with entries as (
    -- int_stage_entries holds entries of people the funnel counts only (excluded people have none).
    select * from {{ ref('int_stage_entries') }}
    where entry_number = 1 and {{ people_to_rebuild('person_id') }}
),

people as (
    select * from {{ ref('int_people') }}
    where not is_excluded and {{ people_to_rebuild('person_id') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints') }}
    where {{ people_to_rebuild('person_id') }}
),

deals as (
    select * from {{ ref('int_deals') }}
),

conversions as (
    select
        person_id || ':' || stage as conversion_id,
        stage as conversion_type,
        person_id,
        entered_at as converted_at,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as decimal(38, 2)) as revenue
    from entries
    union all
    select
        'won_deal:' || deals.deal_id,
        'won_deal',
        deals.primary_person_id,
        deals.won_at,
        deals.deal_id,
        deals.amount_reporting
    from deals
    join people on people.person_id = deals.primary_person_id
    where deals.is_won and deals.won_at is not null
),

lead_times as (
    select person_id, entered_at as lead_at
    from entries
    where stage = {{ funnel_string(first_stage) }}
),

in_window as (
    select
        conversions.*,
        touchpoints.touchpoint_id,
        touchpoints.touched_at,
        touchpoints.touch_type,
        touchpoints.channel,
        touchpoints.campaign,
        lead_times.lead_at,
        {{ seconds_between('touchpoints.touched_at', 'conversions.converted_at') }} / 86400.0 as days_before,
        row_number() over (
            partition by conversions.conversion_id order by touchpoints.touched_at, touchpoints.touchpoint_id
        ) as position,
        count(*) over (partition by conversions.conversion_id) as touches
    from conversions
    join touchpoints
        on touchpoints.person_id = conversions.person_id
        and touchpoints.touched_at <= conversions.converted_at
        and touchpoints.touched_at
            > {{ add_seconds('conversions.converted_at', -86400 * policies.attribution_window_days) }}
    left join lead_times on lead_times.person_id = conversions.person_id
),

milestones as (
    -- W-shaped: the lead-creation touch is the last one at or before the person became a lead.
    select
        *,
        coalesce(
            max(case when touched_at <= lead_at then position end) over (partition by conversion_id), 1
        ) as lead_position
    from in_window
),

shaped as (
    select
        *,
        case when position = 1 then 1 else 0 end
            + case when position = lead_position then 1 else 0 end
            + case when position = touches then 1 else 0 end as milestone_slots,
        touches - (
            1 + case when touches > 1 then 1 else 0 end
            + case when lead_position <> 1 and lead_position <> touches then 1 else 0 end
        ) as other_touches,
        power(0.5, days_before / {{ funnel_number(policies.attribution_half_life_days) }}) as decay_weight
    from milestones
),

weighted as (
    select
        *,
        case when position = 1 then 1.0 else 0.0 end as first_touch,
        case when position = touches then 1.0 else 0.0 end as last_touch,
        -- Divisions in double on every engine (Spark would keep a decimal of scale 6).
        cast(1 as double) / touches as linear,
        case
            when touches = 1 then 1.0
            when touches = 2 then 0.5
            when position = 1 or position = touches then 0.4
            else cast(0.2 as double) / (touches - 2)
        end as u_shaped,
        -- In tenths, so that a lone touch gets exactly 1 (0.3 * 3 is not 0.9 in floating point).
        (3.0 * milestone_slots + case
            when other_touches = 0 then cast(milestone_slots as double) / 3
            when milestone_slots = 0 then cast(1 as double) / other_touches
            else 0.0
        end) / 10.0 as w_shaped,
        decay_weight / sum(decay_weight) over (
            partition by conversion_id order by position rows between unbounded preceding and unbounded following
        ) as time_decay
    from shaped
),

{%- set models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}

credited as (
    {%- for model in models %}
    select
        conversion_id, conversion_type, person_id, converted_at, deal_id, revenue,
        {{ funnel_string(model) }} as model,
        touchpoint_id, touched_at, touch_type, channel, campaign, touches,
        {{ model }} as credit
    from weighted
    where {{ model }} > 0
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

untouched as (
    -- No touch in the window: the whole credit goes to the person's source channel.
    {%- for model in models %}
    select
        conversions.conversion_id, conversions.conversion_type, conversions.person_id, conversions.converted_at,
        conversions.deal_id, conversions.revenue,
        {{ funnel_string(model) }} as model,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_timestamp() }}) as touched_at,
        'none_in_window' as touch_type,
        people.channel,
        people.campaign,
        0 as touches,
        1.0 as credit
    from conversions
    join people on people.person_id = conversions.person_id
    where conversions.conversion_id not in (select conversion_id from in_window)
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select * from credited
    union all
    select * from untouched
)

select
    conversion_id,
    conversion_type,
    person_id,
    converted_at,
    deal_id,
    revenue,
    model,
    touchpoint_id,
    touched_at,
    touch_type,
    channel,
    campaign,
    touches,
    cast(credit as double) as credit,
    cast(credit * revenue as double) as attributed_revenue
from final
