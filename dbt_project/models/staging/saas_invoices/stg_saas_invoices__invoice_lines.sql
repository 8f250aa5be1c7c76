{#- SaaS vendor invoice lines, one row per (invoice_id, line_id). line_type: seats | usage | overage | credits |
    discount; unit: Seats | Credits | 1000000 Tokens | Requests; pricing_currency set for virtual currencies. -#}

with source as (
    select * from {{ source('saas_invoices', 'invoice_lines') }}
)

select
    invoice_id,
    id as line_id,
    vendor,
    description,
    cast(amount as {{ type_money() }}) as amount,
    upper(currency) as currency,
    cast(quantity as {{ type_money() }}) as quantity,
    cast(unit_amount as {{ type_money() }}) as unit_amount,
    price_id,
    product,
    usage_type,
    lower(line_type) as line_type,
    unit,
    pricing_currency,
    cast(pricing_currency_unit_price as {{ type_money() }}) as pricing_currency_unit_price,
    cast(pricing_currency_quantity as {{ type_money() }}) as pricing_currency_quantity,
    {{ utc_timestamp("period_start") }} as period_start,
    {{ utc_timestamp("period_end") }} as period_end,
    coalesce(proration, false) as proration,
    loaded_at,
    _dlt_load_id as x_load_id
from source
