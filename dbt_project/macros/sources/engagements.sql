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
