{#- Person-level models built per person: events, stage candidates and entries, touchpoints and
    attribution credit hold one row set per person, and one day changes few people. Where the base
    models are built per record (by_record(): DuckDB with funnel's loaders), these are incremental
    too, and each run rebuilds only the people whose inputs changed:

    - int_person_inputs fingerprints, per person, every row these models read about them (their
      records, property history, form submissions, deals and deal stages, their row in int_people),
      each row together with whether it lies before the run's instant (as_of), so that an event
      passing the run's instant changes the fingerprint too; tables every person shares (the deal
      pipelines) are folded into every fingerprint.
    - funnel stores the fingerprints after every complete build (raw._person_inputs,
      funnel/build_state.py); int_people_to_rebuild is the people whose fingerprint differs from the
      stored one, appeared or vanished. A merge changes both people's records, so both are in it.
    - each model deletes those people's rows before the run (pre-hook), then appends their rows
      rebuilt: a person whose rows are gone (merged away, now excluded) is left without rows, as
      in a full build.

    A fingerprint that differs for a reason that changes nothing (another DuckDB version hashing
    differently) only rebuilds more people; a run that fails before its build is recorded leaves
    the stored fingerprints as they were, so the next run rebuilds those people again. A change
    of the contract or of the dbt project rebuilds everything (--full-refresh). -#}

{% macro by_person() -%}
    {{ return(by_record()) }}
{%- endmacro %}

{#- A filter on a person key: the people this run rebuilds (everyone in a full build). The model
    also carries `-- depends_on: {{ ref('int_people_to_rebuild') }}`: dbt records refs at parse,
    when no build is incremental. -#}
{% macro people_to_rebuild(person_key) -%}
    {#- A unit test has no `this`: it always builds whole. -#}
    {%- if by_person() and this is not none and is_incremental() -%}
    {{ person_key }} in (select person_id from {{ ref('int_people_to_rebuild') }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: the rows of the people this run rebuilds go first. -#}
{% macro delete_people_to_rebuild() -%}
    {%- if by_person() and this is not none and is_incremental() -%}
    delete from {{ this }} where person_id in (select person_id from {{ ref('int_people_to_rebuild') }})
    {%- endif -%}
{%- endmacro %}

{#- The config every person-level model shares. -#}
{% macro person_materialization() -%}
    {{ return('incremental' if by_person() else 'table') }}
{%- endmacro %}

{#- One input row's share of a person's fingerprint: the row (by its alias) and, when it has a
    time the models compare with the run's instant, which side of it the row lies on. -#}
{% macro input_hash(alias, at=none) -%}
    {%- if at is not none and as_of_timestamp() -%}
    hash({{ alias }}, coalesce({{ at }} < {{ as_of_timestamp() }}, false))
    {%- else -%}
    hash({{ alias }})
    {%- endif -%}
{%- endmacro %}
