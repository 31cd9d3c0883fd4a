{{ config(enabled=salesforce_enabled()) }}
-- The Opportunity stage picklist: order, closed, won.
{%- if salesforce_from_fivetran() %}
select
    api_name as stage_name,
    master_label as stage_label,
    sort_order,
    coalesce(is_closed, false) as is_closed,
    coalesce(is_won, false) as is_won
from ({{ landed('salesforce_fivetran', 'opportunity_stage') }}) as stages
where not _landed_is_deleted
{%- else %}
with latest as (
    select *, row_number() over (partition by id order by _loaded_at desc) as version_rank
    from {{ source('salesforce', 'opportunity_stage') }}
)

select
    {{ json_text('record', 'ApiName') }} as stage_name,
    {{ json_text('record', 'MasterLabel') }} as stage_label,
    {{ safe_cast(json_text('record', 'SortOrder'), 'integer') }} as sort_order,
    coalesce(lower({{ json_text('record', 'IsClosed') }}) = 'true', false) as is_closed,
    coalesce(lower({{ json_text('record', 'IsWon') }}) = 'true', false) as is_won
from latest
where version_rank = 1
{%- endif %}
