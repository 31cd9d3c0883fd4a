-- One row per HubSpot deal (latest version), amount in the deal's currency. A deal without a
-- currency is in the portal's company currency (sources.yml hubspot.default_currency, or the
-- account details the API reports); `currency_source` says which.
{%- set default_currency = funnel_sources().get('hubspot_default_currency') %}
{%- if hubspot_from_fivetran() %}
with renamed as (
    select
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        property_dealname as deal_name,
        deal_pipeline_id as pipeline_id,
        deal_pipeline_stage_id as deal_stage_id,
        property_amount as amount_text,
        upper(nullif(trim(property_deal_currency_code), '')) as deal_currency,
        owner_id,
        property_dealtype as deal_type,
        property_deal_source as deal_source,
        property_createdate as created_at,
        property_closedate as close_date,
        property_hs_lastmodifieddate as updated_at,
        _landed_is_deleted as is_archived,
        'fivetran:hubspot.deal' as _source_file
    from ({{ landed('hubspot_fivetran', 'deal') }}) as deals
),
{%- else %}
with source as (
    select * from {{ source('hubspot', 'deals') }}
),

latest as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from source
),

renamed as (
    select
        id as deal_id,
        {{ json_text('properties', 'dealname') }} as deal_name,
        {{ json_text('properties', 'pipeline') }} as pipeline_id,
        {{ json_text('properties', 'dealstage') }} as deal_stage_id,
        {{ json_text('properties', 'amount') }} as amount_text,
        upper(nullif(trim({{ json_text('properties', 'deal_currency_code') }}), '')) as deal_currency,
        {{ json_text('properties', 'hubspot_owner_id') }} as owner_id,
        {{ json_text('properties', 'dealtype') }} as deal_type,
        {{ json_text('properties', 'deal_source') }} as deal_source,
        coalesce({{ parse_timestamp(json_text('properties', 'createdate')) }}, created_at) as created_at,
        {{ parse_timestamp(json_text('properties', 'closedate')) }} as close_date,
        updated_at,
        is_archived,
        _source_file
    from latest
    where version_rank = 1
),
{%- endif %}

portal as (
    -- The portal's company currency as the API reported it (empty unless hubspot from api).
    select max(upper(company_currency)) as company_currency
    from {{ ref('stg_hubspot__account') }}
),

priced as (
    select
        renamed.*,
        coalesce(
            renamed.deal_currency,
            {{ funnel_string(default_currency | upper) if default_currency else 'null' }},
            portal.company_currency
        ) as currency,
        case
            when renamed.deal_currency is not null then 'deal'
            when {{ 'true' if default_currency else 'portal.company_currency is not null' }} then 'portal_default'
        end as currency_source
    from renamed
    cross join portal
)

select
    deal_id,
    deal_name,
    pipeline_id,
    deal_stage_id,
    -- Exporters write amounts as 12000, "12,000.00" or "12,000.00 USD": int_rejected_values lists
    -- any other text, and a code that is not the deal's currency; the amount is then null.
    case
        when {{ amount_currency('amount_text') }} is null or {{ amount_currency('amount_text') }} = currency
            then {{ amount_number('amount_text') }}
    end as amount,
    amount_text,
    currency,
    currency_source,
    owner_id,
    deal_type,
    deal_source,
    created_at,
    close_date,
    updated_at,
    is_archived,
    _source_file
from priced
