{%- if hubspot_from_fivetran() %}
-- Fivetran's HubSpot tables (sources.yml: hubspot from fivetran).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    property_dealname as deal_name,
    deal_pipeline_id as pipeline_id,
    deal_pipeline_stage_id as deal_stage_id,
    cast(property_amount as decimal(18, 2)) as amount,
    upper(coalesce(property_deal_currency_code, '')) as currency,
    cast(owner_id as {{ dbt.type_string() }}) as owner_id,
    property_dealtype as deal_type,
    property_deal_source as deal_source,
    property_createdate as created_at,
    property_closedate as close_date,
    property_hs_lastmodifieddate as updated_at,
    coalesce(is_deleted, _fivetran_deleted, false) as is_archived
from {{ source('hubspot_fivetran', 'deal') }}
{%- else %}
with source as (
    select * from {{ source('hubspot', 'deals') }}
),

latest as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc) as version_rank
    from source
)

select
    id as deal_id,
    {{ json_text('properties', 'dealname') }} as deal_name,
    {{ json_text('properties', 'pipeline') }} as pipeline_id,
    {{ json_text('properties', 'dealstage') }} as deal_stage_id,
    {{ safe_cast(json_text('properties', 'amount'), 'decimal(18, 2)') }} as amount,
    upper(coalesce({{ json_text('properties', 'deal_currency_code') }}, '')) as currency,
    {{ json_text('properties', 'hubspot_owner_id') }} as owner_id,
    {{ json_text('properties', 'dealtype') }} as deal_type,
    {{ json_text('properties', 'deal_source') }} as deal_source,
    coalesce({{ parse_timestamp(json_text('properties', 'createdate')) }}, created_at) as created_at,
    {{ parse_timestamp(json_text('properties', 'closedate')) }} as close_date,
    updated_at,
    is_archived
from latest
where version_rank = 1
{%- endif %}
