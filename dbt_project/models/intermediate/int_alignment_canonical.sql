-- The canonical first entry of each person into the stage of each team entry metric, read the
-- way the team's view reads it (its timezone, date property, first-set property), and whether an
-- integration wrote it late. One row per team metric and person entering its stage.
{%- set views = funnel_contract().alignment.team_views %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with entries as (
    -- First entries (int_stage_entries holds those of people the funnel counts only).
    select
        *,
        {{ to_reporting_date('entered_at') }} as entered_date
    from {{ ref('int_stage_entries') }}
    where entry_number = 1
),

history as (
    select * from {{ ref('stg_hubspot__contact_lifecycle_history') }}
),

views as (
    -- Every team entry metric, with the team's view where it has one.
    {%- set view_of = {} %}
    {%- for view in views %}{% do view_of.update({view.team ~ '/' ~ view.team_metric: view}) %}{% endfor %}
    {%- for row in funnel_contract().alignment.team_reports if row.measure == 'entries' %}
    {%- set view = view_of.get(row.team ~ '/' ~ row.team_metric) %}
    select
        {{ funnel_string(row.team) }} as team,
        {{ funnel_string(row.team_metric) }} as team_metric,
        {{ funnel_string(row.stage) }} as stage,
        {{ funnel_string(view.timezone) if view else reporting_timezone() }} as view_timezone,
        {{ funnel_string(view.date_property)
            if view and view.date_property and view.date_property != 'createdate'
            else string_null }} as date_property,
        {{ funnel_string(view.first_set) if view and view.first_set else string_null }} as first_set_property
    union all
    {%- endfor %}
    -- Named, so that a contract without team reports still binds.
    select {{ string_null }} as team, {{ string_null }} as team_metric, {{ string_null }} as stage,
        {{ string_null }} as view_timezone, {{ string_null }} as date_property, {{ string_null }} as first_set_property
    where false
),

late_writes as (
    -- A lifecycle change whose lifecycle date property, written at the same instant, holds an
    -- earlier instant: an integration wrote it late.
    select distinct contact_id, changed_at
    from history
    where property_name like 'hs_lifecyclestage_%_date'
        and {{ parse_timestamp('property_value') }} < changed_at
),

canonical as (
    select
        views.team,
        views.team_metric,
        views.view_timezone,
        views.date_property,
        views.first_set_property,
        entries.person_id,
        entries.entered_at,
        entries.entered_date,
        entries.is_backfilled,
        entries.contact_id as source_contact_id,
        {{ to_local_date('entries.entered_at', 'views.view_timezone') }} as team_tz_date,
        views.view_timezone <> {{ reporting_timezone() }} as reads_other_timezone,
        late_writes.contact_id is not null as is_late
    from views
    join entries on entries.stage = views.stage
    left join late_writes
        on late_writes.contact_id = entries.contact_id
        and late_writes.changed_at = entries.entered_at
)

select * from canonical
