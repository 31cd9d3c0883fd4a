-- One row per live deal: pipeline stage, amount in the reporting currency (rate of the create
-- date), the primary contact's person, source channel and which team sourced it.
with deals as (
    select
        deal_id, deal_name, pipeline_id, deal_stage_id, amount, currency, owner_id, deal_type, deal_source,
        created_at, close_date, updated_at, is_archived
    from {{ ref('stg_hubspot__deals') }}
    where not is_archived
    {%- if salesforce_enabled() %}
    union all
    -- Salesforce Opportunities are deals whose pipeline is their Type.
    select
        opportunity_id, opportunity_name, opportunity_type, stage_name, amount, currency, owner_id,
        opportunity_type, lower(lead_source), created_at, close_date, updated_at, is_deleted
    from {{ ref('stg_salesforce__opportunities') }}
    where not is_deleted
    {%- endif %}
),

stage_at_run as (
    -- The stage a deal's history dates last before the run (history is bounded in staging).
    select deal_id, deal_stage_id
    from (
        select
            deal_id, deal_stage_id,
            row_number() over (partition by deal_id order by changed_at desc, deal_stage_id) as latest
        from {{ ref('int_deal_stage_history') }}
    ) as ranked
    where latest = 1
),

deals_at_run as (
    -- A deal changed since the run's instant shows its current stage: take the one it had then.
    select
        deals.deal_id, deal_name, pipeline_id,
        case
            when {{ changed_after_run('deals.updated_at') }} and stage_at_run.deal_stage_id is not null
                then stage_at_run.deal_stage_id
            else deals.deal_stage_id
        end as deal_stage_id,
        amount, currency, owner_id, deal_type, deal_source, created_at, close_date, updated_at, is_archived
    from deals
    left join stage_at_run on stage_at_run.deal_id = deals.deal_id
),

stages as (
    select * from {{ ref('int_deal_stages') }}
),

rates as (
    select * from {{ ref('stg_fx__rates_daily') }}
    where to_currency = {{ funnel_string(funnel_contract().reporting.currency) }}
),

deal_people as (
    select * from {{ ref('int_deal_people') }}
),

people as (
    select * from {{ ref('int_people') }}
),

primary_person as (
    select deal_id, person_id from deal_people where is_primary_person
),

won as (
    -- When the deal first entered a won stage (the instant revenue is recognised).
    select history.deal_id, min(history.changed_at) as won_at
    from {{ ref('int_deal_stage_history') }} as history
    join deals_at_run as deals on deals.deal_id = history.deal_id
    join stages on stages.pipeline_id = deals.pipeline_id and stages.stage_id = history.deal_stage_id
    where stages.is_won
    group by history.deal_id
),

converted as (
    select
        deals.*,
        case
            when deals.currency = {{ funnel_string(funnel_contract().reporting.currency) }}
                then cast(1 as decimal(38, 6))
            else rates.rate
        end as fx_rate
    from deals_at_run as deals
    left join rates
        on rates.from_currency = deals.currency
        and rates.rate_date = {{ to_reporting_date('deals.created_at') }}
)

select
    converted.deal_id,
    converted.deal_name,
    converted.pipeline_id,
    stages.pipeline_label,
    converted.deal_stage_id,
    stages.stage_label as deal_stage_label,
    stages.display_order as deal_stage_order,
    coalesce(stages.is_won, false) as is_won,
    coalesce(stages.is_lost, false) as is_lost,
    converted.created_at,
    converted.close_date,
    won.won_at,
    converted.amount,
    converted.currency,
    round(converted.amount * converted.fx_rate, 2) as amount_reporting,
    converted.fx_rate is null and converted.amount is not null as is_missing_fx_rate,
    converted.owner_id,
    converted.deal_type,
    converted.deal_source,
    primary_person.person_id as primary_person_id,
    coalesce(people.channel, {{ funnel_string(funnel_contract().channels[-1].key) }}) as source_channel,
    {{ case_map('converted.deal_source', funnel_contract().policies.deal_source_credit,
        channel_sourced_by('coalesce(people.channel, ' ~ funnel_string(funnel_contract().channels[-1].key) ~ ')')) }}
        as sourced_by
from converted
left join stages
    on stages.pipeline_id = converted.pipeline_id
    and stages.stage_id = converted.deal_stage_id
left join primary_person on primary_person.deal_id = converted.deal_id
left join won on won.deal_id = converted.deal_id
left join people on people.person_id = primary_person.person_id
