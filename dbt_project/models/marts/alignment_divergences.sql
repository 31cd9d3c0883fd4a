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
--
-- A people-touched metric (sales' "leads worked": people with a counted sales touch in the period
-- after entering the stage) has its own reasons (int_alignment_touched). Team-only, after
-- not_in_crm, excluded/archived and duplicate_merged:
--   timezone_boundary  a counted touch falls in the period in the team's timezone only;
--   touched_before_stage  the person got a sales touch in the period, but before entering the stage;
--   not_a_touch        the team counted activity the contract does not count as a sales touch (a
--                      note, an automated email, an unanswered call, an owner outside sales).
-- Canonical-only:
--   touch_logged_late  every touch of the period was logged after the team pulled its report;
--   timezone_boundary  the touches fall in another period in the team's timezone;
--   touch_on_other_record  logged in time, on a record the team's tool did not count (merged or
--                      deleted before the report, or outside its filter).
with team_only as (
    select * from {{ ref('int_alignment_team_only') }}
),

canonical_only as (
    select * from {{ ref('int_alignment_canonical_only') }}
),

touched as (
    select * from {{ ref('int_alignment_touched') }}
),

unioned as (
    select * from team_only
    union all
    select * from canonical_only
    union all
    select * from touched
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
        when 'timezone_boundary' then
            case when canonical_at is null
                then 'record ' || record_id || ' was touched in the period in the ' || team || ' timezone only'
                else 'entered at ' || {{ instant_text('canonical_at') }} || ' UTC: '
                    || cast(canonical_date as {{ dbt.type_string() }}) || ' in ' || {{ reporting_timezone() }}
                    || ', another period in the ' || team || ' timezone'
            end
        when 'touch_logged_late' then 'touched on ' || cast(canonical_date as {{ dbt.type_string() }})
            || ', logged after the ' || team || ' report was pulled'
        when 'touch_on_other_record' then 'touched on ' || cast(canonical_date as {{ dbt.type_string() }})
            || ' on record ' || coalesce(canonical_record, '(none)') || ', which the ' || team
            || ' tool did not count'
        when 'touched_before_stage' then 'person ' || person_id
            || ' was touched in the period before entering the stage'
        when 'not_a_touch' then 'record ' || record_id || ' had activity in the period, none of it a sales touch'
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
