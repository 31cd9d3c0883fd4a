{#- Who a person is and who is not part of the funnel: identity and exclusions from funnel.yml. -#}

{# Lower-cased, trimmed, and without a +tag when identity.plus_addressing is `strip`. #}
{% macro normalize_email(expression) -%}
    {%- set trimmed = "lower(trim(" ~ expression ~ "))" -%}
    {%- if funnel_contract().identity.plus_addressing == 'strip' -%}
        nullif(regexp_replace({{ trimmed }}, '\+[^@]*@', '@'), '')
    {%- else -%}
        nullif({{ trimmed }}, '')
    {%- endif -%}
{%- endmacro %}

{# The domain of an already normalised email. #}
{% macro email_domain(expression) -%}
    split_part({{ expression }}, '@', 2)
{%- endmacro %}

{# Why a person is not part of the funnel (or null). Test patterns are matched on the trimmed,
   lower-cased email before any +tag is removed, because tests are usually written as test+1@. #}
{% macro exclusion_reason(raw_email, normalized_email, lifecycle_stage) -%}
    {%- set ids = funnel_contract().identity -%}
    {%- set trimmed = "lower(trim(" ~ raw_email ~ "))" -%}
    case
        {%- if ids.internal_domains %}
        when {{ email_domain(normalized_email) }} in ({{ funnel_string_list(ids.internal_domains) }}) then 'internal'
        {%- endif %}
        {%- for pattern in ids.test_patterns %}
        when {{ regex_matches(trimmed, funnel_string(pattern)) }} then 'test'
        {%- endfor %}
        {%- if ids.competitor_domains %}
        when {{ email_domain(normalized_email) }} in ({{ funnel_string_list(ids.competitor_domains) }}) then 'competitor'
        {%- endif %}
        {%- if ids.lifecycle_stages %}
        when {{ lifecycle_stage }} in ({{ funnel_string_list(ids.lifecycle_stages) }}) then 'lifecycle_' || {{ lifecycle_stage }}
        {%- endif %}
        else null
    end
{%- endmacro %}
