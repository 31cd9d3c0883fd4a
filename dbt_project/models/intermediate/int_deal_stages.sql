-- Every stage of every deal pipeline, across CRMs: HubSpot's pipelines, and Salesforce's
-- opportunity stages for each Opportunity Type (a Salesforce "pipeline" is the Type).
select pipeline_id, pipeline_label, stage_id, stage_label, display_order, is_won, is_lost
from {{ ref('stg_hubspot__deal_pipeline_stages') }}
{%- if salesforce_enabled() %}
union all
select types.opportunity_type, types.opportunity_type, stages.stage_name, stages.stage_label, stages.sort_order,
    stages.is_won,
    stages.is_closed and not stages.is_won
from {{ ref('stg_salesforce__opportunity_stages') }} as stages
cross join (select distinct opportunity_type from {{ ref('stg_salesforce__opportunities') }}) as types
{%- endif %}
