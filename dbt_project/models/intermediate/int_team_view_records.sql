-- Every contact record each team counts, per reported period (of an entry metric, or of a
-- people-touched one such as sales' "leads worked"): the records the team listed
-- (reports/records/) when it did, else those its own tool counts by the team's view in
-- funnel.yml, as the tool showed them when the team pulled its report. The divergences compare
-- these records with the canonical stage entries.
{%- set views = funnel_contract().alignment.team_views %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

history as (
    -- Lifecycle stages as history records them (or, without history, the stage dates).
    select * from {{ ref('int_contact_property_changes') }}
),

resolved as (
    select * from {{ ref('int_contacts_resolved') }}
),

view_periods as (
    select * from {{ ref('int_team_view_periods') }}
)
{%- for view in views %}
,

view_{{ loop.index }}_periods as (
    select period_start, period_end, snapshot_at
    from view_periods
    where team = {{ funnel_string(view.team) }} and team_metric = {{ funnel_string(view.team_metric) }}
        and not is_listed
),

view_{{ loop.index }}_counted as (
    {{ team_view_records(view, 'view_' ~ loop.index ~ '_periods') | indent(4) }}
),
{%- if view.lifecycle_rank %}

view_{{ loop.index }}_lifecycle as (
    -- The lifecycle stage of each counted record as it stood at the snapshot. Looked up for the
    -- records the view counts only: every record's stage at every snapshot would be periods ×
    -- the whole lifecycle history.
    select period_start, period_end, contact_id, lifecycle_rank
    from (
        select
            counted.period_start,
            counted.period_end,
            counted.contact_id,
            {{ lifecycle_rank('history.property_value') }} as lifecycle_rank,
            row_number() over (
                partition by counted.period_start, counted.period_end, counted.contact_id
                order by history.changed_at desc
            ) as latest
        from (
            select distinct period_start, period_end, snapshot_at, contact_id
            from view_{{ loop.index }}_counted
        ) as counted
        join history
            on history.contact_id = counted.contact_id
            and history.property_name = 'lifecyclestage'
            and history.changed_at <= counted.snapshot_at
    ) as staged
    where latest = 1
),
{%- endif %}

view_{{ loop.index }} as (
    select
        {{ funnel_string(view.team) }} as team,
        {{ funnel_string(view.team_metric) }} as team_metric,
        {{ funnel_string(view.metric) }} as metric,
        {{ funnel_string(view.measure) }} as measure,
        {{ funnel_string(view.stage) }} as stage,
        counted.period_start,
        counted.period_end,
        counted.snapshot_at,
        counted.contact_id,
        resolved.person_id,
        counted.team_at,
        counted.is_repeat
    from view_{{ loop.index }}_counted as counted
    join contacts on contacts.contact_id = counted.contact_id
    join resolved on resolved.contact_id = counted.contact_id
    {%- if view.lifecycle_rank %}
    join view_{{ loop.index }}_lifecycle as lifecycle
        on lifecycle.contact_id = counted.contact_id
        and lifecycle.period_start = counted.period_start
        and lifecycle.period_end = counted.period_end
        and lifecycle.lifecycle_rank >= {{ view.lifecycle_rank | int }}
    {%- endif %}
    -- The record existed when the report was pulled (created, and not yet deleted or merged).
    where contacts.created_at <= counted.snapshot_at
        and (contacts.archived_at is null or contacts.archived_at > counted.snapshot_at)
        {%- if view.excludes %}
        and {{ exclusion_reason('contacts.email', 'contacts.email_normalized', 'null', kinds=view.excludes) }} is null
        {%- endif %}
)
{%- endfor %}
,

mapping as (
    {%- for row in funnel_contract().alignment.team_reports %}
    select
        {{ funnel_string(row.team) }} as team,
        {{ funnel_string(row.team_metric) }} as team_metric,
        {{ funnel_string(row.metric) }} as metric,
        {{ funnel_string(row.measure) }} as measure,
        {{ funnel_string(row.stage) if row.stage else string_null }} as stage
    union all
    {%- endfor %}
    -- Named, so that a contract without team reports still binds.
    select {{ string_null }} as team, {{ string_null }} as team_metric, {{ string_null }} as metric,
        {{ string_null }} as measure, {{ string_null }} as stage
    where false
),

listed as (
    select
        view_periods.team,
        view_periods.team_metric,
        mapping.metric,
        mapping.measure,
        mapping.stage,
        view_periods.period_start,
        view_periods.period_end,
        view_periods.snapshot_at,
        records.contact_id,
        -- A listed id that is no HubSpot record stays, without a person.
        resolved.person_id,
        cast(null as {{ dbt.type_timestamp() }}) as team_at,
        false as is_repeat
    from view_periods
    join {{ ref('stg_reports__team_records') }} as records
        on records.team = view_periods.team
        and records.team_metric = view_periods.team_metric
        and records.period_start = view_periods.period_start
        and records.period_end = view_periods.period_end
    join mapping
        on mapping.team = view_periods.team and mapping.team_metric = view_periods.team_metric
    left join resolved on resolved.contact_id = records.contact_id
    where view_periods.is_listed
)

{% for view in views %}
select * from view_{{ loop.index }}
union all
{%- endfor %}
select * from listed
