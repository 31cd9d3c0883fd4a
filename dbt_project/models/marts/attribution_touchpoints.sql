-- One row per touchpoint of a counted, non-excluded person (docs/analytics.md): what touched
-- them, when, through which channel and campaign, and whether marketing sources that channel.
select
    touchpoint_id,
    person_id,
    touched_at,
    {{ to_reporting_date('touched_at') }} as touched_date,
    touch_type,
    channel,
    campaign,
    {{ channel_sourced_by('channel') }} = 'marketing' as is_marketing_touch,
    source_record_id
from {{ ref('int_touchpoints') }}
