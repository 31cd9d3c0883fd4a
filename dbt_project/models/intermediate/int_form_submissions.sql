-- Every form submission with its person. A submission names an email, not a record: it belongs
-- to the person whose counted record carries that (normalised) email.
with resolved as (
    select * from {{ ref('int_contacts_resolved') }}
    where is_counted
),

records as (
    select * from {{ ref('int_crm_records') }}
),

email_people as (
    select records.email_normalized, min(resolved.person_id) as person_id
    from resolved
    join records on records.record_id = resolved.contact_id
    where records.email_normalized is not null
    group by records.email_normalized
)

select
    email_people.person_id,
    submissions.*
from {{ ref('stg_hubspot__form_submissions') }} as submissions
join email_people on email_people.email_normalized = submissions.email_normalized
