{{ config(enabled=salesforce_enabled()) }}
-- Salesforce Users who own records; names stay in this layer.
{%- if salesforce_from_fivetran() %}
select
    id as owner_id,
    email as owner_email,
    first_name,
    last_name,
    department as team_name,
    coalesce(is_active, true) and not _landed_is_deleted as is_active
from ({{ landed('salesforce_fivetran', 'user') }}) as users
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'user') }}
)

select
    id as owner_id,
    {{ json_text('record', 'Email') }} as owner_email,
    {{ json_text('record', 'FirstName') }} as first_name,
    {{ json_text('record', 'LastName') }} as last_name,
    {{ json_text('record', 'Department') }} as team_name,
    coalesce(lower({{ json_text('record', 'IsActive') }}) = 'true', false) as is_active
from latest
where version_rank = 1
{%- endif %}
