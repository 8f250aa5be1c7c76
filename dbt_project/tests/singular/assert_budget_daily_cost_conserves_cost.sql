{#- The daily scope costs budgets and forecasts are built on (int_governance_daily_cost) conserve money: per
    currency, every complete scope type (total, provider, vendor, service, business_unit, product) adds up exactly
    to the FOCUS record's EffectiveCost, and model to the record's lines with a model. Spreading multi-day charges
    and monthly allocations over days neither creates nor loses a cent. Returns the mismatches. -#}
{#- a check of int_governance_daily_cost in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_governance_daily_cost'}}}) }}
with record as (
    select billing_currency as currency, sum(effective_cost) as total,
           sum(case when x_model_name is not null then effective_cost end) as with_model
    from {{ ref('fct_charges') }}
    group by 1
),

daily as (
    select scope_type, currency, sum(effective_cost) as total
    from {{ ref('int_governance_daily_cost') }}
    group by 1, 2
),

expected as (
    select s.scope_type, r.currency, case when s.scope_type = 'model' then coalesce(r.with_model, 0) else r.total end as total
    from record as r
    cross join (
        select 'total' as scope_type union all select 'provider' union all select 'vendor' union all select 'service'
        union all select 'business_unit' union all select 'product' union all select 'model'
    ) as s
)

select e.scope_type, e.currency, e.total as expected, d.total as actual
from expected as e
left join daily as d on d.scope_type = e.scope_type and d.currency = e.currency
where coalesce(d.total, 0) <> e.total
