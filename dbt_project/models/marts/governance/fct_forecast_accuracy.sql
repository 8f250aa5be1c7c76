{#- Forecast against actual per month and scope. Two kinds of evaluation:
      backtest         the backtest's selected forecast over its holdout days (int_spend_forecast_paths,
                       run_type backtest): month-to-date accuracy of the holdout month(s), forecast_as_of_date =
                       the last training day;
      stored_forecast  every earlier run's forecast (fct_spend_forecast_history) against the settled actuals that
                       have arrived since, per forecast_as_of_date.
    With a warehouse of two months (the demo) only the backtest rows exist until a later run scores the stored
    forecasts. MAPE over days with actual <> 0, WAPE = sum |error| / sum |actual|, coverage of the intervals. -#}

with actuals as (
    select spend_date, scope_type, scope_value, currency, cast(effective_cost as double) as actual
    from {{ ref('int_daily_spend_series') }}
    where is_settled
),

forecasts as (
    select
        'backtest' as evaluation, train_end_date as forecast_as_of_date, scope_type, scope_value, currency,
        method, forecast_date, horizon_day, point_forecast, lower_80, upper_80, lower_95, upper_95
    from {{ ref('int_spend_forecast_paths') }}
    where run_type = 'backtest' and is_selected
    union all
    select
        'stored_forecast', forecast_as_of_date, scope_type, scope_value, currency, method, forecast_date,
        horizon_day, cast(point_forecast as double), cast(lower_80 as double), cast(upper_80 as double),
        cast(lower_95 as double), cast(upper_95 as double)
    from {{ ref('fct_spend_forecast_history') }}
),

scored as (
    select
        f.*,
        substring(cast(f.forecast_date as {{ dbt.type_string() }}), 1, 7) as month,
        a.actual,
        abs(a.actual - f.point_forecast) as abs_error,
        case when a.actual between f.lower_80 and f.upper_80 then 1.0 else 0.0 end as in_80,
        case when a.actual between f.lower_95 and f.upper_95 then 1.0 else 0.0 end as in_95
    from forecasts as f
    inner join actuals as a
        on f.forecast_date = a.spend_date and f.scope_type = a.scope_type and f.scope_value = a.scope_value
        and f.currency = a.currency
),

per_month as (
    select
        evaluation, forecast_as_of_date, month, scope_type, scope_value, currency, method,
        min(forecast_date) as first_date,
        max(forecast_date) as last_date,
        count(*) as days,
        min(horizon_day) as min_horizon_day,
        max(horizon_day) as max_horizon_day,
        sum(actual) as actual_total,
        sum(point_forecast) as forecast_total,
        sum(abs_error) as abs_error_total,
        avg(case when actual <> 0 then abs_error / abs(actual) end) as mape,
        case when sum(abs(actual)) > 0 then sum(abs_error) / sum(abs(actual)) end as wape,
        avg(in_80) as coverage_80,
        avg(in_95) as coverage_95
    from scored
    group by 1, 2, 3, 4, 5, 6, 7
)

select
    evaluation,
    forecast_as_of_date,
    month,
    scope_type,
    scope_value,
    currency,
    method,
    first_date,
    last_date,
    cast(days as integer) as days,
    cast(min_horizon_day as integer) as min_horizon_day,
    cast(max_horizon_day as integer) as max_horizon_day,
    cast(round(actual_total, 2) as {{ type_money() }}) as actual_total,
    cast(round(forecast_total, 2) as {{ type_money() }}) as forecast_total,
    cast(round(abs_error_total, 2) as {{ type_money() }}) as abs_error_total,
    cast(round(mape, 6) as decimal(38, 6)) as mape,
    cast(round(wape, 6) as decimal(38, 6)) as wape,
    cast(round(coverage_80, 6) as decimal(18, 6)) as coverage_80,
    cast(round(coverage_95, 6) as decimal(18, 6)) as coverage_95
from per_month
