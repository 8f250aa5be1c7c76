{#- Every budget of the seed has exactly one row in fct_budget_vs_actual with a non-null actual_to_date, and a
    budget whose scope has no cost in its month up to the as-of day shows actual 0 (not a missing row or null),
    whatever its scope type. Returns the offending budgets. -#}
{#- a check of fct_budget_vs_actual in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_budget_vs_actual'}}}) }}
with budgets as (
    select budget_id, scope_type, scope_value, currency, cast(strptime(period || '-01', '%Y-%m-%d') as date) as period_start
    from {{ ref('budgets') }}
),

rows_out as (
    select budget_id, count(*) as n, max(actual_to_date) as actual_to_date, max(as_of_date) as as_of_date,
           max(period_end) as period_end, count(actual_to_date) as actual_not_null
    from {{ ref('fct_budget_vs_actual') }}
    group by budget_id
),

has_cost as (
    select distinct b.budget_id
    from budgets as b
    inner join rows_out as r on r.budget_id = b.budget_id
    inner join {{ ref('int_governance_daily_cost') }} as c
        on c.scope_type = b.scope_type and c.scope_value = b.scope_value and c.currency = b.currency
        and c.charge_date between b.period_start and least(r.period_end, r.as_of_date)
)

select b.budget_id, r.n, r.actual_to_date, 'budget missing, duplicated or actual null' as problem
from budgets as b
left join rows_out as r on r.budget_id = b.budget_id
where r.n is null or r.n <> 1 or r.actual_not_null <> 1
union all
select b.budget_id, r.n, r.actual_to_date, 'no cost in scope but actual is not 0'
from budgets as b
inner join rows_out as r on r.budget_id = b.budget_id
where b.budget_id not in (select budget_id from has_cost)
  and r.actual_to_date <> 0
