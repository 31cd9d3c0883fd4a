-- Every conversion's credit sums to 1 under every model, and a won deal's attributed revenue to
-- its revenue (docs/analytics.md). Fails with the conversions that do not.
select conversion_id, model, sum(credit) as total_credit, max(revenue) as revenue,
    sum(attributed_revenue) as total_attributed
from {{ ref('attribution_credit') }}
group by conversion_id, model
having abs(sum(credit) - 1) > 1e-9
    or (max(revenue) is not null and abs(sum(attributed_revenue) - max(revenue)) > 1e-6)
