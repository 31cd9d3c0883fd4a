{#- Team views: the records a team's own tool counts for one of its metrics in a month, as the
    tool showed them when the team pulled its report (alignment.teams.*.views in funnel.yml).

    `months` is a relation of (month_start, snapshot_at) for the months the team reported. -#}

{% macro team_view_records(view, months) -%}
    {%- set tz = funnel_string(view.timezone) -%}
    {%- if view.first_set %}
    select months.month_start, months.snapshot_at, firsts.contact_id, firsts.first_at as team_at, false as is_repeat
    from {{ months }} as months
    join (
        select contact_id, min(changed_at) as first_at
        from {{ ref('stg_hubspot__contact_lifecycle_history') }}
        where property_name = {{ funnel_string(view.first_set) }}
        group by contact_id
    ) as firsts
        on {{ month_start(to_local_date('firsts.first_at', tz)) }} = months.month_start
        and firsts.first_at <= months.snapshot_at
    {%- elif view.date_property == 'createdate' %}
    select months.month_start, months.snapshot_at, contacts.contact_id, contacts.created_at as team_at, false as is_repeat
    from {{ months }} as months
    join {{ ref('stg_hubspot__contacts') }} as contacts
        on {{ month_start(to_local_date('contacts.created_at', tz)) }} = months.month_start
    {%- else %}
    {#- A date property's value as it stood at the snapshot: its latest write at or before it.
        A write that is not the record's first is a repeat (HubSpot overwrites the date). #}
    select month_start, snapshot_at, contact_id, team_at, is_repeat
    from (
        select
            months.month_start,
            months.snapshot_at,
            writes.contact_id,
            {{ parse_timestamp('writes.property_value') }} as team_at,
            writes.write_number > 1 as is_repeat,
            row_number() over (
                partition by months.month_start, writes.contact_id order by writes.changed_at desc
            ) as latest
        from {{ months }} as months
        join (
            select
                *,
                row_number() over (partition by contact_id order by changed_at) as write_number
            from {{ ref('stg_hubspot__contact_lifecycle_history') }}
            where property_name = {{ funnel_string(view.date_property) }}
        ) as writes
            on writes.changed_at <= months.snapshot_at
    ) as as_of_snapshot
    where latest = 1
        and {{ month_start(to_local_date('team_at', tz)) }} = month_start
    {%- endif %}
{%- endmacro %}

{# The instant a team pulls its report for the month starting `month_start_expression`. #}
{% macro snapshot_instant(month_start_expression, view) -%}
    {%- set hours, minutes = view.snapshot_time.split(':') -%}
    {%- set offset = (view.snapshot_day - 1) * 1440 + (hours | int) * 60 + (minutes | int) -%}
    {%- set next_month = dbt.dateadd('month', 1, 'cast(' ~ month_start_expression ~ ' as timestamp)') -%}
    {{ local_to_utc(dbt.dateadd('minute', offset, next_month), funnel_string(view.snapshot_timezone)) }}
{%- endmacro %}
