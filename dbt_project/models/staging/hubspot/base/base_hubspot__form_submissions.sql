{%- if hubspot_from_fivetran() %}
-- Fivetran's contact_form_submission, filed under the contact; forms are keyed by `guid`.
with submissions as (
    {{ landed('hubspot_fivetran', 'contact_form_submission') }}
),

contacts as (
    {{ landed('hubspot_fivetran', 'contact') }}
),

forms as (
    {{ landed('hubspot_fivetran', 'form') }}
)

select
    submissions.conversion_id as submission_id,
    submissions.form_id,
    forms.name as form_name,
    submissions.timestamp as submitted_at,
    contacts.property_email as email,
    {{ normalize_email('contacts.property_email') }} as email_normalized,
    -- Fivetran keeps no form fields: the visit's UTM values are read from the page URL.
    {{ url_parameter('submissions.page_url', 'utm_source') }} as utm_source,
    {{ url_parameter('submissions.page_url', 'utm_medium') }} as utm_medium,
    {{ url_parameter('submissions.page_url', 'utm_campaign') }} as utm_campaign,
    submissions.page_url
from submissions
left join contacts on contacts.id = submissions.contact_id
left join forms on forms.guid = submissions.form_id
where not submissions._landed_is_deleted
{%- else %}
with submissions as (
    select * from {{ source('hubspot', 'form_submissions') }}
),

forms as (
    select * from {{ source('hubspot', 'forms') }}
),

submission_values as (
    select conversion_id, {{ json_elements('form_values') }} as field
    from submissions
),

pivoted as (
    select
        conversion_id,
        max(case when {{ json_text('field', 'name') }} = 'email' then {{ json_text('field', 'value') }} end) as email,
        max(case when {{ json_text('field', 'name') }} = 'utm_source' then {{ json_text('field', 'value') }} end)
            as utm_source,
        max(case when {{ json_text('field', 'name') }} = 'utm_medium' then {{ json_text('field', 'value') }} end)
            as utm_medium,
        max(case when {{ json_text('field', 'name') }} = 'utm_campaign' then {{ json_text('field', 'value') }} end)
            as utm_campaign
    from submission_values
    group by conversion_id
)

select
    submissions.conversion_id as submission_id,
    submissions.form_id,
    forms.name as form_name,
    submissions.submitted_at,
    pivoted.email,
    {{ normalize_email('pivoted.email') }} as email_normalized,
    -- Hidden form fields first; HubSpot's page URL keeps the query string of the visit too.
    coalesce(pivoted.utm_source, {{ url_parameter('submissions.page_url', 'utm_source') }}) as utm_source,
    coalesce(pivoted.utm_medium, {{ url_parameter('submissions.page_url', 'utm_medium') }}) as utm_medium,
    coalesce(pivoted.utm_campaign, {{ url_parameter('submissions.page_url', 'utm_campaign') }}) as utm_campaign,
    submissions.page_url
from submissions
left join pivoted on pivoted.conversion_id = submissions.conversion_id
left join forms on forms.id = submissions.form_id
{%- endif %}
