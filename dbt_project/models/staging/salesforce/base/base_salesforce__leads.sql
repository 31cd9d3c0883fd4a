{{ config(enabled=salesforce_enabled()) }}
-- Salesforce Leads (latest version), with their conversion fields.
{%- if salesforce_from_fivetran() %}
select
    id as lead_id,
    email,
    {{ normalize_email('email') }} as email_normalized,
    status,
    lead_source,
    coalesce(is_converted, false) as is_converted,
    converted_contact_id,
    converted_opportunity_id,
    owner_id,
    created_date as created_at,
    last_modified_date as updated_at,
    _landed_is_deleted as is_deleted
from ({{ landed('salesforce_fivetran', 'lead') }}) as leads
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'lead') }}
)

select
    id as lead_id,
    {{ json_text('record', 'Email') }} as email,
    {{ normalize_email(json_text('record', 'Email')) }} as email_normalized,
    {{ json_text('record', 'Status') }} as status,
    {{ json_text('record', 'LeadSource') }} as lead_source,
    coalesce(lower({{ json_text('record', 'IsConverted') }}) = 'true', false) as is_converted,
    {{ json_text('record', 'ConvertedContactId') }} as converted_contact_id,
    {{ json_text('record', 'ConvertedOpportunityId') }} as converted_opportunity_id,
    {{ json_text('record', 'OwnerId') }} as owner_id,
    {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as created_at,
    {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} as updated_at,
    coalesce(lower({{ json_text('record', 'IsDeleted') }}) = 'true', false) as is_deleted
from latest
where version_rank = 1
{%- endif %}
