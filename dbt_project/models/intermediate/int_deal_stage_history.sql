-- Every stage a deal entered and when, across CRMs, with the evidence that dates it: HubSpot's
-- dealstage history and Salesforce's OpportunityHistory (`history`), or, for a HubSpot deal
-- exported without dealstage history, the stage dates HubSpot keeps on the deal
-- (hs_v2_date_entered_<stage id>: `stage_date_property`, each stage's latest entry).
with hubspot_history as (
    select deal_id, deal_stage_id, changed_at
    from {{ ref('stg_hubspot__deal_stage_history') }}
),

deals_with_history as (
    select distinct deal_id from hubspot_history
),

hubspot_stage_dates as (
    select dates.deal_id, dates.deal_stage_id, dates.entered_at as changed_at
    from {{ ref('stg_hubspot__deal_stage_dates') }} as dates
    left join deals_with_history on deals_with_history.deal_id = dates.deal_id
    where deals_with_history.deal_id is null
)

select deal_id, deal_stage_id, changed_at, 'history' as evidence
from hubspot_history
union all
select deal_id, deal_stage_id, changed_at, 'stage_date_property' as evidence
from hubspot_stage_dates
{%- if salesforce_enabled() %}
union all
select opportunity_id, stage_name, changed_at, 'history' as evidence
from {{ ref('stg_salesforce__opportunity_history') }}
{%- endif %}
