-- Every engagement (call, email, meeting, note, task), once per counted person whose record it
-- was logged on (person_id null when none is), with its owner's team and whether the contract's
-- `touches` rules count it as a sales touch — or why not (`not_counted_reason`). HubSpot's
-- engagements and, when sources.yml reads Salesforce, its Tasks and Events (on the Lead or Contact
-- of their WhoId), in the same vocabulary; their ids never collide (digits vs 18 characters).
{%- set touches = funnel_contract().touches %}
{%- set columns = 'engagement_id, engagement_type, occurred_at, owner_id, direction, outcome, is_automated, '
    ~ 'created_at, updated_at, is_archived, _source_file' %}
with engagements as (
    select {{ columns }} from {{ ref('stg_hubspot__engagements') }}
    {%- if salesforce_enabled() %}
    union all
    select {{ columns }} from {{ ref('stg_salesforce__activities') }}
    {%- endif %}
),

links as (
    select engagement_id, contact_id from {{ ref('stg_hubspot__engagement_contacts') }}
    {%- if salesforce_enabled() %}
    union all
    select engagement_id, record_id from {{ ref('stg_salesforce__activity_records') }}
    {%- endif %}
),

people as (
    select distinct links.engagement_id, resolved.person_id
    from links
    join {{ ref('int_contacts_resolved') }} as resolved on resolved.contact_id = links.contact_id
    where resolved.is_counted
),

owners as (
    select owner_id, min(team_name) as team_name from {{ ref('int_owners') }} group by owner_id
),

activities as (
    select
        engagements.*,
        people.person_id,
        coalesce(excluded.is_excluded, false) as is_excluded,
        owners.team_name as owner_team
    from engagements
    left join people on people.engagement_id = engagements.engagement_id
    left join {{ ref('int_people') }} as excluded on excluded.person_id = people.person_id
    left join owners on owners.owner_id = engagements.owner_id
),

judged as (
    select
        *,
        case
            {%- if touches is none %}
            when true then 'no_touch_rules'
            {%- else %}
            when is_archived then 'archived'
            when occurred_at is null then 'no_timestamp'
            -- A null direction or outcome matches no rule that names one.
            when not coalesce(({{ counted_activity(touches.activities) }}), false) then 'activity_not_counted'
            {%- if touches.owner_teams %}
            when owner_id is null then 'no_owner'
            when coalesce(owner_team not in ({{ funnel_string_list(touches.owner_teams) }}), true)
                then 'owner_not_in_sales_team'
            {%- endif %}
            when person_id is null then 'no_person'
            when is_excluded then 'person_excluded'
            -- A meeting booked for later, a task due later: not a touch yet.
            when occurred_at >= {{ run_instant() }} then 'not_happened_yet'
            {%- endif %}
        end as not_counted_reason
    from activities
)

select
    *,
    not_counted_reason is null as is_sales_touch
from judged
