-- Speed to lead (docs/analytics.md): for each stage with an SLA in the contract, every first
-- entry into the stage the SLA runs from, the first sales touch at or after it, and whether it
-- came within the SLA. Skipped (backfilled) start entries are left out: nobody had to follow up.
{#- The SLA clock (sla_seconds_between) counts every hour, or, when the contract sets
    `policies.sla_business_hours`, only the business hours on the reporting timezone's wall clock:
    hours_to_first_touch, hours_open and so the status are then in business hours. -#}
{%- set sla_stages = funnel_contract().stages | selectattr('sla_hours') | list %}
with entries as (
    select * from {{ ref('fct_stage_entries') }}
    where entry_number = 1 and not is_backfilled
),

sales_touches as (
    select person_id, touched_at
    from {{ ref('attribution_touchpoints') }}
    where touch_type = 'sales_activity'
),

people as (
    select * from {{ ref('dim_people') }}
),

starts as (
    {%- for stage in sla_stages %}
    select
        {{ funnel_string(stage.key) }} as sla_stage,
        {{ funnel_string(stage.sla_from) }} as from_stage,
        {{ funnel_number(stage.sla_hours) }} as sla_hours,
        person_id,
        entered_at,
        entered_date
    from entries
    where stage = {{ funnel_string(stage.sla_from) }}
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as sla_stage,
        cast(null as {{ dbt.type_string() }}) as from_stage,
        cast(null as double) as sla_hours,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_timestamp() }}) as entered_at,
        cast(null as date) as entered_date
    from entries
    where false
    {%- endfor %}
),

first_touches as (
    select starts.sla_stage, starts.person_id, min(sales_touches.touched_at) as first_sales_touch_at
    from starts
    join sales_touches
        on sales_touches.person_id = starts.person_id
        and sales_touches.touched_at >= starts.entered_at
    group by starts.sla_stage, starts.person_id
),

measured as (
    select
        starts.*,
        first_touches.first_sales_touch_at,
        {{ sla_seconds_between('starts.entered_at', 'first_touches.first_sales_touch_at') }} / 3600.0
            as hours_to_first_touch,
        {{ sla_seconds_between('starts.entered_at', run_instant()) }} / 3600.0 as hours_open
    from starts
    left join first_touches
        on first_touches.sla_stage = starts.sla_stage and first_touches.person_id = starts.person_id
)

select
    measured.sla_stage,
    measured.from_stage,
    measured.person_id,
    measured.entered_at,
    measured.entered_date,
    {{ week_start('measured.entered_date') }} as entered_week,
    people.owner_id,
    people.owner_team,
    people.channel,
    measured.first_sales_touch_at,
    measured.hours_to_first_touch,
    measured.sla_hours,
    case
        when measured.hours_to_first_touch <= measured.sla_hours then 'met'
        when measured.first_sales_touch_at is not null or measured.hours_open > measured.sla_hours then 'breached'
        else 'open'
    end as sla_status,
    case
        when measured.hours_to_first_touch is not null then measured.hours_to_first_touch <= measured.sla_hours
        when measured.hours_open > measured.sla_hours then false
    end as is_within_sla,
    {{ speed_band('measured.hours_to_first_touch') }} as first_touch_speed_band
from measured
join people on people.person_id = measured.person_id
