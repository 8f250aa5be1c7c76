{#- The reconciliation's buckets add up to its variance exactly (tax + credit + timing + fx + rounding + unexplained
    = ledger in period - billed), all null together when the amounts cannot be converted; and the status follows
    the unexplained bucket and the tolerance. -#}
select reconciliation_id, variance, tax_variance, credit_variance, timing_variance, fx_variance, rounding_variance,
       unexplained_variance, tolerance_amount, status
from {{ ref('fct_invoice_reconciliation') }}
where (variance is null) <> (unexplained_variance is null)
   or tax_variance + credit_variance + timing_variance + fx_variance + rounding_variance + unexplained_variance <> variance
   or status <> case
        when unexplained_variance is null then 'unexplained'
        when unexplained_variance = 0 then 'matched'
        when abs(unexplained_variance) <= tolerance_amount then 'within_tolerance'
        else 'unexplained'
      end
