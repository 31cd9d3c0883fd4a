-- Every value a source holds that the funnel cannot read, one row per record and field: the file
-- (or landed table), the record, the field, the value as written, and why. Staging reads such a
-- value as null (or leaves a history entry out) — never silently: the `rejected_values` check
-- lists these rows and fails the run beyond policies.quarantine_max_rows, like raw.quarantine.
{%- set contract = funnel_contract() %}
{%- set known_lifecycle = contract.lifecycle_order + contract.identity.lifecycle_stages %}
{%- set string_null = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with unreadable as (
    -- Dates no reading can date, per contact record (the base model takes the JSON apart).
    select 'hubspot.contacts' as source, _source_file as file, contact_id as record_id, field, raw_value, reason
    from {{ ref('base_hubspot__contact_unreadable_values') }}
),

lifecycle_values as (
    -- A lifecycle stage the contract's order does not know reaches no stage: say so.
    select 'hubspot.contacts' as source, contacts._source_file as file, contacts.contact_id as record_id,
        'lifecyclestage' as field, contacts.lifecycle_stage as raw_value
    from {{ ref('stg_hubspot__contacts') }} as contacts
    where contacts.lifecycle_stage is not null and trim(contacts.lifecycle_stage) <> ''
    union all
    select 'hubspot.contacts', contacts._source_file, changes.contact_id,
        'lifecyclestage (history, ' || {{ instant_text('changes.changed_at') }} || ')',
        changes.property_value
    from {{ ref('int_contact_property_changes') }} as changes
    join {{ ref('stg_hubspot__contacts') }} as contacts on contacts.contact_id = changes.contact_id
    where changes.property_name = 'lifecyclestage' and changes.property_value is not null
        and trim(changes.property_value) <> ''
),

unknown_lifecycle as (
    select distinct source, file, record_id, field, raw_value,
        'unknown lifecycle stage: add it to hubspot.lifecycle_order (or identity.exclusions.lifecycle_stages) '
        || 'in funnel.yml, or correct the record' as reason
    from lifecycle_values
    where raw_value not in ({{ funnel_string_list(known_lifecycle) }})
),

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

deal_values as (
    select 'hubspot.deals' as source, deals._source_file as file,
        deals.deal_id as record_id, 'amount' as field, deals.amount_text as raw_value,
        'not an amount: write 12000, 12,000.00 or 12,000.00 ' || coalesce(deals.currency, 'USD') as reason
    from deals
    where deals.amount_text is not null and trim(deals.amount_text) <> ''
        and {{ amount_number('deals.amount_text') }} is null
    union all
    select 'hubspot.deals', deals._source_file,
        deals.deal_id, 'amount', deals.amount_text,
        'the amount is in ' || {{ amount_currency('deals.amount_text') }} || ', the deal in '
        || coalesce(deals.currency, '(none)') || ': it cannot be both'
    from deals
    where {{ amount_number('deals.amount_text') }} is not null
        and {{ amount_currency('deals.amount_text') }} is not null
        and {{ amount_currency('deals.amount_text') }} <> coalesce(deals.currency, '')
    union all
    select 'hubspot.deals', deals._source_file,
        deals.deal_id, 'pipeline / dealstage', deals.pipeline_id || ' / ' || coalesce(deals.deal_stage_id, ''),
        case
            when not exists (
                select 1 from {{ ref('int_deal_stages') }} as stages where stages.pipeline_id = deals.pipeline_id
            )
                then 'no such deal pipeline in the pipelines export: the deal is neither won nor lost'
            else 'no such stage in the deal''s pipeline: the deal is neither won nor lost'
        end
    from deals
    left join {{ ref('int_deal_stages') }} as stages
        on stages.pipeline_id = deals.pipeline_id and stages.stage_id = deals.deal_stage_id
    where not deals.is_archived and stages.stage_id is null
),

reports as (
    select * from {{ ref('stg_reports__team_metrics') }}
),

report_values as (
    select 'reports' as source, _source_file as file,
        team || ' / ' || team_metric || ' / ' || cast(period_start as {{ dbt.type_string() }}) as record_id,
        'team, metric' as field, team || ', ' || team_metric as raw_value,
        'no such team metric in alignment.teams of funnel.yml: the number is reconciled with nothing' as reason
    from reports
    where not exists (
        select 1 from (
            {%- for row in contract.alignment.team_reports %}
            select {{ funnel_string(row.team) }} as team, {{ funnel_string(row.team_metric) }} as team_metric
            union all
            {%- endfor %}
            select {{ string_null }} as team, {{ string_null }} as team_metric where false
        ) as known
        where known.team = reports.team and known.team_metric = reports.team_metric
    )
    union all
    select 'reports', _source_file,
        team || ' / ' || team_metric || ' / ' || cast(period_start as {{ dbt.type_string() }}),
        'period_end', cast(period_end as {{ dbt.type_string() }}),
        'the period ends (' || cast(period_end as {{ dbt.type_string() }}) || ') before it starts ('
        || cast(period_start as {{ dbt.type_string() }}) || ')'
    from reports
    where period_end < period_start
)

select * from unreadable
union all
select * from unknown_lifecycle
union all
select * from deal_values
union all
select * from report_values
