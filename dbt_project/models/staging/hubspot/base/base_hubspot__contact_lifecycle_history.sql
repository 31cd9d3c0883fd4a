-- Every change of every contact property HubSpot exported with history (lifecycle stage,
-- lead status, score, …): the raw material of stage entries. Empty for an export without
-- propertiesWithHistory: stg_hubspot__contact_stage_dates then dates the lifecycle stages.
{{ config(
    materialized='incremental' if by_record() else 'view',
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    post_hook="{{ drop_departed_versions(source('hubspot', 'contacts'), 'id', 'contact_id') }}",
) }}
{%- if hubspot_from_fivetran() %}
-- Fivetran's contact_property_history: every change of every property, kept for deleted
-- contacts too (their history still counts when they were merged).
select
    cast(contact_id as {{ dbt.type_string() }}) as contact_id,
    name as property_name,
    value as property_value,
    timestamp as changed_at,
    source as source_type,
    {{ safe_cast('value', 'double') }} as property_number
from ({{ landed('hubspot_fivetran', 'contact_property_history') }}) as history
where timestamp is not null
{%- else %}
with contacts as (
    select * from {{ source('hubspot', 'contacts') }}
    where {{ records_to_rebuild(source('hubspot', 'contacts'), 'id', 'contact_id') }}
),

latest as (
    select
        id,
        properties_with_history,
        _source_file,
        _loaded_at,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from contacts
),

properties as (
    select
        id,
        properties_with_history,
        {{ json_keys('properties_with_history') }} as property_name,
        _source_file,
        _loaded_at
    from latest
    where version_rank = 1 and properties_with_history is not null
),

changes as (
    select
        id,
        property_name,
        {{ json_elements(json_member('properties_with_history', 'property_name')) }} as change,
        _source_file,
        _loaded_at
    from properties
),

renamed as (
    select
        id as contact_id,
        property_name,
        {{ json_text('change', 'value') }} as property_value,
        {{ parse_timestamp(json_text('change', 'timestamp')) }} as changed_at,
        {{ json_text('change', 'sourceType') }} as source_type,
        _source_file,
        _loaded_at
    from changes
)

select
    *,
    {{ safe_cast('property_value', 'double') }} as property_number
from renamed
where changed_at is not null
{%- endif %}
