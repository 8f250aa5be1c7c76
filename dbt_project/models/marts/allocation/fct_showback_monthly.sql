{#- Showback: allocated cost per billing month x business unit x cost centre x product x provider x service x
    model (x currency), with the previous month's amount and the change. Cost no rule could place appears under
    business unit / cost centre / product 'unallocated' so that every month sums to the FOCUS record. -#}

with allocated as (
    select
        billing_period,
        coalesce(business_unit, 'unallocated') as business_unit,
        coalesce(cost_center, 'unallocated') as cost_center,
        coalesce(product, 'unallocated') as product,
        provider_name,
        service_name,
        coalesce(model_name, '') as model_key,
        billing_currency,
        sum(allocated_effective_cost) as effective_cost,
        sum(allocated_billed_cost) as billed_cost
    from {{ ref('fct_cost_allocated') }}
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

bounds as (
    select min(billing_period) as first_period, max(billing_period) as last_period from allocated
),

shifted as (
    -- each month's amounts, presented as the next month's "previous month"
    select
        {%- set period_start = "cast(" ~ dbt.concat(['a.billing_period', "'-01'"]) ~ " as date)" %}
        substring(cast({{ dbt.dateadd('month', 1, period_start) }} as {{ dbt.type_string() }}), 1, 7) as billing_period,
        a.business_unit, a.cost_center, a.product, a.provider_name, a.service_name, a.model_key, a.billing_currency,
        a.effective_cost as previous_effective_cost
    from allocated as a
),

keys as (
    select billing_period, business_unit, cost_center, product, provider_name, service_name, model_key, billing_currency
    from allocated
    union
    select
        s.billing_period, s.business_unit, s.cost_center, s.product, s.provider_name, s.service_name, s.model_key,
        s.billing_currency
    from shifted as s
    cross join bounds as b
    where s.billing_period <= b.last_period
)

select
    k.billing_period,
    k.business_unit,
    k.cost_center,
    k.product,
    k.provider_name,
    k.service_name,
    nullif(k.model_key, '') as model_name,
    k.billing_currency,
    cast(coalesce(a.effective_cost, 0) as {{ type_money() }}) as allocated_effective_cost,
    cast(coalesce(a.billed_cost, 0) as {{ type_money() }}) as allocated_billed_cost,
    -- the first month of data has no previous month to compare with: previous and change are null there
    cast(
        case when k.billing_period > b.first_period then coalesce(s.previous_effective_cost, 0) end
        as {{ type_money() }}
    ) as previous_effective_cost,
    cast(
        case
            when k.billing_period > b.first_period
                then coalesce(a.effective_cost, 0) - coalesce(s.previous_effective_cost, 0)
        end as {{ type_money() }}
    ) as change_effective_cost,
    {{ safe_ratio(
        'coalesce(a.effective_cost, 0) - s.previous_effective_cost', 's.previous_effective_cost', 'decimal(18, 6)'
    ) }} as change_ratio
from keys as k
cross join bounds as b
left join allocated as a
    on k.billing_period = a.billing_period and k.business_unit = a.business_unit and k.cost_center = a.cost_center
    and k.product = a.product and k.provider_name = a.provider_name and k.service_name = a.service_name
    and k.model_key = a.model_key and k.billing_currency = a.billing_currency
left join shifted as s
    on k.billing_period = s.billing_period and k.business_unit = s.business_unit and k.cost_center = s.cost_center
    and k.product = s.product and k.provider_name = s.provider_name and k.service_name = s.service_name
    and k.model_key = s.model_key and k.billing_currency = s.billing_currency
