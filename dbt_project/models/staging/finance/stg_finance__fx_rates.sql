{#- Daily FX rates: 1 base_currency = rate quote_currency on rate_date. One row per (rate_date, base, quote,
    source); when two sources quote the same pair and day, int_fx_rates_daily picks by seed fx_rate_sources. -#}

with source as (
    select * from {{ source('finance', 'fx_rates') }}
)

select
    cast(rate_date as date) as rate_date,
    upper(trim(base_currency)) as base_currency,
    upper(trim(quote_currency)) as quote_currency,
    cast(rate as {{ type_money() }}) as rate,
    trim(rate_source) as rate_source,
    source_file,
    source_row,
    loaded_at,
    _dlt_load_id as x_load_id
from source
