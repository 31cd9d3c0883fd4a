{%- if hubspot_from_fivetran() %}
-- Fivetran's contact_company associations when landed (HubSpot's own type 1 is the primary
-- company); without them, each contact's associatedcompanyid, HubSpot's primary company.
{%- if landed_exists('hubspot_fivetran', 'contact_company') %}
select
    cast(contact_id as {{ dbt.type_string() }}) as contact_id,
    cast(company_id as {{ dbt.type_string() }}) as company_id,
    bool_or(category = 'HUBSPOT_DEFINED' and type_id = 1) as is_primary
from ({{ landed('hubspot_fivetran', 'contact_company') }}) as associations
where not _landed_is_deleted
group by contact_id, company_id
{%- else %}
select
    cast(id as {{ dbt.type_string() }}) as contact_id,
    property_associatedcompanyid as company_id,
    true as is_primary
from ({{ landed('hubspot_fivetran', 'contact') }}) as contacts
where property_associatedcompanyid is not null
{%- endif %}
{%- else %}
with associations as (
    select * from {{ source('hubspot', 'associations') }}
    where association = 'contacts_to_companies'
),

targets as (
    select from_id, {{ json_elements('to_objects') }} as target
    from associations
),

labels as (
    select
        from_id,
        {{ json_text('target', 'toObjectId') }} as to_id,
        {{ json_elements(json_member('target', "'associationTypes'")) }} as association_type
    from targets
)

select
    from_id as contact_id,
    to_id as company_id,
    bool_or({{ json_text('association_type', 'label') }} = 'Primary') as is_primary
from labels
group by from_id, to_id
{%- endif %}
