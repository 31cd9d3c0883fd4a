{#- Base models built per record: the models that take HubSpot's JSON apart (a contact's
    properties and their history) are the volume of a run, and one day changes few records. On
    DuckDB, with raw tables written by funnel's loaders (files or API mode), they are incremental:
    a run rebuilds only the records that have a raw row loaded since the table was last built, and
    each rebuilt record's rows replace its old ones (delete+insert on the record's key), so the
    table equals a full build. Each row keeps the `_source_file` and `_loaded_at` of the version it
    came from: a record whose version left raw (its file was replaced, or retired) is rebuilt from
    what is left, or removed when nothing is.

    Elsewhere (Spark; Fivetran's landed tables, whose merges span records) they stay views. A
    change of the contract or of the dbt project rebuilds everything: funnel passes
    --full-refresh (funnel/build_state.py). -#}

{% macro by_record() -%}
    {{ return(target.type == 'duckdb' and not hubspot_from_fivetran()) }}
{%- endmacro %}

{#- A filter over a raw table (`raw_key` its record id) that keeps the records to rebuild. #}
{% macro records_to_rebuild(relation, raw_key, key) -%}
    {%- if by_record() and is_incremental() -%}
    {{ raw_key }} in (
        select changed.{{ raw_key }}
        from {{ relation }} as changed
        where changed._loaded_at > (
            select coalesce(max(built._loaded_at), cast('1900-01-01' as timestamptz)) from {{ this }} as built
        )
        union all
        select kept.{{ key }}
        from {{ this }} as kept
        where not exists (
            select 1
            from {{ relation }} as still
            where still.{{ raw_key }} = kept.{{ key }}
                and still._source_file = kept._source_file
                and still._loaded_at = kept._loaded_at
        )
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: rows whose version left raw and that no rebuilt record replaced (the record is
    gone from every file). -#}
{% macro drop_departed_versions(relation, raw_key, key) -%}
    {%- if by_record() and is_incremental() -%}
    delete from {{ this }}
    where not exists (
        select 1
        from {{ relation }} as still
        where still.{{ raw_key }} = {{ this }}.{{ key }}
            and still._source_file = {{ this }}._source_file
            and still._loaded_at = {{ this }}._loaded_at
    )
    {%- endif -%}
{%- endmacro %}
