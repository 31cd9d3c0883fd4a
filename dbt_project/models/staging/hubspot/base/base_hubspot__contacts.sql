-- One row per HubSpot contact record (its latest version): live, deleted or merged away.
-- A merged-away record is archived in every mode: the API lists it under archived=true, while
-- Fivetran keeps it as a live row that its survivor names in hs_merged_object_ids.
{{ config(
    materialized='incremental' if by_record() else 'view',
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    post_hook="{{ drop_departed_versions(source('hubspot', 'contacts'), 'id', 'contact_id') }}",
) }}
{%- if hubspot_from_fivetran() %}
with contacts as (
    {{ landed('hubspot_fivetran', 'contact') }}
),

history as (
    {{ landed('hubspot_fivetran', 'contact_property_history') }}
),

merged_away as (
    -- The records a live survivor lists: merged away, whatever Fivetran's flags say.
    select distinct trim(merged_id) as contact_id
    from (
        select {{ split_to_rows('property_hs_merged_object_ids', ';') }} as merged_id
        from contacts
        where not _landed_is_deleted and property_hs_merged_object_ids is not null
    ) as listed
    where trim(merged_id) <> ''
),

merged_at as (
    -- A merge happened when the survivor's hs_merged_object_ids first listed the record.
    select trim(merged_id) as contact_id, min(changed_at) as merged_at
    from (
        select {{ split_to_rows('value', ';') }} as merged_id, timestamp as changed_at
        from history
        where name = 'hs_merged_object_ids' and value is not null
    ) as writes
    group by trim(merged_id)
),

renamed as (
    select
        cast(contacts.id as {{ dbt.type_string() }}) as contact_id,
        contacts.property_email as email,
        contacts.property_lifecyclestage as lifecycle_stage,
        contacts.property_hs_lead_status as lead_status,
        contacts.property_hubspot_owner_id as owner_id,
        contacts.property_hs_analytics_source as original_source,
        contacts.property_hs_analytics_source_data_1 as original_source_detail,
        contacts.property_hs_analytics_source_data_2 as original_source_detail_2,
        contacts.property_hs_object_source as object_source,
        nullif(trim(contacts.property_hs_merged_object_ids), '') as merged_object_ids,
        contacts.property_createdate as created_at,
        contacts.property_lastmodifieddate as updated_at,
        contacts._landed_is_deleted or merged_away.contact_id is not null as is_archived,
        case
            when contacts._landed_is_deleted then contacts._landed_deleted_at
            when merged_away.contact_id is not null then merged_at.merged_at
        end as archived_at,
        'fivetran:hubspot.contact' as _source_file,
        contacts._fivetran_synced as _loaded_at
    from contacts
    left join merged_away on merged_away.contact_id = cast(contacts.id as {{ dbt.type_string() }})
    left join merged_at on merged_at.contact_id = cast(contacts.id as {{ dbt.type_string() }})
)
{%- else %}
with source as (
    select * from {{ source('hubspot', 'contacts') }}
    where {{ records_to_rebuild(source('hubspot', 'contacts'), 'id', 'contact_id') }}
),

latest as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from source
),

renamed as (
    select
        id as contact_id,
        {{ json_text('properties', 'email') }} as email,
        {{ json_text('properties', 'lifecyclestage') }} as lifecycle_stage,
        {{ json_text('properties', 'hs_lead_status') }} as lead_status,
        {{ json_text('properties', 'hubspot_owner_id') }} as owner_id,
        {{ json_text('properties', 'hs_analytics_source') }} as original_source,
        {{ json_text('properties', 'hs_analytics_source_data_1') }} as original_source_detail,
        {{ json_text('properties', 'hs_analytics_source_data_2') }} as original_source_detail_2,
        {{ json_text('properties', 'hs_object_source') }} as object_source,
        nullif(trim({{ json_text('properties', 'hs_merged_object_ids') }}), '') as merged_object_ids,
        coalesce({{ parse_timestamp(json_text('properties', 'createdate')) }}, created_at) as created_at,
        updated_at,
        is_archived,
        archived_at,
        _source_file,
        _loaded_at
    from latest
    where version_rank = 1
)
{%- endif %}

select
    contact_id,
    email,
    {{ normalize_email('email') }} as email_normalized,
    lifecycle_stage,
    lead_status,
    owner_id,
    original_source,
    original_source_detail,
    original_source_detail_2,
    object_source,
    {{ hubspot_record_origin('object_source', 'original_source_detail', 'original_source_detail_2') }}
        as record_origin,
    merged_object_ids,
    created_at,
    updated_at,
    is_archived,
    archived_at,
    _source_file,
    _loaded_at
from renamed
