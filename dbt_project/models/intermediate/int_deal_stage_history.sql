-- Every stage a deal entered and when, across CRMs (HubSpot dealstage history, Salesforce
-- OpportunityHistory).
select deal_id, deal_stage_id, changed_at
from {{ ref('stg_hubspot__deal_stage_history') }}
{%- if salesforce_enabled() %}
union all
select opportunity_id, stage_name, changed_at
from {{ ref('stg_salesforce__opportunity_history') }}
{%- endif %}
