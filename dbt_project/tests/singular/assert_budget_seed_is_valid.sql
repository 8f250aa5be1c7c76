{#- The budgets seed is usable: period is a calendar month YYYY-MM, currency an ISO 4217 code, amount > 0 and
    0 < warn_threshold_pct <= alert_threshold_pct. Returns the offending budgets. -#}
select budget_id, period, currency, amount, warn_threshold_pct, alert_threshold_pct
from {{ ref('budgets') }}
where not regexp_full_match(period, '[0-9]{4}-(0[1-9]|1[0-2])')
   or not regexp_full_match(currency, '[A-Z]{3}')
   or amount <= 0
   or warn_threshold_pct <= 0
   or warn_threshold_pct > alert_threshold_pct
