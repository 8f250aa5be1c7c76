{#- Allocation accuracy per billing month, currency and business unit: each business unit's allocated cost split
    into direct (tags, ownership mappings, virtual tags) and shared (split rules), plus one 'unallocated' row;
    on every row the month's accuracy (allocated / total effective cost) and the main causes of the unallocated
    amount (reason: amount, largest first). -#}

with allocated as (
    select * from {{ ref('fct_cost_allocated') }}
),

by_unit as (
    select
        billing_period,
        billing_currency,
        case when is_allocated then coalesce(business_unit, 'unknown') else 'unallocated' end as business_unit,
        sum(allocated_effective_cost) as effective_cost,
        sum(case when allocation_method = 'direct' then allocated_effective_cost else 0 end) as direct_cost,
        sum(case when is_allocated and allocation_method <> 'direct' then allocated_effective_cost else 0 end)
            as shared_cost
    from allocated
    group by 1, 2, 3
),

periods as (
    select
        billing_period,
        billing_currency,
        sum(allocated_effective_cost) as total_cost,
        sum(case when is_allocated then 0 else allocated_effective_cost end) as unallocated_cost
    from allocated
    group by 1, 2
),

causes as (
    select billing_period, billing_currency, unallocated_reason, sum(allocated_effective_cost) as cost
    from allocated
    where not is_allocated
    group by 1, 2, 3
),

cause_text as (
    select
        billing_period,
        billing_currency,
        {{ dbt.listagg(
            dbt.concat(['unallocated_reason', "': '", 'cast(cast(cost as decimal(38, 2)) as ' ~ dbt.type_string() ~ ')']),
            "'; '", 'order by cost desc'
        ) }} as main_unallocated_causes
    from causes
    group by 1, 2
)

select
    u.billing_period,
    u.billing_currency,
    u.business_unit,
    cast(u.effective_cost as {{ type_money() }}) as effective_cost,
    cast(u.direct_cost as {{ type_money() }}) as direct_cost,
    cast(u.shared_cost as {{ type_money() }}) as shared_cost,
    {{ safe_ratio('u.direct_cost', 'u.direct_cost + u.shared_cost', 'decimal(18, 6)') }} as direct_ratio,
    cast(p.total_cost as {{ type_money() }}) as period_total_cost,
    cast(p.unallocated_cost as {{ type_money() }}) as period_unallocated_cost,
    {{ safe_ratio('p.total_cost - p.unallocated_cost', 'p.total_cost', 'decimal(18, 6)') }} as period_accuracy_ratio,
    c.main_unallocated_causes
from by_unit as u
inner join periods as p on u.billing_period = p.billing_period and u.billing_currency = p.billing_currency
left join cause_text as c on u.billing_period = c.billing_period and u.billing_currency = c.billing_currency
