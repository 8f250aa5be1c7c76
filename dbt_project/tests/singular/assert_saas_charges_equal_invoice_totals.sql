{#- FOCUS BilledCost per InvoiceId equals the invoice's payable total exactly (billedcost.md, FOCUS 1.2), for both
    SaaS sources of int_saas_charges as they reach the mart (fct_charges):
    * saas_invoices: every finalized invoice (not draft / void) of a vendor whose contract bills through the SaaS
      invoices API, matched on invoice number and customer, sums to the invoice total;
    * finance_ap: every accounts-payable invoice that became FOCUS rows (matched on invoice number and billing
      account = vendor_account_id, else supplier_id) sums to its gross amount (net + tax);
    and a vendor's billing period never comes from both sources (no double count). Returns offending invoices. -#}
{#- a check of fct_charges in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_charges'}}}) }}

with charges as (
    select
        x_source_system,
        invoice_id,
        billing_account_id,
        min(billing_currency) as billing_currency,
        count(distinct billing_currency) as currencies,
        sum(billed_cost) as billed_cost
    from {{ ref('fct_charges') }}
    where x_source_system in ('saas_invoices', 'finance_ap')
    group by x_source_system, invoice_id, billing_account_id
),

saas_vendors as (
    select distinct vendor from {{ ref('ai_vendor_contracts') }} where billing_source = 'saas_api'
),

saas_invoices as (
    select
        'saas_invoices' as x_source_system,
        coalesce(invoice_number, invoice_id) as invoice_id,
        coalesce(customer, vendor) as billing_account_id,
        currency,
        total
    from {{ ref('stg_saas_invoices__invoices') }}
    where coalesce(lower(status), 'open') not in ('draft', 'void', 'deleted')
      and vendor in (select vendor from saas_vendors)
),

ap_invoices as (
    select
        'finance_ap' as x_source_system,
        invoice_number as invoice_id,
        coalesce(max(vendor_account_id), supplier_id) as billing_account_id,
        max(currency) as currency,
        sum(gross_amount) as total
    from {{ ref('stg_finance__ap_invoice_lines') }}
    group by supplier_id, invoice_number
),

expected as (
    select * from saas_invoices
    union all
    select a.*
    from ap_invoices as a
    where exists (
        select 1 from charges as c
        where c.x_source_system = 'finance_ap' and c.invoice_id = a.invoice_id
          and c.billing_account_id = a.billing_account_id
    )
),

invoice_mismatches as (
    select
        coalesce(e.x_source_system, c.x_source_system) as x_source_system,
        coalesce(e.invoice_id, c.invoice_id) as invoice_id,
        coalesce(e.billing_account_id, c.billing_account_id) as billing_account_id,
        e.currency as invoice_currency,
        c.billing_currency,
        e.total as invoice_total,
        c.billed_cost
    from expected as e
    full outer join charges as c
        on c.x_source_system = e.x_source_system
        and c.invoice_id = e.invoice_id
        and c.billing_account_id = e.billing_account_id
    where e.total is distinct from c.billed_cost
       or e.currency is distinct from c.billing_currency
       or c.currencies > 1
),

both_sources as (
    select
        'both sources' as x_source_system,
        {{ dbt.concat(['provider_name', "' '", 'x_billing_period']) }} as invoice_id,
        cast(null as {{ dbt.type_string() }}) as billing_account_id,
        cast(null as {{ dbt.type_string() }}) as invoice_currency,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        cast(null as {{ type_money() }}) as invoice_total,
        cast(null as {{ type_money() }}) as billed_cost
    from {{ ref('fct_charges') }}
    where x_source_system in ('saas_invoices', 'finance_ap')
    group by provider_name, x_billing_period
    having count(distinct x_source_system) > 1
)

select * from invoice_mismatches
union all
select * from both_sources
