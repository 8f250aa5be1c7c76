{#- AI SaaS seats per subscription (vendor, billing account, service) and billing period: the seats billed (the
    amortized seat Usage rows of int_saas_charges in the FOCUS record: PricingUnit in seed waste_seat_units) against
    the contract's included_quantity (seed ai_vendor_contracts, unit in waste_seat_units, product = the service).
    The invoices carry no seat activity (Stripe invoice lines have a quantity, not who used a seat), so the contract's
    included quantity stands for the seats the business needs: unused_seats = seats billed above it. seat_cost and
    seat_price in the reporting currency (EffectiveCost of the seat rows / seats); owner, business unit and cost centre
    from the contract. -#}

with as_of as (
    select as_of_date from {{ ref('int_waste_as_of_date') }}
),

seat_units as (
    select pricing_unit from {{ ref('waste_seat_units') }}
),

seat_lines as (
    select
        c.provider_name,
        c.billing_account_id,
        c.service_name,
        c.x_billing_period as billing_period,
        min(cast(c.charge_period_start as date)) as period_start,
        sum(c.pricing_quantity) as seats,
        sum(c.x_reporting_effective_cost) as seat_cost
    from {{ ref('fct_charges') }} as c
    cross join as_of as o
    where c.x_source_system in {{ ai_workload_saas_sources() }}
        and c.charge_category = 'Usage'
        and c.pricing_unit in (select u.pricing_unit from seat_units as u)
        and cast(c.charge_period_start as date) <= o.as_of_date
    group by 1, 2, 3, 4
),

contracts as (
    select
        contract_id, vendor, nullif(trim(product), '') as product, unit, included_quantity, term_start, term_end,
        owner, business_unit, cost_center
    from {{ ref('ai_vendor_contracts') }}
    where unit in (select u.pricing_unit from seat_units as u) and included_quantity is not null
),

matched as (
    select
        s.*,
        k.contract_id,
        k.included_quantity,
        k.owner,
        k.business_unit,
        k.cost_center,
        row_number() over (
            partition by s.provider_name, s.billing_account_id, s.service_name, s.billing_period
            order by case when k.product is not null then 0 else 1 end, k.contract_id
        ) as pick
    from seat_lines as s
    inner join {{ ref('int_payee_vendors') }} as v on s.provider_name = v.payee
    inner join contracts as k
        on v.vendor = k.vendor
        and (k.product is null or s.service_name = k.product)
        and s.period_start between k.term_start and k.term_end
)

select
    m.provider_name,
    m.billing_account_id,
    m.service_name,
    m.billing_period,
    m.period_start,
    m.contract_id,
    m.owner,
    m.business_unit,
    m.cost_center,
    cast(m.seats as {{ type_money() }}) as seats,
    cast(m.included_quantity as {{ type_money() }}) as included_seats,
    cast(case when m.seats > m.included_quantity then m.seats - m.included_quantity else 0 end as {{ type_money() }})
        as unused_seats,
    cast(m.seat_cost as {{ type_money() }}) as seat_cost,
    {{ safe_ratio('m.seat_cost', 'm.seats') }} as seat_price,
    o.as_of_date
from matched as m
cross join as_of as o
where m.pick = 1
