-- Canonical stage entries per person, after the contract's policies:
-- - re-entry: an entry is the first candidate after the previous exit; `first` keeps only the
--   first entry, `every` keeps them all;
-- - skipped stages (`backfill`): a stage's first entry is the earliest first entry of itself or
--   any later stage, so stage timestamps never decrease along the funnel. `is_backfilled` marks
--   a person who skipped the stage: the entry was taken from a later stage, or from a lifecycle
--   value beyond the stage's own.
-- Excluded people have no entries. Ties at one instant go to the smaller record id, then the
-- earlier stage.
{{ config(
    materialized=person_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_people_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
{%- set policies = funnel_contract().policies %}
with candidates as (
    select * from {{ ref('int_stage_candidates') }}
    where {{ people_to_rebuild('person_id') }}
),

people as (
    select * from {{ ref('int_people') }}
    where not is_excluded and {{ people_to_rebuild('person_id') }}
),

sequenced as (
    select
        *,
        sum(case when kind = 'exit' then 1 else 0 end) over (
            partition by person_id, stage
            order by candidate_at, kind desc, {{ contact_order('contact_id') }}, event_id
            rows between unbounded preceding and current row
        ) as exits_before
    from candidates
),

ranked_entries as (
    select
        *,
        row_number() over (
            partition by person_id, stage, exits_before
            order by candidate_at, is_skip, {{ contact_order('contact_id') }}, event_id
        ) as rank_in_spell
    from sequenced
    where kind = 'entry'
),

entries as (
    select
        person_id,
        stage,
        stage_order,
        definition_version,
        candidate_at as entered_at,
        event_id,
        contact_id,
        is_skip,
        evidence,
        row_number() over (
            partition by person_id, stage order by candidate_at, is_skip, {{ contact_order('contact_id') }}, event_id
        ) as entry_number
    from ranked_entries
    where rank_in_spell = 1
),

first_entries as (
    select * from entries where entry_number = 1
),

stage_list as (
    {{ stage_rows() }}
),

grid as (
    select people.person_id, stage_list.stage, stage_list.stage_order
    from people
    cross join stage_list
),

sources as (
    -- The entry that sets each stage's first entry: its own, or a later stage's when backfilling.
    select
        grid.person_id,
        grid.stage,
        grid.stage_order,
        first_entries.stage as source_stage,
        first_entries.entered_at,
        first_entries.definition_version,
        first_entries.event_id,
        first_entries.contact_id,
        first_entries.is_skip,
        first_entries.evidence,
        row_number() over (
            partition by grid.person_id, grid.stage
            order by first_entries.entered_at, first_entries.stage_order
        ) as source_rank
    from grid
    join first_entries
        on first_entries.person_id = grid.person_id
        {%- if policies.skipped_stages == 'backfill' %}
        and first_entries.stage_order >= grid.stage_order
        {%- else %}
        and first_entries.stage_order = grid.stage_order
        {%- endif %}
),

firsts as (
    select
        person_id,
        stage,
        stage_order,
        1 as entry_number,
        entered_at,
        definition_version,
        event_id,
        contact_id,
        source_stage <> stage or coalesce(is_skip, false) as is_backfilled,
        case when source_stage <> stage then source_stage end as backfilled_from_stage,
        evidence
    from sources
    where source_rank = 1
)

select * from firsts
{%- if policies.reentry == 'every' %}
union all
select
    entries.person_id,
    entries.stage,
    entries.stage_order,
    entries.entry_number,
    entries.entered_at,
    entries.definition_version,
    entries.event_id,
    entries.contact_id,
    false,
    null,
    entries.evidence
from entries
join people on people.person_id = entries.person_id
where entries.entry_number > 1
{%- endif %}
