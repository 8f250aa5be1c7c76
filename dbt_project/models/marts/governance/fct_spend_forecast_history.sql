{#- Every run's forecast, kept: fct_spend_forecast appended per forecast_as_of_date (a re-run with the same latest
    data day replaces that day's forecast). Survives --full-refresh (full_refresh: false), so forecasts can be
    scored against the actuals that arrive later (fct_forecast_accuracy, evaluation 'stored_forecast'). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='forecast_as_of_date',
    on_schema_change='fail',
    full_refresh=false,
) }}

select
    forecast_as_of_date,
    trained_through_date,
    scope_type,
    scope_value,
    currency,
    forecast_date,
    horizon_day,
    method,
    model_spec,
    point_forecast,
    lower_80,
    upper_80,
    lower_95,
    upper_95,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as stored_at
from {{ ref('fct_spend_forecast') }}
where forecast_as_of_date is not null
