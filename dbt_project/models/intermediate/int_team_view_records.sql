-- Every contact record each team counts, per month: the records the team listed
-- (reports/records/) when it did, else those its own tool counts by the team's view in funnel.yml,
-- as the tool showed them when the team pulled its report. The divergences compare these
-- records with the canonical stage entries.
{%- set views = funnel_contract().alignment.team_views %}
with contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

history as (
    select * from {{ ref('stg_hubspot__contact_lifecycle_history') }}
),

resolved as (
    select * from {{ ref('int_contacts_resolved') }}
),

view_months as (
    select * from {{ ref('int_team_view_months') }}
)
{%- for view in views %}
,

view_{{ loop.index }}_months as (
    select month_start, snapshot_at
    from view_months
    where team = {{ funnel_string(view.team) }} and team_metric = {{ funnel_string(view.team_metric) }}
        and not is_listed
),

view_{{ loop.index }}_lifecycle as (
    -- Each record's lifecycle stage as it stood at the snapshot.
    select month_start, contact_id, lifecycle_rank
    from (
        select
            months.month_start,
            history.contact_id,
            {{ lifecycle_rank('history.property_value') }} as lifecycle_rank,
            row_number() over (
                partition by months.month_start, history.contact_id order by history.changed_at desc
            ) as latest
        from view_{{ loop.index }}_months as months
        join history
            on history.property_name = 'lifecyclestage'
            and history.changed_at <= months.snapshot_at
    ) as staged
    where latest = 1
),

view_{{ loop.index }} as (
    select
        {{ funnel_string(view.team) }} as team,
        {{ funnel_string(view.team_metric) }} as team_metric,
        {{ funnel_string(view.metric) }} as metric,
        {{ funnel_string(view.stage) }} as stage,
        counted.month_start,
        counted.snapshot_at,
        counted.contact_id,
        resolved.person_id,
        counted.team_at,
        counted.is_repeat
    from ({{ team_view_records(view, 'view_' ~ loop.index ~ '_months') }}) as counted
    join contacts on contacts.contact_id = counted.contact_id
    join resolved on resolved.contact_id = counted.contact_id
    {%- if view.lifecycle_rank %}
    join view_{{ loop.index }}_lifecycle as lifecycle
        on lifecycle.contact_id = counted.contact_id
        and lifecycle.month_start = counted.month_start
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

listed as (
    select
        view_months.team,
        view_months.team_metric,
        mapping.metric,
        mapping.stage,
        view_months.month_start,
        view_months.snapshot_at,
        records.contact_id,
        resolved.person_id,
        cast(null as {{ dbt.type_timestamp() }}) as team_at,
        false as is_repeat
    from view_months
    join {{ ref('stg_reports__team_records') }} as records
        on records.team = view_months.team
        and records.team_metric = view_months.team_metric
        and records.period_start = view_months.month_start
    join (
        {%- for row in funnel_contract().alignment.team_reports %}
        select {{ funnel_string(row.team) }} as team, {{ funnel_string(row.team_metric) }} as team_metric,
            {{ funnel_string(row.metric) }} as metric,
            {{ funnel_string(row.stage) if row.stage else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as stage
        union all
        {%- endfor %}
        select null, null, null, null where false
    ) as mapping
        on mapping.team = view_months.team and mapping.team_metric = view_months.team_metric
    -- A listed id that is no HubSpot record is a team-only record of its own ("unknown person").
    left join resolved on resolved.contact_id = records.contact_id
    where view_months.is_listed
)

{% for view in views %}
select * from view_{{ loop.index }}
union all
{%- endfor %}
select * from listed
