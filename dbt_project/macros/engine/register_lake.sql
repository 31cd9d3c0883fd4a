{#- The raw tables as Parquet files under a lake folder, registered as external tables in the
    engine's catalog (`dbt run-operation register_lake --args '{lake: ..., tables: [...]}'`).
    funnel/spark_lake.py writes the files and names the tables; each is replaced, so a run reads
    exactly the files of its own load. -#}
{% macro register_lake(lake, tables) %}
    {%- for table in tables %}
        {%- set schema, name = table.split('.') %}
        {%- do run_query('create database if not exists ' ~ schema) %}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ name) %}
        {%- do run_query('create table ' ~ schema ~ '.' ~ name ~ " using parquet location '"
            ~ lake ~ '/' ~ schema ~ '/' ~ name ~ "'") %}
    {%- endfor %}
    {{ log('registered ' ~ tables | length ~ ' lake tables', info=True) }}
{% endmacro %}
