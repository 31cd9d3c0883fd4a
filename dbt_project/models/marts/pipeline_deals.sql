-- One row per live deal, every pipeline: amount in the reporting currency, stage, outcome,
-- the source channel of its primary person and the team credited with sourcing it.
select
    deal_id,
    pipeline_id,
    pipeline_label,
    created_at,
    {{ to_reporting_date('created_at') }} as created_date,
    close_date,
    amount,
    currency,
    amount_reporting,
    is_missing_fx_rate,
    deal_stage_id,
    deal_stage_label,
    is_won,
    is_lost,
    not is_won and not is_lost as is_open,
    primary_person_id,
    source_channel,
    sourced_by,
    deal_source,
    owner_id
from {{ ref('int_deals') }}
