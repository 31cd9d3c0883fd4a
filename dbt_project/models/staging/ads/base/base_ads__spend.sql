-- One row per platform, account, campaign and day: spend in the platform's currency and in the
-- reporting currency, and the utm_campaign the campaign's clicks carry. Each platform is read
-- from its export files or from Fivetran's tables, as sources.yml says, or left out. A missing
-- FX rate leaves `spend_reporting` null and flags the row; it is never silently taken as 1.
{%- set modes = funnel_sources().ads %}
{%- set reporting_currency = funnel_string(funnel_contract().reporting.currency) %}
{%- set platforms = [] %}
with
{%- if modes.google_ads == 'files' %}{% do platforms.append('google_ads') %}
google_ads as (
    select
        'google_ads' as platform, date as spend_date, customer_id as account_id, campaign_id, campaign_name,
        upper(customer_currency_code) as currency, cast(cost_micros / 1000000.0 as decimal(38, 6)) as spend_native,
        clicks, impressions, conversions as platform_conversions
    from {{ source('ads', 'google_ads_campaign_stats') }}
),
{%- elif modes.google_ads == 'fivetran' %}{% do platforms.append('google_ads') %}
google_stats as (
    -- Segmented by device and ad network: one campaign-day is many rows.
    select customer_id, id as campaign_id, cast(date as date) as spend_date, sum(cost_micros) as cost_micros,
        sum(clicks) as clicks, sum(impressions) as impressions, sum(conversions) as conversions
    from ({{ landed('google_ads_fivetran', 'campaign_stats') }}) as stats
    group by customer_id, id, cast(date as date)
),
google_ads as (
    select
        'google_ads' as platform, stats.spend_date, stats.customer_id as account_id, stats.campaign_id,
        campaigns.name as campaign_name, upper(accounts.currency_code) as currency,
        cast(stats.cost_micros / 1000000.0 as decimal(38, 6)) as spend_native,
        stats.clicks, stats.impressions, stats.conversions as platform_conversions
    from google_stats as stats
    left join ({{ landed('google_ads_fivetran', 'campaign_history') }}) as campaigns on campaigns.id = stats.campaign_id
    left join ({{ landed('google_ads_fivetran', 'account_history') }}) as accounts on accounts.id = stats.customer_id
),
{%- endif %}

{%- if modes.linkedin_ads == 'files' %}{% do platforms.append('linkedin_ads') %}
linkedin_ads as (
    select
        'linkedin_ads' as platform, date as spend_date, account_id, campaign_id, campaign_name,
        upper(currency) as currency, cast(cost_in_local_currency as decimal(38, 6)) as spend_native,
        clicks, impressions, external_website_conversions as platform_conversions
    from {{ source('ads', 'linkedin_ads_campaign_stats') }}
),
{%- elif modes.linkedin_ads == 'fivetran' %}{% do platforms.append('linkedin_ads') %}
linkedin_stats as (
    -- `day` is a timestamp in Fivetran's table: spend is dated by its date.
    select campaign_id, cast(day as date) as spend_date,
        sum(cast(cost_in_local_currency as decimal(38, 6))) as cost_in_local_currency, sum(clicks) as clicks,
        sum(impressions) as impressions, sum(external_website_conversions) as conversions
    from ({{ landed('linkedin_ads_fivetran', 'ad_analytics_by_campaign') }}) as stats
    group by campaign_id, cast(day as date)
),
linkedin_ads as (
    select
        'linkedin_ads' as platform, stats.spend_date, campaigns.account_id, stats.campaign_id,
        campaigns.name as campaign_name, upper(accounts.currency) as currency,
        stats.cost_in_local_currency as spend_native, stats.clicks, stats.impressions,
        stats.conversions as platform_conversions
    from linkedin_stats as stats
    left join ({{ landed('linkedin_ads_fivetran', 'campaign_history') }}) as campaigns
        on campaigns.id = stats.campaign_id
    left join ({{ landed('linkedin_ads_fivetran', 'account_history') }}) as accounts
        on accounts.id = campaigns.account_id
),
{%- endif %}

{%- if modes.meta_ads == 'files' %}{% do platforms.append('meta_ads') %}
meta_ads as (
    select
        'meta_ads' as platform, date_start as spend_date, account_id, campaign_id, campaign_name,
        upper(account_currency) as currency, cast(spend as decimal(38, 6)) as spend_native,
        clicks, impressions, conversions as platform_conversions
    from {{ source('ads', 'meta_ads_campaign_stats') }}
),
{%- elif modes.meta_ads == 'fivetran' %}{% do platforms.append('meta_ads') %}
meta_ad_days as (
    -- The ad-level report, rolled up to campaigns through each ad's campaign.
    select stats.account_id, ads.campaign_id, cast(stats.date as date) as spend_date,
        sum(cast(stats.spend as decimal(38, 6))) as spend, sum(stats.inline_link_clicks) as clicks,
        sum(stats.impressions) as impressions
    from ({{ landed('facebook_ads_fivetran', 'basic_ad') }}) as stats
    join ({{ landed('facebook_ads_fivetran', 'ad_history') }}) as ads on ads.id = stats.ad_id
    group by stats.account_id, ads.campaign_id, cast(stats.date as date)
),
meta_leads as (
    select ads.campaign_id, cast(actions.date as date) as spend_date, sum(actions.value) as conversions
    from ({{ landed('facebook_ads_fivetran', 'basic_ad_actions') }}) as actions
    join ({{ landed('facebook_ads_fivetran', 'ad_history') }}) as ads on ads.id = actions.ad_id
    where actions.action_type in ({{ funnel_string_list(var('meta_ads_lead_actions')) }})
    group by ads.campaign_id, cast(actions.date as date)
),
meta_ads as (
    select
        'meta_ads' as platform, stats.spend_date, stats.account_id, stats.campaign_id,
        campaigns.name as campaign_name, upper(accounts.currency) as currency, stats.spend as spend_native,
        stats.clicks, stats.impressions, coalesce(leads.conversions, 0) as platform_conversions
    from meta_ad_days as stats
    left join ({{ landed('facebook_ads_fivetran', 'campaign_history') }}) as campaigns
        on campaigns.id = stats.campaign_id
    -- account_history has no update time: the latest sync's row wins (landed()).
    left join ({{ landed('facebook_ads_fivetran', 'account_history') }}) as accounts on accounts.id = stats.account_id
    left join meta_leads as leads on leads.campaign_id = stats.campaign_id and leads.spend_date = stats.spend_date
),
{%- endif %}

{%- if modes.microsoft_ads == 'files' %}{% do platforms.append('microsoft_ads') %}
microsoft_ads as (
    select
        'microsoft_ads' as platform, timeperiod as spend_date, accountid as account_id, campaignid as campaign_id,
        campaignname as campaign_name, upper(currencycode) as currency, cast(spend as decimal(38, 6)) as spend_native,
        clicks as clicks, impressions as impressions, conversions as platform_conversions
    from {{ source('ads', 'microsoft_ads_campaign_stats') }}
),
{%- elif modes.microsoft_ads == 'fivetran' %}{% do platforms.append('microsoft_ads') %}
microsoft_stats as (
    -- Segmented by device, network and match types: one campaign-day is many rows.
    select cast(date as date) as spend_date, account_id, campaign_id, upper(currency_code) as currency,
        sum(cast(spend as decimal(38, 6))) as spend, sum(clicks) as clicks, sum(impressions) as impressions,
        sum(conversions) as conversions
    from ({{ landed('microsoft_ads_fivetran', 'campaign_performance_daily_report') }}) as stats
    group by cast(date as date), account_id, campaign_id, upper(currency_code)
),
microsoft_ads as (
    select
        'microsoft_ads' as platform, stats.spend_date, stats.account_id, stats.campaign_id,
        campaigns.name as campaign_name, stats.currency, stats.spend as spend_native, stats.clicks,
        stats.impressions, stats.conversions as platform_conversions
    from microsoft_stats as stats
    left join ({{ landed('microsoft_ads_fivetran', 'campaign_history') }}) as campaigns
        on campaigns.id = stats.campaign_id
),
{%- endif %}

unioned as (
    {%- for platform in platforms %}
    select * from {{ platform }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not platforms %}
    select
        cast(null as {{ dbt.type_string() }}) as platform, cast(null as date) as spend_date,
        cast(null as {{ dbt.type_string() }}) as account_id, cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as campaign_name, cast(null as {{ dbt.type_string() }}) as currency,
        cast(null as decimal(38, 6)) as spend_native, cast(null as bigint) as clicks,
        cast(null as bigint) as impressions,
        cast(null as double) as platform_conversions
    where false
    {%- endif %}
),

utm_map as (
    select distinct
        lower(trim(platform)) as platform, trim(campaign_id) as campaign_id, trim(utm_campaign) as utm_campaign
    from {{ source('mappings', 'utm_campaign_map') }}
),

rates as (
    select * from {{ ref('stg_fx__rates_daily') }}
    where to_currency = {{ reporting_currency }}
),

converted as (
    select
        unioned.*,
        coalesce(utm_map.utm_campaign, unioned.campaign_name) as utm_campaign,
        {{ reporting_currency }} as reporting_currency,
        case
            when unioned.currency = {{ reporting_currency }} then cast(1 as decimal(38, 6))
            else rates.rate
        end as fx_rate
    from unioned
    left join utm_map on utm_map.platform = unioned.platform and utm_map.campaign_id = unioned.campaign_id
    left join rates
        on rates.rate_date = unioned.spend_date
        and rates.from_currency = unioned.currency
)

select
    *,
    {{ ad_platform_channel('platform') }} as channel,
    spend_native * fx_rate as spend_reporting,
    fx_rate is null as is_missing_fx_rate
from converted
