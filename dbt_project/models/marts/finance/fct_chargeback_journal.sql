{#- Ledger-ready chargeback journal from fct_cost_allocated, per billing month and currency: for every allocation
    rule, one debit line per cost centre on the expense account (var journal_expense_account) and one credit line
    on the clearing account (var journal_clearing_account / journal_clearing_cost_center) for their total. Cost no
    rule placed is debited to var journal_unallocated_cost_center (rule 'unallocated'). Amounts are rounded to the
    cent per debit line and the credit is minus the sum of the rounded debits, so every (period, currency, rule)
    group - hence the journal - balances to zero exactly; a negative amount (credits, refunds) is a credit on the
    cost centre and a debit on clearing. Layout: docs in _finance__models.yml and README "Chargeback journal". -#}

with allocated as (
    select
        billing_period,
        billing_currency,
        allocation_rule_id,
        coalesce(cost_center, '{{ var("journal_unallocated_cost_center") }}') as cost_center,
        sum(allocated_effective_cost) as amount
    from {{ ref('fct_cost_allocated') }}
    group by 1, 2, 3, 4
),

debits as (
    select
        billing_period,
        billing_currency,
        allocation_rule_id,
        '{{ var("journal_expense_account") }}' as account,
        cost_center,
        cast(round(amount, 2) as decimal(38, 2)) as amount
    from allocated
),

credits as (
    select
        billing_period,
        billing_currency,
        allocation_rule_id,
        '{{ var("journal_clearing_account") }}' as account,
        '{{ var("journal_clearing_cost_center") }}' as cost_center,
        cast(-sum(amount) as decimal(38, 2)) as amount
    from debits
    group by 1, 2, 3
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
    row_number() over (
        partition by billing_period, billing_currency
        order by allocation_rule_id, side, cost_center
    ) as line_number,
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
