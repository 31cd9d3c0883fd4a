-- Engagement ↔ contact associations: the records an activity was logged on.
{%- if hubspot_from_fivetran() %}
select distinct
    cast(engagement_id as {{ dbt.type_string() }}) as engagement_id,
    cast(contact_id as {{ dbt.type_string() }}) as contact_id
from ({{ landed('hubspot_fivetran', 'engagement_contact') }}) as associations
where not _landed_is_deleted
{%- else %}
-- v4 batch reads, one folder per engagement type (calls_to_contacts, …, tasks_to_contacts).
with associations as (
    select * from {{ source('hubspot', 'associations') }}
    where association in ('calls_to_contacts', 'emails_to_contacts', 'meetings_to_contacts',
        'notes_to_contacts', 'tasks_to_contacts')
),

targets as (
    select from_id, {{ json_elements('to_objects') }} as target
    from associations
)

select distinct
    from_id as engagement_id,
    {{ json_text('target', 'toObjectId') }} as contact_id
from targets
{%- endif %}
