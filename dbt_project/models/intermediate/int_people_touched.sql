-- Every sales touch (int_sales_activities, under the contract's `touches` rules) a person got
-- once they had entered a stage that a `people_touched` metric names — the touches behind sales'
-- "leads worked". One row per stage, person and touch; the day is the reporting timezone's.
{%- set stages = funnel_contract().alignment.metrics | selectattr('measure', 'equalto', 'people_touched')
    | map(attribute='stage') | unique | list %}
{%- if stages %}
with touches as (
    select engagement_id, person_id, occurred_at, created_at
    from {{ ref('int_sales_activities') }}
    where is_sales_touch
),

entries as (
    select person_id, stage, entered_at
    from {{ ref('int_stage_entries') }}
    where entry_number = 1 and stage in ({{ funnel_string_list(stages) }})
)

select
    entries.stage,
    touches.person_id,
    touches.engagement_id,
    touches.occurred_at as touched_at,
    {{ to_reporting_date('touches.occurred_at') }} as touched_date,
    touches.created_at as logged_at
from touches
join entries on entries.person_id = touches.person_id and touches.occurred_at >= entries.entered_at
{%- else %}
-- No metric counts people touched: named columns, no rows.
select
    cast(null as {{ dbt.type_string() }}) as stage,
    cast(null as {{ dbt.type_string() }}) as person_id,
    cast(null as {{ dbt.type_string() }}) as engagement_id,
    cast(null as {{ dbt.type_timestamp() }}) as touched_at,
    cast(null as date) as touched_date,
    cast(null as {{ dbt.type_timestamp() }}) as logged_at
where false
{%- endif %}
