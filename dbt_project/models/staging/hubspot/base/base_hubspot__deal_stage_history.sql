-- Every stage a deal entered, from its dealstage history (API propertiesWithHistory, or
-- Fivetran's deal_stage). Empty for exports without history: stg_hubspot__deal_stage_dates then
-- dates the stages (int_deal_stage_history).
{%- if hubspot_from_fivetran() %}
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    value as deal_stage_id,
    date_entered as changed_at,
    source as source_type
from ({{ landed('hubspot_fivetran', 'deal_stage') }}) as stages
where date_entered is not null and not _landed_is_deleted
{%- else %}
with deals as (
    select * from {{ source('hubspot', 'deals') }}
),

latest as (
    select
        id,
        properties_with_history,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc, _source_file desc) as version_rank
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
