{#- Tables landed by others (Fivetran), read in place. Their shape depends on the connector's
    settings and the portal: a table may be in soft-delete mode (`_fivetran_deleted`, one row per
    key) or history mode (`_fivetran_start/_end/_active`, one row per version); property columns
    exist only for properties the portal has. So each landed table is read through `landed()`:

    - the columns it may hold are declared once, on the source table in its `_*__sources.yml`
      (name, data_type, `meta.required`); a declared column the relation lacks is read as NULL
      (and said in the run log), as Fivetran's own packages do;
    - `meta.key` on the table names its key: the latest version per key is kept (history mode;
      `meta.version_by` names the column that orders versions when the table has its own clock),
      with `_landed_is_deleted` (soft-delete flags, `is_deleted`, or a closed last version) and
      `_landed_deleted_at` (the end of that version, else the sync that saw the deletion);
    - a missing required column (an id, a timestamp) stops the build with the table and column
      named (and the landed-table check refuses the table before dbt runs). -#}

{% macro landed_source_node(source_name, table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no source " ~ source_name ~ "." ~ table_name ~ " is declared") }}
{%- endmacro %}

{# The lower-cased column names of a landed relation, with their types (empty when it does not
   exist). #}
{% macro landed_column_types(relation) -%}
    {%- if not execute -%}{{ return({}) }}{%- endif -%}
    {%- set found = adapter.get_relation(database=relation.database, schema=relation.schema,
                                         identifier=relation.identifier) -%}
    {%- if found is none -%}{{ return({}) }}{%- endif -%}
    {%- set types = {} -%}
    {%- for column in adapter.get_columns_in_relation(found) -%}
        {%- do types.update({column.name | lower: column.dtype | upper}) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}

{% macro landed_column_names(relation) -%}
    {{ return(landed_column_types(relation).keys() | list) }}
{%- endmacro %}

{# Whether an optional landed table exists (e.g. HubSpot's contact_company). #}
{% macro landed_exists(source_name, table_name) -%}
    {{ return(landed_column_names(source(source_name, table_name)) | length > 0) }}
{%- endmacro %}

{# The present columns whose names start with `prefix` (portal-specific properties such as
   `property_hs_v2_date_entered_<stage id>`). #}
{% macro landed_columns_like(source_name, table_name, prefix) -%}
    {%- set names = [] -%}
    {%- for name in landed_column_names(source(source_name, table_name)) if name.startswith(prefix) -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}

{% macro landed_type(data_type) -%}
    {%- set types = {
        'string': dbt.type_string(),
        'bigint': dbt.type_bigint(),
        'integer': dbt.type_int(),
        'double': 'double',
        'boolean': dbt.type_boolean(),
        'date': 'date',
        'timestamp': instant_type(),
    } -%}
    {{ return(types[data_type]) }}
{%- endmacro %}

{# A declared column as its type. A timestamp landed as a timestamp is an instant in UTC (the
   session's zone); landed as text it is parsed (ISO-8601 with or without offset, or epoch
   milliseconds). Anything else is cast softly. #}
{% macro landed_value(column, data_type, landed_dtype='') -%}
    {%- if data_type == 'timestamp' and ('TIMESTAMP' in landed_dtype or landed_dtype == 'DATE') -%}
        cast({{ column }} as {{ instant_type() }})
    {%- elif data_type == 'timestamp' -%}
        {{ parse_timestamp('cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')') }}
    {%- elif data_type == 'string' -%}
        cast({{ column }} as {{ dbt.type_string() }})
    {%- else -%}
        {{ safe_cast(column, landed_type(data_type)) }}
    {%- endif -%}
{%- endmacro %}

{# `extra_columns`: timestamps the contract or the portal decides (stage-date properties), read
   like the declared ones. #}
{% macro landed(source_name, table_name, extra_columns=[]) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {#- Parsing: only the source() call above matters (it makes the dependency). -#}
        {{ return('select * from ' ~ relation) }}
    {%- endif -%}
    {%- set node = landed_source_node(source_name, table_name) -%}
    {%- set dtypes = landed_column_types(relation) -%}
    {%- set present = dtypes.keys() | list -%}
    {%- set key = node.meta.get('key', []) -%}
    {%- set absent = [] -%}
    {%- for name in (node.columns.keys() | list) + extra_columns if name not in present -%}
        {%- set meta = node.columns.get(name, {}).get('meta', {}) -%}
        {%- if not meta.get('legacy') and meta.get('legacy_name') not in present -%}
            {%- do absent.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and present -%}
        {%- set missing_required = [] -%}
        {%- for column in node.columns.values() if column.meta.get('required') and column.name not in present -%}
            {%- do missing_required.append(column.name) -%}
        {%- endfor -%}
        {%- if missing_required -%}
            {{ exceptions.raise_compiler_error(source_name ~ "." ~ table_name ~ " (" ~ relation ~ ") has no column "
                ~ (missing_required | join(', ')) ~ ", which the funnel cannot do without; columns present: "
                ~ (present | join(', '))) }}
        {%- endif -%}
        {%- if absent -%}
            {%- do log(source_name ~ "." ~ table_name ~ ": column(s) absent, read as NULL: " ~ (absent | join(', ')), info=true) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if execute and not present -%}
        {%- if not node.meta.get('optional') -%}
            {{ exceptions.raise_compiler_error(relation ~ " is not in the warehouse: the " ~ source_name
                ~ " source reads it (sources.yml says fivetran); land it, or switch the source") }}
        {%- endif -%}
        {#- An optional table the connector did not land: no rows, every declared column. -#}
        select
        {%- for column in node.columns.values() %}
            cast(null as {{ landed_type(column.data_type) }}) as {{ column.name }},
        {%- endfor %}
        {%- for name in extra_columns %}
            cast(null as {{ instant_type() }}) as {{ name }},
        {%- endfor %}
            false as _landed_is_deleted,
            cast(null as {{ instant_type() }}) as _landed_deleted_at
        where false
    {%- else -%}
    {%- set history_mode = '_fivetran_active' in present -%}
    {%- set flags = [] -%}
    {%- for flag in ['_fivetran_deleted', 'is_deleted'] if flag in present -%}
        {%- do flags.append('coalesce(' ~ safe_cast(flag, dbt.type_boolean()) ~ ', false)') -%}
    {%- endfor -%}
    {#- A closed last version is a deletion — except in a table that is itself a history (a deal's
        stages, a property's changes), where Fivetran closes every row but the current one. -#}
    {%- set versions_mean_deletion = history_mode and not node.meta.get('history_table') -%}
    {%- if versions_mean_deletion -%}
        {%- do flags.append('not coalesce(' ~ safe_cast('_fivetran_active', dbt.type_boolean()) ~ ', true)') -%}
    {%- endif -%}
    {#- The latest version: by `meta.version_by` (a history table's own clock, e.g. a campaign's
        updated_at), else Fivetran's history-mode start, else the last sync. -#}
    {%- set version_by = node.meta.get('version_by') -%}
    {%- if version_by and version_by in present -%}
        {%- set version_order = adapter.quote(version_by) ~ ' desc' ~ (', _fivetran_synced desc' if '_fivetran_synced' in present else '') -%}
    {%- elif '_fivetran_start' in present -%}
        {%- set version_order = '_fivetran_start desc' -%}
    {%- elif '_fivetran_synced' in present -%}
        {%- set version_order = '_fivetran_synced desc' -%}
    {%- else -%}
        {%- set version_order = '1' -%}
    {%- endif -%}
    select
        {%- for column in node.columns.values() %}
        {% if column.name in present -%}
            {{ landed_value(adapter.quote(column.name), column.data_type, dtypes[column.name]) }}
        {%- else -%}
            cast(null as {{ landed_type(column.data_type) }})
        {%- endif %} as {{ column.name }},
        {%- endfor %}
        {%- for name in extra_columns %}
        {% if name in present -%}
            {{ landed_value(adapter.quote(name), 'timestamp', dtypes[name]) }}
        {%- else -%}
            cast(null as {{ instant_type() }})
        {%- endif %} as {{ name }},
        {%- endfor %}
        {{ flags | join(' or ') if flags else 'false' }} as _landed_is_deleted,
        {%- if versions_mean_deletion and '_fivetran_end' in present %}
        case when not coalesce({{ safe_cast('_fivetran_active', dbt.type_boolean()) }}, true)
            then {{ landed_value('_fivetran_end', 'timestamp', dtypes['_fivetran_end']) }} end as _landed_deleted_at
        {%- elif '_fivetran_synced' in present and flags %}
        case when {{ flags | join(' or ') }} then {{ landed_value('_fivetran_synced', 'timestamp', dtypes['_fivetran_synced']) }} end
            as _landed_deleted_at
        {%- else %}
        cast(null as {{ instant_type() }}) as _landed_deleted_at
        {%- endif %}
    {%- if key %}
    from (
        select
            *,
            row_number() over (partition by {{ quoted_list(key) }} order by {{ version_order }}) as _landed_version_rank
        from {{ relation }}
    ) as versions
    where _landed_version_rank = 1
    {%- else %}
    {#- A report table (ad stats): every row is data, none is a version of another. #}
    from {{ relation }}
    {%- endif %}
    {%- endif -%}
{%- endmacro %}

{% macro quoted_list(names) -%}
    {%- for name in names %}{{ adapter.quote(name) }}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}
