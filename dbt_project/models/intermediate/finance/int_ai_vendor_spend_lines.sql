{#- Every spend line finance sees outside the billing exports - accounts-payable invoice lines (channel ap),
    corporate-card lines (card) and expense-report lines (expense) - that is paid to an AI vendor, with the sanctioned
    contract covering it, if any. One row per line; lines of vendors that are no AI vendor (clouds, airlines,
    restaurants, unknown payees) are not here.
    Vendor and product: the payee as printed resolved by int_payee_vendors (seed ai_vendor_catalogue, whole-word
    aliases). An AP line's supplier name is resolved; its line description wins when it names a product of an AI
    vendor and the supplier name names no vendor or the same one ("GitHub, Inc." + "GitHub Copilot Business - 200
    seats" -> GitHub / Copilot Business; "GitHub Enterprise - 100 seats" names nothing and stays unresolved). Card
    and expense descriptions are typed by employees and are never matched.
    Coverage (seed ai_vendor_contracts): a contract of the line's vendor whose product is empty (every product of the
    vendor) or equals the resolved product - or any product when the payee names the vendor only (resolved product
    null: nothing shows it is another product) - and whose term_start <= spend date <= term_end. is_covered = false
    lines are shadow AI (fct_shadow_ai_spend), with the reason: 'no contract for vendor' | 'contract does not cover
    product' | 'outside contract term'; contract_id is then the contract that nearly covers it (same product, else
    any of the vendor's), null when the vendor has none. -#}

with ap_lines as (
    select
        'ap' as channel,
        {{ dbt.concat([
                "'ap:'", 'supplier_id', "':'", 'invoice_number', "':'", "cast(line_number as " ~ dbt.type_string() ~ ")"
        ]) }} as spend_line_id,
        supplier_id,
        invoice_number,
        line_number as invoice_line_number,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        invoice_date as spend_date,
        billing_period,
        supplier_name as payee,
        line_description as description,
        'supplier' as payer_type,
        supplier_id as payer_id,
        supplier_name as payer_name,
        cast(null as {{ dbt.type_string() }}) as employee_id,
        cast(null as {{ dbt.type_string() }}) as employee_name,
        cost_center,
        amount,
        tax_amount,
        currency,
        source_file,
        source_row
    from {{ ref('stg_finance__ap_invoice_lines') }}
),

card_lines as (
    select
        channel,
        {{ dbt.concat(['channel', "':'", 'transaction_id']) }} as spend_line_id,
        cast(null as {{ dbt.type_string() }}) as supplier_id,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        cast(null as {{ dbt.type_bigint() }}) as invoice_line_number,
        transaction_id,
        transaction_date as spend_date,
        cast(null as {{ dbt.type_string() }}) as billing_period,
        merchant as payee,
        description,
        case when employee_id is not null or employee_name is not null then 'employee'
            when cost_center is not null then 'cost_center'
        end as payer_type,
        coalesce(employee_id, employee_name, cost_center) as payer_id,
        coalesce(employee_name, employee_id, cost_center) as payer_name,
        employee_id,
        employee_name,
        cost_center,
        amount,
        cast(null as {{ type_money() }}) as tax_amount,
        currency,
        source_file,
        source_row
    from {{ ref('stg_finance__card_transactions') }}
),

spend_lines as (
    select * from ap_lines
    union all
    select * from card_lines
),

matched as (
    select
        l.*,
        p.vendor as payee_vendor,
        p.product as payee_product,
        p.vendor_category as payee_vendor_category,
        coalesce(p.is_ai_vendor, false) as payee_is_ai_vendor,
        p.matched_alias as payee_matched_alias,
        d.vendor as description_vendor,
        d.product as description_product,
        d.vendor_category as description_vendor_category,
        d.matched_alias as description_matched_alias,
        coalesce(
            l.channel = 'ap' and d.is_ai_vendor and d.product is not null
            and (p.vendor is null or p.vendor = d.vendor),
            false
        ) as use_description
    from spend_lines as l
    left join {{ ref('int_payee_vendors') }} as p on l.payee = p.payee
    left join {{ ref('int_payee_vendors') }} as d on l.description = d.payee and l.channel = 'ap'
),

resolved as (
    select
        *,
        case when use_description then description_vendor else payee_vendor end as vendor,
        case when use_description then description_product else payee_product end as product,
        case when use_description then description_vendor_category else payee_vendor_category end as vendor_category,
        case when use_description then description_matched_alias else payee_matched_alias end as matched_alias,
        case when use_description then 'description' else 'payee' end as matched_on
    from matched
    where use_description or payee_is_ai_vendor
),

contracts as (
    select
        contract_id,
        vendor,
        nullif(trim(product), '') as product,
        term_start,
        term_end,
        billing_source
    from {{ ref('ai_vendor_contracts') }}
),

candidates as (
    select
        r.spend_line_id,
        c.contract_id,
        c.billing_source,
        case when c.contract_id is null then 0
            when c.product is null or r.product is null or c.product = r.product then 1
            else 0
        end as product_match,
        case when c.contract_id is not null and r.spend_date >= c.term_start and r.spend_date <= c.term_end
                then 1
            else 0
        end as in_term
    from resolved as r
    left join contracts as c on r.vendor = c.vendor
),

ranked as (
    select
        *,
        max(product_match * in_term) over (partition by spend_line_id) as covered,
        max(product_match) over (partition by spend_line_id) as product_covered,
        row_number() over (
            partition by spend_line_id
            order by product_match * in_term desc, product_match desc, contract_id asc
        ) as contract_rank
    from candidates
)

select
    r.spend_line_id,
    r.channel,
    r.supplier_id,
    r.invoice_number,
    r.invoice_line_number,
    r.transaction_id,
    cast(r.spend_date as date) as spend_date,
    r.billing_period,
    r.vendor,
    r.product,
    r.vendor_category,
    r.matched_alias,
    r.matched_on,
    r.payee,
    r.description,
    r.payer_type,
    r.payer_id,
    r.payer_name,
    r.employee_id,
    r.employee_name,
    r.cost_center,
    r.amount,
    r.tax_amount,
    r.currency,
    k.covered = 1 as is_covered,
    k.contract_id,
    case when k.covered = 1 then k.billing_source end as contract_billing_source,
    case
        when k.covered = 1 then null
        when k.contract_id is null then 'no contract for vendor'
        when k.product_covered = 0 then 'contract does not cover product'
        else 'outside contract term'
    end as reason,
    r.source_file,
    r.source_row
from resolved as r
inner join ranked as k on r.spend_line_id = k.spend_line_id and k.contract_rank = 1
