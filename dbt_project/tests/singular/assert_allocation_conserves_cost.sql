{#- Conservation of allocation: per origin line the ratios sum to exactly 1 and the allocated EffectiveCost and
    BilledCost to the line's; per billing period and currency the allocated EffectiveCost equals the FOCUS
    record's (fct_charges) to the cent (in fact exactly). Returns offending origins / periods. -#}
{#- a check of fct_cost_allocated in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_cost_allocated'}}}) }}
with per_origin as (
    select origin_id, max(origin_effective_cost) as origin_cost, max(origin_billed_cost) as origin_billed,
           sum(allocation_ratio) as ratio_sum, sum(allocated_effective_cost) as allocated,
           sum(allocated_billed_cost) as allocated_billed
    from {{ ref('fct_cost_allocated') }}
    group by origin_id
),

bad_origins as (
    select 'origin' as level, origin_id as key, cast(null as {{ dbt.type_string() }}) as currency,
           origin_cost as expected, allocated as actual
    from per_origin
    where ratio_sum <> 1 or allocated <> origin_cost or allocated_billed <> origin_billed
),

record as (
    select x_billing_period as billing_period, billing_currency, sum(effective_cost) as cost
    from {{ ref('fct_charges') }}
    group by 1, 2
),

allocated as (
    select billing_period, billing_currency, sum(allocated_effective_cost) as cost
    from {{ ref('fct_cost_allocated') }}
    group by 1, 2
),

bad_periods as (
    select 'period', coalesce(r.billing_period, a.billing_period), coalesce(r.billing_currency, a.billing_currency),
           r.cost, a.cost
    from record as r
    full outer join allocated as a
        on a.billing_period = r.billing_period and a.billing_currency = r.billing_currency
    where r.cost is distinct from a.cost
)

select * from bad_origins
union all
select * from bad_periods
