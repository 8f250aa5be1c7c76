{#- SaaS vendor invoices (Stripe-style API), one row per invoice id. Amounts DECIMAL in major units. -#}

with source as (
    select * from {{ source('saas_invoices', 'invoices') }}
)

select
    id as invoice_id,
    number as invoice_number,
    vendor,
    account_name,
    customer,
    upper(currency) as currency,
    {{ utc_timestamp("created_at") }} as created_at,
    {{ utc_timestamp("period_start") }} as period_start,
    {{ utc_timestamp("period_end") }} as period_end,
    status,
    cast(subtotal as {{ type_money() }}) as subtotal,
    cast(coalesce(tax, 0) as {{ type_money() }}) as tax,
    cast(total as {{ type_money() }}) as total,
    cast(amount_due as {{ type_money() }}) as amount_due,
    cast(amount_paid as {{ type_money() }}) as amount_paid,
    loaded_at,
    _dlt_load_id as x_load_id
from source
