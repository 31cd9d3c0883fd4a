-- Cohort conversion (docs/analytics.md): of the people who entered `from_stage` in a month, how
-- many entered `to_stage` within 30/60/90 days (reporting dates) and ever, for every stage pair.
-- `any_stage` counts every entry (HubSpot's "any stage" funnel); `all_stages` only people who
-- passed through every stage in order, none skipped (HubSpot's "all stages" funnel).
with firsts as (
    select person_id, stage, stage_order, entered_date, is_backfilled
    from {{ ref('fct_stage_entries') }}
    where entry_number = 1
),

paths as (
    -- Running counts along the funnel: how many stages a person reached, and skipped, so far.
    select
        *,
        count(*) over (partition by person_id order by stage_order rows between unbounded preceding and current row)
            as reached_so_far,
        sum(case when is_backfilled then 1 else 0 end) over (
            partition by person_id order by stage_order rows between unbounded preceding and current row
        ) as skipped_so_far
    from firsts
),

stages as (
    {{ stage_rows() }}
),

stage_pairs as (
    select
        from_stages.stage as from_stage,
        from_stages.stage_order as from_stage_order,
        to_stages.stage as to_stage,
        to_stages.stage_order as to_stage_order
    from stages as from_stages
    join stages as to_stages on to_stages.stage_order > from_stages.stage_order
),

journeys as (
    select
        {{ month_start('origin.entered_date') }} as cohort_month,
        stage_pairs.from_stage,
        stage_pairs.from_stage_order,
        stage_pairs.to_stage,
        stage_pairs.to_stage_order,
        origin.is_backfilled as from_is_backfilled,
        reached.person_id is not null as has_converted,
        {{ days_between('origin.entered_date', 'reached.entered_date') }} as days_to_convert,
        coalesce(
            reached.reached_so_far - origin.reached_so_far = stage_pairs.to_stage_order - stage_pairs.from_stage_order
            and reached.skipped_so_far = origin.skipped_so_far,
            false
        ) as is_ordered_path
    from paths as origin
    join stage_pairs on stage_pairs.from_stage = origin.stage
    left join paths as reached
        on reached.person_id = origin.person_id
        and reached.stage = stage_pairs.to_stage
),

semantics as (
    select 'any_stage' as semantics, *, has_converted as converted
    from journeys
    union all
    select 'all_stages', *, has_converted and is_ordered_path
    from journeys
    where not from_is_backfilled
),

counted as (
    select
        cohort_month,
        semantics,
        from_stage,
        from_stage_order,
        to_stage,
        to_stage_order,
        count(*) as cohort_size,
        {%- for days in [30, 60, 90] %}
        sum(case when converted and days_to_convert <= {{ days }} then 1 else 0 end) as converted_{{ days }}d,
        {%- endfor %}
        sum(case when converted then 1 else 0 end) as converted_ever
    from semantics
    group by cohort_month, semantics, from_stage, from_stage_order, to_stage, to_stage_order
)

select
    *,
    {%- for days in [30, 60, 90] %}
    cast(converted_{{ days }}d as double) / cohort_size as rate_{{ days }}d,
    {%- endfor %}
    cast(converted_ever as double) / cohort_size as rate_ever,
    {{ days_between(dbt.last_day('cohort_month', 'month'), run_day()) }} as cohort_age_days
from counted
