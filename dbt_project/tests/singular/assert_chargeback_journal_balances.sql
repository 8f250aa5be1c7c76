{#- The chargeback journal balances: debits equal credits per journal (period and currency) and per rule. -#}
select journal_id, allocation_rule_id, sum(debit) as debits, sum(credit) as credits
from {{ ref('fct_chargeback_journal') }}
group by journal_id, allocation_rule_id
having sum(debit) <> sum(credit)
