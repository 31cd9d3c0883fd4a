{#- Dialect-specific SQL lives in these small dispatch macros, one concern each.
    Every value that comes from funnel.yml or a var reaches SQL through `funnel_string`. -#}

{% macro funnel_string(value) -%}
    {{ return(adapter.dispatch('funnel_string', 'unified_funnel')(value)) }}
{%- endmacro %}

{% macro default__funnel_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{# Spark reads backslash escapes inside string literals. #}
{% macro spark__funnel_string(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro funnel_string_list(values) -%}
    {%- for value in values %}{{ funnel_string(value) }}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}

{# A number from the contract: rendered from a float, so it can only ever be a number. #}
{% macro funnel_number(value) -%}
    {{ (value | float) }}
{%- endmacro %}

{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'unified_funnel')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_matches(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    ({{ expression }} rlike {{ pattern }})
{%- endmacro %}

{# A cast that yields null instead of failing (DuckDB, Spark); Postgres has none, and relies on
   the loaders having quarantined malformed values. #}
{% macro safe_cast(expression, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'unified_funnel')(expression, type)) }}
{%- endmacro %}

{% macro default__safe_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro postgres__safe_cast(expression, type) -%}
    cast({{ expression }} as {{ type }})
{%- endmacro %}

{# A one-way hash of personal data (emails), so BI can join on it without reading it. #}
{% macro hash_personal(expression) -%}
    {{ return(adapter.dispatch('hash_personal', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__hash_personal(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro postgres__hash_personal(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro spark__hash_personal(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{# The type of an instant (UTC): timestamptz where the engine has one. #}
{% macro instant_type() -%}
    {{ return(adapter.dispatch('instant_type', 'unified_funnel')()) }}
{%- endmacro %}

{% macro default__instant_type() -%}
    timestamptz
{%- endmacro %}

{% macro spark__instant_type() -%}
    timestamp
{%- endmacro %}

{# An amount as exporters write it: a plain number, or one with thousands separators (12,000.50)
   and a currency code before or after it (12,000.00 USD); null for anything else (12.000,50
   is ambiguous and refused). amount_currency() gives the code it carried, if any. #}
{% macro amount_number(expression) -%}
    {%- set bare = amount_bare(expression) -%}
    case
        when {{ regex_matches(bare, "'^-?[0-9]+([.][0-9]+)?$'") }} then {{ safe_cast(bare, 'decimal(18, 2)') }}
        when {{ regex_matches(bare, "'^-?[0-9]{1,3}(,[0-9]{3})+([.][0-9]+)?$'") }}
            then {{ safe_cast("replace(" ~ bare ~ ", ',', '')", 'decimal(18, 2)') }}
    end
{%- endmacro %}

{# The amount without its currency code and without any whitespace. #}
{% macro amount_bare(expression) -%}
    {{ return(adapter.dispatch('amount_bare', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__amount_bare(expression) -%}
    regexp_replace(regexp_replace(trim({{ expression }}), '^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$', ''), '\s', '', 'g')
{%- endmacro %}

{# Spark reads backslash escapes in string literals (so the regex needs two) and replaces every
   match without a flag. #}
{% macro spark__amount_bare(expression) -%}
    regexp_replace(regexp_replace(trim({{ expression }}), '^[A-Za-z]{3}\\s*|\\s*[A-Za-z]{3}$', ''), '\\s', '')
{%- endmacro %}

{% macro amount_currency(expression) -%}
    upper(coalesce(nullif(regexp_extract(trim({{ expression }}), '^([A-Za-z]{3})', 1), ''),
        nullif(regexp_extract(trim({{ expression }}), '([A-Za-z]{3})$', 1), '')))
{%- endmacro %}

{# Whether a string starts with a literal prefix (no LIKE wildcards: `_` is common in names). #}
{% macro starts_with(expression, prefix) -%}
    {{ return(adapter.dispatch('starts_with', 'unified_funnel')(expression, prefix)) }}
{%- endmacro %}

{% macro default__starts_with(expression, prefix) -%}
    starts_with({{ expression }}, {{ prefix }})
{%- endmacro %}

{% macro spark__starts_with(expression, prefix) -%}
    startswith({{ expression }}, {{ prefix }})
{%- endmacro %}
