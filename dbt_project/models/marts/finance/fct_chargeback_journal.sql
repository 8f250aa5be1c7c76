{#- Ledger-ready chargeback journal from fct_cost_allocated, per billing month and currency: for every allocation
    rule, one debit line per cost centre on the expense account and one credit line on the clearing account and
    cost centre for their total (seed journal_accounts). Cost no rule placed is debited to the seed's
    unallocated_cost_center (rule 'unallocated'). Amounts are rounded to the
    cent per debit line and the credit is minus the sum of the rounded debits, so every (period, currency, rule)
    group - hence the journal - balances to zero exactly; a negative amount (credits, refunds) is a credit on the
    cost centre and a debit on clearing. Layout: docs in _finance__models.yml and README "Chargeback journal". -#}

with accounts as (
    select expense_account, clearing_account, clearing_cost_center, unallocated_cost_center
    from {{ ref('journal_accounts') }}
),

allocated as (
    select
        f.billing_period,
        f.billing_currency,
        f.allocation_rule_id,
        coalesce(f.cost_center, a.unallocated_cost_center) as cost_center,
        sum(f.allocated_effective_cost) as amount
    from {{ ref('fct_cost_allocated') }} as f
    cross join accounts as a
    group by 1, 2, 3, 4
),

debits as (
    select
        l.billing_period,
        l.billing_currency,
        l.allocation_rule_id,
        a.expense_account as account,
        l.cost_center,
        cast(round(l.amount, 2) as decimal(38, 2)) as amount
    from allocated as l
    cross join accounts as a
),

credits as (
    select
        d.billing_period,
        d.billing_currency,
        d.allocation_rule_id,
        a.clearing_account as account,
        a.clearing_cost_center as cost_center,
        cast(-sum(d.amount) as decimal(38, 2)) as amount
    from debits as d
    cross join accounts as a
    group by 1, 2, 3, 4, 5
),

lines as (
    select *, 1 as side from debits
    union all
    select *, 2 as side from credits
)

select
    {{ dbt.concat(["'CHB-'", 'billing_period', "'-'", 'billing_currency']) }} as journal_id,
    billing_period,
    cast({{ dbt.dateadd(
        'day', -1, dbt.dateadd('month', 1, "cast(" ~ dbt.concat(['billing_period', "'-01'"]) ~ " as date)")
    ) }} as date) as posting_date,
    cast(row_number() over (
        partition by billing_period, billing_currency
        order by allocation_rule_id, side, cost_center
    ) as {{ dbt.type_bigint() }}) as line_number,
    account,
    cost_center,
    case when amount > 0 then amount else cast(0 as decimal(38, 2)) end as debit,
    case when amount < 0 then -amount else cast(0 as decimal(38, 2)) end as credit,
    billing_currency as currency,
    allocation_rule_id,
    case when side = 1
            then {{ dbt.concat([
                    "'AI and cloud chargeback '", 'billing_period', "' - rule '", 'allocation_rule_id', "' - '",
                    'cost_center'
            ]) }}
        else {{ dbt.concat([
                "'AI and cloud chargeback '", 'billing_period', "' - rule '", 'allocation_rule_id', "' - clearing'"
        ]) }}
    end as description,
    {{ dbt.concat(["'fct_cost_allocated:'", 'billing_period', "':'", 'allocation_rule_id']) }} as reference
from lines
where amount <> 0
