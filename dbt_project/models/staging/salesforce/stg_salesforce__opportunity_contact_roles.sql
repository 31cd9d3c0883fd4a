{{ config(enabled=salesforce_enabled()) }}
-- Which Contacts play a role on each Opportunity; IsPrimary marks the primary contact.
{%- if salesforce_from_fivetran() %}
select
    id as role_id,
    opportunity_id,
    contact_id,
    coalesce(is_primary, false) as is_primary,
    role
from ({{ landed('salesforce_fivetran', 'opportunity_contact_role') }}) as roles
where not _landed_is_deleted
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'opportunity_contact_role') }}
)

select
    id as role_id,
    {{ json_text('record', 'OpportunityId') }} as opportunity_id,
    {{ json_text('record', 'ContactId') }} as contact_id,
    coalesce(lower({{ json_text('record', 'IsPrimary') }}) = 'true', false) as is_primary,
    {{ json_text('record', 'Role') }} as role
from latest
where version_rank = 1
{%- endif %}
