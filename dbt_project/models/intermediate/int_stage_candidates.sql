-- Every moment a person met a stage's entry criteria (kind = entry) or its exit criteria
-- (kind = exit), under the definition in force at that moment. Compiled from funnel.yml.
-- depends_on: {{ ref('int_deal_stages') }}
{{ config(
    materialized=person_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_people_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
with events as (
    select * from {{ ref('int_person_events') }}
    where {{ people_to_rebuild('person_id') }}
),

candidates as (
    {%- for stage in funnel_contract().stages %}
    {%- set stage_loop = loop %}
    {%- for definition in stage.definitions %}
    {% if not (stage_loop.first and loop.first) %}union all{% endif %}
    select
        {{ funnel_string(stage.key) }} as stage,
        {{ stage.order | int }} as stage_order,
        'entry' as kind,
        {{ funnel_string(definition.version) }} as definition_version,
        matched.person_id,
        matched.candidate_at,
        matched.event_id,
        matched.contact_id,
        matched.is_skip,
        matched.evidence
    from ({{ criterion_candidates(definition.entry, 'events') }}) as matched
    where true
        {%- if definition.valid_from %}
        and matched.candidate_at
            >= {{ reporting_day_start('cast(' ~ funnel_string(definition.valid_from) ~ ' as date)') }}
        {%- endif %}
        {%- if definition.valid_to %}
        and matched.candidate_at < {{ reporting_day_start('cast(' ~ funnel_string(definition.valid_to) ~ ' as date)') }}
        {%- endif %}
    {%- endfor %}
    {%- if stage.exit %}
    union all
    select
        {{ funnel_string(stage.key) }},
        {{ stage.order | int }},
        'exit',
        cast(null as {{ dbt.type_string() }}),
        matched.person_id,
        matched.candidate_at,
        matched.event_id,
        matched.contact_id,
        false,
        matched.evidence
    from ({{ criterion_candidates(stage.exit, 'events') }}) as matched
    {%- endif %}
    {%- endfor %}
)

select * from candidates
