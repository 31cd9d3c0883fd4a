-- The date HubSpot stores on a contact for each lifecycle stage of the contract's order: one row
-- per record and stage that has one (hs_lifecyclestage_<stage>_date, else hs_v2_date_entered_<stage>).
-- It holds the stage's latest entry; a skipped stage has none. Stage entries are dated from it
-- only for records exported without lifecycle history (int_contact_property_changes).
{{ config(
    materialized='incremental' if by_record() else 'view',
    incremental_strategy='delete+insert',
    unique_key='contact_id',
    post_hook="{{ drop_departed_versions(source('hubspot', 'contacts'), 'id', 'contact_id') }}",
) }}
{%- set stages = funnel_contract().lifecycle_order %}
{%- if hubspot_from_fivetran() %}
{%- set columns = [] %}
{%- for stage, property in hubspot_stage_date_properties() %}{% do columns.append('property_' ~ property) %}{% endfor %}
with contacts as (
    select cast(id as {{ dbt.type_string() }}) as contact_id, *
    from ({{ landed('hubspot_fivetran', 'contact', extra_columns=columns) }}) as landed
),
{%- else %}
with contacts as (
    select
        id as contact_id,
        properties,
        _source_file,
        _loaded_at,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from {{ source('hubspot', 'contacts') }}
    where {{ records_to_rebuild(source('hubspot', 'contacts'), 'id', 'contact_id') }}
),
{%- endif %}

dated as (
    {%- for stage in stages %}
    {% if not loop.first %}union all{% endif %}
    select
        contact_id,
        {{ funnel_string(stage) }} as lifecycle_stage,
        {%- if not hubspot_from_fivetran() %}
        _source_file,
        _loaded_at,
        {%- endif %}
        {%- if hubspot_from_fivetran() %}
        coalesce(
            {{ adapter.quote('property_hs_lifecyclestage_' ~ stage ~ '_date') }},
            {{ adapter.quote('property_hs_v2_date_entered_' ~ stage) }}
        ) as entered_at
    from contacts
        {%- else %}
        coalesce(
            {{ parse_timestamp(json_text('properties', 'hs_lifecyclestage_' ~ stage ~ '_date')) }},
            {{ parse_timestamp(json_text('properties', 'hs_v2_date_entered_' ~ stage)) }}
        ) as entered_at
    from contacts
    where version_rank = 1
        {%- endif %}
    {%- endfor %}
)

select contact_id, lifecycle_stage, entered_at{% if not hubspot_from_fivetran() %}, _source_file, _loaded_at{% endif %}
from dated
where entered_at is not null
