{#- The daily spend series the forecasts are fitted on: one row per day x scope_type x scope_value x currency,
    for the scope types of seed forecast_scope_types, from the series' first charge day to as_of_date (the latest
    charge day in the warehouse), days without cost filled with 0 (has_cost false). The latest unsettled_days days
    (seed forecast_policy) are not settled (is_settled false): billing data for them is still arriving (providers
    deliver a day over 24-72 h), so fitting stops at settled_through_date. -#}

with cost as (
    select charge_date, scope_type, scope_value, currency, effective_cost
    from {{ ref('int_governance_daily_cost') }}
    where scope_type in (select t.scope_type from {{ ref('forecast_scope_types') }} as t)
),

policy as (
    select unsettled_days from {{ ref('forecast_policy') }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_governance_daily_cost') }}
),

series as (
    select
        c.scope_type,
        c.scope_value,
        c.currency,
        min(c.charge_date) as series_start_date,
        max(a.as_of_date) as as_of_date
    from cost as c
    cross join as_of as a
    where c.charge_date <= a.as_of_date
    group by 1, 2, 3
),

days as (
    select
        scope_type, scope_value, currency, series_start_date, as_of_date,
        {{ day_series('series_start_date', 'as_of_date') }}
            as day_ts
    from series
),

filled as (
    select
        cast(d.day_ts as date) as spend_date,
        d.scope_type,
        d.scope_value,
        d.currency,
        cast(coalesce(c.effective_cost, 0) as {{ type_money() }}) as effective_cost,
        c.effective_cost is not null as has_cost,
        d.series_start_date,
        d.as_of_date,
        cast(d.as_of_date - p.unsettled_days as date) as settled_through_date
    from days as d
    cross join policy as p
    left join cost as c
        on c.charge_date = cast(d.day_ts as date) and d.scope_type = c.scope_type
        and d.scope_value = c.scope_value and d.currency = c.currency
)

select
    spend_date,
    scope_type,
    scope_value,
    currency,
    effective_cost,
    has_cost,
    spend_date <= settled_through_date as is_settled,
    series_start_date,
    as_of_date,
    settled_through_date
from filled
