-- Everything that happened to a person, one row per event, up to the run's instant (var as_of).
-- contact_id: the person's HubSpot record the event belongs to (for a deal, their contact on it).
-- evidence: what dates the event — `created` (a record's or deal's create date), `history`
-- (property, deal stage or Salesforce Lead history), `stage_date_property` (a stage date HubSpot
-- keeps on the record, for exports without history) or `form_submission`.
-- Stage criteria in funnel.yml are evaluated over these rows (macros/contract/stages.sql).
{{ config(
    materialized=person_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_people_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
with resolved as (
    select * from {{ ref('int_contacts_resolved') }}
    where is_counted and {{ people_to_rebuild('person_id') }}
),

contacts as (
    select record_id as contact_id, * from {{ ref('int_crm_records') }}
),

history as (
    select * from {{ ref('int_contact_property_changes') }}
),

submissions as (
    select * from {{ ref('int_form_submissions') }}
    where {{ people_to_rebuild('person_id') }}
),

deals as (
    select * from {{ ref('int_deals') }}
),

deal_people as (
    select * from {{ ref('int_deal_people') }}
    where counts_for_stages and {{ people_to_rebuild('person_id') }}
),

deal_stage_history as (
    select * from {{ ref('int_deal_stage_history') }}
),

pipeline_stages as (
    select * from {{ ref('int_deal_stages') }}
),

created as (
    select
        resolved.person_id,
        'created:' || contacts.contact_id as event_id,
        'created' as event_type,
        contacts.created_at as occurred_at,
        contacts.contact_id as record_id,
        contacts.contact_id,
        cast(null as {{ dbt.type_string() }}) as property_name,
        cast(null as {{ dbt.type_string() }}) as property_value,
        cast(null as double) as property_number,
        cast(null as {{ dbt.type_string() }}) as form_id,
        cast(null as {{ dbt.type_string() }}) as form_name,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as pipeline_id,
        cast(null as decimal(38, 2)) as deal_amount_reporting,
        cast(null as integer) as deal_stage_order,
        cast(null as boolean) as deal_stage_is_won,
        cast(null as boolean) as deal_stage_is_lost,
        'created' as evidence
    from resolved
    join contacts on contacts.contact_id = resolved.contact_id
),

property_changes as (
    select
        resolved.person_id,
        -- The value too: a record's stage dates (exports without history) can share an instant.
        'property:' || history.contact_id || ':' || history.property_name || ':'
            || {{ instant_text('history.changed_at') }} || ':' || coalesce(history.property_value, '')
            as event_id,
        'property_change' as event_type,
        history.changed_at as occurred_at,
        history.contact_id as record_id,
        history.contact_id,
        history.property_name,
        history.property_value,
        history.property_number,
        null, null, null, null, null, null, null, null,
        history.evidence
    from resolved
    join history on history.contact_id = resolved.contact_id
),

form_submissions as (
    select
        submissions.person_id,
        'form:' || submissions.submission_id as event_id,
        'form_submission' as event_type,
        submissions.submitted_at as occurred_at,
        submissions.submission_id as record_id,
        null,
        null, null, null,
        submissions.form_id,
        submissions.form_name,
        null, null, null, null, null, null,
        'form_submission'
    from submissions
),

deals_created as (
    select
        deal_people.person_id,
        'deal_created:' || deals.deal_id || ':' || deal_people.person_id as event_id,
        'deal_created' as event_type,
        deals.created_at as occurred_at,
        deals.deal_id as record_id,
        deal_people.contact_id,
        null, null, null, null, null,
        deals.deal_id,
        deals.pipeline_id,
        deals.amount_reporting,
        null, null, null,
        'created'
    from deals
    join deal_people on deal_people.deal_id = deals.deal_id
),

deal_stage_changes as (
    select
        deal_people.person_id,
        'deal_stage:' || deals.deal_id || ':' || deal_people.person_id || ':' || deal_stage_history.deal_stage_id
            || ':' || {{ instant_text('deal_stage_history.changed_at') }} as event_id,
        'deal_stage_change' as event_type,
        deal_stage_history.changed_at as occurred_at,
        deals.deal_id as record_id,
        deal_people.contact_id,
        null, null, null, null, null,
        deals.deal_id,
        deals.pipeline_id,
        deals.amount_reporting,
        pipeline_stages.display_order,
        pipeline_stages.is_won,
        pipeline_stages.is_lost,
        deal_stage_history.evidence
    from deals
    join deal_people on deal_people.deal_id = deals.deal_id
    join deal_stage_history on deal_stage_history.deal_id = deals.deal_id
    left join pipeline_stages
        on pipeline_stages.pipeline_id = deals.pipeline_id
        and pipeline_stages.stage_id = deal_stage_history.deal_stage_id
),

{%- if salesforce_enabled() %}
salesforce_lead_events as (
    -- A Lead's creation, each change of its Status, and its conversion (LeadHistory).
    select
        resolved.person_id,
        'salesforce_lead:' || history.history_id as event_id,
        case history.field
            when 'created' then 'salesforce_lead_created'
            when 'leadConverted' then 'salesforce_lead_converted'
            else 'salesforce_lead_status'
        end as event_type,
        history.changed_at as occurred_at,
        history.lead_id as record_id,
        history.lead_id as contact_id,
        case when history.field = 'Status' then 'Status' end as property_name,
        case when history.field = 'Status' then history.new_value end as property_value,
        null, null, null, null, null, null, null, null, null,
        'history'
    from {{ ref('stg_salesforce__lead_history') }} as history
    join resolved on resolved.contact_id = history.lead_id
    where history.field in ('created', 'Status', 'leadConverted')
),
{%- endif %}

unioned as (
    select * from created
    union all
    select * from property_changes
    union all
    select * from form_submissions
    union all
    select * from deals_created
    union all
    select * from deal_stage_changes
    {%- if salesforce_enabled() %}
    union all
    select * from salesforce_lead_events
    {%- endif %}
)

select
    *,
    case when event_type = 'property_change' and property_name = 'lifecyclestage'
        then {{ lifecycle_rank('property_value') }}
    end as lifecycle_rank
from unioned
where occurred_at is not null
{%- if as_of_timestamp() %}
    and occurred_at < {{ as_of_timestamp() }}
{%- endif %}
