{%- if hubspot_from_fivetran() %}
-- Fivetran's HubSpot tables (sources.yml: hubspot from fivetran).
select
    pipelines.pipeline_id,
    pipelines.label as pipeline_label,
    pipelines.display_order as pipeline_order,
    stages.stage_id,
    stages.label as stage_label,
    stages.display_order,
    -- Fivetran keeps closed_won and the probability; HubSpot's closed stages are won (1.0) or lost (0).
    coalesce(stages.closed_won, false) or coalesce(stages.probability, 0) = 0 as is_closed,
    stages.probability,
    coalesce(stages.closed_won, false) as is_won,
    not coalesce(stages.closed_won, false) and coalesce(stages.probability, 0) = 0 as is_lost
from {{ source('hubspot_fivetran', 'deal_pipeline_stage') }} as stages
join {{ source('hubspot_fivetran', 'deal_pipeline') }} as pipelines on pipelines.pipeline_id = stages.pipeline_id
where not coalesce(pipelines._fivetran_deleted, false) and not coalesce(stages._fivetran_deleted, false)
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

select
    *,
    -- HubSpot marks closed stages by probability: 1.0 is won, 0.0 is lost.
    is_closed and probability = 1.0 as is_won,
    is_closed and coalesce(probability, 0) = 0 as is_lost
from renamed
{%- endif %}
