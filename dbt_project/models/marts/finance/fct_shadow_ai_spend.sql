{#- Shadow AI: spend with AI vendors that no sanctioned contract covers, one row per spend line - accounts-payable
    invoice lines (channel ap), corporate cards (card) and expense reports (expense). The lines, their vendor and
    product and the coverage rule come from int_ai_vendor_spend_lines (is_covered = false); reason says why:
    'no contract for vendor' | 'contract does not cover product' | 'outside contract term'.
    Business unit: the cost centre's business unit in seed product_catalog, else the one the contracts (seed
    ai_vendor_contracts) give it, else null (business_unit_source says which).
    Reporting currency (var reporting_currency): the amount converted on the spend date with int_fx_rates_daily; a
    currency without a usable rate gives amount_reporting null and fx_rate_missing = true, never a conversion at 0
    or 1. History: vendor_first_seen / vendor_months_active per vendor, payer_first_seen / payer_months_active per
    vendor and payer (calendar months with shadow spend). -#}

{%- set reporting = var('reporting_currency') %}

with shadow as (
    select
        *,
        substring(cast(spend_date as {{ dbt.type_string() }}), 1, 7) as spend_month
    from {{ ref('int_ai_vendor_spend_lines') }}
    where not is_covered
),

catalog_units as (
    select cost_center, min(business_unit) as business_unit
    from {{ ref('product_catalog') }}
    where cost_center is not null
    group by cost_center
),

contract_units as (
    select cost_center, min(business_unit) as business_unit
    from {{ ref('ai_vendor_contracts') }}
    where cost_center is not null
    group by cost_center
),

vendor_history as (
    select vendor, min(spend_date) as vendor_first_seen, count(distinct spend_month) as vendor_months_active
    from shadow
    group by vendor
),

payer_history as (
    select
        vendor,
        coalesce(payer_type, '') as payer_type_key,
        coalesce(payer_id, '') as payer_id_key,
        min(spend_date) as payer_first_seen,
        count(distinct spend_month) as payer_months_active
    from shadow
    group by vendor, coalesce(payer_type, ''), coalesce(payer_id, '')
)

select
    s.spend_line_id,
    s.channel,
    s.supplier_id,
    s.invoice_number,
    s.invoice_line_number,
    s.transaction_id,
    s.spend_date,
    s.spend_month,
    s.billing_period,
    s.vendor,
    s.product,
    s.vendor_category,
    s.matched_alias,
    s.matched_on,
    s.payee,
    s.description,
    s.payer_type,
    s.payer_id,
    s.payer_name,
    s.employee_id,
    s.employee_name,
    s.cost_center,
    coalesce(cu.business_unit, ku.business_unit) as business_unit,
    case when cu.business_unit is not null then 'product_catalog'
        when ku.business_unit is not null then 'contract'
    end as business_unit_source,
    s.amount,
    s.tax_amount,
    s.currency,
    '{{ reporting }}' as reporting_currency,
    {{ to_reporting_currency('s.amount', 'fx') }} as amount_reporting,
    fx.rate as fx_rate,
    fx.rate_as_of_date as fx_rate_date,
    fx.rate_source as fx_rate_source,
    fx.rate is null as fx_rate_missing,
    s.reason,
    s.contract_id as related_contract_id,
    vh.vendor_first_seen,
    vh.vendor_months_active,
    ph.payer_first_seen,
    ph.payer_months_active,
    s.source_file,
    s.source_row
from shadow as s
left join catalog_units as cu on cu.cost_center = s.cost_center
left join contract_units as ku on ku.cost_center = s.cost_center
left join {{ ref('int_fx_rates_daily') }} as fx on {{ fx_join('fx', 's.currency', 's.spend_date') }}
left join vendor_history as vh on vh.vendor = s.vendor
left join payer_history as ph
    on ph.vendor = s.vendor
    and ph.payer_type_key = coalesce(s.payer_type, '')
    and ph.payer_id_key = coalesce(s.payer_id, '')
