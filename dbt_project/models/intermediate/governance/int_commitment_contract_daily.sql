{#- Spend and quantity per vendor contract (seed ai_vendor_contracts) and day, up to the as-of day. A FOCUS line
    (fct_charges) counts for a contract when its provider resolves to the contract's vendor (int_payee_vendors), the
    contract names no product or the line's service is the product ("Cursor Business", or ends with it: "OpenAI API"
    for product "API"), and its day lies in the contract term. SaaS lines are int_saas_charges' rows of the record.
    A charge spanning several days (monthly seats, plans) is spread evenly over them.
      commit_spend    BilledCost of seed commitment_spend_categories (Usage, Purchase: what the minimum commitment
                      counts; tax and credits do not)
      billed_cost     every BilledCost line
      effective_cost  EffectiveCost without tax (credits and commitment discounts included)
      list_cost       ListCost of Usage lines (the price before any discount)
      quantity        PricingQuantity of Usage lines priced in the contract's unit ("Seats", "Credits", "1000000 Tokens")
    Money in the contract currency: the line's own amount when it is billed in it, else its reporting-currency amount
    when the contract is in the reporting currency, else null (fx_missing). -#}
{%- set reporting = var('reporting_currency') %}
{%- set span_days = '(' ~ dbt.datediff('start_day', 'last_day', 'day') ~ ' + 1)' %}

with as_of as (
    select as_of_date from {{ ref('int_waste_as_of_date') }}
),

contracts as (
    select
        contract_id,
        vendor,
        nullif(trim(product), '') as product,
        term_start,
        term_end,
        currency,
        nullif(trim(unit), '') as unit
    from {{ ref('ai_vendor_contracts') }}
),

payee_vendors as (
    select payee, vendor from {{ ref('int_payee_vendors') }}
),

lines as (
    select
        k.contract_id,
        cast(c.charge_period_start as date) as start_day,
        case
            when c.charge_period_end is null or c.charge_period_end <= c.charge_period_start
                then cast(c.charge_period_start as date)
            else cast({{ dbt.dateadd('second', -1, 'c.charge_period_end') }} as date)
        end as last_day,
        c.charge_category,
        c.pricing_unit,
        c.pricing_quantity,
        case
            when c.billing_currency = k.currency then c.billed_cost
            when k.currency = '{{ reporting }}' then c.x_reporting_billed_cost
        end as billed_cost,
        case
            when c.billing_currency = k.currency then c.effective_cost
            when k.currency = '{{ reporting }}' then c.x_reporting_effective_cost
        end as effective_cost,
        case
            when c.billing_currency = k.currency then c.list_cost
            when k.currency = '{{ reporting }}' then c.list_cost * c.x_fx_rate
        end as list_cost,
        k.unit
    from {{ ref('fct_charges') }} as c
    inner join payee_vendors as v on c.provider_name = v.payee
    inner join contracts as k
        on v.vendor = k.vendor
        and (
            k.product is null or c.service_name = k.product
            or c.service_name like {{ dbt.concat(["'% '", 'k.product']) }}
        )
        and cast(c.charge_period_start as date) between k.term_start and k.term_end
),

spans as (
    select
        l.contract_id,
        l.start_day,
        l.last_day,
        sum(case when k.charge_category is not null then l.billed_cost else 0 end) as commit_spend,
        sum(l.billed_cost) as billed_cost,
        sum(case when l.charge_category <> 'Tax' then l.effective_cost else 0 end) as effective_cost,
        sum(case when l.charge_category = 'Usage' then l.list_cost else 0 end) as list_cost,
        sum(case when l.charge_category = 'Usage' and l.pricing_unit = l.unit then l.pricing_quantity else 0 end)
            as quantity,
        max(case when l.billed_cost is null then 1 else 0 end) as fx_missing
    from lines as l
    left join {{ ref('commitment_spend_categories') }} as k on l.charge_category = k.charge_category
    group by 1, 2, 3
),

-- a span longer than a day (monthly seats, plans) as one row per day of start_day..last_day
span_days as (
    select
        s.*,
        {{ day_series('s.start_day', 's.last_day') }} as day_ts
    from spans as s
    where s.last_day > s.start_day
),

-- one row per contract and day: a one-day span keeps its row, a longer one is spread evenly over its days
-- (day_share: the days add up to the span's amounts exactly)
days as (
    select
        contract_id, start_day as charge_day, fx_missing, commit_spend, billed_cost, effective_cost, list_cost, quantity
    from spans
    where last_day <= start_day
    union all
    select
        contract_id,
        cast(day_ts as date),
        fx_missing,
        {{ day_share('commit_spend', span_days, 'cast(day_ts as date) = last_day') }},
        {{ day_share('billed_cost', span_days, 'cast(day_ts as date) = last_day') }},
        {{ day_share('effective_cost', span_days, 'cast(day_ts as date) = last_day') }},
        {{ day_share('list_cost', span_days, 'cast(day_ts as date) = last_day') }},
        {{ day_share('quantity', span_days, 'cast(day_ts as date) = last_day') }}
    from span_days
)

select
    d.contract_id,
    d.charge_day,
    cast(sum(d.commit_spend) as {{ type_money() }}) as commit_spend,
    cast(sum(d.billed_cost) as {{ type_money() }}) as billed_cost,
    cast(sum(d.effective_cost) as {{ type_money() }}) as effective_cost,
    cast(sum(d.list_cost) as {{ type_money() }}) as list_cost,
    cast(sum(d.quantity) as {{ type_money() }}) as quantity,
    max(d.fx_missing) = 1 as fx_missing,
    o.as_of_date
from days as d
cross join as_of as o
where d.charge_day <= o.as_of_date
group by d.contract_id, d.charge_day, o.as_of_date
