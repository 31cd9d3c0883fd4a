-- The date values of a contact's latest version that no reading can date: its own and each
-- lifecycle stage's date property, and every history entry without a readable timestamp (staging
-- reads them as null or leaves the entry out). Built per record like the other contact base models
-- (macros/engine/by_record.sql): taking every property's history apart is the volume of
-- int_rejected_values, which lists these rows with the other values the funnel cannot read.
{{ config(
    materialized='incremental' if by_record() else 'view',
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    post_hook="{{ drop_departed_versions(source('hubspot', 'contacts'), 'id', 'contact_id') }}",
) }}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
{%- if hubspot_from_fivetran() %}
-- Fivetran lands typed columns: nothing here is left unread.
select
    {{ string_null }} as contact_id, {{ string_null }} as field, {{ string_null }} as raw_value,
    {{ string_null }} as reason, {{ string_null }} as _source_file, cast(null as timestamp) as _loaded_at
where false
{%- else %}
with contacts as (
    select * from {{ source('hubspot', 'contacts') }}
    where {{ records_to_rebuild(source('hubspot', 'contacts'), 'id', 'contact_id') }}
),

latest as (
    select
        id,
        properties,
        properties_with_history,
        _source_file,
        _loaded_at,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from contacts
),

dates as (
    -- Dates HubSpot keeps on a contact (the record's own, and each lifecycle stage's).
    {%- set fields = ['createdate'] %}
    {%- for stage, property in hubspot_stage_date_properties() %}{% do fields.append(property) %}{% endfor %}
    {%- for field in fields %}
    {% if not loop.first %}union all{% endif %}
    select id, _source_file, _loaded_at, {{ funnel_string('properties.' ~ field) }} as field,
        {{ json_text('properties', field) }} as raw_value
    from latest
    where version_rank = 1
    {%- endfor %}
),

history_entries as (
    select id, _source_file, _loaded_at, property_name,
        {{ json_elements(json_member('properties_with_history', 'property_name')) }} as change
    from (
        select id, _source_file, _loaded_at, properties_with_history,
            {{ json_keys('properties_with_history') }} as property_name
        from latest
        where version_rank = 1 and properties_with_history is not null
    ) as named
)

select
    id as contact_id,
    field,
    raw_value,
    'not a timestamp: ISO-8601 (with or without an offset) or epoch milliseconds' as reason,
    _source_file,
    _loaded_at
from dates
where raw_value is not null and trim(raw_value) <> '' and {{ parse_timestamp('raw_value') }} is null
union all
select
    id,
    'propertiesWithHistory.' || property_name || '.timestamp',
    {{ json_text('change', 'timestamp') }},
    'history entry without a readable timestamp (ISO-8601 or epoch milliseconds): it dates nothing',
    _source_file,
    _loaded_at
from history_entries
where {{ parse_timestamp(json_text('change', 'timestamp')) }} is null
{%- endif %}
