{{ config(enabled=salesforce_enabled()) }}
-- One row per OpportunityHistory entry (stage at each change).
{%- if salesforce_from_fivetran() %}
-- Fivetran's opportunity_history is Salesforce's OpportunityHistory object, kept whole.
select
    id as history_id,
    opportunity_id,
    stage_name,
    created_date as changed_at
from ({{ landed('salesforce_fivetran', 'opportunity_history') }}) as history
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'opportunity_history') }}
)

select
    id as history_id,
    {{ json_text('record', 'OpportunityId') }} as opportunity_id,
    {{ json_text('record', 'StageName') }} as stage_name,
    {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as changed_at
from latest
where version_rank = 1
{%- endif %}
