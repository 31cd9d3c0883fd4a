{#- One row per day from `start_date` to `end_date`, both included, as column `date_day` (a date).
    Arguments are ISO-8601 date strings. -#}
{% macro day_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_series', 'unified_funnel')(start_date, end_date)) }}
{%- endmacro %}

{# dbt's portable spine; it runs a query at compile time to count the days, and stops before its end. #}
{% macro default__day_series(start_date, end_date) -%}
    select cast(date_day as date) as date_day
    from (
        {{ dbt.date_spine(
            'day',
            'cast(' ~ funnel_string(start_date) ~ ' as date)',
            dbt.dateadd('day', 1, 'cast(' ~ funnel_string(end_date) ~ ' as date)')
        ) }}
    ) as spine
{%- endmacro %}

{% macro duckdb__day_series(start_date, end_date) -%}
    select cast(generate_series as date) as date_day
    from generate_series(
        cast({{ funnel_string(start_date) }} as date),
        cast({{ funnel_string(end_date) }} as date),
        interval 1 day
    )
{%- endmacro %}
