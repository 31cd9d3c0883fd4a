-- The people this run rebuilds in the person-level models (macros/engine/by_person.sql): those
-- whose fingerprint differs from the one stored at the last complete build, or who appeared or
-- vanished since. With nothing stored, everyone.
{%- set stored = adapter.get_relation(database=target.database, schema='raw', identifier='_person_inputs')
    if execute and by_person() else none %}
with current_inputs as (
    select * from {{ ref('int_person_inputs') }}
)
{%- if by_person() and stored is not none %}

select coalesce(current_inputs.person_id, stored.person_id) as person_id
from current_inputs
full outer join {{ stored }} as stored on stored.person_id = current_inputs.person_id
where current_inputs.inputs_hash is distinct from stored.inputs_hash
{%- else %}

select person_id from current_inputs
{%- endif %}
