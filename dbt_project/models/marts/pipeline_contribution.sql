-- Who contributes pipeline (docs/analytics.md): deals created per month, pipeline and channel,
-- sourced by marketing, sales or partners (the deal's source), and influenced by marketing (a
-- marketing touch of the primary person within the attribution window before the deal was
-- created). Influenced rows count a deal once per channel: do not sum them across channels.
{%- set window_days = funnel_contract().policies.attribution_window_days %}
with deals as (
    select * from {{ ref('pipeline_deals') }}
),

touchpoints as (
    select * from {{ ref('attribution_touchpoints') }}
    where is_marketing_touch
),

sourced as (
    select
        {{ month_start('created_date') }} as month,
        pipeline_id,
        source_channel as channel,
        sourced_by || '_sourced' as contribution,
        count(*) as opportunities,
        sum(amount_reporting) as pipeline_amount
    from deals
    group by {{ month_start('created_date') }}, pipeline_id, source_channel, sourced_by
),

influences as (
    select distinct deals.deal_id, touchpoints.channel
    from deals
    join touchpoints
        on touchpoints.person_id = deals.primary_person_id
        and touchpoints.touched_at <= deals.created_at
        and touchpoints.touched_at > {{ add_seconds('deals.created_at', -86400 * window_days) }}
),

influenced as (
    select
        {{ month_start('deals.created_date') }} as month,
        deals.pipeline_id,
        influences.channel,
        'marketing_influenced' as contribution,
        count(*) as opportunities,
        sum(deals.amount_reporting) as pipeline_amount
    from influences
    join deals on deals.deal_id = influences.deal_id
    group by {{ month_start('deals.created_date') }}, deals.pipeline_id, influences.channel
)

select * from sourced
union all
select * from influenced
