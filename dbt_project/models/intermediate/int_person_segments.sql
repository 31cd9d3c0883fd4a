-- One row per person: the employees of their primary company and the contract's segment for
-- it. The principal record's company wins; otherwise the earliest counted record that has one
-- (a HubSpot primary company, or a Salesforce Contact's Account).
with resolved as (
    select * from {{ ref('int_contacts_resolved') }}
    where is_counted
),

record_companies as (
    select
        links.contact_id as record_id,
        max(companies.employees) as employees
    from {{ ref('stg_hubspot__contact_companies') }} as links
    join {{ ref('stg_hubspot__companies') }} as companies on companies.company_id = links.company_id
    where links.is_primary
    group by links.contact_id
    {%- if salesforce_enabled() %}
    union all
    select contacts.contact_id, max(accounts.employees)
    from {{ ref('stg_salesforce__contacts') }} as contacts
    join {{ ref('stg_salesforce__accounts') }} as accounts on accounts.account_id = contacts.account_id
    group by contacts.contact_id
    {%- endif %}
),

ranked as (
    select
        resolved.person_id,
        record_companies.employees,
        row_number() over (
            partition by resolved.person_id
            order by case when resolved.contact_id = resolved.person_id then 0 else 1 end, resolved.contact_id
        ) as company_rank
    from resolved
    join record_companies on record_companies.record_id = resolved.contact_id
    where record_companies.employees is not null
),

people as (
    select distinct person_id from resolved
)

select
    people.person_id,
    ranked.employees,
    {{ segment_of('ranked.employees') }} as segment
from people
left join ranked on ranked.person_id = people.person_id and ranked.company_rank = 1
