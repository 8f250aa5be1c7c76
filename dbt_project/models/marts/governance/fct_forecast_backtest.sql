{#- Backtest per series: the last forecast_policy.holdout_days settled days are held out, the forecaster is fitted
    on the days before and forecasts them; so does the seasonal-naive baseline (each day = the same weekday of the
    last training week of the raw history). selected_* = the forecaster's choice (the ensemble, or the fallback),
    ets_* = its ETS component alone (null for a fallback), snaive_* = the baseline. MAPE = mean of
    |actual - forecast| / |actual| over the holdout days with actual <> 0; WAPE = sum |actual - forecast| /
    sum |actual|; coverage = share of holdout days inside the selected method's 80 % / 95 % interval.
    beats_baseline: the selected method is not seasonal-naive and its WAPE is below seasonal-naive's. Series
    shorter than holdout + 7 days have no backtest. -#}

with paths as (
    select *
    from {{ ref('int_spend_forecast_paths') }}
    where run_type = 'backtest'
),

actuals as (
    select spend_date, scope_type, scope_value, currency, cast(effective_cost as double) as actual
    from {{ ref('int_daily_spend_series') }}
    where is_settled
),

scored as (
    select
        p.*,
        a.actual,
        abs(a.actual - p.point_forecast) as abs_error,
        case when a.actual between p.lower_80 and p.upper_80 then 1.0 else 0.0 end as in_80,
        case when a.actual between p.lower_95 and p.upper_95 then 1.0 else 0.0 end as in_95
    from paths as p
    inner join actuals as a
        on p.forecast_date = a.spend_date and p.scope_type = a.scope_type and p.scope_value = a.scope_value
        and p.currency = a.currency
),

per_method as (
    select
        scope_type, scope_value, currency, method, is_selected,
        max(model_spec) as model_spec,
        max(fallback_reason) as fallback_reason,
        max(level_shift_date) as level_shift_date,
        max(train_days) as train_days,
        min(forecast_date) as holdout_start_date,
        max(forecast_date) as holdout_end_date,
        count(*) as holdout_days,
        sum(case when actual <> 0 then 1 else 0 end) as mape_days,
        sum(actual) as actual_total,
        sum(point_forecast) as forecast_total,
        avg(case when actual <> 0 then abs_error / abs(actual) end) as mape,
        case when sum(abs(actual)) > 0 then sum(abs_error) / sum(abs(actual)) end as wape,
        avg(in_80) as coverage_80,
        avg(in_95) as coverage_95
    from scored
    group by 1, 2, 3, 4, 5
)

select
    s.scope_type,
    s.scope_value,
    s.currency,
    s.holdout_start_date,
    s.holdout_end_date,
    cast(s.holdout_days as integer) as holdout_days,
    cast(s.mape_days as integer) as mape_days,
    cast(s.train_days as integer) as train_days,
    s.method as selected_method,
    s.model_spec,
    s.fallback_reason,
    s.level_shift_date,
    cast(round(s.actual_total, 2) as {{ type_money() }}) as actual_total,
    cast(round(s.forecast_total, 2) as {{ type_money() }}) as selected_forecast_total,
    cast(round(e.forecast_total, 2) as {{ type_money() }}) as ets_forecast_total,
    cast(round(n.forecast_total, 2) as {{ type_money() }}) as snaive_forecast_total,
    cast(round(s.mape, 6) as decimal(38, 6)) as selected_mape,
    cast(round(s.wape, 6) as decimal(38, 6)) as selected_wape,
    cast(round(e.mape, 6) as decimal(38, 6)) as ets_mape,
    cast(round(e.wape, 6) as decimal(38, 6)) as ets_wape,
    cast(round(n.mape, 6) as decimal(38, 6)) as snaive_mape,
    cast(round(n.wape, 6) as decimal(38, 6)) as snaive_wape,
    coalesce(s.method <> 'seasonal_naive' and s.wape < n.wape, false) as beats_baseline,
    cast(round(s.coverage_80, 6) as decimal(18, 6)) as coverage_80,
    cast(round(s.coverage_95, 6) as decimal(18, 6)) as coverage_95
from per_method as s
left join per_method as e
    on s.scope_type = e.scope_type and s.scope_value = e.scope_value and s.currency = e.currency and e.method = 'ets'
left join per_method as n
    on s.scope_type = n.scope_type and s.scope_value = n.scope_value and s.currency = n.currency
    and n.method = 'seasonal_naive'
where s.is_selected
