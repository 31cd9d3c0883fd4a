-- Canonical entries in a team's reported period that the team did not count for that person, with
-- the reason (marts.alignment_divergences lists the reasons). One row per team metric, period
-- and person.
with team_records as (
    select * from {{ ref('int_team_view_records') }}
),

periods as (
    select * from {{ ref('int_team_view_periods') }}
),

canonical as (
    select * from {{ ref('int_alignment_canonical') }}
),

resolved as (
    select * from {{ ref('int_contacts_resolved') }}
),

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

history as (
    select * from {{ ref('stg_hubspot__contact_lifecycle_history') }}
),

missing as (
    -- Canonical entries in a reported period that the team did not count for that person.
    select canonical.*, periods.period_start, periods.period_end, periods.snapshot_at
    from canonical
    join periods
        on periods.team = canonical.team
        and periods.team_metric = canonical.team_metric
        and canonical.entered_date between periods.period_start and periods.period_end
    where not exists (
        select 1 from team_records as counted
        where counted.team = canonical.team
            and counted.team_metric = canonical.team_metric
            and counted.person_id = canonical.person_id
            and counted.period_start = periods.period_start
            and counted.period_end = periods.period_end
    )
),

canonical_only as (
    select
        missing.team,
        missing.team_metric,
        missing.period_start,
        missing.period_end,
        missing.person_id as record_id,
        missing.person_id,
        'canonical' as counted_by,
        missing.team as missing_from,
        case
            when missing.is_late then 'late_update'
            when source.record_status = 'merged' and source_contact.archived_at <= missing.snapshot_at
                then 'duplicate_merged'
            when missing.date_property is not null and missing.is_backfilled and not exists (
                select 1
                from history
                join resolved on resolved.contact_id = history.contact_id
                join contacts on contacts.contact_id = history.contact_id
                where resolved.person_id = missing.person_id
                    and history.property_name = missing.date_property
                    and history.changed_at <= missing.snapshot_at
                    and contacts.created_at <= missing.snapshot_at
                    and (contacts.archived_at is null or contacts.archived_at > missing.snapshot_at)
            ) then 'stage_skipped_backfilled'
            when missing.reads_other_timezone
                and not (missing.team_tz_date between missing.period_start and missing.period_end)
                and (
                    exists (
                        select 1 from team_records as counted
                        where counted.team = missing.team
                            and counted.team_metric = missing.team_metric
                            and counted.person_id = missing.person_id
                            and missing.team_tz_date between counted.period_start and counted.period_end
                    )
                    or not exists (
                        select 1 from periods
                        where periods.team = missing.team
                            and periods.team_metric = missing.team_metric
                            and missing.team_tz_date between periods.period_start and periods.period_end
                    )
                ) then 'timezone_boundary'
            when missing.first_set_property is not null and not exists (
                select 1
                from history
                join resolved on resolved.contact_id = history.contact_id
                where resolved.person_id = missing.person_id
                    and history.property_name = missing.first_set_property
            ) then 'not_in_crm'
            else 'definition_difference'
        end as reason,
        missing.entered_date as canonical_date,
        missing.entered_at as canonical_at,
        missing.source_contact_id as canonical_record,
        cast(null as {{ dbt.type_string() }}) as first_record,
        cast(null as {{ dbt.type_string() }}) as exclusion_reason,
        cast(null as {{ dbt.type_string() }}) as channel,
        source.survivor_id as merged_into
    from missing
    left join resolved as source on source.contact_id = missing.source_contact_id
    left join contacts as source_contact on source_contact.contact_id = missing.source_contact_id
)

select * from canonical_only
