{{ config(enabled=salesforce_enabled()) }}
-- Task and Event ↔ record: the Lead or Contact an activity was logged on (WhoId) and, for a
-- Contact, the Lead it was converted from. Converting a Lead moves its activities to the new
-- Contact, so an export made later names the Contact; a run of a day before the conversion knows
-- only the Lead (both belong to the same person).
with activities as (
    select engagement_id, who_id from {{ ref('stg_salesforce__activities') }}
    where who_id is not null
),

converted as (
    select lead_id, converted_contact_id from {{ ref('stg_salesforce__leads') }}
    where converted_contact_id is not null
)

select engagement_id, who_id as record_id
from activities
union
select activities.engagement_id, converted.lead_id as record_id
from activities
join converted on converted.converted_contact_id = activities.who_id
