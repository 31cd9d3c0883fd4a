{#- JSON access. Keys given here are written in the models, never taken from the contract. -#}

{% macro json_text(expression, key) -%}
    {{ return(adapter.dispatch('json_text', 'unified_funnel')(expression, key)) }}
{%- endmacro %}

{% macro default__json_text(expression, key) -%}
    json_extract_string({{ expression }}, '$."{{ key }}"')
{%- endmacro %}

{% macro postgres__json_text(expression, key) -%}
    ({{ expression }} ->> '{{ key }}')
{%- endmacro %}

{% macro spark__json_text(expression, key) -%}
    get_json_object({{ expression }}, '$.{{ key }}')
{%- endmacro %}

{# The JSON value under a key held in a column (for property history, keyed by property name). #}
{% macro json_member(expression, key_expression) -%}
    {{ return(adapter.dispatch('json_member', 'unified_funnel')(expression, key_expression)) }}
{%- endmacro %}

{% macro default__json_member(expression, key_expression) -%}
    ({{ expression }} -> {{ key_expression }})
{%- endmacro %}

{% macro spark__json_member(expression, key_expression) -%}
    get_json_object({{ expression }}, concat('$.', {{ key_expression }}))
{%- endmacro %}

{# The text under a key held in a column (a property whose name the data decides). #}
{% macro json_text_by_key(expression, key_expression) -%}
    {{ return(adapter.dispatch('json_text_by_key', 'unified_funnel')(expression, key_expression)) }}
{%- endmacro %}

{% macro default__json_text_by_key(expression, key_expression) -%}
    ({{ expression }} ->> {{ key_expression }})
{%- endmacro %}

{% macro spark__json_text_by_key(expression, key_expression) -%}
    get_json_object({{ expression }}, concat('$.', {{ key_expression }}))
{%- endmacro %}

{# One row per element of a JSON array; used in a select list. #}
{% macro json_elements(expression) -%}
    {{ return(adapter.dispatch('json_elements', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__json_elements(expression) -%}
    unnest(from_json({{ expression }}, '["json"]'))
{%- endmacro %}

{% macro postgres__json_elements(expression) -%}
    jsonb_array_elements({{ expression }})
{%- endmacro %}

{% macro spark__json_elements(expression) -%}
    explode(from_json({{ expression }}, 'array<string>'))
{%- endmacro %}

{# One row per key of a JSON object; used in a select list. #}
{% macro json_keys(expression) -%}
    {{ return(adapter.dispatch('json_keys', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__json_keys(expression) -%}
    unnest(json_keys({{ expression }}))
{%- endmacro %}

{% macro postgres__json_keys(expression) -%}
    jsonb_object_keys({{ expression }})
{%- endmacro %}

{% macro spark__json_keys(expression) -%}
    explode(map_keys(from_json({{ expression }}, 'map<string,string>')))
{%- endmacro %}

{# One row per item of a delimited text (e.g. HubSpot's "id;id"); used in a select list. #}
{% macro split_to_rows(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'unified_funnel')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(expression, delimiter) -%}
    unnest(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro postgres__split_to_rows(expression, delimiter) -%}
    unnest(string_to_array({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__split_to_rows(expression, delimiter) -%}
    explode(split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}
