-- What marketing spends and gets, per month, channel and campaign (docs/analytics.md): spend,
-- entries per stage, won revenue, cost per stage, CAC and ROAS; flags spend that brought no
-- leads and paid-channel leads that had no spend. Ratios are null when their denominator is 0.
{%- set stages = funnel_contract().stages %}
{%- set first_stage = stages[0].key %}
{%- set last_stage = stages[-1].key %}
with spend as (
    select
        {{ month_start('date') }} as month,
        channel,
        coalesce(campaign, '') as campaign_key,
        sum(spend) as spend,
        sum(clicks) as clicks,
        sum(impressions) as impressions
    from {{ ref('marketing_spend_daily') }}
    group by {{ month_start('date') }}, channel, coalesce(campaign, '')
),

entries as (
    select
        {{ month_start('entered_date') }} as month,
        channel,
        coalesce(campaign, '') as campaign_key,
        {%- for stage in stages %}
        sum(case when stage = {{ funnel_string(stage.key) }} then 1 else 0 end)
            as {{ stage.key }}_entries{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_stage_entries') }}
    group by {{ month_start('entered_date') }}, channel, coalesce(campaign, '')
),

won as (
    select
        {{ month_start('deals.won_date') }} as month,
        deals.source_channel as channel,
        coalesce(people.campaign, '') as campaign_key,
        count(*) as won_deals,
        sum(deals.amount_reporting) as won_revenue
    from {{ ref('pipeline_deals') }} as deals
    left join {{ ref('dim_people') }} as people on people.person_id = deals.primary_person_id
    where deals.is_won and deals.won_date is not null
    group by {{ month_start('deals.won_date') }}, deals.source_channel, coalesce(people.campaign, '')
),

cells as (
    select month, channel, campaign_key from spend
    union
    select month, channel, campaign_key from entries
    union
    select month, channel, campaign_key from won
),

joined as (
    select
        cells.month,
        cells.channel,
        nullif(cells.campaign_key, '') as campaign,
        coalesce(spend.spend, 0) as spend,
        coalesce(spend.clicks, 0) as clicks,
        coalesce(spend.impressions, 0) as impressions,
        {%- for stage in stages %}
        coalesce(entries.{{ stage.key }}_entries, 0) as {{ stage.key }}_entries,
        {%- endfor %}
        coalesce(won.won_deals, 0) as won_deals,
        coalesce(won.won_revenue, 0) as won_revenue
    from cells
    left join spend
        on spend.month = cells.month and spend.channel = cells.channel and spend.campaign_key = cells.campaign_key
    left join entries
        on entries.month = cells.month and entries.channel = cells.channel and entries.campaign_key = cells.campaign_key
    left join won
        on won.month = cells.month and won.channel = cells.channel and won.campaign_key = cells.campaign_key
)

select
    *,
    {%- for stage in stages %}
    cast(spend as double) / nullif({{ stage.key }}_entries, 0) as cost_per_{{ stage.key }},
    {%- endfor %}
    cast(spend as double) / nullif({{ last_stage }}_entries, 0) as cac,
    cast(won_revenue as double) / nullif(spend, 0) as roas,
    spend > 0 and {{ first_stage }}_entries = 0 as has_spend_without_leads,
    channel in ({{ paid_channels() }}) and {{ first_stage }}_entries > 0 and spend = 0 as has_leads_without_spend
from joined
