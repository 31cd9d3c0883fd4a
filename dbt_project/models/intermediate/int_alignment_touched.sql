-- Divergences of the people-touched metrics (sales' "leads worked"): per team metric and reported
-- period, the records the team's tool counted for a person the canonical funnel does not count as
-- worked in that period, and the people it counts whom the team missed, with the reason
-- (marts.alignment_divergences lists them). Matching is per person, as for entry metrics.
{%- set reports = funnel_contract().alignment.team_reports | selectattr('measure', 'equalto', 'people_touched')
    | list %}
{%- set views = funnel_contract().alignment.team_views %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with metrics as (
    -- Each team's people-touched metric, its stage and the timezone its tool reads.
    {%- set tz_of = {} %}
    {%- for view in views %}{% do tz_of.update({view.team ~ '/' ~ view.team_metric: view.timezone}) %}{% endfor %}
    {%- for row in reports %}
    select
        {{ funnel_string(row.team) }} as team,
        {{ funnel_string(row.team_metric) }} as team_metric,
        {{ funnel_string(row.stage) }} as stage,
        {{ funnel_string(tz_of.get(row.team ~ '/' ~ row.team_metric)) if tz_of.get(row.team ~ '/' ~ row.team_metric)
            else reporting_timezone() }} as view_timezone
    union all
    {%- endfor %}
    select {{ string_null }} as team, {{ string_null }} as team_metric, {{ string_null }} as stage,
        {{ string_null }} as view_timezone
    where false
),

periods as (
    select periods.*, metrics.stage, metrics.view_timezone
    from {{ ref('int_team_view_periods') }} as periods
    join metrics on metrics.team = periods.team and metrics.team_metric = periods.team_metric
),

team_records as (
    select * from {{ ref('int_team_view_records') }}
    where measure = 'people_touched'
),

touched as (
    select * from {{ ref('int_people_touched') }}
),

records as (
    -- The record an activity was logged on (the smallest id, when on several).
    select engagement_id, min(contact_id) as contact_id
    from {{ ref('stg_hubspot__engagement_contacts') }}
    group by engagement_id
),

people as (
    select * from {{ ref('int_people') }}
),

worked as (
    -- The canonical side: people with a counted touch in the period (reporting timezone) after
    -- entering the stage; whether any was logged by the team's report, and any dated in the period
    -- in the team's timezone too.
    select
        periods.team,
        periods.team_metric,
        periods.period_start,
        periods.period_end,
        periods.snapshot_at,
        touched.person_id,
        min(touched.touched_at) as first_touch_at,
        max(case when touched.logged_at <= periods.snapshot_at then 1 else 0 end) = 1 as logged_by_report,
        max(case
            when touched.logged_at <= periods.snapshot_at
                and {{ to_local_date('touched.touched_at', 'periods.view_timezone') }}
                    between periods.period_start and periods.period_end
            then 1 else 0 end) = 1 as in_team_period,
        -- One touch logged in time (the smallest id), whose record the detail names.
        min(case when touched.logged_at <= periods.snapshot_at then touched.engagement_id end)
            as logged_engagement
    from periods
    join touched
        on touched.stage = periods.stage
        and touched.touched_date between periods.period_start and periods.period_end
    group by periods.team, periods.team_metric, periods.period_start, periods.period_end, periods.snapshot_at,
        touched.person_id
),

counted as (
    select
        team_records.*,
        row_number() over (
            partition by team, team_metric, period_start, period_end, person_id
            order by {{ contact_order('contact_id') }}
        ) = 1 as is_first_of_person
    from team_records
),

team_only as (
    select
        counted.team,
        counted.team_metric,
        counted.period_start,
        counted.period_end,
        counted.contact_id as record_id,
        counted.person_id,
        counted.team as counted_by,
        'canonical' as missing_from,
        case
            when counted.person_id is null then 'not_in_crm'
            when people.exclusion_reason = 'archived' then 'archived'
            when people.exclusion_reason is not null then 'excluded_' || people.exclusion_reason
            when not counted.is_first_of_person then 'duplicate_merged'
            -- (Outer references stay in the subqueries' WHERE: Spark refuses them in a join's ON.)
            when exists (
                select 1 from touched, periods
                where periods.team = counted.team
                    and periods.team_metric = counted.team_metric
                    and periods.period_start = counted.period_start
                    and periods.period_end = counted.period_end
                    and touched.person_id = counted.person_id
                    and touched.stage = periods.stage
                    and {{ to_local_date('touched.touched_at', 'periods.view_timezone') }}
                        between counted.period_start and counted.period_end
            ) then 'timezone_boundary'
            when exists (
                select 1 from {{ ref('int_sales_activities') }} as activities
                where activities.person_id = counted.person_id
                    and activities.is_sales_touch
                    and {{ to_reporting_date('activities.occurred_at') }}
                        between counted.period_start and counted.period_end
            ) then 'touched_before_stage'
            else 'not_a_touch'
        end as reason,
        cast(null as date) as canonical_date,
        cast(null as {{ dbt.type_timestamp() }}) as canonical_at,
        {{ string_null }} as canonical_record,
        first_counted.contact_id as first_record,
        people.exclusion_reason,
        people.channel,
        {{ string_null }} as merged_into
    from counted
    left join people on people.person_id = counted.person_id
    left join worked
        on worked.team = counted.team
        and worked.team_metric = counted.team_metric
        and worked.period_start = counted.period_start
        and worked.period_end = counted.period_end
        and worked.person_id = counted.person_id
    left join counted as first_counted
        on first_counted.team = counted.team
        and first_counted.team_metric = counted.team_metric
        and first_counted.period_start = counted.period_start
        and first_counted.period_end = counted.period_end
        and first_counted.person_id = counted.person_id
        and first_counted.is_first_of_person
    where not (counted.is_first_of_person and worked.person_id is not null)
),

canonical_only as (
    select
        worked.team,
        worked.team_metric,
        worked.period_start,
        worked.period_end,
        worked.person_id as record_id,
        worked.person_id,
        'canonical' as counted_by,
        worked.team as missing_from,
        case
            when not worked.logged_by_report then 'touch_logged_late'
            when not worked.in_team_period then 'timezone_boundary'
            else 'touch_on_other_record'
        end as reason,
        {{ to_reporting_date('worked.first_touch_at') }} as canonical_date,
        worked.first_touch_at as canonical_at,
        records.contact_id as canonical_record,
        {{ string_null }} as first_record,
        {{ string_null }} as exclusion_reason,
        {{ string_null }} as channel,
        {{ string_null }} as merged_into
    from worked
    left join records on records.engagement_id = worked.logged_engagement
    where not exists (
        select 1 from team_records as counted
        where counted.team = worked.team
            and counted.team_metric = worked.team_metric
            and counted.period_start = worked.period_start
            and counted.period_end = worked.period_end
            and counted.person_id = worked.person_id
    )
)

select * from team_only
union all
select * from canonical_only
