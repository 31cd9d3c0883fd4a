-- Ad spend per day, channel and campaign (the utm_campaign the ads' clicks carry) in the
-- reporting currency (summed over platforms, then rounded to cents), with clicks and
-- impressions. Platform-reported conversions are kept apart and never counted as leads.
select
    spend_date as date,
    channel,
    utm_campaign as campaign,
    round(sum(spend_reporting), 2) as spend,
    sum(clicks) as clicks,
    sum(impressions) as impressions,
    sum(platform_conversions) as platform_conversions,
    bool_or(is_missing_fx_rate) as has_missing_fx_rate
from {{ ref('stg_ads__spend') }}
group by spend_date, channel, utm_campaign
