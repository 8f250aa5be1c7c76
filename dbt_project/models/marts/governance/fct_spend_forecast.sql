{#- Daily spend forecast per scope (seed forecast_scope_types: total, business unit, product, project, provider,
    vendor, service, model) and currency for forecast_policy.horizon_days days after the last settled day, with
    80 % and 95 % prediction intervals (int_spend_forecast_paths: the mean of ETS with weekly seasonality and
    seasonal-naive, fitted on the history with its level shift adjusted away, or the stated seasonal-naive
    fallback). Money rounded to the cent. forecast_as_of_date: the latest data day the forecast was
    made with; forecasts for days up to it (unsettled days) can be compared with their partial actuals. -#}
{%- set money = ['point_forecast', 'lower_80', 'upper_80', 'lower_95', 'upper_95'] %}

with paths as (
    select *
    from {{ ref('int_spend_forecast_paths') }}
    where run_type = 'forecast' and is_selected
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_daily_spend_series') }}
)

select
    a.as_of_date as forecast_as_of_date,
    p.train_end_date as trained_through_date,
    p.scope_type,
    p.scope_value,
    p.currency,
    p.forecast_date,
    substring(cast(p.forecast_date as {{ dbt.type_string() }}), 1, 7) as forecast_month,
    p.horizon_day,
    p.method,
    p.model_spec,
    p.fallback_reason,
    p.level_shift_date,
    p.train_start_date,
    p.train_days,
{%- for m in money %}
cast(round(p.{{ m }}, 2) as {{ type_money() }}) as {{ m }}{% if not loop.last %},{% endif %}
{%- endfor %}
from paths as p
cross join as_of as a
