-- One row per HubSpot engagement (latest version): the calls, emails, meetings, notes and tasks
-- reps log on records, in one shape. `direction` and `outcome` are in the contract's vocabulary
-- (funnel.yml `touches`; macros/sources/engagements.sql): a call's outcome is its disposition's
-- label (HubSpot stores a GUID), an email's its send status, a meeting's its outcome, a task's
-- its status; a note has none. `is_automated`: an email a sequence sent (hs_sequence_id set).
{%- set types = {'call': 'calls', 'email': 'emails', 'meeting': 'meetings', 'note': 'notes', 'task': 'tasks'} %}
{#- The HubSpot properties that hold a type's direction and outcome. #}
{%- set direction_of = {'call': 'hs_call_direction', 'email': 'hs_email_direction'} %}
{%- set outcome_of = {
    'call': 'hs_call_disposition', 'email': 'hs_email_status', 'meeting': 'hs_meeting_outcome', 'task': 'hs_task_status'} %}
{%- if hubspot_from_fivetran() %}
-- Fivetran lands each property as a column `property_<name>`.
with unioned as (
    {%- for type in types %}
    {% if not loop.first %}union all{% endif %}
    select
        cast(engagement_id as {{ dbt.type_string() }}) as engagement_id,
        {{ funnel_string(type) }} as engagement_type,
        property_hs_timestamp as occurred_at,
        cast(property_hubspot_owner_id as {{ dbt.type_string() }}) as owner_id,
        {{ engagement_direction(type, 'property_' ~ direction_of[type] if type in direction_of else none) }}
            as direction,
        {{ engagement_outcome(type, 'property_' ~ outcome_of[type] if type in outcome_of else none) }} as outcome,
        {{ 'property_hs_sequence_id is not null' if type == 'email' else 'false' }} as is_automated,
        property_hs_createdate as created_at,
        property_hs_lastmodifieddate as updated_at,
        _landed_is_deleted as is_archived,
        'fivetran:hubspot.engagement_{{ type }}' as _source_file
    from ({{ landed('hubspot_fivetran', 'engagement_' ~ type) }}) as engagements
    {%- endfor %}
)
{%- else %}
with unioned as (
    {%- for type, name in types.items() %}
    {% if not loop.first %}union all{% endif %}
    select
        id as engagement_id,
        {{ funnel_string(type) }} as engagement_type,
        {{ parse_timestamp(json_text('properties', 'hs_timestamp')) }} as occurred_at,
        {{ json_text('properties', 'hubspot_owner_id') }} as owner_id,
        {{ engagement_direction(type, json_text('properties', direction_of[type]) if type in direction_of else none) }}
            as direction,
        {{ engagement_outcome(type, json_text('properties', outcome_of[type]) if type in outcome_of else none) }}
            as outcome,
        {%- if type == 'email' %}
        nullif({{ json_text('properties', 'hs_sequence_id') }}, '') is not null as is_automated,
        {%- else %}
        false as is_automated,
        {%- endif %}
        created_at,
        updated_at,
        is_archived,
        _source_file
    from (
        select
            *,
            row_number() over (
                partition by id order by updated_at desc, _loaded_at desc, _source_file desc
            ) as version_rank
        from {{ source('hubspot', name) }}
    ) as versions
    where version_rank = 1
    {%- endfor %}
)
{%- endif %}

select * from unioned
