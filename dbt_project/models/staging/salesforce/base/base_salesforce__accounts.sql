{{ config(enabled=salesforce_enabled()) }}
-- Salesforce Accounts.
{%- if salesforce_from_fivetran() %}
-- Fivetran's account (latest version in history mode; deleted by IsDeleted or Fivetran's flags).
select
    id as account_id,
    name as account_name,
    website,
    industry,
    cast(number_of_employees as integer) as employees,
    created_date as created_at,
    _landed_is_deleted as is_deleted
from ({{ landed('salesforce_fivetran', 'account') }}) as accounts
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'account') }}
)

select
    id as account_id,
    {{ json_text('record', 'Name') }} as account_name,
    {{ json_text('record', 'Website') }} as website,
    {{ json_text('record', 'Industry') }} as industry,
    {{ safe_cast(json_text('record', 'NumberOfEmployees'), 'integer') }} as employees,
    {{ parse_timestamp(json_text('record', 'CreatedDate')) }} as created_at,
    coalesce(lower({{ json_text('record', 'IsDeleted') }}) = 'true', false) as is_deleted
from latest
where version_rank = 1
{%- endif %}
