-- One row per platform, account, campaign and day: spend in the platform's currency and in the
-- reporting currency. A missing FX rate leaves `spend_reporting` null and flags the row; it is
-- never silently taken as 1.
with google as (
    select
        'google_ads' as platform,
        date as spend_date,
        customer_id as account_id,
        campaign_id,
        campaign_name,
        upper(customer_currency_code) as currency,
        cast(cost_micros / 1000000.0 as decimal(38, 6)) as spend_native,
        clicks,
        impressions,
        conversions as platform_conversions,
        _source_file
    from {{ source('ads', 'google_ads_campaign_stats') }}
),

linkedin as (
    select
        'linkedin_ads' as platform,
        date as spend_date,
        account_id,
        campaign_id,
        campaign_name,
        upper(currency) as currency,
        cast(cost_in_local_currency as decimal(38, 6)) as spend_native,
        clicks,
        impressions,
        external_website_conversions as platform_conversions,
        _source_file
    from {{ source('ads', 'linkedin_ads_campaign_stats') }}
),

meta as (
    select
        'meta_ads' as platform,
        date_start as spend_date,
        account_id,
        campaign_id,
        campaign_name,
        upper(account_currency) as currency,
        cast(spend as decimal(38, 6)) as spend_native,
        clicks,
        impressions,
        conversions as platform_conversions,
        _source_file
    from {{ source('ads', 'meta_ads_campaign_stats') }}
),

unioned as (
    select * from google
    union all
    select * from linkedin
    union all
    select * from meta
),

rates as (
    select * from {{ ref('stg_fx__rates_daily') }}
    where to_currency = {{ funnel_string(funnel_contract().reporting.currency) }}
),

converted as (
    select
        unioned.*,
        {{ funnel_string(funnel_contract().reporting.currency) }} as reporting_currency,
        case
            when unioned.currency = {{ funnel_string(funnel_contract().reporting.currency) }} then cast(1 as decimal(38, 6))
            else rates.rate
        end as fx_rate
    from unioned
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
