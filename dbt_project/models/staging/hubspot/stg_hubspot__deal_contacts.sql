-- Deal ↔ contact associations; `is_primary` when one of its labels is the contract's primary label.
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
    bool_or(
        {{ json_text('association_type', 'label') }} = {{ funnel_string(funnel_contract().policies.primary_association_label) }}
    ) as is_primary
from labels
group by from_id, to_id
