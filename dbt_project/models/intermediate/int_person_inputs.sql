-- One row per person: a fingerprint of every row the person-level models read about them
-- (macros/engine/by_person.sql). Two runs that give a person the same fingerprint give them the
-- same events, stage entries, touchpoints and attribution credit.
-- Its inputs, named on every engine (Dagster orders the assets by the one manifest it reads):
-- depends_on: {{ ref('int_contacts_resolved') }} {{ ref('int_crm_records') }}
-- depends_on: {{ ref('int_contact_property_changes') }} {{ ref('stg_hubspot__contact_lifecycle_history') }}
-- depends_on: {{ ref('int_form_submissions') }} {{ ref('int_people') }} {{ ref('int_deals') }}
-- depends_on: {{ ref('int_deal_people') }} {{ ref('int_deal_stage_history') }} {{ ref('int_deal_stages') }}
-- depends_on: {{ ref('int_sales_activities') }}
{%- if salesforce_enabled() %}
-- depends_on: {{ ref('stg_salesforce__lead_history') }}
{%- endif %}
{%- if by_person() %}
with resolved as (
    select * from {{ ref('int_contacts_resolved') }}
),

person_deals as (
    -- The deals whose rows become a person's events (any person on the deal) or their credit
    -- (the deal's primary person).
    select deal_id, person_id from {{ ref('int_deal_people') }}
    union
    select deal_id, primary_person_id from {{ ref('int_deals') }} where primary_person_id is not null
),

shared as (
    -- Tables every person's rows depend on: a change rebuilds everyone.
    select coalesce(sum(cast({{ input_hash('stages') }} as hugeint)), 0) as shared_hash
    from {{ ref('int_deal_stages') }} as stages
),

hashed as (
    select resolved.person_id, {{ input_hash('resolved') }} as row_hash
    from resolved
    union all
    select resolved.person_id, {{ input_hash('records', 'records.created_at') }}
    from {{ ref('int_crm_records') }} as records
    join resolved on resolved.contact_id = records.record_id
    union all
    select resolved.person_id, {{ input_hash('changes', 'changes.changed_at') }}
    from {{ ref('int_contact_property_changes') }} as changes
    join resolved on resolved.contact_id = changes.contact_id
    union all
    -- int_touchpoints reads the CRM UI changes of lifecycle history.
    select resolved.person_id, {{ input_hash('history', 'history.changed_at') }}
    from (
        select contact_id, changed_at
        from {{ ref('stg_hubspot__contact_lifecycle_history') }}
        where source_type = 'CRM_UI'
    ) as history
    join resolved on resolved.contact_id = history.contact_id
    {%- if salesforce_enabled() %}
    union all
    select resolved.person_id, {{ input_hash('history', 'history.changed_at') }}
    from {{ ref('stg_salesforce__lead_history') }} as history
    join resolved on resolved.contact_id = history.lead_id
    {%- endif %}
    union all
    select activities.person_id, {{ input_hash('activities', 'activities.occurred_at') }}
    from {{ ref('int_sales_activities') }} as activities
    where activities.person_id is not null
    union all
    select submissions.person_id, {{ input_hash('submissions', 'submissions.submitted_at') }}
    from {{ ref('int_form_submissions') }} as submissions
    union all
    select people.person_id, {{ input_hash('people') }}
    from {{ ref('int_people') }} as people
    union all
    select person_deals.person_id, {{ input_hash('deals', 'deals.created_at') }}
    from {{ ref('int_deals') }} as deals
    join person_deals on person_deals.deal_id = deals.deal_id
    union all
    select person_deals.person_id, {{ input_hash('deal_people') }}
    from {{ ref('int_deal_people') }} as deal_people
    join person_deals on person_deals.deal_id = deal_people.deal_id
    union all
    select person_deals.person_id, {{ input_hash('stage_history', 'stage_history.changed_at') }}
    from {{ ref('int_deal_stage_history') }} as stage_history
    join person_deals on person_deals.deal_id = stage_history.deal_id
)

-- A sum, not an xor: two equal rows must not cancel out.
select
    hashed.person_id,
    sum(cast(hashed.row_hash as hugeint)) + max(shared.shared_hash) as inputs_hash,
    count(*) as input_rows
from hashed
cross join shared
group by hashed.person_id
{%- else %}
-- Built whole on this engine: nothing to fingerprint.
select
    cast(null as {{ dbt.type_string() }}) as person_id,
    cast(null as decimal(38, 0)) as inputs_hash,
    cast(null as bigint) as input_rows
where false
{%- endif %}
