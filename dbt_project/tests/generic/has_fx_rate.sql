{#- Fails on every row whose amount has no FX rate to the reporting currency, listing what a
    person needs to fix it: the record, its currency and the day whose rate is missing. The
    failing rows are stored (schema test_failures), so the run summary can name them. -#}
{% test has_fx_rate(model, column_name, record_columns, currency_column, date_expression) %}
{{ config(store_failures=true, schema='test_failures') }}
select
    {{ record_columns | join(', ') }},
    {{ currency_column }} as currency,
    {{ date_expression }} as rate_date
from {{ model }}
where {{ column_name }}
{% endtest %}
