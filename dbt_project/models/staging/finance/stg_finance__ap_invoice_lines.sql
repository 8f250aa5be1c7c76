{#- Accounts-payable invoice lines as entered in the ERP: names trimmed, currency upper case, amounts DECIMAL.
    gross_amount = amount + tax_amount. One row per (supplier_id, invoice_number, line_number). -#}

with source as (
    select * from {{ source('finance', 'ap_invoice_lines') }}
)

select
    trim(supplier_id) as supplier_id,
    trim(supplier_name) as supplier_name,
    nullif(trim(vendor_account_id), '') as vendor_account_id,
    trim(invoice_number) as invoice_number,
    cast(invoice_date as date) as invoice_date,
    coalesce(
        nullif(trim(billing_period), ''), substring(cast(cast(invoice_date as date) as {{ dbt.type_string() }}), 1, 7)
    )
        as billing_period,
    cast(line_number as {{ dbt.type_bigint() }}) as line_number,
    trim(line_description) as line_description,
    cast(amount as {{ type_money() }}) as amount,
    cast(coalesce(tax_amount, 0) as {{ type_money() }}) as tax_amount,
    cast(amount + coalesce(tax_amount, 0) as {{ type_money() }}) as gross_amount,
    upper(trim(currency)) as currency,
    nullif(trim(gl_account), '') as gl_account,
    upper(nullif(trim(cost_center), '')) as cost_center,
    nullif(trim(po_number), '') as po_number,
    source_file,
    source_row,
    loaded_at,
    _dlt_load_id as x_load_id
from source
