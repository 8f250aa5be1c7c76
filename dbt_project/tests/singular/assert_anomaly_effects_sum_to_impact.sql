{#- The anomaly decomposition is exact: per anomalous day (int_anomaly_days) and per anomaly (fct_cost_anomalies)
    volume + price + mix + fx + residual = impact_amount to the 1e-10, and the residual is only rounding (at most a
    cent per day: the effects are measured against the day(s) that make the baseline median). Returns offenders. -#}
{#- a check of fct_cost_anomalies in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_cost_anomalies'}}}) }}
select
    'day' as grain, scope_type, scope_value, anomaly_date, impact_amount,
    volume_effect + price_effect + mix_effect + fx_effect + residual_effect as effects_total, residual_effect
from {{ ref('int_anomaly_days') }}
where volume_effect + price_effect + mix_effect + fx_effect + residual_effect <> impact_amount
   or abs(residual_effect) > 0.01
union all
select
    'anomaly', scope_type, scope_value, anomaly_date, impact_amount,
    volume_effect + price_effect + mix_effect + fx_effect + residual_effect, residual_effect
from {{ ref('fct_cost_anomalies') }}
where volume_effect + price_effect + mix_effect + fx_effect + residual_effect <> impact_amount
   or abs(residual_effect) > 0.01 * anomaly_days
   or impact_amount <> actual_cost - baseline_cost
