with pipelines as (
    select * from {{ source('hubspot', 'deal_pipelines') }}
),

stages as (
    select
        id as pipeline_id,
        label as pipeline_label,
        display_order as pipeline_order,
        {{ json_elements('stages') }} as stage
    from pipelines
    where not is_archived
),

renamed as (
    select
        pipeline_id,
        pipeline_label,
        pipeline_order,
        {{ json_text('stage', 'id') }} as stage_id,
        {{ json_text('stage', 'label') }} as stage_label,
        cast({{ json_text('stage', 'displayOrder') }} as integer) as display_order,
        coalesce(lower({{ json_text(json_member('stage', "'metadata'"), 'isClosed') }}) = 'true', false) as is_closed,
        {{ safe_cast(json_text(json_member('stage', "'metadata'"), 'probability'), 'double') }} as probability
    from stages
)

select
    *,
    -- HubSpot marks closed stages by probability: 1.0 is won, 0.0 is lost.
    is_closed and probability = 1.0 as is_won,
    is_closed and coalesce(probability, 0) = 0 as is_lost
from renamed
