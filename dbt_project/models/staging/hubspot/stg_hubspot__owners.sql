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
