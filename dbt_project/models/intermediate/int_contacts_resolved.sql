-- Every CRM record (HubSpot contact, Salesforce Lead or Contact) with the person it belongs to.
-- record_status: active (live record), merged (archived, merged into a live record), deleted
-- (archived otherwise). A record's history counts for its person unless it was deleted while the
-- person still has a live record. `contact_id` is the record's id in its system.
with recursive contacts as (
    select
        record_id as contact_id, system, system_rank, numeric_id, email_normalized, updated_at, is_archived,
        merged_object_ids
    from {{ ref('int_crm_records') }}
),

merge_edges as (
    -- A survivor lists the records merged into it.
    select distinct survivor_id, trim(merged_id) as merged_id
    from (
        select contact_id as survivor_id, {{ split_to_rows('merged_object_ids', ';') }} as merged_id
        from contacts
        where merged_object_ids is not null
    ) as listed
    where trim(merged_id) <> ''
),

ranked_edges as (
    -- If two survivors list the same record, the one updated last holds it.
    select
        merge_edges.merged_id,
        merge_edges.survivor_id,
        row_number() over (
            partition by merge_edges.merged_id order by contacts.updated_at desc, merge_edges.survivor_id
        ) as survivor_rank
    from merge_edges
    join contacts on contacts.contact_id = merge_edges.survivor_id
),

merged_into as (
    select merged_id, survivor_id from ranked_edges where survivor_rank = 1
),

chain as (
    select contact_id, contact_id as current_id, 0 as depth
    from contacts
    union all
    select chain.contact_id, merged_into.survivor_id, chain.depth + 1
    from chain
    join merged_into on merged_into.merged_id = chain.current_id
    where chain.depth < 25
),

ranked_chain as (
    select contact_id, current_id, row_number() over (partition by contact_id order by depth desc) as depth_rank
    from chain
),

survivors as (
    select contact_id, current_id as survivor_id from ranked_chain where depth_rank = 1
),

resolved as (
    select
        contacts.contact_id,
        survivors.survivor_id,
        contacts.is_archived,
        survivor.is_archived as survivor_is_archived,
        coalesce(survivor.email_normalized, 'contact:' || survivors.survivor_id) as person_key,
        contacts.system,
        contacts.system_rank,
        contacts.numeric_id
    from contacts
    join survivors on survivors.contact_id = contacts.contact_id
    join contacts as survivor on survivor.contact_id = survivors.survivor_id
),

with_status as (
    select
        contact_id,
        survivor_id,
        person_key,
        system,
        system_rank,
        numeric_id,
        case
            when not is_archived then 'active'
            when survivor_id <> contact_id and not survivor_is_archived then 'merged'
            else 'deleted'
        end as record_status
    from resolved
),

persons as (
    -- person_id: the smallest HubSpot id among live HubSpot records, else the smallest id among
    -- live Salesforce records, else among all (a deleted person), HubSpot first.
    select
        person_key,
        coalesce(
            cast(min(case when record_status = 'active' then numeric_id end) as {{ dbt.type_string() }}),
            min(case when record_status = 'active' and numeric_id is null then contact_id end),
            cast(min(numeric_id) as {{ dbt.type_string() }}),
            min(contact_id)
        ) as person_id,
        bool_or(record_status = 'active') as person_has_active_record
    from with_status
    group by person_key
)

select
    with_status.*,
    persons.person_id,
    persons.person_has_active_record,
    with_status.record_status <> 'deleted' or not persons.person_has_active_record as is_counted
from with_status
join persons on persons.person_key = with_status.person_key
