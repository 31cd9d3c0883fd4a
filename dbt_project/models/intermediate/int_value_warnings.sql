-- Values that parse but look wrong, kept and listed (one row per record and field): the
-- `value_warnings` check shows them as warnings, or fails the run for a kind the contract's
-- policies.suspicious_values sets to `block`.
-- - negative_won_amount: a won deal whose amount is below zero (revenue would go down);
-- - date_out_of_range: a date before meta.history_start, or more than a day in the future
--   (a typo of a year, a date in another format read wrongly);
-- - conflicting_duplicate: two versions of one record with the same update time and different
--   content (which one counts is a coin toss).
{%- set history_start = funnel_contract().history_start %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with deals as (
    select * from {{ ref('int_deals') }}
),

dated as (
    -- Read before the run boundary (the base models): a date in the future is listed here
    -- instead of being silently left out of the run.
    select 'hubspot.contacts' as source, contact_id as record_id, 'createdate' as field, created_at as value_at
    from {{ ref('base_hubspot__contacts') }}
    union all
    select 'hubspot.contacts', contact_id, property_name || ' (history)', changed_at
    from {{ ref('base_hubspot__contact_lifecycle_history') }}
    union all
    select 'hubspot.contacts', dates.contact_id, 'lifecyclestage (stage_date_property)', dates.entered_at
    from {{ ref('base_hubspot__contact_stage_dates') }} as dates
    where dates.contact_id not in (
        select contact_id from {{ ref('base_hubspot__contact_lifecycle_history') }}
        where property_name = 'lifecyclestage'
    )
    union all
    select 'deals', deal_id, 'createdate', created_at
    from {{ ref('base_hubspot__deals') }}
    where not is_archived
    {%- if salesforce_enabled() %}
    union all
    select 'deals', opportunity_id, 'createdate', created_at
    from {{ ref('base_salesforce__opportunities') }}
    where not is_deleted
    {%- endif %}
),

negative_won as (
    select 'negative_won_amount' as kind, 'deals' as source, deal_id as record_id, 'amount' as field,
        cast(amount as {{ dbt.type_string() }}) || ' ' || coalesce(currency, '') as value,
        'a won deal with a negative amount: won revenue goes down by it' as reason
    from deals
    where is_won and amount < 0
),

out_of_range as (
    select 'date_out_of_range' as kind, source, record_id, field,
        {{ instant_text('value_at') }} as value,
        case
            when value_at < {{ reporting_day_start("cast('" ~ history_start ~ "' as date)") }}
                then 'before meta.history_start ({{ history_start }})'
            else 'more than a day in the future'
        end as reason
    from dated
    where value_at < {{ reporting_day_start("cast('" ~ history_start ~ "' as date)") }}
        -- The clock, not the run's instant: a past day re-run reads later, real data (those rows
        -- are outside its boundary); only a date still in the future is implausible.
        or value_at > {{ dbt.dateadd('day', 1, 'current_timestamp') }}
),

{%- if not hubspot_from_fivetran() %}
versions as (
    {%- for table in ['contacts', 'companies', 'deals'] %}
    {% if not loop.first %}union all{% endif %}
    select 'hubspot.{{ table }}' as source, id as record_id, updated_at,
        count(distinct cast(properties as {{ dbt.type_string() }})) as contents, min(_source_file) as file
    from {{ source('hubspot', table) }}
    group by id, updated_at
    {%- endfor %}
),

conflicting as (
    select 'conflicting_duplicate' as kind, source, record_id, 'updatedAt' as field,
        {{ instant_text('updated_at') }} as value,
        cast(contents as {{ dbt.type_string() }}) || ' versions with this update time and different properties '
        || '(one in ' || file || '): the one in the file that sorts last counts' as reason
    from versions
    where contents > 1
)
{%- else %}
conflicting as (
    select {{ string_null }} as kind, {{ string_null }} as source, {{ string_null }} as record_id,
        {{ string_null }} as field, {{ string_null }} as value, {{ string_null }} as reason
    where false
)
{%- endif %}

select * from negative_won
union all
select * from out_of_range
union all
select * from conflicting
