{#- Team views: the records a team's own tool counts for one of its metrics in a month, as the
    tool showed them when the team pulled its report (alignment.teams.*.views in funnel.yml).

    `periods` is a relation of (period_start, period_end, snapshot_at): what the team reported. -#}

{% macro team_view_records(view, periods) -%}
    {%- set tz = funnel_string(view.timezone) -%}
    {%- if view.activity_types %}
    {#- Records with an activity of the view's types dated in the period (the team's timezone) and
        logged by the time the report was pulled: whoever owned it, whatever its outcome. An
        archived (deleted) activity is counted by neither side. #}
    select periods.period_start, periods.period_end, periods.snapshot_at, links.contact_id,
        min(engagements.occurred_at) as team_at, false as is_repeat
    from {{ periods }} as periods
    join {{ ref('stg_hubspot__engagements') }} as engagements
        on {{ to_local_date('engagements.occurred_at', tz) }} between periods.period_start and periods.period_end
        and engagements.created_at <= periods.snapshot_at
    join {{ ref('stg_hubspot__engagement_contacts') }} as links on links.engagement_id = engagements.engagement_id
    where engagements.engagement_type in ({{ funnel_string_list(view.activity_types) }})
        and not engagements.is_archived
    group by periods.period_start, periods.period_end, periods.snapshot_at, links.contact_id
    {%- elif view.first_set %}
    select periods.period_start, periods.period_end, periods.snapshot_at, firsts.contact_id,
        firsts.first_at as team_at, false as is_repeat
    from {{ periods }} as periods
    join (
        select contact_id, min(changed_at) as first_at
        from {{ ref('stg_hubspot__contact_lifecycle_history') }}
        where property_name = {{ funnel_string(view.first_set) }}
        group by contact_id
    ) as firsts
        on {{ to_local_date('firsts.first_at', tz) }} between periods.period_start and periods.period_end
        and firsts.first_at <= periods.snapshot_at
    {%- elif view.date_property == 'createdate' %}
    select periods.period_start, periods.period_end, periods.snapshot_at, contacts.contact_id,
        contacts.created_at as team_at, false as is_repeat
    from {{ periods }} as periods
    join {{ ref('stg_hubspot__contacts') }} as contacts
        on {{ to_local_date('contacts.created_at', tz) }} between periods.period_start and periods.period_end
    {%- else %}
    {#- A date property's value as it stood at the snapshot: its latest write at or before it.
        A write that is not the record's first is a repeat (HubSpot overwrites the date).
        Only a record with a write dated in the period (written by the snapshot) can count, so
        the latest write is looked up for those records alone, not for every record and period. #}
    select period_start, period_end, snapshot_at, contact_id, team_at, is_repeat
    from (
        select
            candidates.period_start,
            candidates.period_end,
            candidates.snapshot_at,
            writes.contact_id,
            writes.team_at,
            writes.write_number > 1 as is_repeat,
            row_number() over (
                partition by candidates.period_start, candidates.period_end, writes.contact_id
                order by writes.changed_at desc
            ) as latest
        from (
            select distinct periods.period_start, periods.period_end, periods.snapshot_at, dated.contact_id
            from {{ periods }} as periods
            join (
                select contact_id, changed_at, {{ to_local_date(parse_timestamp('property_value'), tz) }} as team_day
                from {{ ref('stg_hubspot__contact_lifecycle_history') }}
                where property_name = {{ funnel_string(view.date_property) }}
            ) as dated
                on dated.team_day between periods.period_start and periods.period_end
                and dated.changed_at <= periods.snapshot_at
        ) as candidates
        join (
            select
                contact_id,
                changed_at,
                {{ parse_timestamp('property_value') }} as team_at,
                row_number() over (partition by contact_id order by changed_at) as write_number
            from {{ ref('stg_hubspot__contact_lifecycle_history') }}
            where property_name = {{ funnel_string(view.date_property) }}
        ) as writes
            on writes.contact_id = candidates.contact_id
            and writes.changed_at <= candidates.snapshot_at
    ) as as_of_snapshot
    where latest = 1
        and {{ to_local_date('team_at', tz) }} between period_start and period_end
    {%- endif %}
{%- endmacro %}

{# The instant a team pulls its report for a period ending on `period_end_expression`. #}
{% macro snapshot_instant(period_end_expression, team) -%}
    {%- set hours, minutes = team.snapshot_time.split(':') -%}
    {%- set offset = team.snapshot_days_after * 1440 + (hours | int) * 60 + (minutes | int) -%}
    {{ local_to_utc(dbt.dateadd('minute', offset, 'cast(' ~ period_end_expression ~ ' as timestamp)'), funnel_string(team.snapshot_timezone)) }}
{%- endmacro %}
