-- The parameters this build ran with: which contract version, as of which instant, read in
-- which timezone. One row; the what-if (`funnel contract diff`) replays a build with them.
select
    {{ funnel_string(funnel_contract().version) }} as contract_version,
    {% if as_of_timestamp() -%}
        {{ as_of_timestamp() }}
    {%- else -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- endif %} as as_of,
    {{ reporting_timezone() }} as reporting_timezone
