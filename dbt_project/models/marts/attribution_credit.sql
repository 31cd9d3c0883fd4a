-- Credit of each touch for each conversion under six attribution models (docs/analytics.md).
-- The logic is in int_attribution_credit; this mart names it for BI.
select
    conversion_id,
    conversion_type,
    person_id,
    converted_at,
    {{ month_start(to_reporting_date('converted_at')) }} as converted_month,
    deal_id,
    revenue,
    model,
    touchpoint_id,
    touched_at,
    touch_type,
    channel,
    campaign,
    touches as touches_in_window,
    credit,
    attributed_revenue
from {{ ref('int_attribution_credit') }}
