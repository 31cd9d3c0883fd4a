{#- Arithmetic the analytics marts need, one dialect concern per macro. -#}

{# Exact seconds from one instant to a later one (a double; fractions of a second kept). #}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between', 'unified_funnel')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
    ((epoch_ms({{ end }}) - epoch_ms({{ start }})) / 1000.0)
{%- endmacro %}

{% macro postgres__seconds_between(start, end) -%}
    extract(epoch from ({{ end }} - {{ start }}))
{%- endmacro %}

{% macro spark__seconds_between(start, end) -%}
    ((unix_millis({{ end }}) - unix_millis({{ start }})) / 1000.0)
{%- endmacro %}

{# Whole days from one date to another. #}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'unified_funnel')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    (cast({{ end_date }} as date) - cast({{ start_date }} as date))
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{# A continuous quantile (linear interpolation between ranks), as an aggregate. #}
{% macro quantile(expression, fraction) -%}
    {{ return(adapter.dispatch('quantile', 'unified_funnel')(expression, fraction)) }}
{%- endmacro %}

{% macro default__quantile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro postgres__quantile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__quantile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{# ISO day of week: 1 = Monday … 7 = Sunday. #}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'unified_funnel')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    isodow({{ date_expression }})
{%- endmacro %}

{% macro postgres__iso_day_of_week(date_expression) -%}
    cast(extract(isodow from {{ date_expression }}) as integer)
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    (((dayofweek({{ date_expression }}) + 5) % 7) + 1)
{%- endmacro %}

{# A date plus a whole number of days (negative to go back). #}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'unified_funnel')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ date_expression }} + ({{ days }}) * interval '1 day' as date)
{%- endmacro %}

{% macro spark__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, {{ days }})
{%- endmacro %}

{# An instant moved by a number of seconds (fractional allowed). #}
{% macro add_seconds(instant, seconds) -%}
    {{ return(adapter.dispatch('add_seconds', 'unified_funnel')(instant, seconds)) }}
{%- endmacro %}

{% macro default__add_seconds(instant, seconds) -%}
    ({{ instant }} + to_microseconds(cast(round(cast({{ seconds }} as double) * 1000000) as bigint)))
{%- endmacro %}

{% macro postgres__add_seconds(instant, seconds) -%}
    ({{ instant }} + ({{ seconds }}) * interval '1 second')
{%- endmacro %}

{% macro spark__add_seconds(instant, seconds) -%}
    timestamp_millis(unix_millis({{ instant }}) + cast(round(cast({{ seconds }} as double) * 1000) as bigint))
{%- endmacro %}

{# A query-string parameter of a URL (e.g. utm_medium), as written; null when absent or empty. #}
{% macro url_parameter(url, name) -%}
    {{ return(adapter.dispatch('url_parameter', 'unified_funnel')(url, name)) }}
{%- endmacro %}

{% macro default__url_parameter(url, name) -%}
    nullif(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '')
{%- endmacro %}

{% macro postgres__url_parameter(url, name) -%}
    nullif(substring({{ url }} from '[?&]{{ name }}=([^&#]*)'), '')
{%- endmacro %}

{# An aggregate: the MD5 of the group's values sorted and joined with '|' (a fingerprint of a set
   of rows, e.g. the records behind a signed-off divergence). #}
{% macro sorted_text_md5(expression) -%}
    {{ return(adapter.dispatch('sorted_text_md5', 'unified_funnel')(expression)) }}
{%- endmacro %}

{% macro default__sorted_text_md5(expression) -%}
    md5(string_agg({{ expression }}, '|' order by {{ expression }}))
{%- endmacro %}

{% macro spark__sorted_text_md5(expression) -%}
    md5(array_join(array_sort(collect_list({{ expression }})), '|'))
{%- endmacro %}
