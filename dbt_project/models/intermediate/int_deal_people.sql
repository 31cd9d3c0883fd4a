-- Which people each deal belongs to. The primary person is the contact associated with the
-- contract's primary label, else the lowest associated contact id. With
-- `policies.deal_contacts: all`, every associated person counts for stage entries.
with deal_contacts as (
    select deal_id, contact_id, is_primary from {{ ref('stg_hubspot__deal_contacts') }}
    {%- if salesforce_enabled() %}
    union all
    -- Salesforce: an Opportunity's contact roles.
    select opportunity_id, contact_id, is_primary from {{ ref('stg_salesforce__opportunity_contact_roles') }}
    {%- endif %}
),

resolved as (
    select * from {{ ref('int_contacts_resolved') }}
),

linked as (
    select
        deal_contacts.deal_id,
        deal_contacts.contact_id,
        deal_contacts.is_primary,
        resolved.person_id,
        row_number() over (
            partition by deal_contacts.deal_id
            order by case when deal_contacts.is_primary then 0 else 1 end, resolved.numeric_id, deal_contacts.contact_id
        ) as primary_rank
    from deal_contacts
    join resolved on resolved.contact_id = deal_contacts.contact_id
    where resolved.is_counted
),

ranked_per_person as (
    -- A person's contact on the deal: the primary one if it is theirs, else their lowest id.
    select
        *,
        row_number() over (partition by deal_id, person_id order by primary_rank) as person_rank
    from linked
),

per_person as (
    select
        deal_id,
        person_id,
        contact_id,
        primary_rank = 1 as is_primary_person
    from ranked_per_person
    where person_rank = 1
)

select
    *,
    {% if funnel_contract().policies.deal_contacts == 'primary' -%}
    is_primary_person
    {%- else -%}
    true
    {%- endif %} as counts_for_stages
from per_person
