-- One row per person (excluded ones included, flagged), with the first entry into every
-- canonical stage. No email or name: `email_hash` (keyed) lets BI join without reading personal data.
with people as (
    select * from {{ ref('int_people') }}
),

entries as (
    select * from {{ ref('int_stage_entries') }}
    where entry_number = 1
),

owners as (
    select * from {{ ref('int_owners') }}
),

segments as (
    select * from {{ ref('int_person_segments') }}
),

stage_times as (
    select
        person_id,
        {%- for stage in funnel_contract().stages %}
        min(case when stage = {{ funnel_string(stage.key) }} then entered_at end) as {{ stage.key }}_at,
        {%- endfor %}
        max(stage_order) as furthest_stage_order
    from entries
    group by person_id
),

stage_list as (
    {{ stage_rows() }}
),

hash_key as (
    -- Keyed: without the key (FUNNEL_HASH_KEY), a list of addresses cannot be matched to people.
    select max(key) as key from {{ source('funnel_private', 'hash_key') }}
)

select
    people.person_id,
    {{ hash_personal("hash_key.key || '|' || people.email_normalized") }} as email_hash,
    people.record_count,
    people.channel,
    people.campaign,
    people.owner_id,
    owners.team_name as owner_team,
    coalesce(segments.segment, 'unknown') as segment,
    people.first_created_at,
    {%- for stage in funnel_contract().stages %}
    stage_times.{{ stage.key }}_at,
    {%- endfor %}
    stage_list.stage as furthest_stage,
    people.is_excluded,
    people.exclusion_reason
from people
left join stage_times on stage_times.person_id = people.person_id
left join stage_list on stage_list.stage_order = stage_times.furthest_stage_order
left join owners on owners.owner_id = people.owner_id
left join segments on segments.person_id = people.person_id
cross join hash_key
