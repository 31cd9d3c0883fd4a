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
