-- One row per real person: their records grouped (across CRMs), the principal record
-- (id = person_id), first-touch channel, owner, and whether the contract excludes them.
with resolved as (
    select * from {{ ref('int_contacts_resolved') }}
),

contacts as (
    select record_id as contact_id, * from {{ ref('int_crm_records') }}
),

persons as (
    select
        person_id,
        min(person_key) as person_key,
        count(*) as record_count,
        bool_or(person_has_active_record) as has_active_record
    from resolved
    group by person_id
),

ranked_records as (
    -- The first-touch channel is that of the person's earliest created record that counts.
    select
        resolved.person_id,
        contacts.original_source,
        contacts.original_source_detail,
        contacts.original_source_detail_2,
        contacts.lead_source,
        contacts.created_at,
        row_number() over (
            partition by resolved.person_id
            order by contacts.created_at, contacts.system_rank, contacts.numeric_id, contacts.contact_id
        ) as creation_rank
    from resolved
    join contacts on contacts.contact_id = resolved.contact_id
    where resolved.is_counted
),

first_record as (
    select * from ranked_records where creation_rank = 1
),

final as (
    select
        persons.person_id,
        persons.person_key,
        persons.record_count,
        principal.email_normalized,
        principal.owner_id,
        principal.lifecycle_stage as current_lifecycle_stage,
        {{ channel_of('first_record.original_source', 'first_record.original_source_detail',
            'first_record.original_source_detail_2', 'first_record.lead_source') }} as channel,
        first_record.original_source_detail_2 as campaign,
        first_record.created_at as first_created_at,
        case
            when not persons.has_active_record then 'archived'
            else {{ exclusion_reason('principal.email', 'principal.email_normalized', 'principal.lifecycle_stage') }}
        end as exclusion_reason
    from persons
    join contacts as principal on principal.contact_id = persons.person_id
    join first_record on first_record.person_id = persons.person_id
)

select
    *,
    exclusion_reason is not null as is_excluded
from final
