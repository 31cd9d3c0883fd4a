{%- if hubspot_from_fivetran() %}
-- Fivetran's owner, with the primary team from team_user (optional tables: no team without them).
with owners as (
    {{ landed('hubspot_fivetran', 'owner') }}
),

primary_team as (
    select team_user.user_id, min(team.name) as team_name
    from ({{ landed('hubspot_fivetran', 'team_user') }}) as team_user
    join ({{ landed('hubspot_fivetran', 'team') }}) as team on team.id = team_user.team_id
    where not coalesce(team_user.is_secondary_user, false)
        and not team_user._landed_is_deleted and not team._landed_is_deleted
    group by team_user.user_id
)

select
    cast(owners.owner_id as {{ dbt.type_string() }}) as owner_id,
    owners.email as owner_email,
    owners.first_name,
    owners.last_name,
    primary_team.team_name,
    owners._landed_is_deleted as is_archived
from owners
left join primary_team on primary_team.user_id = owners.active_user_id
{%- else %}
with source as (
    select * from {{ source('hubspot', 'owners') }}
),

teams as (
    select id, {{ json_elements('teams') }} as team
    from source
),

primary_team as (
    select id, min({{ json_text('team', 'name') }}) as team_name
    from teams
    where lower(coalesce({{ json_text('team', 'primary') }}, 'false')) = 'true'
    group by id
)

select
    source.id as owner_id,
    source.email as owner_email,
    source.first_name,
    source.last_name,
    primary_team.team_name,
    source.is_archived
from source
left join primary_team on primary_team.id = source.id
{%- endif %}
