{#- The day spine MetricFlow joins cumulative metrics to (and fills empty days from). Its range is
    the vars `time_spine_start` and `time_spine_end`: it must cover every date in the marts. -#}
with days as (
    {{ day_series(var('time_spine_start'), var('time_spine_end')) }}
),

final as (
    select date_day
    from days
)

select * from final
