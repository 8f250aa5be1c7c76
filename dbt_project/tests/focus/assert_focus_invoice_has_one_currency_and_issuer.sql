{#- InvoiceId-C-003-C as intended (the validator generates its -004-C / -005-C wrongly): with no invoice source
    per row, what follows from "associated with an invoice": one InvoiceId has exactly one BillingCurrency and one
    InvoiceIssuerName (an invoice is issued by one party in one currency, billingcurrency.md). -#}
{%- set rel = ref('focus_cost_and_usage') -%}
select 'BillingCurrency' as other_column, "InvoiceId" as invoice_id, count(distinct "BillingCurrency") as n_values
from {{ rel }}
where "InvoiceId" is not null
group by "InvoiceId"
having count(distinct "BillingCurrency") > 1

union all

select 'InvoiceIssuerName' as other_column, "InvoiceId" as invoice_id, count(distinct "InvoiceIssuerName") as n_values
from {{ rel }}
where "InvoiceId" is not null
group by "InvoiceId"
having count(distinct "InvoiceIssuerName") > 1
