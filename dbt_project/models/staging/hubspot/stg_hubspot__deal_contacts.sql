-- Deal ↔ contact associations; `is_primary` when one of its labels is the contract's primary label.
{%- if hubspot_from_fivetran() %}
-- Fivetran's deal_contact: the primary label is known by its association type id (sources.yml).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(contact_id as {{ dbt.type_string() }}) as contact_id,
    bool_or(type_id = {{ funnel_sources().fivetran.primary_deal_contact_type_id | int }}) as is_primary
from ({{ landed('hubspot_fivetran', 'deal_contact') }}) as associations
where not _landed_is_deleted
group by deal_id, contact_id
{%- else %}
with associations as (
    select * from {{ source('hubspot', 'associations') }}
    where association = 'deals_to_contacts'
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
    from_id as deal_id,
    to_id as contact_id,
    coalesce(bool_or(
        {{ json_text('association_type', 'label') }}
            = {{ funnel_string(funnel_contract().policies.primary_association_label) }}
    ), false) as is_primary
from labels
group by from_id, to_id
{%- endif %}
