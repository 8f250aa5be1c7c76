{#- Commitments and contracts as of the latest charge day: one row per commitment and period.
    commitment_type vendor_contract (seed ai_vendor_contracts, int_commitment_contract_daily), per commit_period
    (month | quarter | year counted from term_start) that has started by the as-of day, lies in the term and overlaps
    the billing data:
      spend_to_date            BilledCost toward the minimum commit (Usage and Purchase: seed commitment_spend_categories)
      utilization_to_date      spend_to_date / minimum_commit (null without a minimum)
      projected_spend          spend_to_date / days elapsed x days in the period (the actual once it is closed)
      projected_shortfall      minimum_commit - projected_spend when positive: paid for, not used
      quantity_to_date         Usage quantity in the contract's unit (seats, credits, 1M tokens)
      projected_overage_quantity / projected_overage_cost   projected quantity above included_quantity, x
                               overage_unit_price
      effective_discount_rate  1 - EffectiveCost / ListCost of the period (negotiated rates, credits)
    commitment_type commitment_discount (the FOCUS record's CommitmentDiscountId: Savings Plans, reservations,
    committed use discounts), per billing period:
      used_commitment_cost     EffectiveCost of the usage the commitment covered (CommitmentDiscountStatus Used)
      unused_commitment_cost   EffectiveCost of its unused part (Unused)
      utilization_to_date      used / (used + unused)
      projected_unused_cost    unused cost at period end by run rate
      effective_savings_rate   1 - used EffectiveCost / its ListCost (the discount on covered usage)
      net_savings_rate         1 - (used + unused) / ListCost of the covered usage (after paying for the unused part)
    status: projected_shortfall, projected_overage, underutilized (commitment discounts below
    seed commitment_policy.target_utilization), on_track, no_commitment (a contract without minimum or included quantity).
    Money in the commitment's currency (the contract's; the billing currency of commitment discounts). -#}
{%- set target = '(select cp.target_utilization from policy as cp)' %}

with as_of as (
    select as_of_date from {{ ref('int_waste_as_of_date') }}
),

policy as (
    select target_utilization from {{ ref('commitment_policy') }}
),

data_bounds as (
    select cast(min(charge_period_start) as date) as first_day from {{ ref('fct_charges') }}
),

contracts as (
    select
        contract_id,
        vendor,
        nullif(trim(product), '') as product,
        owner,
        business_unit,
        term_start,
        term_end,
        currency,
        coalesce(minimum_commit, 0) as minimum_commit,
        lower(coalesce(nullif(trim(commit_period), ''), 'month')) as commit_period,
        nullif(trim(unit), '') as unit,
        included_quantity,
        overage_unit_price
    from {{ ref('ai_vendor_contracts') }}
),

-- the contract's periods: term_start + k periods, k = 0 .. 119 (up to 10 years of months)
period_numbers as (
    {{ integer_rows(0, 119, 'k') }}
),

periods as (
    select
        k.*,
        cast({{ dbt.dateadd(
            'month', "n.k * case k.commit_period when 'year' then 12 when 'quarter' then 3 else 1 end", 'k.term_start'
        ) }} as date) as period_start,
        cast({{ dbt.dateadd(
            'day', -1,
            dbt.dateadd('month', "(n.k + 1) * case k.commit_period when 'year' then 12 when 'quarter' then 3 else 1 end", 'k.term_start')
        ) }} as date) as period_end_raw
    from contracts as k
    cross join period_numbers as n
),

contract_periods as (
    select
        p.*,
        case when p.period_end_raw > p.term_end then p.term_end else p.period_end_raw end as period_end,
        o.as_of_date
    from periods as p
    cross join as_of as o
    cross join data_bounds as b
    where p.period_start <= p.term_end
        and p.period_start <= o.as_of_date
        and p.period_end_raw >= b.first_day
),

contract_actuals as (
    select
        p.contract_id,
        p.period_start,
        sum(d.commit_spend) as spend_to_date,
        sum(d.billed_cost) as billed_to_date,
        sum(d.effective_cost) as effective_to_date,
        sum(d.list_cost) as list_to_date,
        sum(d.quantity) as quantity_to_date,
        max(case when d.fx_missing then 1 else 0 end) as fx_missing
    from contract_periods as p
    inner join {{ ref('int_commitment_contract_daily') }} as d
        on p.contract_id = d.contract_id and d.charge_day between p.period_start and p.period_end
        and p.as_of_date >= d.charge_day
    group by 1, 2
),

contract_rows as (
    select
        p.*,
        cast({{ dbt.datediff('p.period_start', 'p.period_end', 'day') }} + 1 as integer) as days_in_period,  -- noqa: LT05
        cast(case when p.as_of_date >= p.period_end then {{ dbt.datediff('p.period_start', 'p.period_end', 'day') }} + 1  -- noqa: LT05
            else {{ dbt.datediff('p.period_start', 'p.as_of_date', 'day') }} + 1  -- noqa: LT05
        end as integer) as days_elapsed,
        coalesce(a.spend_to_date, 0) as spend_to_date,
        coalesce(a.effective_to_date, 0) as effective_to_date,
        coalesce(a.list_to_date, 0) as list_to_date,
        case when p.unit is not null then coalesce(a.quantity_to_date, 0) end as quantity_to_date,
        coalesce(a.fx_missing, 0) = 1 as fx_missing
    from contract_periods as p
    left join contract_actuals as a on p.contract_id = a.contract_id and p.period_start = a.period_start
),

contract_projected as (
    select
        r.*,
        r.spend_to_date * r.days_in_period / r.days_elapsed as projected_spend,
        r.quantity_to_date * r.days_in_period / r.days_elapsed as projected_quantity
    from contract_rows as r
),

vendor_contract_rows as (
    select
        'vendor_contract' as commitment_type,
        r.contract_id as commitment_id,
        r.vendor as provider_name,
        coalesce(r.product, r.vendor) as commitment_name,
        r.commit_period as commitment_category,
        r.owner,
        r.business_unit,
        {{ dbt.concat([
                "cast(r.period_start as " ~ dbt.type_string() ~ ")", "'/'",
                "cast(r.period_end as " ~ dbt.type_string() ~ ")"
        ]) }} as period,
        r.period_start,
        r.period_end,
        r.days_in_period,
        r.days_elapsed,
        r.currency,
        cast(r.minimum_commit as {{ type_money() }}) as minimum_commit,
        cast(r.spend_to_date as {{ type_money() }}) as spend_to_date,
        cast({{ safe_ratio(
            'r.spend_to_date', 'r.minimum_commit', 'decimal(18, 6)'
        ) }} as decimal(18, 6)) as utilization_to_date,
        cast(round(r.projected_spend, 2) as {{ type_money() }}) as projected_spend,
        cast({{ safe_ratio(
            'r.projected_spend', 'r.minimum_commit', 'decimal(18, 6)'
        ) }} as decimal(18, 6)) as projected_utilization,
        cast(case when r.minimum_commit > 0 and round(r.projected_spend, 2) < r.minimum_commit
                then r.minimum_commit - round(r.projected_spend, 2)
            else 0
        end as {{ type_money() }}) as projected_shortfall,
        r.unit,
        cast(r.included_quantity as {{ type_money() }}) as included_quantity,
        cast(r.quantity_to_date as {{ type_money() }}) as quantity_to_date,
        cast(round(r.projected_quantity, 6) as {{ type_money() }}) as projected_quantity,
        cast(case when r.included_quantity is not null and r.projected_quantity > r.included_quantity
                then round(r.projected_quantity - r.included_quantity, 6)
            else 0
        end as {{ type_money() }})
            as projected_overage_quantity,
        cast(case when r.included_quantity is not null and r.projected_quantity > r.included_quantity
                then round((r.projected_quantity - r.included_quantity) * coalesce(r.overage_unit_price, 0), 2)
            else 0
        end as {{ type_money() }}) as projected_overage_cost,
        cast(r.list_to_date as {{ type_money() }}) as list_cost_to_date,
        cast(r.effective_to_date as {{ type_money() }}) as effective_cost_to_date,
        cast({{ safe_ratio(
            'r.list_to_date - r.effective_to_date', 'r.list_to_date', 'decimal(18, 6)'
        ) }} as decimal(18, 6))
            as effective_discount_rate,
        cast(null as {{ type_money() }}) as used_commitment_cost,
        cast(null as {{ type_money() }}) as unused_commitment_cost,
        cast(null as {{ type_money() }}) as projected_unused_cost,
        cast(null as decimal(18, 6)) as effective_savings_rate,
        cast(null as decimal(18, 6)) as net_savings_rate,
        r.fx_missing,
        case
            when r.minimum_commit > 0 and round(r.projected_spend, 2) < r.minimum_commit then 'projected_shortfall'
            when r.included_quantity is not null and r.projected_quantity > r.included_quantity then 'projected_overage'
            when r.minimum_commit = 0 and r.included_quantity is null then 'no_commitment'
            else 'on_track'
        end as status,
        r.as_of_date
    from contract_projected as r
),

-- cloud commitment discounts ---------------------------------------------------------------------------------------
commitment_lines as (
    select
        c.commitment_discount_id,
        max(c.commitment_discount_name) as commitment_discount_name,
        max(c.commitment_discount_category) as commitment_discount_category,
        max(c.commitment_discount_type) as commitment_discount_type,
        c.provider_name,
        c.x_billing_period as billing_period,
        c.billing_currency,
        sum(case when c.commitment_discount_status = 'Used' then c.effective_cost else 0 end) as used_cost,
        sum(case when c.commitment_discount_status = 'Used' then c.list_cost else 0 end) as used_list_cost,
        sum(case when c.commitment_discount_status = 'Unused' then c.effective_cost else 0 end) as unused_cost,
        sum(case when c.charge_category = 'Purchase' then c.billed_cost else 0 end) as purchase_cost,
        max(c.billing_period_start) as billing_period_start,
        max(c.billing_period_end) as billing_period_end
    from {{ ref('fct_charges') }} as c
    cross join as_of as o
    where c.commitment_discount_id is not null
        and cast(c.charge_period_start as date) <= o.as_of_date
    group by c.commitment_discount_id, c.provider_name, c.x_billing_period, c.billing_currency
),

commitment_rows as (
    select
        l.*,
        cast(l.billing_period_start as date) as period_start,
        cast({{ dbt.dateadd('day', -1, 'l.billing_period_end') }} as date) as period_end,
        o.as_of_date
    from commitment_lines as l
    cross join as_of as o
),

commitment_elapsed as (
    select
        r.*,
        cast({{ dbt.datediff('r.period_start', 'r.period_end', 'day') }} + 1 as integer) as days_in_period,  -- noqa: LT05
        cast(case when r.as_of_date >= r.period_end then {{ dbt.datediff('r.period_start', 'r.period_end', 'day') }} + 1  -- noqa: LT05
            else {{ dbt.datediff('r.period_start', 'r.as_of_date', 'day') }} + 1  -- noqa: LT05
        end as integer) as days_elapsed
    from commitment_rows as r
),

commitment_discount_rows as (
    select
        'commitment_discount' as commitment_type,
        r.commitment_discount_id as commitment_id,
        r.provider_name,
        coalesce(r.commitment_discount_name, r.commitment_discount_type, r.commitment_discount_id) as commitment_name,
        {{ dbt.concat([
                "coalesce(r.commitment_discount_category, '-')", "' / '", "coalesce(r.commitment_discount_type, '-')"
        ]) }}
            as commitment_category,
        cast(null as {{ dbt.type_string() }}) as owner,
        cast(null as {{ dbt.type_string() }}) as business_unit,
        r.billing_period as period,
        r.period_start,
        r.period_end,
        r.days_in_period,
        r.days_elapsed,
        r.billing_currency as currency,
        cast(r.purchase_cost as {{ type_money() }}) as minimum_commit,
        cast(r.used_cost + r.unused_cost as {{ type_money() }}) as spend_to_date,
        cast({{ safe_ratio('r.used_cost', 'r.used_cost + r.unused_cost', 'decimal(18, 6)') }} as decimal(18, 6))
            as utilization_to_date,
        cast(round((r.used_cost + r.unused_cost) * r.days_in_period / r.days_elapsed, 2) as {{ type_money() }})
            as projected_spend,
        cast({{ safe_ratio('r.used_cost', 'r.used_cost + r.unused_cost', 'decimal(18, 6)') }} as decimal(18, 6))
            as projected_utilization,
        cast(0 as {{ type_money() }}) as projected_shortfall,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ type_money() }}) as included_quantity,
        cast(null as {{ type_money() }}) as quantity_to_date,
        cast(null as {{ type_money() }}) as projected_quantity,
        cast(0 as {{ type_money() }}) as projected_overage_quantity,
        cast(0 as {{ type_money() }}) as projected_overage_cost,
        cast(r.used_list_cost as {{ type_money() }}) as list_cost_to_date,
        cast(r.used_cost as {{ type_money() }}) as effective_cost_to_date,
        cast({{ safe_ratio('r.used_list_cost - r.used_cost', 'r.used_list_cost', 'decimal(18, 6)') }} as decimal(18, 6))
            as effective_discount_rate,
        cast(r.used_cost as {{ type_money() }}) as used_commitment_cost,
        cast(r.unused_cost as {{ type_money() }}) as unused_commitment_cost,
        cast(
            round(r.unused_cost * r.days_in_period / r.days_elapsed, 2) as {{ type_money() }}
        ) as projected_unused_cost,
        cast({{ safe_ratio('r.used_list_cost - r.used_cost', 'r.used_list_cost', 'decimal(18, 6)') }} as decimal(18, 6))
            as effective_savings_rate,
        cast(
            {{ safe_ratio('r.used_list_cost - r.used_cost - r.unused_cost', 'r.used_list_cost', 'decimal(18, 6)') }}
            as decimal(18, 6)
        ) as net_savings_rate,
        false as fx_missing,
        case
            when r.used_cost + r.unused_cost > 0 and r.used_cost / (r.used_cost + r.unused_cost) < {{ target }}
                then 'underutilized'
            else 'on_track'
        end as status,
        r.as_of_date
    from commitment_elapsed as r
    where r.days_elapsed > 0
)

select * from vendor_contract_rows
union all
select * from commitment_discount_rows
