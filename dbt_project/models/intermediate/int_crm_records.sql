-- Every person record of every CRM the run reads: HubSpot contacts, and Salesforce Leads and
-- Contacts when sources.yml enables Salesforce. One shape, so that people are resolved across
-- systems by normalised email.
with lifecycle_at_run as (
    -- The lifecycle stage history dates last before the run (history is bounded in staging).
    select contact_id, property_value as lifecycle_stage
    from (
        select
            contact_id, property_value,
            row_number() over (partition by contact_id order by changed_at desc, property_value) as latest
        from {{ ref('stg_hubspot__contact_lifecycle_history') }}
        where property_name = 'lifecyclestage'
    ) as ranked
    where latest = 1
),

hubspot as (
    select
        contacts.contact_id as record_id,
        'hubspot' as system,
        email,
        email_normalized,
        created_at,
        updated_at,
        is_archived,
        archived_at,
        merged_object_ids,
        -- Changed since the run's instant: the stage it had then, where history tells.
        case
            when {{ changed_after_run('contacts.updated_at') }} and at_run.lifecycle_stage is not null
                then at_run.lifecycle_stage
            else contacts.lifecycle_stage
        end as lifecycle_stage,
        owner_id,
        original_source,
        original_source_detail,
        original_source_detail_2,
        record_origin,
        cast(null as {{ dbt.type_string() }}) as lead_source
    from {{ ref('stg_hubspot__contacts') }} as contacts
    left join lifecycle_at_run as at_run on at_run.contact_id = contacts.contact_id
)
{%- if salesforce_enabled() %}
,

salesforce_leads as (
    select
        lead_id as record_id, 'salesforce_lead' as system, email, email_normalized, created_at, updated_at,
        is_deleted as is_archived, cast(null as {{ dbt.type_timestamp() }}) as archived_at,
        cast(null as {{ dbt.type_string() }}) as merged_object_ids,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
        owner_id, cast(null as {{ dbt.type_string() }}) as original_source,
        cast(null as {{ dbt.type_string() }}) as original_source_detail,
        cast(null as {{ dbt.type_string() }}) as original_source_detail_2, 'other' as record_origin, lead_source
    from {{ ref('stg_salesforce__leads') }}
),

salesforce_contacts as (
    select
        contact_id as record_id, 'salesforce_contact' as system, email, email_normalized, created_at, updated_at,
        is_deleted as is_archived, cast(null as {{ dbt.type_timestamp() }}) as archived_at,
        cast(null as {{ dbt.type_string() }}) as merged_object_ids,
        cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
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
