{#- AI SaaS invoices as FOCUS charges (FOCUS SaaS / virtual-currency examples); a source of int_charges_unioned, so
    they flow through int_charges_unioned into fct_charges / focus_cost_and_usage.
    Sources, one per vendor (never both, so nothing is counted twice): the vendor's sanctioned contract (seed
    ai_vendor_contracts; the contract whose term covers the invoice's service month, else the latest) decides -
    billing_source 'saas_api': the Stripe-style invoices API (stg_saas_invoices__*; finalized invoices, not draft /
    void); 'ap_invoice': the ERP's accounts-payable invoice lines (stg_finance__ap_invoice_lines), the supplier
    resolved to a vendor like int_payee_vendors (model int_vendor_aliases; when the supplier name matches no alias,
    the vendor an invoice line description names: "GitHub, Inc." + "GitHub Copilot Business - 200 seats"); a contract
    for one product takes only invoices that name that product (supplier or a line description: "GitHub Enterprise
    Cloud" from the same supplier is not under the Copilot contract). Cloud and model-API vendors (billing_export / usage_api) never come
    from here: their billing data is already in the record.
    Rows per invoice line:
    * licensed (seats, a plan, a credit pack): a Purchase (Recurring; One-Time for prorations and one-off items) with
      BilledCost = the line and EffectiveCost 0, plus its amortization in the same charge period - a Usage row with
      BilledCost 0 and EffectiveCost = the line, the seats / credits as ConsumedQuantity (FOCUS: purchases that cover
      eligible charges have EffectiveCost 0; the cost is carried by the usage they cover);
    * metered (usage, overage): Usage, Usage-Based, PricingQuantity in the line's unit ("1000000 Tokens", "Requests",
      "Credits"), ConsumedQuantity in the base unit (tokens = quantity x 1e6);
    * negative or discount lines: Credit (One-Time), costs = the amount; invoice tax (Stripe invoice tax, AP line
      tax_amount) <> 0: a Tax row.
    Virtual currency (line pricing_currency, e.g. ElevenLabs "Credits"): priced per credit; ListUnitPrice =
    ContractedUnitPrice = the credit's price in the billing currency (pricing_currency_unit_price), PricingQuantity =
    the credits; the Purchase row keeps PricingCurrency = the billing currency (PricingCurrencyEffectiveCost 0), its
    amortization and metered credit usage have PricingCurrency = the virtual currency, unit prices 1 (credit per
    credit) and PricingCurrencyEffectiveCost = the credits.
    Unit prices are the invoice's (ListUnitPrice = ContractedUnitPrice; no public list price is known); AP lines of a
    per-seat contract: seats = amount / contract unit_price when that is whole, else 1 "Count" at the amount.
    BilledCost per InvoiceId = the invoice total (assert_saas_charges_equal_invoice_totals). BillingCurrency = the
    invoice currency (EUR for Mistral AI). ProviderName = PublisherName = InvoiceIssuerName = the canonical vendor;
    BillingAccountId = the customer at the vendor (Stripe customer; AP vendor_account_id, else the ERP supplier_id);
    BillingPeriod = the invoice's service month (UTC), ChargePeriod = the line's period (else the billing period).
    ChargeDescription = the line description in ASCII (macro ascii_text: "×" -> "x", "€" -> "EUR "; focus-validator
    checks StringHandling as ASCII-only).
    x_ExportId = <source>/<vendor>/<billing account>; x_IngestedAt = the latest load of the line or its invoice.
    int_charges_unioned rebuilds all of this small model's keys on every run (rebuild_by always in int_charge_source_keys),
    so restated invoices and contract / catalogue seed changes replace their rows without a --full-refresh. -#}

with contracts as (
    select
        contract_id, vendor, nullif(product, '') as product, billing_source, unit as contract_unit,
        unit_price as contract_unit_price, term_start, term_end
    from {{ ref('ai_vendor_contracts') }}
),

services as (
    select vendor, product, service_category, service_subcategory
    from {{ ref('saas_focus_services') }}
),

ap_lines as (
    select * from {{ ref('stg_finance__ap_invoice_lines') }}
),

payees as (
    select vendor as payee from {{ ref('stg_saas_invoices__invoices') }}
    union
    select supplier_name from ap_lines
    union
    select line_description from ap_lines
),

-- each payee resolved to a catalogue vendor as in int_payee_vendors (which cannot feed this model: it reads
-- int_charges_unioned, a union of this model's rows)
payee_matches as (
    select
        p.payee,
        a.vendor,
        a.product,
        {{ vendor_alias_rank('p', 'a') }} as match_rank
    from (
        select distinct
            payee,
            {{ normalize_payee('payee') }} as payee_normalized
        from payees
        where payee is not null
    ) as p
    left join {{ ref('int_vendor_aliases') }} as a on {{ vendor_alias_matches('p', 'a') }}
),

payee_vendors as (
    select payee, vendor, product
    from payee_matches
    where match_rank = 1
),

-- SaaS invoices API ---------------------------------------------------------------------------------------------
saas_invoices as (
    select
        i.*,
        coalesce(pv.vendor, i.vendor) as vendor_name,
        pv.product as resolved_product,
        cast(
            {{ dbt.date_trunc('month', 'coalesce(i.period_start, i.created_at)') }} as {{ type_utc_timestamp() }}
        ) as service_month
    from {{ ref('stg_saas_invoices__invoices') }} as i
    left join payee_vendors as pv on i.vendor = pv.payee
    where coalesce(lower(i.status), 'open') not in ('draft', 'void', 'deleted')
),

saas_contract as (
    select
        i.invoice_id,
        c.contract_id,
        c.billing_source,
        c.product as contract_product,
        row_number() over (
            partition by i.invoice_id
            order by
                case when cast(i.service_month as date) between c.term_start and c.term_end then 0 else 1 end,
                c.term_start desc, c.contract_id asc
        ) as contract_rank
    from saas_invoices as i
    inner join contracts as c on i.vendor_name = c.vendor
),

saas_lines as (
    select
        'saas_invoices' as source_system,
        'stripe_invoices_api' as source_format,
        i.vendor_name as vendor,
        c.contract_id,
        coalesce(c.contract_product, i.resolved_product, i.vendor_name) as service_name,
        coalesce(i.invoice_number, i.invoice_id) as invoice_number,
        coalesce(i.customer, i.vendor_name) as billing_account_id,
        'Customer' as billing_account_type,
        i.currency as billing_currency,
        i.service_month as billing_period_start,
        l.line_id as line_key,
        l.description,
        l.amount,
        coalesce(l.quantity, 1) as quantity,
        coalesce(l.unit_amount, l.amount) as unit_amount,
        l.product as sku_id,
        coalesce(l.price_id, l.product) as sku_price_id,
        l.usage_type,
        l.line_type,
        l.unit,
        l.pricing_currency,
        l.pricing_currency_unit_price,
        l.pricing_currency_quantity,
        l.period_start as line_period_start,
        l.period_end as line_period_end,
        l.proration,
        {{ dbt.concat(["'/v1/invoices/'", 'i.invoice_id', "'/lines'"]) }} as source_file,
        cast(null as {{ dbt.type_bigint() }}) as source_row,
        l.x_load_id,
        greatest({{ dlt_load_time('l.x_load_id') }}, {{ dlt_load_time('i.x_load_id') }}) as ingested_at
    from saas_invoices as i
    inner join saas_contract as c
        on i.invoice_id = c.invoice_id and c.contract_rank = 1 and c.billing_source = 'saas_api'
    inner join {{ ref('stg_saas_invoices__invoice_lines') }} as l on i.invoice_id = l.invoice_id
    union all
    select
        'saas_invoices',
        'stripe_invoices_api',
        i.vendor_name,
        c.contract_id,
        coalesce(c.contract_product, i.resolved_product, i.vendor_name),
        coalesce(i.invoice_number, i.invoice_id),
        coalesce(i.customer, i.vendor_name),
        'Customer',
        i.currency,
        i.service_month,
        {{ dbt.concat(['i.invoice_id', "'/tax'"]) }},
        'Tax',
        i.tax,
        cast(null as {{ type_money() }}),
        cast(null as {{ type_money() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'tax',
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ type_money() }}),
        cast(null as {{ type_money() }}),
        i.period_start,
        i.period_end,
        false,
        {{ dbt.concat(["'/v1/invoices/'", 'i.invoice_id']) }},
        cast(null as {{ dbt.type_bigint() }}),
        i.x_load_id,
        {{ dlt_load_time('i.x_load_id') }}
    from saas_invoices as i
    inner join saas_contract as c
        on i.invoice_id = c.invoice_id and c.contract_rank = 1 and c.billing_source = 'saas_api'
    where i.tax <> 0
),

-- Accounts-payable invoices -------------------------------------------------------------------------------------
ap_invoices as (
    select
        supplier_id,
        invoice_number,
        max(supplier_name) as supplier_name,
        max(vendor_account_id) as vendor_account_id,
        max(billing_period) as billing_period,
        max(currency) as currency
    from ap_lines
    group by supplier_id, invoice_number
),

ap_described as (
    -- the vendor and product an invoice's line descriptions name (only when they name exactly one vendor)
    select
        l.supplier_id,
        l.invoice_number,
        min(pv.vendor) as vendor,
        min(pv.product) as product
    from ap_lines as l
    inner join payee_vendors as pv on l.line_description = pv.payee
    where pv.vendor is not null
    group by l.supplier_id, l.invoice_number
    having count(distinct pv.vendor) = 1
),

ap_resolved as (
    select
        a.*,
        coalesce(sv.vendor, d.vendor) as vendor_name,
        coalesce(case when d.vendor = coalesce(sv.vendor, d.vendor) then d.product end, sv.product) as resolved_product,
        cast(
            cast({{ dbt.concat(['a.billing_period', "'-01'"]) }} as date) as {{ type_utc_timestamp() }}
        ) as service_month
    from ap_invoices as a
    left join payee_vendors as sv on a.supplier_name = sv.payee
    left join ap_described as d on a.supplier_id = d.supplier_id and a.invoice_number = d.invoice_number
),

ap_contract as (
    select
        a.supplier_id,
        a.invoice_number,
        c.contract_id,
        c.billing_source,
        c.product as contract_product,
        c.contract_unit,
        c.contract_unit_price,
        row_number() over (
            partition by a.supplier_id, a.invoice_number
            order by
                case when cast(a.service_month as date) between c.term_start and c.term_end then 0 else 1 end,
                c.term_start desc, c.contract_id asc
        ) as contract_rank
    from ap_resolved as a
    inner join contracts as c
        on a.vendor_name = c.vendor
        and (c.product is null or a.resolved_product = c.product)
),

ap_covered as (
    select a.*, c.contract_id, c.contract_product, c.contract_unit, c.contract_unit_price
    from ap_resolved as a
    inner join ap_contract as c
        on a.supplier_id = c.supplier_id and a.invoice_number = c.invoice_number
        and c.contract_rank = 1 and c.billing_source = 'ap_invoice'
),

ap_priced as (
    select
        l.*,
        a.vendor_name,
        a.resolved_product,
        a.service_month,
        a.contract_id,
        coalesce(a.contract_product, a.resolved_product, a.vendor_name) as service_name,
        a.vendor_account_id as invoice_vendor_account_id,
        a.currency as invoice_currency,
        case
            when l.amount > 0 and a.contract_unit_price > 0 and a.contract_unit is not null
                and {{ money_mul('round(l.amount / a.contract_unit_price, 0)', 'a.contract_unit_price') }} = l.amount
                then 1
            else 0
        end as per_unit,
        a.contract_unit,
        a.contract_unit_price
    from ap_lines as l
    inner join ap_covered as a on l.supplier_id = a.supplier_id and l.invoice_number = a.invoice_number
),

ap_charge_lines as (
    select
        'finance_ap' as source_system,
        'erp_ap_invoice' as source_format,
        vendor_name as vendor,
        contract_id,
        service_name,
        invoice_number,
        coalesce(invoice_vendor_account_id, supplier_id) as billing_account_id,
        case
            when invoice_vendor_account_id is not null then 'Customer Account'
            else 'ERP Supplier'
        end as billing_account_type,
        invoice_currency as billing_currency,
        service_month as billing_period_start,
        {{ dbt.concat([
                'supplier_id', "'/'", 'invoice_number', "'/'", 'cast(line_number as ' ~ dbt.type_string() ~ ')'
        ]) }} as line_key,
        line_description as description,
        amount,
        case when per_unit = 1 then cast(round(amount / contract_unit_price, 0) as {{ type_money() }})
            else cast(1 as {{ type_money() }})
        end as quantity,
        case when per_unit = 1 then contract_unit_price else amount end as unit_amount,
        service_name as sku_id,
        contract_id as sku_price_id,
        'licensed' as usage_type,
        case
            when amount < 0 then 'discount'
            when per_unit = 1 then lower(contract_unit)
            else 'subscription'
        end as line_type,
        case when per_unit = 1 then contract_unit else 'Count' end as unit,
        cast(null as {{ dbt.type_string() }}) as pricing_currency,
        cast(null as {{ type_money() }}) as pricing_currency_unit_price,
        cast(null as {{ type_money() }}) as pricing_currency_quantity,
        cast(null as {{ type_utc_timestamp() }}) as line_period_start,
        cast(null as {{ type_utc_timestamp() }}) as line_period_end,
        false as proration,
        source_file,
        source_row,
        x_load_id,
        {{ dlt_load_time('x_load_id') }} as ingested_at
    from ap_priced
    union all
    select
        'finance_ap',
        'erp_ap_invoice',
        vendor_name,
        contract_id,
        service_name,
        invoice_number,
        coalesce(invoice_vendor_account_id, supplier_id),
        case when invoice_vendor_account_id is not null then 'Customer Account' else 'ERP Supplier' end,
        invoice_currency,
        service_month,
        {{ dbt.concat([
                'supplier_id', "'/'", 'invoice_number', "'/'", 'cast(line_number as ' ~ dbt.type_string() ~ ')',
                "'/tax'"
        ]) }},
        {{ dbt.concat(["'Tax: '", 'line_description']) }},
        tax_amount,
        cast(null as {{ type_money() }}),
        cast(null as {{ type_money() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'tax',
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ type_money() }}),
        cast(null as {{ type_money() }}),
        cast(null as {{ type_utc_timestamp() }}),
        cast(null as {{ type_utc_timestamp() }}),
        false,
        source_file,
        source_row,
        x_load_id,
        {{ dlt_load_time('x_load_id') }}
    from ap_priced
    where tax_amount <> 0
),

-- FOCUS rows ----------------------------------------------------------------------------------------------------
lines as (
    select * from saas_lines
    union all
    select * from ap_charge_lines
),

classified as (
    select
        l.*,
        case
            when l.line_type = 'tax' then 'Tax'
            when l.amount < 0 or l.line_type = 'discount' then 'Credit'
            when l.usage_type = 'metered' then 'Usage'
            else 'Purchase'
        end as line_category,
        case when l.pricing_currency is not null and l.pricing_currency_quantity is not null
                and l.pricing_currency_unit_price is not null then 1
            else 0
        end as is_virtual,
        cast(
            {{ dbt.dateadd('month', 1, 'l.billing_period_start') }} as {{ type_utc_timestamp() }}
        ) as billing_period_end,
        -- "1000000 Tokens": pricing unit of 1e6 tokens; consumed quantity in the base unit
        cast({{ ai_meter_regex_extract('l.unit', "'^([0-9]+) '") }} as {{ type_money() }}) as unit_multiplier,
        {{ ai_meter_regex_extract('l.unit', "'^[0-9]+ (.+)$'") }} as unit_base
    from lines as l
),

charge_rows as (
    -- the invoice line itself, plus the amortization (Usage) row of every Purchase
    select c.*, 'charge' as row_kind, c.line_category as charge_category from classified as c
    union all
    select c.*, 'amortization', 'Usage' from classified as c
    where c.line_category = 'Purchase'
),

priced as (
    select
        r.*,
        case
            when r.charge_category in ('Tax', 'Credit') then null
            when r.is_virtual = 1 then r.pricing_currency_quantity
            else r.quantity
        end as pricing_quantity_value,
        case
            when r.charge_category in ('Tax', 'Credit') then null
            when r.is_virtual = 1 then r.pricing_currency_unit_price
            else r.unit_amount
        end as unit_price_value,
        case
            when r.charge_category in ('Tax', 'Credit') then null
            when r.is_virtual = 1 then coalesce(r.unit, r.pricing_currency)
            else coalesce(r.unit, 'Count')
        end as pricing_unit_value,
        -- the virtual currency prices usage (the amortized credits and metered credit usage); purchases of it are
        -- priced in the billing currency
        case when r.is_virtual = 1 and r.charge_category = 'Usage' then 1 else 0 end as in_virtual_currency
    from charge_rows as r
),

described as (
    select
        p.*,
        s.service_category as listed_service_category,
        s.service_subcategory as listed_service_subcategory,
        -- model-API token lines ("mistral-large-latest input tokens (...)"): the model and the token type
        case when p.unit_base = 'Tokens' or p.unit = 'Tokens'
                then {{ ai_meter_regex_extract(
                    'lower(p.description)', "'^([a-z0-9][a-z0-9._:/-]*) (?:input|output) tokens'"
                ) }}
        end as model_name,
        case when p.unit_base = 'Tokens' or p.unit = 'Tokens'
                then {{ ai_meter_regex_extract(
                    'lower(p.description)', "'^[a-z0-9][a-z0-9._:/-]* (input|output) tokens'"
                ) }}
        end as token_type
    from priced as p
    left join services as s on p.vendor = s.vendor and p.service_name = s.product
),

final as (
    select
        cast(null as {{ dbt.type_string() }}) as availability_zone,
        case when row_kind = 'amortization' then cast(0 as {{ type_money() }}) else amount end as billed_cost,
        billing_account_id,
        billing_account_id as billing_account_name,
        billing_account_type,
        billing_currency,
        billing_period_end,
        billing_period_start,
        cast(null as {{ dbt.type_string() }}) as capacity_reservation_id,
        cast(null as {{ dbt.type_string() }}) as capacity_reservation_status,
        charge_category,
        cast(null as {{ dbt.type_string() }}) as charge_class,
        {{ ascii_text(
            "case when row_kind = 'amortization' then " ~ dbt.concat(['description', "' (amortized)'"]) ~ " else description end"
        ) }} as charge_description,
        case
            when charge_category = 'Tax' then 'Recurring'
            when charge_category = 'Credit' then 'One-Time'
            when line_category = 'Usage' then 'Usage-Based'
            when usage_type is null or proration then 'One-Time'
            else 'Recurring'
        end as charge_frequency,
        case
            when line_period_end > line_period_start then line_period_end
            else billing_period_end
        end as charge_period_end,
        case
            when line_period_end > line_period_start then line_period_start
            else billing_period_start
        end as charge_period_start,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_category,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_id,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_name,
        cast(null as {{ type_money() }}) as commitment_discount_quantity,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_status,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_type,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_unit,
        case
            when charge_category <> 'Usage' then null
            when is_virtual = 1 then pricing_currency_quantity
            when unit_multiplier is not null then {{ money_mul('quantity', 'unit_multiplier') }}
            else quantity
        end as consumed_quantity,
        case
            when charge_category <> 'Usage' then null
            when is_virtual = 1 then pricing_currency
            else coalesce(unit_base, unit, 'Count')
        end as consumed_unit,
        case
            when pricing_quantity_value is null then amount
            else {{ money_mul('pricing_quantity_value', 'unit_price_value') }}
        end as contracted_cost,
        unit_price_value as contracted_unit_price,
        case
            when row_kind = 'charge' and charge_category = 'Purchase' then cast(0 as {{ type_money() }})
            else amount
        end as effective_cost,
        invoice_number as invoice_id,
        vendor as invoice_issuer_name,
        case
            when pricing_quantity_value is null then amount
            else {{ money_mul('pricing_quantity_value', 'unit_price_value') }}
        end as list_cost,
        unit_price_value as list_unit_price,
        case when charge_category in ('Usage', 'Purchase') then 'Standard' end as pricing_category,
        case when in_virtual_currency = 1 then pricing_currency else billing_currency end as pricing_currency,
        case
            when in_virtual_currency = 1 then cast(1 as {{ type_money() }})
            else unit_price_value
        end as pricing_currency_contracted_unit_price,
        case
            when row_kind = 'charge' and charge_category = 'Purchase' then cast(0 as {{ type_money() }})
            when in_virtual_currency = 1 then pricing_currency_quantity
            else amount
        end as pricing_currency_effective_cost,
        case
            when in_virtual_currency = 1 then cast(1 as {{ type_money() }})
            else unit_price_value
        end as pricing_currency_list_unit_price,
        pricing_quantity_value as pricing_quantity,
        pricing_unit_value as pricing_unit,
        vendor as provider_name,
        vendor as publisher_name,
        cast(null as {{ dbt.type_string() }}) as region_id,
        cast(null as {{ dbt.type_string() }}) as region_name,
        cast(null as {{ dbt.type_string() }}) as resource_id,
        cast(null as {{ dbt.type_string() }}) as resource_name,
        cast(null as {{ dbt.type_string() }}) as resource_type,
        coalesce(listed_service_category, 'AI and Machine Learning') as service_category,
        service_name,
        coalesce(listed_service_subcategory, 'Other (AI and Machine Learning)') as service_subcategory,
        case when charge_category <> 'Tax' then sku_id end as sku_id,
        case
            when charge_category = 'Tax' or sku_id is null then null
            when charge_category = 'Credit' then line_type
            when unit_base = 'Tokens' then {{ dbt.concat(["coalesce(token_type, 'token')", "' tokens'"]) }}
            else coalesce(unit_base, unit, line_type)
        end as sku_meter,
        cast(null as {{ type_json_text() }}) as sku_price_details,
        case when charge_category <> 'Tax' and sku_id is not null then sku_price_id end as sku_price_id,
        cast(null as {{ dbt.type_string() }}) as sub_account_id,
        cast(null as {{ dbt.type_string() }}) as sub_account_name,
        cast(null as {{ dbt.type_string() }}) as sub_account_type,
        cast(null as {{ type_json_text() }}) as tags,
        vendor as service_provider_name,
        vendor as host_provider_name,
        {{ focus_unallocated_columns() }},
        source_system as x_source_system,
        source_format as x_source_format,
        source_file as x_source_file,
        source_row as x_source_row,
        {{ dbt.concat(['source_system', "'/'", 'vendor', "'/'", 'billing_account_id']) }} as x_export_id,
        x_load_id as x_delivery_id,
        ingested_at as x_ingested_at,
        substring(cast(billing_period_start as {{ dbt.type_string() }}), 1, 7) as x_billing_period,
        case when row_kind = 'amortization' then 'amortization' else line_type end as x_native_charge_type,
        contract_id as x_native_service_code,
        line_type as x_usage_type,
        cast(null as {{ dbt.type_string() }}) as x_operation,
        model_name as x_model_name,
        token_type as x_token_type,
        case when token_type is not null and charge_category = 'Usage'
                then cast({{ money_mul('quantity', 'coalesce(unit_multiplier, 1)') }} as {{ dbt.type_bigint() }})
        end as x_token_count
    from described
)

select {{ select_focus_columns('final', ai_columns=true) }} from final
