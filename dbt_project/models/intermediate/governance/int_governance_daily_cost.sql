{#- Daily EffectiveCost per budget / forecast scope: one row per charge day x scope_type x scope_value x currency.
      total           'all': every charge                                              (fct_charges)
      provider        FOCUS ProviderName                                               (fct_charges)
      vendor          FOCUS PublisherName, else ProviderName                           (fct_charges)
      service         FOCUS ServiceName                                                (fct_charges)
      model           x_ModelName (lines without a model are not in this scope type)  (fct_charges)
      business_unit   allocated business unit; cost no rule placed is 'unallocated'    (fct_cost_allocated)
      product         allocated product; cost no rule placed is 'unallocated'          (fct_cost_allocated)
      project         the line's project tag (tag, mapping or virtual tag); untagged lines are in no project
    Allocation is monthly (fct_cost_allocated has no day): each allocated amount is spread over the days of its
    line's allocation key in proportion to that key's daily EffectiveCost (int_governance_daily_charges; evenly
    when the key nets to 0), the last day taking the remainder, so per billing period every scope type adds up
    exactly to the allocated (= recorded) cost (assert_budget_daily_cost_conserves_cost). Days after as_of_date
    (the latest charge day in the warehouse) only hold the not yet elapsed share of multi-day charges. -#}
{#- int_governance_daily_charges' allocation_key columns under fct_cost_allocated's names, in the same order (the
    hashes must agree) -#}
{%- set allocated_key = ['billing_period', 'provider_name', 'billing_account_id', 'sub_account_id', 'service_name',
                         'resource_id', 'charge_category', 'x_source_system', 'model_name', 'billing_currency'] %}

with daily as (
    select * from {{ ref('int_governance_daily_charges') }}
),

as_of as (
    select max(cast(charge_period_start as date)) as as_of_date
    from {{ ref('fct_charges') }}
),

allocated as (
    select
        a.billing_period,
        {{ dbt.hash(dbt.concat(grain_parts(allocated_key, 'a'))) }} as allocation_key,
        a.billing_currency,
        coalesce(a.business_unit, 'unallocated') as business_unit,
        coalesce(a.product, 'unallocated') as product,
        o.project,
        sum(a.allocated_effective_cost) as allocated_cost
    from {{ ref('fct_cost_allocated') }} as a
    left join {{ ref('int_allocation_origins') }} as o on a.origin_id = o.origin_id
    group by 1, 2, 3, 4, 5, 6
),

key_days as (
    select billing_period, allocation_key, charge_date, sum(effective_cost) as day_cost
    from daily
    group by 1, 2, 3
),

key_profile as (
    select
        *,
        sum(day_cost) over (partition by billing_period, allocation_key) as key_cost,
        count(*) over (partition by billing_period, allocation_key) as key_day_count,
        row_number() over (
            partition by billing_period, allocation_key
            order by charge_date desc
        ) as day_rank
    from key_days
),

allocated_heads as (
    select
        p.charge_date,
        p.day_rank,
        a.billing_period,
        a.allocation_key,
        a.billing_currency,
        a.business_unit,
        a.product,
        a.project,
        a.allocated_cost,
        {{ double_to_decimal(
            'case when p.key_cost <> 0 then ' ~ decimal_div('a.allocated_cost * p.day_cost', 'p.key_cost')
            ~ ' else ' ~ decimal_div('a.allocated_cost', 'p.key_day_count') ~ ' end'
        ) }} as head_cost
    from allocated as a
    inner join key_profile as p on a.billing_period = p.billing_period and a.allocation_key = p.allocation_key
),

allocated_daily as (
    select
        charge_date, billing_currency, business_unit, product, project,
        case
            when day_rank > 1 then head_cost
            else allocated_cost - coalesce(sum(case when day_rank > 1 then head_cost end) over (
                    partition by billing_period, allocation_key, billing_currency, business_unit, product, project
                ), 0)
        end as effective_cost
    from allocated_heads
),

scoped as (
    select
        charge_date,
        'total' as scope_type,
        'all' as scope_value,
        billing_currency,
        effective_cost,
        'fct_charges' as source_model
    from daily
    union all
    select charge_date, 'provider', provider_name, billing_currency, effective_cost, 'fct_charges' from daily
    union all
    select charge_date, 'vendor', vendor_name, billing_currency, effective_cost, 'fct_charges' from daily
    union all
    select charge_date, 'service', service_name, billing_currency, effective_cost, 'fct_charges' from daily
    union all
    select charge_date, 'model', model_name, billing_currency, effective_cost, 'fct_charges' from daily
    where model_name is not null
    union all
    select charge_date, 'business_unit', business_unit, billing_currency, effective_cost, 'fct_cost_allocated'
    from allocated_daily
    union all
    select charge_date, 'product', product, billing_currency, effective_cost, 'fct_cost_allocated' from allocated_daily
    union all
    select charge_date, 'project', project, billing_currency, effective_cost, 'fct_cost_allocated' from allocated_daily
    where project is not null
)

select
    s.charge_date,
    s.scope_type,
    coalesce(s.scope_value, '(none)') as scope_value,
    s.billing_currency as currency,
    s.source_model,
    cast(sum(s.effective_cost) as {{ type_money() }}) as effective_cost,
    max(a.as_of_date) as as_of_date
from scoped as s
cross join as_of as a
group by 1, 2, 3, 4, 5
