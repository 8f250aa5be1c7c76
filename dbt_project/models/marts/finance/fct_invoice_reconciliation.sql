{{ config(meta={'dagster': {'owners': ['team:finance']}}) }}
{#- Three-way reconciliation per vendor x invoice x billing period: billing data (the FOCUS record) vs the AP invoice
    vs the ledger. One row per AP invoice, plus one per billing group no invoice matched.

    Legs (one CTE each; vendors resolved through int_payee_vendors, the raw name when no alias matches):
    * billing: fct_charges per (vendor of InvoiceIssuerName, else ProviderName; BillingAccountId; InvoiceId;
      billing period; currency): Σ BilledCost, Σ of Tax rows, Σ of Credit rows. A group matches its AP invoice
      1. by invoice number (issued InvoiceIds; same vendor, or BillingAccountId = the invoice's vendor_account_id /
      supplier_id when the supplier name resolves to no vendor), else 2. by vendor + BillingAccountId = vendor_account_id + billing
      period (provisional InvoiceIds, macros/invoices.sql; also issued ids whose number the AP invoice lacks), else
      3. by vendor + billing period when that leaves exactly one group and one invoice on each side. match_basis
      says which (invoice_number | account_period | vendor_period, '+'-joined when groups of both kinds meet one
      invoice; no_billing_feed for a vendor with no billing data at all (AP-only, e.g. seats invoiced through
      accounts payable): the invoice stands in for the billing data, a two-way invoice vs ledger check; unmatched).
    * invoice: AP lines per (supplier_id, invoice_number): net (Σ amount), tax (Σ tax_amount), credits (Σ negative
      lines), gross total, currency, invoice date, vendor_account_id, billing period.
    * ledger: GL lines whose reference is the invoice number (and, when both carry one, vendor_id = supplier_id,
      else the same vendor) on accounts not in seed ledger_control_accounts; posted in the billing period or in
      other periods, in the ledger currency.

    Decomposition, every amount in the invoice currency (billing data and ledger amounts in another currency are
    converted through the reporting currency, int_fx_rates_daily, at the INVOICE-date rate - the ledger per
    currency, period and posting date, rounded half away from zero to 10 decimals; billing-only rows use the
    billing currency and the last day of the billing period):
      variance           = ledger in period - billed
      tax_variance       = invoice tax - billing Tax rows (tax_layout itemized) or invoice tax (in_charges: the
                           provider's tax inside the charge lines, e.g. one line per service)
      credit_variance    = invoice credit lines - billing Credit rows (credit_layout itemized) or invoice credit
                           lines (in_charges); per invoice the layout pair that best explains invoice - billed,
                           ties itemized; a tax / credit difference within the policy's rounding_tolerance is rounding
      timing_variance    = - ledger posted in other periods
      fx_variance        = ledger at the invoice-date rate - ledger at its posting dates' rates
      residuals          : billing->invoice = invoice total - billed - tax - credit;
                           invoice->ledger  = ledger at posting-date rates - invoice total
      rounding_variance  = both residuals when their sum is within the policy's rounding_tolerance, else each
                           residual that is (invoice->ledger: that tolerance per ledger line converted from
                           another currency, each rounded to the cent on its own)
      unexplained        = the rest.
    The buckets add up to the variance exactly (assert_invoice_reconciliation_buckets_sum). Status: matched
    (unexplained = 0), within_tolerance (|unexplained| <= max(tolerance_abs, tolerance_pct x |invoice total|) of
    seed reconciliation_policy), unexplained (otherwise, or amounts that cannot be converted). -#}

{#- the tolerances of seed reconciliation_policy (one row) -#}
{%- set rounding_tolerance = '(select rounding_tolerance from policy)' -%}
{%- set tolerance_abs = '(select tolerance_abs from policy)' -%}
{%- set tolerance_pct = '(select tolerance_pct from policy)' -%}
{%- set money = type_money() -%}
{%- set text = dbt.type_string() -%}

with policy as (
    select rounding_tolerance, tolerance_abs, tolerance_pct from {{ ref('reconciliation_policy') }}
),

payees as (
    select payee, vendor from {{ ref('int_payee_vendors') }}
),

fx as (
    select rate_date, from_currency, rate, rate_source, rate_as_of_date from {{ ref('int_fx_rates_daily') }}
),

-- billing leg: the FOCUS record per vendor, billing account, invoice id and billing period
billing_groups as (
    select
        coalesce(issuer.vendor, provider.vendor, charges.invoice_issuer_name, charges.provider_name) as vendor,
        charges.provider_name,
        charges.billing_account_id,
        charges.invoice_id,
        charges.x_invoice_id_provisional as is_provisional,
        charges.x_billing_period as billing_period,
        charges.billing_currency,
        sum(charges.billed_cost) as billed_amount,
        sum(case when charges.charge_category = 'Tax' then charges.billed_cost else 0 end) as billed_tax_amount,
        sum(case when charges.charge_category = 'Credit' then charges.billed_cost else 0 end) as billed_credit_amount
    from {{ ref('fct_charges') }} as charges
    left join payees as issuer on charges.invoice_issuer_name = issuer.payee
    left join payees as provider on charges.provider_name = provider.payee
    group by 1, 2, 3, 4, 5, 6, 7
),

billing as (
    select
        {{ dbt.concat(["vendor", "'|'", "coalesce(provider_name, '')", "'|'", "coalesce(billing_account_id, '')", "'|'",
                       "coalesce(invoice_id, '')", "'|'", "coalesce(billing_period, '')", "'|'", "billing_currency"]) }} as group_key,
        *
    from billing_groups
),

billing_vendors as (
    select distinct vendor from billing_groups
),

-- invoice leg: AP invoices
invoices as (
    select
        lines.supplier_id,
        lines.invoice_number,
        min(coalesce(payees.vendor, lines.supplier_name)) as vendor,
        min(payees.vendor) as resolved_vendor,
        min(lines.supplier_name) as supplier_name,
        min(lines.vendor_account_id) as vendor_account_id,
        min(lines.invoice_date) as invoice_date,
        min(lines.billing_period) as billing_period,
        min(lines.currency) as currency,
        count(distinct lines.currency) as currency_count,
        sum(lines.amount) as invoice_net_amount,
        sum(lines.tax_amount) as invoice_tax_amount,
        sum(case when lines.amount < 0 then lines.amount else 0 end) as invoice_credit_amount,
        sum(lines.gross_amount) as invoice_total_amount
    from {{ ref('stg_finance__ap_invoice_lines') }} as lines
    left join payees on lines.supplier_name = payees.payee
    group by 1, 2
),

-- billing groups -> AP invoices: by invoice number, else vendor + account + period, else vendor + period (unique)
match_candidates as (
    select
        b.group_key, i.supplier_id, i.invoice_number, i.invoice_date, 1 as basis_rank, 'invoice_number' as match_basis
    from billing as b
    inner join invoices as i
        on not b.is_provisional and b.invoice_id = i.invoice_number
        and (b.vendor = i.vendor or b.billing_account_id in (i.vendor_account_id, i.supplier_id))
    union all
    select
        b.group_key, i.supplier_id, i.invoice_number, i.invoice_date, 2 as basis_rank, 'account_period' as match_basis
    from billing as b
    inner join invoices as i
        on b.vendor = i.vendor and b.billing_account_id = i.vendor_account_id and b.billing_period = i.billing_period
),

first_pass as (
    select group_key, supplier_id, invoice_number, match_basis
    from (
        select
            *,
            row_number() over (
                partition by group_key
                order by basis_rank, invoice_date, invoice_number, supplier_id
            ) as candidate_rank
        from match_candidates
    ) as ranked
    where candidate_rank = 1
),

period_candidates as (
    select
        b.group_key,
        i.supplier_id,
        i.invoice_number,
        count(*) over (partition by b.group_key) as invoices_for_group,
        count(*) over (partition by i.supplier_id, i.invoice_number) as groups_for_invoice
    from billing as b
    inner join invoices as i on b.vendor = i.vendor and b.billing_period = i.billing_period
    where not exists (
            select 1 from first_pass as f
            where f.group_key = b.group_key
        )
        and not exists (
            select 1 from first_pass as f
            where f.supplier_id = i.supplier_id and f.invoice_number = i.invoice_number
        )
),

billing_matches as (
    select group_key, supplier_id, invoice_number, match_basis from first_pass
    union all
    select group_key, supplier_id, invoice_number, 'vendor_period' as match_basis
    from period_candidates
    where invoices_for_group = 1 and groups_for_invoice = 1
),

-- the billing data of each matched invoice, in the invoice currency at the invoice-date rate
billing_for_invoice as (
    select
        m.supplier_id,
        m.invoice_number,
        min(b.vendor) as billing_vendor,
        min(b.invoice_id) as billing_invoice_id,
        min(b.provider_name) as billing_provider_name,
        min(b.billing_account_id) as billing_account_id,
        min(b.billing_currency) as billing_currency,
        case when min(m.match_basis) = max(m.match_basis) then min(m.match_basis)
            else {{ dbt.concat(["min(m.match_basis)", "'+'", "max(m.match_basis)"]) }}
        end as match_basis,
        max(case when b.is_provisional then 1 else 0 end) = 1 as is_invoice_id_provisional,
        sum({{ recon_convert('b.billed_amount', 'b.billing_currency', 'i.currency', 'fb', 'fi') }}) as billed_amount,
        sum({{ recon_convert('b.billed_tax_amount', 'b.billing_currency', 'i.currency', 'fb', 'fi') }})
            as billed_tax_amount,
        sum({{ recon_convert('b.billed_credit_amount', 'b.billing_currency', 'i.currency', 'fb', 'fi') }})
            as billed_credit_amount,
        max(case when b.billing_currency <> i.currency and (fb.rate is null or fi.rate is null) then 1 else 0 end)
        = 1 as fx_missing
    from billing_matches as m
    inner join billing as b on b.group_key = m.group_key
    inner join invoices as i on i.supplier_id = m.supplier_id and i.invoice_number = m.invoice_number
    left join fx as fb on {{ fx_join('fb', 'b.billing_currency', 'i.invoice_date') }}
    left join fx as fi on {{ fx_join('fi', 'i.currency', 'i.invoice_date') }}
    group by 1, 2
),

reconciliation_rows as (
    select
        {{ dbt.concat(["'ap:'", "i.supplier_id", "':'", "i.invoice_number"]) }} as reconciliation_id,
        coalesce(i.resolved_vendor, bi.billing_vendor, i.vendor) as vendor,
        i.supplier_id,
        i.supplier_name,
        i.invoice_number,
        bi.billing_invoice_id,
        bi.billing_provider_name,
        bi.billing_account_id,
        i.vendor_account_id,
        i.billing_period,
        i.currency,
        bi.billing_currency,
        i.invoice_date,
        i.invoice_date as fx_reference_date,
        coalesce(bi.match_basis, case when bv.vendor is null then 'no_billing_feed' else 'unmatched' end)
            as match_basis,
        bi.supplier_id is not null as has_billing,
        true as has_invoice,
        bv.vendor is not null as vendor_has_billing_feed,
        bi.is_invoice_id_provisional,
        bi.billed_amount,
        bi.billed_tax_amount,
        bi.billed_credit_amount,
        coalesce(bi.fx_missing, false) as billing_fx_missing,
        i.invoice_net_amount,
        i.invoice_tax_amount,
        i.invoice_credit_amount,
        i.invoice_total_amount,
        i.currency_count > 1 as invoice_has_several_currencies,
        i.invoice_number as ledger_reference
    from invoices as i
    left join billing_for_invoice as bi on i.supplier_id = bi.supplier_id and i.invoice_number = bi.invoice_number
    left join billing_vendors as bv on bv.vendor = coalesce(i.resolved_vendor, bi.billing_vendor, i.vendor)

    union all

    select
        {{ dbt.concat(["'billing:'", "b.group_key"]) }} as reconciliation_id,
        b.vendor,
        cast(null as {{ text }}) as supplier_id,
        cast(null as {{ text }}) as supplier_name,
        cast(null as {{ text }}) as invoice_number,
        b.invoice_id as billing_invoice_id,
        b.provider_name as billing_provider_name,
        b.billing_account_id,
        cast(null as {{ text }}) as vendor_account_id,
        b.billing_period,
        b.billing_currency as currency,
        b.billing_currency,
        cast(null as date) as invoice_date,
        {%- set period_start = "cast(" ~ dbt.concat(['b.billing_period', "'-01'"]) ~ " as date)" %}
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, period_start)) }} as date) as fx_reference_date,
        'unmatched' as match_basis,
        true as has_billing,
        false as has_invoice,
        true as vendor_has_billing_feed,
        b.is_provisional as is_invoice_id_provisional,
        b.billed_amount,
        b.billed_tax_amount,
        b.billed_credit_amount,
        false as billing_fx_missing,
        cast(null as {{ money }}) as invoice_net_amount,
        cast(null as {{ money }}) as invoice_tax_amount,
        cast(null as {{ money }}) as invoice_credit_amount,
        cast(null as {{ money }}) as invoice_total_amount,
        false as invoice_has_several_currencies,
        case when not b.is_provisional then b.invoice_id end as ledger_reference
    from billing as b
    where not exists (
            select 1 from billing_matches as m
            where m.group_key = b.group_key
        )
),

-- ledger leg: postings referencing the invoice, off the control accounts
ledger_lines as (
    select
        gl.period,
        gl.posting_date,
        gl.vendor_id,
        coalesce(payees.vendor, gl.vendor_name) as vendor,
        gl.amount,
        gl.currency,
        gl.reference
    from {{ ref('stg_finance__gl_journal_lines') }} as gl
    left join payees on gl.vendor_name = payees.payee
    where gl.reference is not null
        and gl.gl_account not in (select c.account from {{ ref('ledger_control_accounts') }} as c)
),

-- the invoice's postings per currency, posting date and period, converted into the invoice currency at the
-- invoice-date and at the posting-date rate
ledger_matched as (
    select
        r.reconciliation_id,
        r.currency as invoice_currency,
        r.fx_reference_date,
        l.period,
        l.posting_date,
        l.currency,
        l.period = r.billing_period as in_period,
        sum(l.amount) as amount,
        count(*) as line_count
    from reconciliation_rows as r
    inner join ledger_lines as l
        on r.ledger_reference = l.reference
        and case
            when l.vendor_id is not null and r.supplier_id is not null then r.supplier_id = l.vendor_id
            when l.vendor is not null then r.vendor = l.vendor or r.supplier_name = l.vendor
            else true
        end
    group by 1, 2, 3, 4, 5, 6, 7
),

ledger_converted as (
    select
        m.*,
        m.currency <> m.invoice_currency as is_converted,
        {{ recon_convert('m.amount', 'm.currency', 'm.invoice_currency', 'lr', 'ir') }} as amount_at_invoice_rate,
        {{ recon_convert('m.amount', 'm.currency', 'm.invoice_currency', 'lp', 'ip') }} as amount_at_posting_rate,
        {{ recon_cross_rate('m.currency', 'm.invoice_currency', 'lr', 'ir') }} as rate_at_invoice_date,
        {{ recon_cross_rate('m.currency', 'm.invoice_currency', 'lp', 'ip') }} as rate_at_posting_date
    from ledger_matched as m
    left join fx as lr on {{ fx_join('lr', 'm.currency', 'm.fx_reference_date') }}
    left join fx as ir on {{ fx_join('ir', 'm.invoice_currency', 'm.fx_reference_date') }}
    left join fx as lp on {{ fx_join('lp', 'm.currency', 'm.posting_date') }}
    left join fx as ip on {{ fx_join('ip', 'm.invoice_currency', 'm.posting_date') }}
),

ledger as (
    select
        reconciliation_id,
        min(currency) as ledger_currency,
        count(distinct currency) as ledger_currency_count,
        sum(line_count) as ledger_lines,
        sum(case when is_converted then line_count else 0 end) as converted_lines,
        sum(case when in_period then amount else 0 end) as ledger_amount_in_period,
        sum(case when in_period then 0 else amount end) as ledger_amount_other_periods,
        sum(case when in_period then amount_at_invoice_rate else 0 end) as ledger_in_period,
        sum(case when in_period then 0 else amount_at_invoice_rate end) as ledger_other_periods,
        sum(amount_at_posting_rate) as ledger_at_posting_rate,
        max(case when amount_at_invoice_rate is null or amount_at_posting_rate is null then 1 else 0 end)
        = 1 as fx_missing,
        max(case when in_period then 1 else 0 end) = 1 as posted_in_period,
        min(posting_date) as first_posting_date,
        max(posting_date) as last_posting_date,
        min(case when not in_period then period end) as first_other_period,
        max(case when not in_period then period end) as last_other_period,
        max(rate_at_invoice_date) as ledger_fx_rate_invoice_date,
        max(rate_at_posting_date) as ledger_fx_rate_posting_date
    from ledger_converted
    group by 1
),

-- the three legs side by side; no billing feed: the invoice stands in for the billing data
legs as (
    select
        r.*,
        l.ledger_currency,
        coalesce(l.ledger_lines, 0) > 0 as is_posted,
        coalesce(l.posted_in_period, false) as posted_in_period,
        l.ledger_amount_in_period,
        l.ledger_amount_other_periods,
        l.first_posting_date,
        l.last_posting_date,
        l.first_other_period,
        l.last_other_period,
        l.ledger_fx_rate_invoice_date,
        l.ledger_fx_rate_posting_date,
        r.billing_fx_missing or coalesce(l.fx_missing, false) as fx_missing,
        coalesce(l.ledger_currency_count, 0) > 1 as ledger_has_several_currencies,
        cast(coalesce(l.ledger_in_period, 0) as {{ money }}) as ledger_in_period,
        cast(coalesce(l.ledger_other_periods, 0) as {{ money }}) as ledger_other_periods,
        cast(coalesce(l.ledger_at_posting_rate, 0) as {{ money }}) as ledger_at_posting_rate,
        -- each ledger line converted into another currency was rounded to the cent on its own
        cast(
            {{ rounding_tolerance }} * case when coalesce(l.converted_lines, 0) > 1 then l.converted_lines else 1 end
            as {{ money }}
        ) as ledger_rounding_tolerance,
        cast(case when r.has_billing then r.billed_amount
            when r.has_invoice and not r.vendor_has_billing_feed then r.invoice_total_amount
            else 0
        end as {{ money }}) as base_total,
        cast(case when r.has_billing then r.billed_tax_amount
            when r.has_invoice and not r.vendor_has_billing_feed then r.invoice_tax_amount
            else 0
        end as {{ money }}) as base_tax,
        cast(case when r.has_billing then r.billed_credit_amount
            when r.has_invoice and not r.vendor_has_billing_feed then r.invoice_credit_amount
            else 0
        end as {{ money }}) as base_credit,
        cast(coalesce(r.invoice_total_amount, 0) as {{ money }}) as invoice_total,
        cast(coalesce(r.invoice_tax_amount, 0) as {{ money }}) as invoice_tax,
        cast(coalesce(r.invoice_credit_amount, 0) as {{ money }}) as invoice_credit
    from reconciliation_rows as r
    left join ledger as l on r.reconciliation_id = l.reconciliation_id
),

-- tax and credits the invoice and the billing data disagree on, per layout: 'itemized' (the invoice shows the
-- provider's tax as tax_amount and its credits as negative lines: compared with the billing Tax / Credit rows) or
-- 'in_charges' (the invoice's charge lines already include them, e.g. lines per service: the invoice's own tax and
-- negative lines are all extra). Differences within the rounding tolerance are rounding.
differences as (
    select
        *,
        cast(case when has_billing and has_invoice and abs(invoice_tax - base_tax) > {{ rounding_tolerance }}
                then invoice_tax - base_tax
            else 0
        end as {{ money }}) as tax_itemized,
        cast(case when has_billing and has_invoice and abs(invoice_tax) > {{ rounding_tolerance }}
                then invoice_tax
            else 0
        end as {{ money }}) as tax_in_charges,
        cast(case when has_billing and has_invoice and abs(invoice_credit - base_credit) > {{ rounding_tolerance }}
                then invoice_credit - base_credit
            else 0
        end as {{ money }}) as credit_itemized,
        cast(case when has_billing and has_invoice and abs(invoice_credit) > {{ rounding_tolerance }}
                then invoice_credit
            else 0
        end as {{ money }}) as credit_in_charges,
        cast(invoice_total - base_total as {{ money }}) as invoice_minus_billed
    from legs
),

-- per invoice the layout pair that explains invoice total - billed best (ties: itemized first)
layouts as (
    select
        *,
        case
            when abs(invoice_minus_billed - tax_itemized - credit_itemized) <= least(
                    abs(invoice_minus_billed - tax_itemized - credit_in_charges),
                    abs(invoice_minus_billed - tax_in_charges - credit_itemized),
                    abs(invoice_minus_billed - tax_in_charges - credit_in_charges)
                ) then 'itemized|itemized'
            when abs(invoice_minus_billed - tax_itemized - credit_in_charges) <= least(
                    abs(invoice_minus_billed - tax_in_charges - credit_itemized),
                    abs(invoice_minus_billed - tax_in_charges - credit_in_charges)
                ) then 'itemized|in_charges'
            when abs(invoice_minus_billed - tax_in_charges - credit_itemized)
                <= abs(invoice_minus_billed - tax_in_charges - credit_in_charges) then 'in_charges|itemized'
            else 'in_charges|in_charges'
        end as layout_pair
    from differences
),

explained as (
    select
        *,
        case when has_billing and has_invoice then
                case when layout_pair like 'itemized|%' then 'itemized' else 'in_charges' end
        end as tax_layout,
        case when has_billing and has_invoice then
                case when layout_pair like '%|itemized' then 'itemized' else 'in_charges' end
        end as credit_layout,
        case when layout_pair like 'itemized|%' then tax_itemized else tax_in_charges end as tax_bucket,
        case when layout_pair like '%|itemized' then credit_itemized else credit_in_charges end as credit_bucket,
        cast(-ledger_other_periods as {{ money }}) as timing_bucket,
        cast(ledger_in_period + ledger_other_periods - ledger_at_posting_rate as {{ money }}) as fx_bucket,
        cast(ledger_at_posting_rate - invoice_total as {{ money }}) as invoice_to_ledger_residual
    from layouts
),

residuals as (
    select
        *,
        cast(invoice_minus_billed - tax_bucket - credit_bucket as {{ money }}) as billing_to_invoice_residual
    from explained
),

buckets as (
    select
        *,
        cast(ledger_in_period - base_total as {{ money }}) as variance_amount,
        cast(case
            when abs(billing_to_invoice_residual + invoice_to_ledger_residual) <= {{ rounding_tolerance }}
                then billing_to_invoice_residual + invoice_to_ledger_residual
            else case
                    when
                        abs(billing_to_invoice_residual) <= {{ rounding_tolerance }}
                        then billing_to_invoice_residual
                    else 0
                end
                + case
                    when
                        abs(invoice_to_ledger_residual) <= ledger_rounding_tolerance
                        then invoice_to_ledger_residual
                    else 0
                end
        end as {{ money }}) as rounding_bucket
    from residuals
),

final as (
    select
        *,
        cast(billing_to_invoice_residual + invoice_to_ledger_residual - rounding_bucket as {{ money }})
            as unexplained_bucket,
        cast(case
            when {{ tolerance_abs }}
                >= {{ tolerance_pct }} * abs(coalesce(invoice_total_amount, billed_amount, 0))
                then {{ tolerance_abs }}
            else {{ tolerance_pct }} * abs(coalesce(invoice_total_amount, billed_amount, 0))
        end as {{ money }}) as tolerance_amount
    from buckets
)

select
    f.reconciliation_id,
    f.vendor,
    f.supplier_id,
    f.supplier_name,
    f.invoice_number,
    f.billing_invoice_id,
    f.is_invoice_id_provisional,
    f.match_basis,
    f.billing_provider_name,
    f.billing_account_id,
    f.vendor_account_id,
    f.billing_period,
    f.invoice_date,
    f.currency,
    f.has_billing,
    f.has_invoice,
    f.is_posted,
    f.posted_in_period,
    f.tax_layout,
    f.credit_layout,
    -- billing leg (invoice currency)
    f.billing_currency,
    cast(f.billed_amount as {{ money }}) as billed_amount,
    cast(f.billed_tax_amount as {{ money }}) as billed_tax_amount,
    cast(f.billed_credit_amount as {{ money }}) as billed_credit_amount,
    -- invoice leg
    cast(f.invoice_net_amount as {{ money }}) as invoice_net_amount,
    cast(f.invoice_tax_amount as {{ money }}) as invoice_tax_amount,
    cast(f.invoice_credit_amount as {{ money }}) as invoice_credit_amount,
    cast(f.invoice_total_amount as {{ money }}) as invoice_total_amount,
    -- ledger leg (ledger currency, then invoice currency)
    f.ledger_currency,
    cast(f.ledger_amount_in_period as {{ money }}) as ledger_amount_in_period,
    cast(f.ledger_amount_other_periods as {{ money }}) as ledger_amount_other_periods,
    f.first_posting_date as ledger_first_posting_date,
    f.last_posting_date as ledger_last_posting_date,
    f.first_other_period as ledger_first_other_period,
    f.last_other_period as ledger_last_other_period,
    cast(f.ledger_fx_rate_invoice_date as {{ money }}) as ledger_fx_rate_invoice_date,
    cast(f.ledger_fx_rate_posting_date as {{ money }}) as ledger_fx_rate_posting_date,
    case when not f.fx_missing then f.ledger_in_period end as ledger_in_period_amount,
    case when not f.fx_missing then f.ledger_other_periods end as ledger_other_periods_amount,
    -- decomposition: variance = tax + credit + timing + fx + rounding + unexplained
    case when not f.fx_missing then f.variance_amount end as variance,
    case when not f.fx_missing then f.tax_bucket end as tax_variance,
    case when not f.fx_missing then f.credit_bucket end as credit_variance,
    case when not f.fx_missing then f.timing_bucket end as timing_variance,
    case when not f.fx_missing then f.fx_bucket end as fx_variance,
    case when not f.fx_missing then f.rounding_bucket end as rounding_variance,
    case when not f.fx_missing then f.unexplained_bucket end as unexplained_variance,
    f.tolerance_amount,
    case
        when f.fx_missing then 'unexplained'
        when f.unexplained_bucket = 0 then 'matched'
        when abs(f.unexplained_bucket) <= f.tolerance_amount then 'within_tolerance'
        else 'unexplained'
    end as status,
    nullif(substring({{ dbt.concat([
        "case when f.has_billing and not f.has_invoice then '; billing without invoice' else '' end",
        "case when f.has_invoice and not f.has_billing and f.vendor_has_billing_feed then '; invoice without billing data' else '' end",
        "case when not f.is_posted then '; not posted' else '' end",
        "case when f.is_posted and not f.posted_in_period then '; not posted in the billing period' else '' end",
        "case when f.fx_missing then '; no FX rate to convert into the invoice currency' else '' end",
        "case when f.invoice_has_several_currencies then '; invoice lines in several currencies' else '' end",
        "case when f.ledger_has_several_currencies then '; ledger lines in several currencies' else '' end",
    ]) }}, 3), '') as reconciliation_gaps,
    case when f.fx_missing then 'amounts cannot be converted into the invoice currency' else
            coalesce(nullif(substring({{ dbt.concat([
        "case when f.tax_bucket = 0 then '' when f.tax_layout = 'itemized' then " ~ dbt.concat(["'; tax '", recon_amount_text('f.tax_bucket'), "' (invoice tax '", recon_amount_text('f.invoice_tax'), "' vs billing Tax rows '", recon_amount_text('f.base_tax'), "')'"]) ~ " else " ~ dbt.concat(["'; tax '", recon_amount_text('f.tax_bucket'), "' (invoice tax not in the billing data)'"]) ~ " end",
        "case when f.credit_bucket = 0 then '' when f.credit_layout = 'itemized' then " ~ dbt.concat(["'; credits '", recon_amount_text('f.credit_bucket'), "' (invoice credit lines '", recon_amount_text('f.invoice_credit'), "' vs billing Credit rows '", recon_amount_text('f.base_credit'), "')'"]) ~ " else " ~ dbt.concat(["'; credits '", recon_amount_text('f.credit_bucket'), "' (invoice credit lines not in the billing data)'"]) ~ " end",
        "case when f.timing_bucket <> 0 then " ~ dbt.concat(["'; timing '", recon_amount_text('f.timing_bucket'), "' (posted in '", "f.first_other_period", "case when f.last_other_period <> f.first_other_period then " ~ dbt.concat(["'..'", "f.last_other_period"]) ~ " else '' end", "', not in the billing period '", "f.billing_period", "')'"]) ~ " else '' end",
        "case when f.fx_bucket <> 0 then " ~ dbt.concat(["'; fx '", recon_amount_text('f.fx_bucket'), "' (ledger in '", "f.ledger_currency", "' at the invoice-date vs the posting-date rate)'"]) ~ " else '' end",
        "case when f.rounding_bucket <> 0 then " ~ dbt.concat(["'; rounding '", recon_amount_text('f.rounding_bucket', 10)]) ~ " else '' end",
        "case when f.unexplained_bucket <> 0 then " ~ dbt.concat(["'; unexplained '", recon_amount_text('f.unexplained_bucket')]) ~ " else '' end",
    ]) }}, 3), ''), 'no difference')
    end as explanation,
    -- reporting currency
    '{{ var("reporting_currency") }}' as reporting_currency,
    case when not f.fx_missing then {{ to_reporting_currency('f.variance_amount', 'rep') }} end as variance_reporting,
    case when not f.fx_missing then {{ to_reporting_currency('f.unexplained_bucket', 'rep') }} end
        as unexplained_variance_reporting,
    rep.rate as reporting_fx_rate,
    rep.rate_source as reporting_fx_rate_source,
    cast(rep.rate_as_of_date as date) as reporting_fx_rate_date,
    rep.rate is null as reporting_fx_rate_missing
from final as f
left join fx as rep on {{ fx_join('rep', 'f.currency', 'f.fx_reference_date') }}
