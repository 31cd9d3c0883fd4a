-- One row per canonical stage entry: who entered which stage, when (UTC and reporting date),
-- under which definition version, whether the entry was backfilled from a later stage, and which
-- evidence dated it (history, a stage date property, a create date or a form submission).
with entries as (
    select * from {{ ref('int_stage_entries') }}
),

people as (
    select * from {{ ref('int_people') }}
)

select
    entries.person_id || ':' || entries.stage || ':' || cast(entries.entry_number as {{ dbt.type_string() }})
        as stage_entry_id,
    entries.person_id,
    entries.stage,
    entries.stage_order,
    entries.entry_number,
    entries.entered_at,
    {{ to_reporting_date('entries.entered_at') }} as entered_date,
    people.channel,
    people.campaign,
    people.owner_id,
    entries.definition_version,
    entries.is_backfilled,
    entries.backfilled_from_stage,
    entries.evidence,
    entries.event_id as source_event_id,
    entries.contact_id as source_contact_id
from entries
join people on people.person_id = entries.person_id
