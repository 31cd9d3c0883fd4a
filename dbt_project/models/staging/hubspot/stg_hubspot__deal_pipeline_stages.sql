-- Every stage of every deal pipeline with its order and outcome. HubSpot closes a stage with a
-- probability: 1.0 is won, anything else (0.0) lost; an open stage is neither, whatever its
-- probability.
{%- if hubspot_from_fivetran() %}
-- Fivetran's deal_pipeline_stage: `is_closed` is the closed flag (older connections call it
-- `closed_won`, a misleading name for the same flag).
with pipelines as (
    {{ landed('hubspot_fivetran', 'deal_pipeline') }}
),

stages as (
    {{ landed('hubspot_fivetran', 'deal_pipeline_stage') }}
),

renamed as (
    select
        pipelines.pipeline_id,
        pipelines.label as pipeline_label,
        pipelines.display_order as pipeline_order,
        stages.stage_id,
        stages.label as stage_label,
        stages.display_order,
        coalesce(stages.is_closed, stages.closed_won, false) as is_closed,
        stages.probability
    from stages
    join pipelines on pipelines.pipeline_id = stages.pipeline_id
    where not pipelines._landed_is_deleted and not stages._landed_is_deleted
)
{%- else %}
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
{%- endif %}

select
    *,
    is_closed and coalesce(probability, 0) >= 1.0 as is_won,
    is_closed and coalesce(probability, 0) < 1.0 as is_lost
from renamed
