-- Every person record of every CRM the run reads: HubSpot contacts, and Salesforce Leads and
-- Contacts when sources.yml enables Salesforce. One shape, so that people are resolved across
-- systems by normalised email.
with hubspot as (
    select
        contact_id as record_id,
        'hubspot' as system,
        email,
        email_normalized,
        created_at,
        updated_at,
        is_archived,
        archived_at,
        merged_object_ids,
        lifecycle_stage,
        owner_id,
        original_source,
        original_source_detail,
        original_source_detail_2,
        record_origin,
        cast(null as {{ dbt.type_string() }}) as lead_source
    from {{ ref('stg_hubspot__contacts') }}
)
{%- if salesforce_enabled() %}
,

salesforce_leads as (
    select
        lead_id as record_id, 'salesforce_lead' as system, email, email_normalized, created_at, updated_at,
        is_deleted as is_archived, cast(null as {{ dbt.type_timestamp() }}) as archived_at,
        cast(null as {{ dbt.type_string() }}) as merged_object_ids, cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        owner_id, cast(null as {{ dbt.type_string() }}) as original_source,
        cast(null as {{ dbt.type_string() }}) as original_source_detail,
        cast(null as {{ dbt.type_string() }}) as original_source_detail_2, 'other' as record_origin, lead_source
    from {{ ref('stg_salesforce__leads') }}
),

salesforce_contacts as (
    select
        contact_id as record_id, 'salesforce_contact' as system, email, email_normalized, created_at, updated_at,
        is_deleted as is_archived, cast(null as {{ dbt.type_timestamp() }}) as archived_at,
        cast(null as {{ dbt.type_string() }}) as merged_object_ids, cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        owner_id, cast(null as {{ dbt.type_string() }}) as original_source,
        cast(null as {{ dbt.type_string() }}) as original_source_detail,
        cast(null as {{ dbt.type_string() }}) as original_source_detail_2, 'other' as record_origin, lead_source
    from {{ ref('stg_salesforce__contacts') }}
)
{%- endif %}

select *, 0 as system_rank, {{ safe_cast('record_id', 'bigint') }} as numeric_id from hubspot
{%- if salesforce_enabled() %}
union all
select *, 1 as system_rank, cast(null as bigint) as numeric_id from salesforce_leads
union all
select *, 1 as system_rank, cast(null as bigint) as numeric_id from salesforce_contacts
{%- endif %}
