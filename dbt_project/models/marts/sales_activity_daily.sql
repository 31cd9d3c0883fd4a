-- Sales effort per day (reporting timezone), owner, team, activity type, direction and outcome:
-- every engagement logged up to the run's instant, how many of them the contract counts as sales
-- touches, and how many people they reached. An engagement on several people's records is one
-- activity; it touches each of them.
with activities as (
    select * from {{ ref('int_sales_activities') }}
    where occurred_at is not null and not is_archived
    {%- if as_of_timestamp() %}
        and occurred_at < {{ as_of_timestamp() }}
    {%- endif %}
)

select
    {{ to_reporting_date('occurred_at') }} as activity_date,
    owner_id,
    owner_team,
    engagement_type as activity_type,
    direction,
    outcome,
    count(distinct engagement_id) as activities,
    count(distinct case when is_sales_touch then engagement_id end) as sales_touches,
    count(distinct person_id) as people_reached,
    count(distinct case when is_sales_touch then person_id end) as people_touched
from activities
group by 1, 2, 3, 4, 5, 6
