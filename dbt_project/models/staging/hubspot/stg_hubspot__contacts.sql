{%- if hubspot_from_fivetran() %}
-- Fivetran's HubSpot tables (sources.yml: hubspot from fivetran).
with versions as (
    select
        *,
        row_number() over (partition by id order by _fivetran_start desc) as version_rank
    from {{ source('hubspot_fivetran', 'contact') }}
)

select
    cast(id as {{ dbt.type_string() }}) as contact_id,
    property_email as email,
    {{ normalize_email('property_email') }} as email_normalized,
    property_lifecyclestage as lifecycle_stage,
    property_hs_lead_status as lead_status,
    cast(property_hubspot_owner_id as {{ dbt.type_string() }}) as owner_id,
    property_hs_analytics_source as original_source,
    property_hs_analytics_source_data_1 as original_source_detail,
    property_hs_analytics_source_data_2 as original_source_campaign,
    property_hs_object_source as object_source,
    nullif(trim(property_hs_merged_object_ids), '') as merged_object_ids,
    property_hs_lifecyclestage_marketingqualifiedlead_date as hubspot_mql_date,
    property_createdate as created_at,
    property_lastmodifieddate as updated_at,
    not _fivetran_active as is_archived,
    case when not _fivetran_active then _fivetran_end end as archived_at,
    'fivetran:hubspot.contact' as _source_file,
    _fivetran_synced as _loaded_at
from versions
where version_rank = 1
{%- else %}
with source as (
    select * from {{ source('hubspot', 'contacts') }}
),

latest as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc) as version_rank
    from source
),

renamed as (
    select
        id as contact_id,
        {{ json_text('properties', 'email') }} as email,
        {{ normalize_email(json_text('properties', 'email')) }} as email_normalized,
        {{ json_text('properties', 'lifecyclestage') }} as lifecycle_stage,
        {{ json_text('properties', 'hs_lead_status') }} as lead_status,
        {{ json_text('properties', 'hubspot_owner_id') }} as owner_id,
        {{ json_text('properties', 'hs_analytics_source') }} as original_source,
        {{ json_text('properties', 'hs_analytics_source_data_1') }} as original_source_detail,
        {{ json_text('properties', 'hs_analytics_source_data_2') }} as original_source_campaign,
        {{ json_text('properties', 'hs_object_source') }} as object_source,
        nullif(trim({{ json_text('properties', 'hs_merged_object_ids') }}), '') as merged_object_ids,
        {{ parse_timestamp(json_text('properties', 'hs_lifecyclestage_marketingqualifiedlead_date') ) }}
            as hubspot_mql_date,
        coalesce({{ parse_timestamp(json_text('properties', 'createdate')) }}, created_at) as created_at,
        updated_at,
        is_archived,
        archived_at,
        _source_file,
        _loaded_at
    from latest
    where version_rank = 1
)

select * from renamed
{%- endif %}
