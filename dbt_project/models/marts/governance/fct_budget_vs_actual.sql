{#- Budgets (seed budgets) against actual EffectiveCost, one row per budget. as_of_date is the latest charge day in
    the warehouse (never the clock), so a rerun on the same data gives the same answer.
      actual_to_date        EffectiveCost of the scope in the budget's currency on the budget month's days up to
                            as_of_date: business_unit / product / project from fct_cost_allocated, total /
                            provider / vendor / service / model from fct_charges (int_governance_daily_cost);
                            0, never missing, when the scope has no cost (assert_budget_actual_never_missing)
      run_rate_projection   actual_to_date / days_elapsed x days_in_period (the month's average day so far)
      forecast_projection   actual_to_date + fct_spend_forecast's points for the month's days after as_of_date
                            (scope types of seed forecast_scope_types, when the horizon covers the month)
      projected_month_end   the actual once the month is closed, else the forecast projection, else run rate
      threshold_crossed     alert when actual or projection reaches alert_threshold_pct of the amount, warn when
                            it reaches warn_threshold_pct, else none; threshold_basis says which crossed it
      status                over_budget (actual above amount), projected_over_budget, at_risk (a threshold
                            crossed), not_started (month after as_of_date), on_track -#}

with budgets as (
    select
        budget_id,
        scope_type,
        scope_value,
        period,
        cast(strptime(period || '-01', '%Y-%m-%d') as date) as period_start,
        cast(amount as {{ type_money() }}) as amount,
        currency,
        owner,
        cast(warn_threshold_pct as decimal(9, 4)) as warn_threshold_pct,
        cast(alert_threshold_pct as decimal(9, 4)) as alert_threshold_pct
    from {{ ref('budgets') }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_governance_daily_cost') }}
),

framed as (
    select
        b.*,
        cast(last_day(b.period_start) as date) as period_end,
        cast(day(last_day(b.period_start)) as integer) as days_in_period,
        a.as_of_date
    from budgets as b
    cross join as_of as a
),

elapsed as (
    select
        *,
        cast(case
            when as_of_date is null or as_of_date < period_start then 0
            when as_of_date >= period_end then days_in_period
            else {{ dbt.datediff('period_start', 'as_of_date', 'day') }} + 1  -- noqa: LT05
        end as integer) as days_elapsed
    from framed
),

actuals as (
    select
        e.budget_id,
        sum(c.effective_cost) as actual_to_date
    from elapsed as e
    inner join {{ ref('int_governance_daily_cost') }} as c
        on e.scope_type = c.scope_type and e.scope_value = c.scope_value and e.currency = c.currency
        and c.charge_date between e.period_start and least(e.period_end, e.as_of_date)
    group by 1
),

forecast_rest as (
    select
        e.budget_id,
        sum(f.point_forecast) as forecast_rest,
        count(*) as forecast_days
    from elapsed as e
    inner join {{ ref('fct_spend_forecast') }} as f
        on e.scope_type = f.scope_type and e.scope_value = f.scope_value and e.currency = f.currency
        and f.forecast_date between e.period_start and e.period_end
        and e.as_of_date < f.forecast_date
    group by 1
),

forecast_scopes as (
    select distinct scope_type, scope_value, currency
    from {{ ref('fct_spend_forecast') }}
),

projected as (
    select
        e.*,
        cast(coalesce(a.actual_to_date, 0) as {{ type_money() }}) as actual_to_date,
        case when e.scope_type in {{ sql_in_list(['business_unit', 'product', 'project']) }}
                then 'fct_cost_allocated'
            else 'fct_charges'
        end as actual_source,
        case
            when e.days_elapsed = 0 then 'not_started'
            when e.days_elapsed = e.days_in_period then 'closed'
            else 'in_progress'
        end as period_state,
        cast(case
            when e.days_elapsed > 0 then coalesce(a.actual_to_date, 0) * e.days_in_period / e.days_elapsed
        end as {{ type_money() }}) as run_rate_projection,
        cast(case
            when e.days_elapsed = e.days_in_period then coalesce(a.actual_to_date, 0)
            -- the forecast must cover every remaining day of the month
            when s.scope_type is not null
                and coalesce(f.forecast_days, 0) = e.days_in_period - e.days_elapsed
                then coalesce(a.actual_to_date, 0) + coalesce(f.forecast_rest, 0)
        end as {{ type_money() }}) as forecast_projection
    from elapsed as e
    left join actuals as a on e.budget_id = a.budget_id
    left join forecast_rest as f on e.budget_id = f.budget_id
    left join forecast_scopes as s
        on e.scope_type = s.scope_type and e.scope_value = s.scope_value and e.currency = s.currency
),

measured as (
    select
        *,
        case
            when days_elapsed = days_in_period then actual_to_date
            else coalesce(forecast_projection, run_rate_projection)
        end as projected_month_end,
        case
            when days_elapsed = days_in_period then 'actual'
            when forecast_projection is not null then 'forecast'
            when run_rate_projection is not null then 'run_rate'
        end as projection_method
    from projected
),

levels as (
    select
        *,
        case
            when amount > 0 and actual_to_date >= amount * alert_threshold_pct then 'alert'
            when amount > 0 and actual_to_date >= amount * warn_threshold_pct then 'warn'
            when amount <= 0 and actual_to_date > amount then 'alert'
            else 'none'
        end as actual_level,
        case
            when projected_month_end is null then 'none'
            when amount > 0 and projected_month_end >= amount * alert_threshold_pct then 'alert'
            when amount > 0 and projected_month_end >= amount * warn_threshold_pct then 'warn'
            when amount <= 0 and projected_month_end > amount then 'alert'
            else 'none'
        end as projected_level
    from measured
)

select
    budget_id,
    scope_type,
    scope_value,
    period,
    period_start,
    period_end,
    currency,
    owner,
    amount as budget_amount,
    warn_threshold_pct,
    alert_threshold_pct,
    as_of_date,
    days_in_period,
    days_elapsed,
    period_state,
    actual_source,
    actual_to_date,
    run_rate_projection,
    forecast_projection,
    cast(projected_month_end as {{ type_money() }}) as projected_month_end,
    projection_method,
    cast(projected_month_end - amount as {{ type_money() }}) as variance_amount,
    cast(case when amount <> 0 then round((projected_month_end - amount) / amount, 6) end as decimal(38, 6))
        as variance_pct,
    cast(case when amount <> 0 then round(actual_to_date / amount, 6) end as decimal(38, 6)) as consumed_pct,
    cast(case when amount <> 0 then round(projected_month_end / amount, 6) end as decimal(38, 6)) as projected_pct,
    case
        when 'alert' in (actual_level, projected_level) then 'alert'
        when 'warn' in (actual_level, projected_level) then 'warn'
        else 'none'
    end as threshold_crossed,
    case
        when actual_level = 'alert' or (actual_level = 'warn' and projected_level <> 'alert') then 'actual'
        when projected_level <> 'none' then 'projected'
    end as threshold_basis,
    case
        when actual_to_date > amount then 'over_budget'
        when projected_month_end > amount then 'projected_over_budget'
        when 'alert' in (actual_level, projected_level) or 'warn' in (actual_level, projected_level) then 'at_risk'
        when days_elapsed = 0 then 'not_started'
        else 'on_track'
    end as status
from levels
