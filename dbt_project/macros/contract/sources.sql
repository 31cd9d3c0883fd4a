{#- Which systems a run reads (sources.yml, compiled into funnel_sources()). -#}

{% macro hubspot_from_fivetran() -%}
    {{ return(funnel_sources().hubspot == 'fivetran') }}
{%- endmacro %}

{% macro salesforce_enabled() -%}
    {{ return(funnel_sources().get('salesforce', 'off') != 'off') }}
{%- endmacro %}

{% macro salesforce_from_fivetran() -%}
    {{ return(funnel_sources().get('salesforce', 'off') == 'fivetran') }}
{%- endmacro %}
