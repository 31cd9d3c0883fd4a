-- Records a team counted that the canonical funnel does not count for that person in that period,
-- with the reason (the first that applies; marts.alignment_divergences lists the reasons). One
-- row per team metric, period and team record.
with team_records as (
    -- Entry metrics; people-touched ones are int_alignment_touched's.
    select * from {{ ref('int_team_view_records') }}
    where measure = 'entries'
),

periods as (
    select * from {{ ref('int_team_view_periods') }}
),

canonical as (
    select * from {{ ref('int_alignment_canonical') }}
),

people as (
    select * from {{ ref('int_people') }}
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
            when not counted.is_first_of_person
                or (canonical.in_period = false and canonical.source_contact_id <> counted.contact_id)
                then 'duplicate_merged'
            when canonical.in_period = false and canonical.is_late then 'late_update'
            when counted.is_repeat and canonical.entered_date < counted.period_start then 'reentry'
            when canonical.reads_other_timezone and canonical.in_period = false
                and canonical.team_tz_date between counted.period_start and counted.period_end
                then 'timezone_boundary'
            when {{ channel_sourced_by('people.channel') }} = 'sales' then 'not_in_marketing'
            else 'definition_difference'
        end as reason,
        canonical.entered_date as canonical_date,
        canonical.entered_at as canonical_at,
        canonical.source_contact_id as canonical_record,
        first_counted.contact_id as first_record,
        people.exclusion_reason,
        people.channel,
        cast(null as {{ dbt.type_string() }}) as merged_into
    from counted
    left join people on people.person_id = counted.person_id
    left join (
        select
            canonical.*,
            periods.period_start,
            periods.period_end,
            canonical.entered_date between periods.period_start and periods.period_end as in_period
        from canonical
        join periods on periods.team = canonical.team and periods.team_metric = canonical.team_metric
    ) as canonical
        on canonical.team = counted.team
        and canonical.team_metric = counted.team_metric
        and canonical.period_start = counted.period_start
        and canonical.period_end = counted.period_end
        and canonical.person_id = counted.person_id
    left join counted as first_counted
        on first_counted.team = counted.team
        and first_counted.team_metric = counted.team_metric
        and first_counted.period_start = counted.period_start
        and first_counted.period_end = counted.period_end
        and first_counted.person_id = counted.person_id
        and first_counted.is_first_of_person
    where not (counted.is_first_of_person and coalesce(canonical.in_period, false))
)

select * from team_only
