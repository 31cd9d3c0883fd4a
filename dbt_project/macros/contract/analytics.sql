{#- The contract's analytics settings as SQL: weeks, segments, the sales channel, the run's day,
    the SLA clock. -#}

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

{# The contract's `policies.sla_business_hours` ({days, start, end}), or none: the SLA clock then
   counts every hour. #}
{% macro sla_business_hours() -%}
    {{ return(funnel_contract().policies.sla_business_hours) }}
{%- endmacro %}

{# Seconds the SLA clock runs from one instant to a later one: all of them, or only those in the
   contract's business hours. #}
{% macro sla_seconds_between(start, end) -%}
    {%- if sla_business_hours() -%}
        {{ business_seconds_between(start, end) }}
    {%- else -%}
        {{ seconds_between(start, end) }}
    {%- endif -%}
{%- endmacro %}

{# Seconds inside the business hours from one instant to a later one, on the reporting timezone's
   wall clock: the business seconds from a fixed Monday to the end minus those to the start. No
   calendar to join and no row per day, however long a start waits. Null when either instant is
   (greatest() would skip a null). At the hour a DST change repeats, the wall clock goes back: a
   difference is never below 0. #}
{% macro business_seconds_between(start, end) -%}
    case when {{ start }} is not null and {{ end }} is not null then greatest(
        {{ business_seconds_since_epoch(end) }} - {{ business_seconds_since_epoch(start) }},
        0
    ) end
{%- endmacro %}

{# Business seconds from Monday 1969-12-29 00:00 (wall clock) to an instant: the whole weeks
   before its week, the business days before its day in that week, and the part of its own day
   inside the hours. Every number is known when the SQL is compiled but the instant's. #}
{% macro business_seconds_since_epoch(instant) -%}
    {%- set hours = sla_business_hours() -%}
    {%- set weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] -%}
    {%- set open_days = [] -%}
    {%- for day in weekdays -%}
        {%- if day in hours.days %}{% do open_days.append(loop.index0) %}{% endif -%}
    {%- endfor -%}
    {%- set opens = (hours.start[:2] | int) * 3600 + (hours.start[3:] | int) * 60 -%}
    {%- set closes = (hours.end[:2] | int) * 3600 + (hours.end[3:] | int) * 60 -%}
    {%- set length = closes - opens -%}
    {#- 1970-01-01 was a Thursday: three days after the Monday the count starts on. -#}
    {%- set local = '(' ~ local_epoch_seconds(instant, reporting_timezone()) ~ ' + 259200)' -%}
    {%- set day = 'floor(' ~ local ~ ' / 86400)' -%}
    {%- set week = 'floor(' ~ local ~ ' / 604800)' -%}
    {%- set weekday = '(' ~ day ~ ' - 7 * ' ~ week ~ ')' -%}
    (
        {{ week }} * {{ open_days | length * length }}
        + case {{ weekday }}
        {%- for index in range(7) %}
            when {{ index }} then {{ (open_days | select('lessthan', index) | list | length) * length }}
        {%- endfor %}
        end
        + case
            when {{ weekday }} in ({{ open_days | join(', ') }})
                then least(greatest({{ local }} - 86400 * {{ day }} - {{ opens }}, 0), {{ length }})
            else 0
        end
    )
{%- endmacro %}
