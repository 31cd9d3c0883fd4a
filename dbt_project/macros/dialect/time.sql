{#- Time zones. Timestamps are stored in UTC; people read dates in the contract's reporting timezone. -#}

{% macro reporting_timezone() -%}
    {{ funnel_string(funnel_contract().reporting.timezone) }}
{%- endmacro %}

{# The calendar date of a UTC instant in the reporting timezone. #}
{% macro to_reporting_date(expression) -%}
    {{ return(adapter.dispatch('to_reporting_date', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__to_reporting_date(expression) -%}
    cast(timezone({{ reporting_timezone() }}, {{ expression }}) as date)
{%- endmacro %}

{% macro postgres__to_reporting_date(expression) -%}
    cast(({{ expression }} at time zone {{ reporting_timezone() }}) as date)
{%- endmacro %}

{% macro spark__to_reporting_date(expression) -%}
    to_date(from_utc_timestamp({{ expression }}, {{ reporting_timezone() }}))
{%- endmacro %}

{# The UTC instant at which a date (expression of type date) starts in the reporting timezone. #}
{% macro reporting_day_start(expression) -%}
    {{ return(adapter.dispatch('reporting_day_start', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__reporting_day_start(expression) -%}
    timezone({{ reporting_timezone() }}, cast({{ expression }} as timestamp))
{%- endmacro %}

{% macro postgres__reporting_day_start(expression) -%}
    (cast({{ expression }} as timestamp) at time zone {{ reporting_timezone() }})
{%- endmacro %}

{% macro spark__reporting_day_start(expression) -%}
    to_utc_timestamp(cast({{ expression }} as timestamp), {{ reporting_timezone() }})
{%- endmacro %}

{# An ISO-8601 text to a UTC timestamp; null when it does not parse. #}
{% macro parse_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expression) -%}
    try_cast({{ expression }} as timestamptz)
{%- endmacro %}

{% macro postgres__parse_timestamp(expression) -%}
    cast({{ expression }} as timestamptz)
{%- endmacro %}

{% macro spark__parse_timestamp(expression) -%}
    to_timestamp({{ expression }})
{%- endmacro %}

{# The run's instant (var `as_of`, UTC ISO-8601) as a timestamp literal, or none when unset. #}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of -%}
        {{ parse_timestamp(funnel_string(as_of)) }}
    {%- endif -%}
{%- endmacro %}
