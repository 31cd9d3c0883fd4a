with source as (
    select * from {{ source('hubspot', 'deals') }}
),

latest as (
    select
        *,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc) as version_rank
    from source
)

select
    id as deal_id,
    {{ json_text('properties', 'dealname') }} as deal_name,
    {{ json_text('properties', 'pipeline') }} as pipeline_id,
    {{ json_text('properties', 'dealstage') }} as deal_stage_id,
    {{ safe_cast(json_text('properties', 'amount'), 'decimal(18, 2)') }} as amount,
    upper(coalesce({{ json_text('properties', 'deal_currency_code') }}, '')) as currency,
    {{ json_text('properties', 'hubspot_owner_id') }} as owner_id,
    {{ json_text('properties', 'dealtype') }} as deal_type,
    {{ json_text('properties', 'deal_source') }} as deal_source,
    coalesce({{ parse_timestamp(json_text('properties', 'createdate')) }}, created_at) as created_at,
    {{ parse_timestamp(json_text('properties', 'closedate')) }} as close_date,
    updated_at,
    is_archived
from latest
where version_rank = 1
