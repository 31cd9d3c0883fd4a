{#- Time zones. Timestamps are stored in UTC; people read dates in a timezone (the contract's
    reporting timezone, or a team's own for team views). Timezone arguments are SQL strings. -#}

{% macro reporting_timezone() -%}
    {{ funnel_string(funnel_contract().reporting.timezone) }}
{%- endmacro %}

{# The calendar date of a UTC instant in a timezone. #}
{% macro to_local_date(expression, timezone) -%}
    {{ return(adapter.dispatch('to_local_date', 'unified_funnel')(expression, timezone)) }}
{%- endmacro %}

{% macro default__to_local_date(expression, timezone) -%}
    cast(timezone({{ timezone }}, {{ expression }}) as date)
{%- endmacro %}

{% macro postgres__to_local_date(expression, timezone) -%}
    cast(({{ expression }} at time zone {{ timezone }}) as date)
{%- endmacro %}

{% macro spark__to_local_date(expression, timezone) -%}
    to_date(from_utc_timestamp({{ expression }}, {{ timezone }}))
{%- endmacro %}

{# The UTC instant of a local date-time (a timestamp without zone) read in a timezone. #}
{% macro local_to_utc(expression, timezone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'unified_funnel')(expression, timezone)) }}
{%- endmacro %}

{% macro default__local_to_utc(expression, timezone) -%}
    timezone({{ timezone }}, cast({{ expression }} as timestamp))
{%- endmacro %}

{% macro postgres__local_to_utc(expression, timezone) -%}
    (cast({{ expression }} as timestamp) at time zone {{ timezone }})
{%- endmacro %}

{% macro spark__local_to_utc(expression, timezone) -%}
    to_utc_timestamp(cast({{ expression }} as timestamp), {{ timezone }})
{%- endmacro %}

{# Seconds from 1970-01-01 00:00 to the wall-clock time of a UTC instant in a timezone (the local
   date and time counted as if they were UTC): what a clock on the wall there says, as a number,
   so that every local day is 86,400 of them, DST change days included. #}
{% macro local_epoch_seconds(expression, timezone) -%}
    {{ return(adapter.dispatch('local_epoch_seconds', 'unified_funnel')(expression, timezone)) }}
{%- endmacro %}

{% macro default__local_epoch_seconds(expression, timezone) -%}
    (epoch_ms(timezone({{ timezone }}, cast({{ expression }} as timestamptz))) / 1000.0)
{%- endmacro %}

{% macro postgres__local_epoch_seconds(expression, timezone) -%}
    extract(epoch from ({{ expression }} at time zone {{ timezone }}))
{%- endmacro %}

{% macro spark__local_epoch_seconds(expression, timezone) -%}
    (unix_millis(from_utc_timestamp({{ expression }}, {{ timezone }})) / 1000.0)
{%- endmacro %}

{% macro to_reporting_date(expression) -%}
    {{ to_local_date(expression, reporting_timezone()) }}
{%- endmacro %}

{# The UTC instant at which a date starts in the reporting timezone. #}
{% macro reporting_day_start(expression) -%}
    {{ local_to_utc(expression, reporting_timezone()) }}
{%- endmacro %}

{# The first day of the month of a date. #}
{% macro month_start(expression) -%}
    cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}

{# A text to a UTC instant: ISO-8601 with or without an offset (`Z`, `+02:00`), or epoch
   milliseconds (what HubSpot's date properties and legacy APIs hold); null when neither. #}
{% macro parse_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expression) -%}
    case
        when regexp_full_match(trim({{ expression }}), '-?[0-9]{11,14}')
            then timezone('UTC', epoch_ms(cast(trim({{ expression }}) as bigint)))
        else try_cast({{ expression }} as timestamptz)
    end
{%- endmacro %}

{% macro postgres__parse_timestamp(expression) -%}
    cast({{ expression }} as timestamptz)
{%- endmacro %}

{% macro spark__parse_timestamp(expression) -%}
    case
        when trim({{ expression }}) rlike '^-?[0-9]{11,14}$'
            then timestamp_millis(cast(trim({{ expression }}) as bigint))
        else to_timestamp({{ expression }})
    end
{%- endmacro %}

{# The run's instant (var `as_of`, UTC ISO-8601) as a timestamp literal, or none when unset. #}
{% macro as_of_timestamp() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of -%}
        {{ parse_timestamp(funnel_string(as_of)) }}
    {%- endif -%}
{%- endmacro %}

{# The run boundary, applied once, in staging, by every model with an event time: a row dated at
   or after the run's instant did not exist yet for this run (docs/design.md, "The run's instant").
   A row without a date is kept (its value is rejected or warned about elsewhere). #}
{% macro known_at_run(column) -%}
    {%- if as_of_timestamp() -%}
        coalesce({{ column }} < {{ as_of_timestamp() }}, true)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# The same boundary for a calendar date (spend, in the reporting day): up to the run's last day. #}
{% macro known_on_run_day(column) -%}
    {%- if as_of_timestamp() -%}
        coalesce({{ column }} <= {{ run_day() }}, true)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# True for a record last changed at or after the run's instant: its current properties are
   newer than the run, so the models take what its history says held at the run instead. #}
{% macro changed_after_run(column) -%}
    {%- if as_of_timestamp() -%}
        coalesce({{ column }} >= {{ as_of_timestamp() }}, false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{# An instant as text, the way DuckDB and PostgreSQL write one in UTC ('2025-05-01 04:10:44.753+00'):
   part of event ids and of the words in reports, so every engine must write the same. #}
{% macro instant_text(expression) -%}
    {{ return(adapter.dispatch('instant_text', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__instant_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{# Spark's session runs in UTC (profiles.yml) and writes no offset: add DuckDB's. #}
{% macro spark__instant_text(expression) -%}
    concat(cast({{ expression }} as string), '+00')
{%- endmacro %}
