{#- HubSpot's own vocabulary, in one place: how a record was created, which properties date a
    lifecycle stage or a deal stage. Values here are HubSpot's, not the contract's. -#}

{#- How a contact record came to be: 'crm_ui' (a rep typed it in the CRM, the sales extension or
    the mobile app), 'import', 'form', or 'other' (integrations, the API, anything else).
    HubSpot's record source (hs_object_source) says it directly; portals without it say it in the
    original source's drill-downs: CRM_UI (or CONTACTS then CRM_UI, as older portals wrote it),
    IMPORT. -#}
{% macro hubspot_record_origin(object_source, detail_1, detail_2) -%}
    case
        when upper({{ object_source }}) in ('CRM_UI', 'EXTENSION', 'SALES', 'MOBILE_IOS', 'MOBILE_ANDROID')
            then 'crm_ui'
        when upper({{ object_source }}) = 'IMPORT' then 'import'
        when upper({{ object_source }}) = 'FORM' then 'form'
        when {{ object_source }} is not null then 'other'
        when upper({{ detail_1 }}) in ('CRM_UI', 'EXTENSION', 'SALES') then 'crm_ui'
        when upper({{ detail_1 }}) = 'CONTACTS' and upper({{ detail_2 }}) = 'CRM_UI' then 'crm_ui'
        when upper({{ detail_1 }}) = 'IMPORT' then 'import'
        else 'other'
    end
{%- endmacro %}

{#- The contact properties that date each lifecycle stage of the contract's order, newest
    family last: (stage, property). HubSpot writes `hs_lifecyclestage_<stage>_date` ("Became a …
    date") and, since 2024, `hs_v2_date_entered_<stage>`; both hold the stage's latest entry, and a
    skipped stage has neither. -#}
{% macro hubspot_stage_date_properties() -%}
    {%- set pairs = [] -%}
    {%- for stage in funnel_contract().lifecycle_order -%}
        {%- do pairs.append((stage, 'hs_lifecyclestage_' ~ stage ~ '_date')) -%}
        {%- do pairs.append((stage, 'hs_v2_date_entered_' ~ stage)) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}

{#- Deal properties that date a deal stage, by prefix: `hs_v2_date_entered_<stage id>` (current)
    and `hs_date_entered_<stage id>` (legacy, replaced by the former). -#}
{% macro hubspot_deal_stage_date_prefixes() -%}
    {{ return(['hs_v2_date_entered_', 'hs_date_entered_']) }}
{%- endmacro %}
