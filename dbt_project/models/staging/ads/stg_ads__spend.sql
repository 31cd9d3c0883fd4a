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
google_campaigns as (
    select id, name, row_number() over (partition by id order by updated_at desc) as version_rank
    from {{ source('google_ads_fivetran', 'campaign_history') }}
),
google_accounts as (
    select id, currency_code, row_number() over (partition by id order by updated_at desc) as version_rank
    from {{ source('google_ads_fivetran', 'account_history') }}
),
google_ads as (
    select
        'google_ads' as platform, stats.date as spend_date, cast(stats.customer_id as {{ dbt.type_string() }}) as account_id,
        cast(stats.campaign_id as {{ dbt.type_string() }}) as campaign_id, campaigns.name as campaign_name,
        upper(accounts.currency_code) as currency, cast(stats.cost_micros / 1000000.0 as decimal(38, 6)) as spend_native,
        stats.clicks, stats.impressions, stats.conversions as platform_conversions
    from {{ source('google_ads_fivetran', 'campaign_stats') }} as stats
    left join google_campaigns as campaigns on campaigns.id = stats.campaign_id and campaigns.version_rank = 1
    left join google_accounts as accounts on accounts.id = stats.customer_id and accounts.version_rank = 1
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
linkedin_campaigns as (
    select id, name, account_id, row_number() over (partition by id order by last_modified_time desc) as version_rank
    from {{ source('linkedin_ads_fivetran', 'campaign_history') }}
),
linkedin_accounts as (
    select id, currency, row_number() over (partition by id order by last_modified_time desc) as version_rank
    from {{ source('linkedin_ads_fivetran', 'account_history') }}
),
linkedin_ads as (
    select
        'linkedin_ads' as platform, stats.day as spend_date, cast(campaigns.account_id as {{ dbt.type_string() }}) as account_id,
        cast(stats.campaign_id as {{ dbt.type_string() }}) as campaign_id, campaigns.name as campaign_name,
        upper(accounts.currency) as currency, cast(stats.cost_in_local_currency as decimal(38, 6)) as spend_native,
        stats.clicks, stats.impressions, stats.external_website_conversions as platform_conversions
    from {{ source('linkedin_ads_fivetran', 'ad_analytics_by_campaign') }} as stats
    left join linkedin_campaigns as campaigns on campaigns.id = stats.campaign_id and campaigns.version_rank = 1
    left join linkedin_accounts as accounts on accounts.id = campaigns.account_id and accounts.version_rank = 1
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
meta_accounts as (
    select id, currency, row_number() over (partition by id order by updated_time desc) as version_rank
    from {{ source('facebook_ads_fivetran', 'account_history') }}
),
meta_leads as (
    select campaign_id, date, sum(value) as conversions
    from {{ source('facebook_ads_fivetran', 'basic_campaign_actions') }}
    where action_type = 'offsite_conversion.fb_pixel_lead'
    group by campaign_id, date
),
meta_ads as (
    select
        'meta_ads' as platform, stats.date as spend_date, cast(stats.account_id as {{ dbt.type_string() }}) as account_id,
        cast(stats.campaign_id as {{ dbt.type_string() }}) as campaign_id, stats.campaign_name,
        upper(accounts.currency) as currency, cast(stats.spend as decimal(38, 6)) as spend_native,
        stats.inline_link_clicks as clicks, stats.impressions, coalesce(leads.conversions, 0) as platform_conversions
    from {{ source('facebook_ads_fivetran', 'basic_campaign') }} as stats
    left join meta_accounts as accounts on accounts.id = stats.account_id and accounts.version_rank = 1
    left join meta_leads as leads on leads.campaign_id = stats.campaign_id and leads.date = stats.date
),
{%- endif %}

{%- if modes.microsoft_ads == 'files' %}{% do platforms.append('microsoft_ads') %}
microsoft_ads as (
    select
        'microsoft_ads' as platform, TimePeriod as spend_date, AccountId as account_id, CampaignId as campaign_id,
        CampaignName as campaign_name, upper(CurrencyCode) as currency, cast(Spend as decimal(38, 6)) as spend_native,
        Clicks as clicks, Impressions as impressions, Conversions as platform_conversions
    from {{ source('ads', 'microsoft_ads_campaign_stats') }}
),
{%- elif modes.microsoft_ads == 'fivetran' %}{% do platforms.append('microsoft_ads') %}
microsoft_campaigns as (
    select id, name, row_number() over (partition by id order by modified_time desc) as version_rank
    from {{ source('microsoft_ads_fivetran', 'campaign_history') }}
),
microsoft_ads as (
    select
        'microsoft_ads' as platform, stats.date as spend_date, cast(stats.account_id as {{ dbt.type_string() }}) as account_id,
        cast(stats.campaign_id as {{ dbt.type_string() }}) as campaign_id, campaigns.name as campaign_name,
        upper(stats.currency_code) as currency, cast(stats.spend as decimal(38, 6)) as spend_native,
        stats.clicks, stats.impressions, stats.conversions as platform_conversions
    from {{ source('microsoft_ads_fivetran', 'campaign_performance_daily_report') }} as stats
    left join microsoft_campaigns as campaigns on campaigns.id = stats.campaign_id and campaigns.version_rank = 1
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
        cast(null as decimal(38, 6)) as spend_native, cast(null as bigint) as clicks, cast(null as bigint) as impressions,
        cast(null as double) as platform_conversions
    where false
    {%- endif %}
),

utm_map as (
    select distinct lower(trim(platform)) as platform, trim(campaign_id) as campaign_id, trim(utm_campaign) as utm_campaign
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
