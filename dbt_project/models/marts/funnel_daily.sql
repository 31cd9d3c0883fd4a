-- Stage entries per day (reporting timezone), channel and stage. Days without entries are absent.
select
    entered_date as date,
    channel,
    stage,
    min(stage_order) as stage_order,
    count(*) as entries
from {{ ref('fct_stage_entries') }}
group by entered_date, channel, stage
