-- One row per HubSpot form (Forms API `id` is Fivetran's `guid`).
{%- if hubspot_from_fivetran() %}
select guid as form_id, name as form_name, form_type, _landed_is_deleted as is_archived
from ({{ landed('hubspot_fivetran', 'form') }}) as forms
{%- else %}
select id as form_id, name as form_name, form_type, is_archived
from {{ source('hubspot', 'forms') }}
{%- endif %}
