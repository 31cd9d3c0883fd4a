-- One row per record counted on one side only: by a team's own tool (its view in funnel.yml, or
-- the records it listed) or by the canonical funnel, per team metric and reported period, with
-- the reason. No email, no name.
--
-- Matching is per person and period: a person the canonical funnel counts in a period is matched
-- by the team's smallest-id record of that person counted in that period. So for every team
-- metric and period, team count − canonical count = team-only rows − canonical-only rows.
--
-- Reason of a team-only row (the first that applies):
--   not_in_crm         the team listed a record HubSpot does not have;
--   excluded_<reason> / archived  the person is excluded by the contract;
--   duplicate_merged   another record of the same person was already counted, or the canonical
--                      entry lies outside the period and came from another record;
--   late_update        the canonical entry lies outside the period and was written late (its
--                      date property holds an earlier instant than the write);
--   reentry            the team counted a repeated date of the record; the canonical entry is earlier;
--   timezone_boundary  the team reads another timezone: the canonical instant falls in the
--                      period in the team's timezone, not in the reporting one;
--   not_in_marketing   the person was sourced by sales (their channel's `sourced_by`): marketing
--                      never had them, e.g. sales counting its outbound prospects;
--   definition_difference  anything else (the team's rule is not the contract's).
-- Reason of a canonical-only row:
--   late_update        the canonical entry was written late;
--   duplicate_merged   its record was merged into another before the team's report;
--   stage_skipped_backfilled  the team reads a date property, the person skipped the stage and
--                      none of their records had that date when the report was pulled;
--   timezone_boundary  the team reads another timezone and counted the person in a period the
--                      instant falls in there (or no reported period holds it there);
--   not_in_crm         the team counts when a property is first set, and no record of the
--                      person ever had it;
--   definition_difference  anything else.
{%- set views = funnel_contract().alignment.team_views %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with team_records as (
    select * from {{ ref('int_team_view_records') }}
),

periods as (
    select * from {{ ref('int_team_view_periods') }}
),

entries as (
    select * from {{ ref('fct_stage_entries') }}
    where entry_number = 1
),

people as (
    select * from {{ ref('int_people') }}
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

views as (
    -- Every team entry metric, with the team's view where it has one.
    {%- set view_of = {} %}
    {%- for view in views %}{% do view_of.update({view.team ~ '/' ~ view.team_metric: view}) %}{% endfor %}
    {%- for row in funnel_contract().alignment.team_reports if row.measure == 'entries' %}
    {%- set view = view_of.get(row.team ~ '/' ~ row.team_metric) %}
    select
        {{ funnel_string(row.team) }} as team,
        {{ funnel_string(row.team_metric) }} as team_metric,
        {{ funnel_string(row.stage) }} as stage,
        {{ funnel_string(view.timezone) if view else reporting_timezone() }} as view_timezone,
        {{ funnel_string(view.date_property)
            if view and view.date_property and view.date_property != 'createdate'
            else string_null }} as date_property,
        {{ funnel_string(view.first_set) if view and view.first_set else string_null }} as first_set_property
    union all
    {%- endfor %}
    -- Named, so that a contract without team reports still binds.
    select {{ string_null }} as team, {{ string_null }} as team_metric, {{ string_null }} as stage,
        {{ string_null }} as view_timezone, {{ string_null }} as date_property, {{ string_null }} as first_set_property
    where false
),

late_writes as (
    -- A lifecycle change whose lifecycle date property, written at the same instant, holds an
    -- earlier instant: an integration wrote it late.
    select distinct contact_id, changed_at
    from history
    where property_name like 'hs_lifecyclestage_%_date'
        and {{ parse_timestamp('property_value') }} < changed_at
),

canonical as (
    select
        views.team,
        views.team_metric,
        views.view_timezone,
        views.date_property,
        views.first_set_property,
        entries.person_id,
        entries.entered_at,
        entries.entered_date,
        entries.is_backfilled,
        entries.source_contact_id,
        {{ to_local_date('entries.entered_at', 'views.view_timezone') }} as team_tz_date,
        views.view_timezone <> {{ reporting_timezone() }} as reads_other_timezone,
        late_writes.contact_id is not null as is_late
    from views
    join entries on entries.stage = views.stage
    left join late_writes
        on late_writes.contact_id = entries.source_contact_id
        and late_writes.changed_at = entries.entered_at
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
        select 1 from counted
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
                        select 1 from counted
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
),

unioned as (
    select * from team_only
    union all
    select * from canonical_only
)

select
    team || ':' || team_metric || ':' || cast(period_start as {{ dbt.type_string() }}) || ':'
        || cast(period_end as {{ dbt.type_string() }}) || ':' || counted_by || ':' || record_id as divergence_id,
    team,
    team_metric,
    period_start,
    period_end,
    record_id,
    person_id,
    counted_by,
    missing_from,
    reason,
    case reason
        when 'not_in_crm' then
            case when counted_by = 'canonical'
                then 'no record of person ' || person_id || ' ever reached the ' || team || ' tool'
                else 'record ' || record_id || ' is not in HubSpot'
            end
        when 'archived' then 'person ' || person_id || ' has no live HubSpot record left'
        when 'duplicate_merged' then
            case when counted_by = 'canonical'
                then 'entry from record ' || canonical_record || ', merged into ' || merged_into || ' before the report'
                when first_record <> record_id
                then 'record ' || record_id || ' is person ' || person_id || ', already counted as record '
                    || first_record
                else 'record ' || record_id || ' is person ' || person_id || '; canonical entry on '
                    || cast(canonical_date as {{ dbt.type_string() }}) || ' from record ' || canonical_record
            end
        when 'late_update' then 'canonical entry on ' || cast(canonical_date as {{ dbt.type_string() }})
            || ' was written late, after the report'
        when 'reentry' then 'record ' || record_id || ' qualified again; person ' || person_id || ' first entered on '
            || cast(canonical_date as {{ dbt.type_string() }})
        when 'not_in_marketing' then 'person ' || person_id || ' came through ' || channel || ', sourced by sales'
        when 'timezone_boundary' then 'entered at ' || cast(canonical_at as {{ dbt.type_string() }}) || ' UTC: '
            || cast(canonical_date as {{ dbt.type_string() }}) || ' in ' || {{ reporting_timezone() }}
            || ', another period in the ' || team || ' timezone'
        when 'stage_skipped_backfilled' then 'person ' || person_id || ' skipped the stage: counted on '
            || cast(canonical_date as {{ dbt.type_string() }}) || ' on reaching a later one; the ' || team
            || ' tool had no date for them'
        else
            case
                when reason like 'excluded_%' then 'person ' || person_id || ' is excluded: ' || exclusion_reason
                when canonical_date is null then 'no canonical entry for person ' || person_id
                else 'canonical entry on ' || cast(canonical_date as {{ dbt.type_string() }})
            end
    end as detail
from unioned
