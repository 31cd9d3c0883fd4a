{{ config(enabled=salesforce_enabled()) }}
-- Salesforce Opportunities; their Type plays the part of a HubSpot pipeline.
{%- if salesforce_from_fivetran() %}
select
    id as opportunity_id,
    account_id,
    name as opportunity_name,
    stage_name,
    {{ safe_cast('amount', 'decimal(18, 2)') }} as amount,
    upper(coalesce(currency_iso_code, '')) as currency,
    type as opportunity_type,
    lead_source,
    owner_id,
    created_date as created_at,
    close_date,
    last_modified_date as updated_at,
    _landed_is_deleted as is_deleted
from ({{ landed('salesforce_fivetran', 'opportunity') }}) as opportunities
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'opportunity') }}
)

select
    id as opportunity_id,
    {{ json_text('record', 'AccountId') }} as account_id,
    {{ json_text('record', 'Name') }} as opportunity_name,
    {{ json_text('record', 'StageName') }} as stage_name,
    {{ safe_cast(json_text('record', 'Amount'), 'decimal(18, 2)') }} as amount,
    upper(coalesce({{ json_text('record', 'CurrencyIsoCode') }}, '')) as currency,
    {{ json_text('record', 'Type') }} as opportunity_type,
    {{ json_text('record', 'LeadSource') }} as lead_source,
    {{ json_text('record', 'OwnerId') }} as owner_id,
    {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as created_at,
    {{ safe_cast(json_text('record', 'CloseDate'), dbt.type_timestamp()) }} as close_date,
    {{ parse_timestamp(json_text('record', 'LastModifiedDate')) }} as updated_at,
    coalesce(lower({{ json_text('record', 'IsDeleted') }}) = 'true', false) as is_deleted
from latest
where version_rank = 1
{%- endif %}
