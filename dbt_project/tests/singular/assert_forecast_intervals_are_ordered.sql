{#- Every forecast series has exactly horizon_days (seed forecast_policy) consecutive days after its last settled day,
    and on every day lower_95 <= lower_80 <= point_forecast <= upper_80 <= upper_95. Returns the offenders. -#}
{#- a check of fct_spend_forecast in Dagster, though it also reads the policy seed -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_spend_forecast'}}}) }}

with series as (
    select scope_type, scope_value, currency, count(*) as days, min(horizon_day) as first_day,
           max(horizon_day) as last_day, count(distinct forecast_date) as dates,
           sum(case when forecast_date <> trained_through_date + horizon_day then 1 else 0 end) as misdated
    from {{ ref('fct_spend_forecast') }}
    group by 1, 2, 3
),

policy as (
    select horizon_days from {{ ref('forecast_policy') }}
)

select scope_type, scope_value, currency, cast(null as date) as forecast_date, 'horizon' as problem
from series
cross join policy as p
where days <> p.horizon_days or first_day <> 1
   or last_day <> p.horizon_days or dates <> days or misdated > 0
union all
select scope_type, scope_value, currency, forecast_date, 'interval order'
from {{ ref('fct_spend_forecast') }}
where not (lower_95 <= lower_80 and lower_80 <= point_forecast and point_forecast <= upper_80 and upper_80 <= upper_95)
