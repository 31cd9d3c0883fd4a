{#- Who a person is and who is not part of the funnel: identity and exclusions from funnel.yml. -#}

{# Lower-cased, trimmed, and without a +tag when identity.plus_addressing is `strip`. #}
{% macro normalize_email(expression) -%}
    {%- set trimmed = "lower(trim(" ~ expression ~ "))" -%}
    {%- if funnel_contract().identity.plus_addressing == 'strip' -%}
        nullif(regexp_replace({{ trimmed }}, '[+][^@]*@', '@'), '')
    {%- else -%}
        nullif({{ trimmed }}, '')
    {%- endif -%}
{%- endmacro %}

{# The domain of an already normalised email. #}
{% macro email_domain(expression) -%}
    split_part({{ expression }}, '@', 2)
{%- endmacro %}

{# Why a person is not part of the funnel (or null). Test patterns are matched on the trimmed,
   lower-cased email before any +tag is removed, because tests are usually written as test+1@.
   `kinds` limits the rules applied (team views exclude only some). #}
{% macro exclusion_reason(raw_email, normalized_email, lifecycle_stage, kinds=none) -%}
    {%- set ids = funnel_contract().identity -%}
    {%- set kinds = kinds if kinds is not none else ['internal', 'test', 'competitor', 'lifecycle'] -%}
    {%- set trimmed = "lower(trim(" ~ raw_email ~ "))" -%}
    case
        {%- if ids.internal_domains and 'internal' in kinds %}
        when {{ email_domain(normalized_email) }} in ({{ funnel_string_list(ids.internal_domains) }}) then 'internal'
        {%- endif %}
        {%- if 'test' in kinds %}
        {%- for pattern in ids.test_patterns %}
        when {{ regex_matches(trimmed, funnel_string(pattern)) }} then 'test'
        {%- endfor %}
        {%- endif %}
        {%- if ids.competitor_domains and 'competitor' in kinds %}
        when {{ email_domain(normalized_email) }} in ({{ funnel_string_list(ids.competitor_domains) }}) then 'competitor'
        {%- endif %}
        {%- if ids.lifecycle_stages and 'lifecycle' in kinds %}
        when {{ lifecycle_stage }} in ({{ funnel_string_list(ids.lifecycle_stages) }}) then 'lifecycle_' || {{ lifecycle_stage }}
        {%- endif %}
        else null
    end
{%- endmacro %}

{# Orders record ids: HubSpot's as numbers (ids are text), then others (Salesforce) as text. #}
{% macro contact_order(expression) -%}
    {{ safe_cast(expression, 'bigint') }} nulls last, {{ expression }}
{%- endmacro %}
