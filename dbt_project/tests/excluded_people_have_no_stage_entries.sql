-- Excluded people (internal, test, competitor, other, deleted) never enter a stage.
{{ config(meta={'dagster': {'ref': {'name': 'fct_stage_entries'}}}) }}
select entries.stage_entry_id, people.exclusion_reason
from {{ ref('fct_stage_entries') }} as entries
join {{ ref('dim_people') }} as people on people.person_id = entries.person_id
where people.is_excluded
