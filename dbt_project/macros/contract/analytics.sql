{#- The contract's analytics settings as SQL: weeks, segments, the sales channel, the run's day. -#}

{# The first day of the reporting week (the contract's `week_start`) that a date falls in. #}
{% macro week_start(date_expression) -%}
    {%- set days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] -%}
    {%- set first = days.index(funnel_contract().reporting.week_start) + 1 -%}
    {{ add_days(date_expression, '-((' ~ iso_day_of_week(date_expression) ~ ' - ' ~ first ~ ' + 7) % 7)') }}
{%- endmacro %}

{# The contract's segment (company size band) for a number of employees; 'unknown' when null. #}
{% macro segment_of(employees) -%}
    {%- set segments = funnel_contract().segments -%}
    case
        when {{ employees }} is null then 'unknown'
    {%- for segment in segments | reverse %}
        when {{ employees }} >= {{ segment.min_employees | int }} then {{ funnel_string(segment.key) }}
    {%- endfor %}
        else 'unknown'
    end
{%- endmacro %}

{# The channel a rep's own activity is credited to: the first channel sourced by sales. #}
{% macro sales_channel() -%}
    {%- set sales = funnel_contract().channels | selectattr('sourced_by', 'equalto', 'sales') | list -%}
    {{ funnel_string((sales[0] if sales else funnel_contract().channels[-1]).key) }}
{%- endmacro %}

{# Channels that ad platforms spend on. #}
{% macro paid_channels() -%}
    {%- set channels = funnel_contract().ad_platforms.values() | unique | list -%}
    {{ funnel_string_list(channels) if channels else "''" }}
{%- endmacro %}

{# The instant the run computes at: var `as_of`, or now when unset. #}
{% macro run_instant() -%}
    {%- if as_of_timestamp() -%} {{ as_of_timestamp() }} {%- else -%} current_timestamp {%- endif -%}
{%- endmacro %}

{# The run's last reporting day: as_of is the exclusive end of that day. #}
{% macro run_day() -%}
    {{ to_reporting_date(add_seconds(run_instant(), -0.001)) }}
{%- endmacro %}
