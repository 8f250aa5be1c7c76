{{ config(materialized='ephemeral') }}
{#- Every calendar day from 2000-01-01 to 2100-12-31 (calendar_day date), for models that need a row per day: filter
    it to the days you need (int_fx_rates_daily: the quoted days plus the carry; the reporting currency's rate 1
    every day). Ephemeral: inlined where it is read, never stored. -#}

select cast(range as date) as calendar_day
from range(cast('2000-01-01' as date), cast('2101-01-01' as date), interval 1 day)
