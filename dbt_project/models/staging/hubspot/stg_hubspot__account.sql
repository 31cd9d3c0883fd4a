-- The portal's account details (GET /account-info/v3/details): at most one row. Fivetran lands
-- no such table; the company currency then comes from sources.yml.
{%- if hubspot_from_fivetran() %}
select
    cast(null as {{ dbt.type_string() }}) as portal_id,
    cast(null as {{ dbt.type_string() }}) as company_currency,
    cast(null as {{ dbt.type_string() }}) as time_zone
where false
{%- else %}
select portal_id, upper(company_currency) as company_currency, time_zone
from {{ source('hubspot', 'account') }}
{%- endif %}
