{%- if hubspot_from_fivetran() %}
-- Fivetran's HubSpot tables (sources.yml: hubspot from fivetran).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    value as deal_stage_id,
    date_entered as changed_at,
    source as source_type
from {{ source('hubspot_fivetran', 'deal_stage') }}
where date_entered is not null
{%- else %}
with deals as (
    select * from {{ source('hubspot', 'deals') }}
),

latest as (
    select
        id,
        properties_with_history,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc) as version_rank
    from deals
),

changes as (
    select id, {{ json_elements(json_member('properties_with_history', "'dealstage'")) }} as change
    from latest
    where version_rank = 1
)

select
    id as deal_id,
    {{ json_text('change', 'value') }} as deal_stage_id,
    {{ parse_timestamp(json_text('change', 'timestamp')) }} as changed_at,
    {{ json_text('change', 'sourceType') }} as source_type
from changes
where {{ parse_timestamp(json_text('change', 'timestamp')) }} is not null
{%- endif %}
