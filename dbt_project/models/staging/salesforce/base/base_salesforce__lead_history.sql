{{ config(enabled=salesforce_enabled()) }}
-- One row per LeadHistory entry: creation, Status changes, conversion.
{%- if salesforce_from_fivetran() %}
-- Fivetran's lead_history is Salesforce's LeadHistory object (field audit), kept whole.
select
    id as history_id,
    lead_id,
    field,
    old_value,
    new_value,
    created_date as changed_at
from ({{ landed('salesforce_fivetran', 'lead_history') }}) as history
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'lead_history') }}
)

select
    id as history_id,
    {{ json_text('record', 'LeadId') }} as lead_id,
    {{ json_text('record', 'Field') }} as field,
    {{ json_text('record', 'OldValue') }} as old_value,
    {{ json_text('record', 'NewValue') }} as new_value,
    {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as changed_at
from latest
where version_rank = 1
{%- endif %}
