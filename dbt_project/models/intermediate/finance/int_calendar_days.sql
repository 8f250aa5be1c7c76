{{ config(materialized='ephemeral') }}
{#- Every calendar day from 2000-01-01 to 2100-12-31 (calendar_day date), for models that need a row per day: filter
    it to the days you need (int_fx_rates_daily: the quoted days plus the carry; the reporting currency's rate 1
    every day). Ephemeral: inlined where it is read, never stored. -#}

select calendar_day
from {{ calendar_day_rows('2000-01-01', '2100-12-31') }}
