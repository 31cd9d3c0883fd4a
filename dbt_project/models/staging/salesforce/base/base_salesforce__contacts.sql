{{ config(enabled=salesforce_enabled()) }}
-- Salesforce Contacts (latest version).
{%- if salesforce_from_fivetran() %}
select
    id as contact_id,
    email,
    {{ normalize_email('email') }} as email_normalized,
    account_id,
    owner_id,
    lead_source,
    created_date as created_at,
    last_modified_date as updated_at,
    _landed_is_deleted as is_deleted
from ({{ landed('salesforce_fivetran', 'contact') }}) as contacts
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'contact') }}
)

select
    id as contact_id,
    {{ json_text('record', 'Email') }} as email,
    {{ normalize_email(json_text('record', 'Email')) }} as email_normalized,
    {{ json_text('record', 'AccountId') }} as account_id,
    {{ json_text('record', 'OwnerId') }} as owner_id,
    {{ json_text('record', 'LeadSource') }} as lead_source,
    {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as created_at,
    {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} as updated_at,
    coalesce(lower({{ json_text('record', 'IsDeleted') }}) = 'true', false) as is_deleted
from latest
where version_rank = 1
{%- endif %}
