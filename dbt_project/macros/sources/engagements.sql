{#- HubSpot's engagement values in the contract's vocabulary (funnel.yml `touches`). -#}

{#- A call's or an email's direction; other engagements have none. -#}
{% macro engagement_direction(type, expression) -%}
    {%- if type == 'call' -%}
    case upper({{ expression }}) when 'OUTBOUND' then 'outbound' when 'INBOUND' then 'inbound' end
    {%- elif type == 'email' -%}
    case upper({{ expression }})
        when 'EMAIL' then 'outbound' when 'INCOMING_EMAIL' then 'inbound' when 'FORWARDED_EMAIL' then 'forwarded'
    end
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- HubSpot's six default call outcomes are GUIDs (GET /calling/v1/dispositions); a portal's own
    outcomes have GUIDs of their own, read as `other`. -#}
{% macro engagement_outcome(type, expression) -%}
    {%- if type == 'call' -%}
    case lower({{ expression }})
        when '9d9162e7-6cf3-4944-bf63-4dff82258764' then 'busy'
        when 'f240bbac-87c9-4f6e-bf70-924b57d47db7' then 'connected'
        when 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff' then 'left_live_message'
        when 'b2cf5968-551e-4856-9783-52b3da59a7d0' then 'left_voicemail'
        when '73a0d17f-1163-4015-bdd5-ec830791da20' then 'no_answer'
        when '17b47fee-58de-441e-a44c-c6300d46f273' then 'wrong_number'
        when '' then null
        else case when {{ expression }} is not null then 'other' end
    end
    {%- elif expression -%}
    lower(nullif(trim({{ expression }}), ''))
    {%- else -%}
    cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- Whether an engagement matches one of the contract's counted activities (`touches.activities`). -#}
{% macro counted_activity(activities) -%}
    {%- for activity in activities -%}
    {% if not loop.first %} or {% endif -%}
    (engagement_type = {{ funnel_string(activity.type) }}
        {%- if activity.direction %} and direction = {{ funnel_string(activity.direction) }}{% endif %}
        {%- if activity.outcomes %} and outcome in ({{ funnel_string_list(activity.outcomes) }}){% endif %}
        {%- if activity.automated is not none %} and {{ '' if activity.automated else 'not ' }}is_automated{% endif -%}
    )
    {%- endfor -%}
{%- endmacro %}

{#- How fast sales first touched a person, in bands BI can order by their name's prefix. -#}
{% macro speed_band(hours) -%}
    case
        when {{ hours }} is null then '6_untouched'
        when {{ hours }} <= 1 then '1_within_1h'
        when {{ hours }} <= 4 then '2_within_4h'
        when {{ hours }} <= 24 then '3_within_24h'
        when {{ hours }} <= 72 then '4_within_3d'
        else '5_after_3d'
    end
{%- endmacro %}

{#- Salesforce's activities in the same vocabulary (funnel.salesforce.yml `touches`). A Task's
    TaskSubtype says what it is: Call a call, Email an email (one-to-one), ListEmail an email sent
    to a list (automated), anything else (Task, Cadence, LinkedIn, none) a task. An Event is a
    meeting. -#}
{% macro salesforce_task_type(subtype) -%}
    case lower(trim({{ subtype }})) when 'call' then 'call' when 'email' then 'email' when 'listemail' then 'email'
        else 'task'
    end
{%- endmacro %}

{#- A call's direction is its CallType (Outbound, Inbound; Internal has none); a Task email is one
    a rep sent. -#}
{% macro salesforce_task_direction(subtype, call_type) -%}
    case lower(trim({{ subtype }}))
        when 'call' then
            case lower(trim({{ call_type }})) when 'outbound' then 'outbound' when 'inbound' then 'inbound' end
        when 'email' then 'outbound'
        when 'listemail' then 'outbound'
    end
{%- endmacro %}

{#- A call's outcome is its CallDisposition, a free text: a label that names a call outcome (any
    case, words apart by spaces: 'Left Voicemail') is that outcome, any other label `other`. An
    email's is `sent` once its Task is Completed. A task's is its Status in lower snake case
    ('Not Started': not_started), 'Waiting on someone else' being `waiting`. -#}
{% macro salesforce_task_outcome(subtype, disposition, status) -%}
    {%- set label = "replace(lower(trim(" ~ disposition ~ ")), ' ', '_')" -%}
    case lower(trim({{ subtype }}))
        when 'call' then
            case
                when nullif(trim({{ disposition }}), '') is null then null
                when {{ label }} in (
                    'connected', 'left_voicemail', 'left_live_message', 'no_answer', 'busy', 'wrong_number'
                ) then {{ label }}
                else 'other'
            end
        when 'email' then case when lower(trim({{ status }})) = 'completed' then 'sent' end
        when 'listemail' then case when lower(trim({{ status }})) = 'completed' then 'sent' end
        else
            case lower(trim({{ status }}))
                when '' then null
                when 'waiting on someone else' then 'waiting'
                else replace(lower(trim({{ status }})), ' ', '_')
            end
    end
{%- endmacro %}

{#- Salesforce keeps no meeting outcome: an Event that ended before the run's instant took place
    (`completed`; a no-show looks the same), one that has not is `scheduled`. A canceled meeting is
    a deleted Event. -#}
{% macro salesforce_event_outcome(end_at) -%}
    case when {{ end_at }} < {{ run_instant() }} then 'completed' when {{ end_at }} is not null then 'scheduled' end
{%- endmacro %}
