-- Every marketing or sales touch of a counted person, up to the run's instant (docs/analytics.md):
-- form submissions (channel from the contract's utm_mediums, else from the record the form
-- created, else direct traffic), records not created by a form (event imports, CRM UI, other
-- systems), and sales touches: the engagements the contract's `touches` rules count
-- (int_sales_activities) and, without such rules or when they say `property_changes: true`,
-- reps' hands in the CRM (CRM UI property changes, Salesforce Lead status).
{{ config(
    materialized=person_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_people_to_rebuild() }}",
) }}
-- depends_on: {{ ref('int_people_to_rebuild') }}
{%- set utm_mediums = funnel_contract().utm_mediums %}
{%- set touches = funnel_contract().touches %}
{%- set property_changes = touches is none or touches.property_changes %}
with resolved as (
    select * from {{ ref('int_contacts_resolved') }}
    where is_counted and {{ people_to_rebuild('person_id') }}
),

records as (
    select
        resolved.person_id,
        records.record_id,
        records.system,
        records.created_at,
        records.record_origin,
        records.original_source_detail_2,
        {{ channel_of('records.original_source', 'records.original_source_detail',
            'records.original_source_detail_2', 'records.lead_source') }} as channel
    from resolved
    join {{ ref('int_crm_records') }} as records on records.record_id = resolved.contact_id
),

submissions as (
    select
        submissions.person_id,
        submissions.submission_id,
        submissions.submitted_at,
        submissions.utm_campaign,
        {{ case_map('submissions.utm_medium', utm_mediums, 'cast(null as ' ~ dbt.type_string() ~ ')') }}
            as utm_channel
    from {{ ref('int_form_submissions') }} as submissions
    where submissions.submitted_at is not null and {{ people_to_rebuild('submissions.person_id') }}
),

form_records as (
    -- A record and the submission that created it: HubSpot stamps both within the same minute.
    select
        submissions.submission_id,
        records.record_id,
        records.channel,
        records.original_source_detail_2,
        row_number() over (
            partition by submissions.submission_id order by records.created_at, records.record_id
        ) as record_rank
    from submissions
    join records
        on records.person_id = submissions.person_id
        and records.system = 'hubspot'
        and abs({{ seconds_between('records.created_at', 'submissions.submitted_at') }}) <= 60
),

form_touches as (
    select
        'form:' || submissions.submission_id as touchpoint_id,
        submissions.person_id,
        submissions.submitted_at as touched_at,
        case
            when submissions.utm_channel in ({{ paid_channels() }}) then 'ad_click'
            when submissions.utm_channel is not null then 'email_click'
            else 'form_submission'
        end as touch_type,
        coalesce(
            submissions.utm_channel,
            form_records.channel,
            {{ channel_of("'DIRECT_TRAFFIC'", 'null') }}
        ) as channel,
        coalesce(submissions.utm_campaign, form_records.original_source_detail_2) as campaign,
        submissions.submission_id as source_record_id
    from submissions
    left join form_records on form_records.submission_id = submissions.submission_id and form_records.record_rank = 1
),

record_touches as (
    -- Records no form created: an event's attendee import, a rep's entry, another system's record.
    -- Salesforce Contacts are left out: they come from converting a Lead, which is a sales touch.
    select
        'record:' || records.record_id as touchpoint_id,
        records.person_id,
        records.created_at as touched_at,
        case when records.record_origin = 'import' then 'event' else 'record_created' end as touch_type,
        records.channel,
        records.original_source_detail_2 as campaign,
        records.record_id as source_record_id
    from records
    -- A record a rep typed into the CRM is a sales touch while property edits count (below);
    -- otherwise it is a record like any other.
    where records.system <> 'salesforce_contact'
        and {{ "coalesce(records.record_origin, 'other') <> 'crm_ui'" if property_changes else 'true' }}
        and records.created_at is not null
        and records.record_id not in (select record_id from form_records where record_rank = 1)
),

rep_changes as (
    -- A record a rep typed into the CRM, and every contact property a rep changed there.
    select person_id, created_at as changed_at, record_id
    from records
    where {{ 'true' if property_changes else 'false' }} and record_origin = 'crm_ui'
        and record_id not in (select record_id from form_records where record_rank = 1)
    union all
    select resolved.person_id, history.changed_at, history.contact_id
    from {{ ref('stg_hubspot__contact_lifecycle_history') }} as history
    join resolved on resolved.contact_id = history.contact_id
    where {{ 'true' if property_changes else 'false' }} and history.source_type = 'CRM_UI'
    {%- if salesforce_enabled() %}
    union all
    select resolved.person_id, history.changed_at, history.lead_id
    from {{ ref('stg_salesforce__lead_history') }} as history
    join resolved on resolved.contact_id = history.lead_id
    where {{ 'true' if property_changes else 'false' }} and history.field in ('Status', 'leadConverted')
    {%- endif %}
),

sales_touches as (
    -- Several fields a rep saves at once are one touch.
    select
        'sales:' || person_id || ':' || cast(min(record_id) as {{ dbt.type_string() }}) || ':'
            || cast(cast(round({{ seconds_between("cast('1970-01-01' as timestamp)", 'changed_at') }} * 1000) as bigint)
                as {{ dbt.type_string() }}) as touchpoint_id,
        person_id,
        changed_at as touched_at,
        'sales_activity' as touch_type,
        {{ sales_channel() }} as channel,
        cast(null as {{ dbt.type_string() }}) as campaign,
        min(record_id) as source_record_id
    from rep_changes
    where changed_at is not null
    group by person_id, changed_at
),

engagement_touches as (
    select
        'engagement:' || activities.engagement_id || ':' || activities.person_id as touchpoint_id,
        activities.person_id,
        activities.occurred_at as touched_at,
        'sales_activity' as touch_type,
        {{ sales_channel() }} as channel,
        cast(null as {{ dbt.type_string() }}) as campaign,
        activities.engagement_id as source_record_id
    from {{ ref('int_sales_activities') }} as activities
    where activities.is_sales_touch and {{ people_to_rebuild('activities.person_id') }}
),

unioned as (
    select * from form_touches
    union all
    select * from record_touches
    union all
    select * from sales_touches
    union all
    select * from engagement_touches
)

select unioned.*
from unioned
join {{ ref('int_people') }} as people on people.person_id = unioned.person_id
where not people.is_excluded
{%- if as_of_timestamp() %}
    and unioned.touched_at < {{ as_of_timestamp() }}
{%- endif %}
