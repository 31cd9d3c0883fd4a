select
    date as rate_date,
    upper(from_currency) as from_currency,
    upper(to_currency) as to_currency,
    cast(rate as decimal(38, 6)) as rate
from {{ source('ads', 'fx_rates_daily') }}
where rate is not null
