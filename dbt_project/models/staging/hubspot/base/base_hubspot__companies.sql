{%- if hubspot_from_fivetran() %}
-- Fivetran's HubSpot company table (latest version; deleted ones by is_deleted or Fivetran's flags).
select
    cast(id as {{ dbt.type_string() }}) as company_id,
    property_name as company_name,
    lower(property_domain) as domain,
    property_industry as industry,
    cast(property_numberofemployees as integer) as employees,
    property_createdate as created_at,
    _landed_is_deleted as is_archived
from ({{ landed('hubspot_fivetran', 'company') }}) as companies
{%- else %}
with source as (
    select * from {{ source('hubspot', 'companies') }}
),

latest as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
    from source
)

select
    id as company_id,
    {{ json_text('properties', 'name') }} as company_name,
    lower({{ json_text('properties', 'domain') }}) as domain,
    {{ json_text('properties', 'industry') }} as industry,
    {{ safe_cast(json_text('properties', 'numberofemployees'), 'integer') }} as employees,
    coalesce({{ parse_timestamp(json_text('properties', 'createdate')) }}, created_at) as created_at,
    is_archived
from latest
where version_rank = 1
{%- endif %}
