"""GX suites on every mart (schema ``marts``) that finance or BI reads.

Every mart with an enforced dbt contract gets ``gx_contract``, derived from its YAML (``dbt_project/models/marts/**``,
:func:`~data_quality.gx.reference.mart_contracts`) so it never drifts: exactly the contract's columns with the
contract's types (information_schema), every declared grain unique (``unique`` / ``price_book_unique_key`` tests),
the not-null columns never NULL, every currency column (``*currency`` but PricingCurrency, which may be a virtual
currency) an active ISO 4217 code, no placeholder string in a text column (enumerated columns excepted: dbt tests
their allowed values, and ``'none'`` can be one of them).

Rule suites:

=============================  ====================================================================================
mart                           suite
=============================  ====================================================================================
focus_cost_and_usage           ``gx_focus_custom_columns`` every column that is not a FOCUS 1.2/1.3 column starts
                               with ``x_``; ``gx_focus_sign_rules`` Usage/Purchase/Tax BilledCost >= 0, Credit <= 0
                               unless ChargeClass = Correction; ``gx_focus_invoice_totals`` BilledCost per InvoiceId
                               equals the invoice total of the raw SaaS invoice (finalised, vendor billed through the
                               SaaS API) or AP invoice (net + tax), in the invoice's currency;
                               ``gx_focus_date_windows`` billing periods in 2000-01-01 .. today + 45 days, periods
                               well ordered, a charge period overlaps its billing period unless a correction
fct_charges                    ``gx_record_completeness`` (warn) no day missing between a billing account's first and
                               last daily charge of a billing period; an account present in every period of its
                               source between its first and last
fct_cost_allocated             ``gx_allocation_conserves_record`` allocated = record (EffectiveCost and BilledCost) per
                               billing period and currency
fct_showback_monthly           ``gx_showback_equals_allocation`` per billing period and currency
fct_chargeback_journal         ``gx_journal_balances`` debits = credits per journal and per rule; a line is a debit or a
                               credit, never negative
fct_invoice_reconciliation     ``gx_reconciliation_buckets`` variance = sum of its buckets; a matched or within-
                               tolerance line's unexplained variance within tolerance; invoice dates in window
fct_shadow_ai_spend            ``gx_shadow_ai_amounts`` a reporting-currency amount unless the FX rate is missing;
                               spend dates in window
fct_budget_vs_actual           ``gx_budget_rules`` budget > 0, 0 < warn <= alert threshold, period well ordered and in
                               window, 0 <= days elapsed <= days in period
fct_ai_usage                   ``gx_tokens_have_cost`` token rows priced: API rows have a contracted cost, cloud rows
                               a billed cost
=============================  ====================================================================================

Blocking (ERROR, ``blocking=True``): every suite of the marts that feed finance (:data:`FINANCE_MARTS`: the FOCUS
record and export, allocation, showback, chargeback journal, reconciliation, shadow AI, budgets) but the
completeness one (a warning: a missing day can be genuine - an account closed, a quiet day - and needs a look,
not a halt). Suites on the other marts are ERROR and non-blocking.
"""

from __future__ import annotations

from .framework import (
    Columns,
    Frame,
    Suite,
    condition,
    currency_frame,
    date_window_expectations,
    duplicates_frame,
    expectations_module,
    not_null_expectations,
    placeholder_frame,
    qi,
    qr,
    schema_frame,
    sql_str,
    values_sql,
)
from .raw_suites import sign_rule_expectations
from .reference import MartContract, mart_contracts

#: Marts that finance reads (close pack, journal, reconciliation, budgets): their suites block downstream assets.
FINANCE_MARTS = frozenset(
    {
        "focus_cost_and_usage",
        "fct_charges",
        "fct_cost_allocated",
        "fct_chargeback_journal",
        "fct_invoice_reconciliation",
        "fct_shadow_ai_spend",
        "fct_showback_monthly",
        "fct_budget_vs_actual",
    }
)

FOCUS = "marts.focus_cost_and_usage"
CHARGES = "marts.fct_charges"
ALLOCATED = "marts.fct_cost_allocated"


def _blocking(relation: str) -> bool:
    return relation.split(".", 1)[1] in FINANCE_MARTS


def currency_columns(contract: MartContract) -> list[str]:
    """Columns holding a currency code: ``currency`` / ``*_currency`` / ``*Currency``, PricingCurrency excepted
    (FOCUS allows a virtual currency there)."""
    out = []
    for name, typ in contract.columns:
        low = name.lower()
        if typ == "VARCHAR" and low.endswith("currency") and low.replace("_", "") != "pricingcurrency":
            out.append(name)
    return out


def contract_suite(contract: MartContract) -> Suite:
    rel = contract.relation
    frames = [schema_frame(rel, contract.column_types, exact=True, what=f"the dbt contract ({contract.source})")]
    frames += [duplicates_frame(rel, key, "grain") for key in contract.unique_keys]
    if contract.not_null:
        cols = ", ".join(qi(c) for c in contract.not_null)
        frames.append(
            Frame("not_null", f"select {cols} from {qr(rel)}", lambda _, c=contract.not_null: not_null_expectations(c))
        )
    currencies = currency_columns(contract)
    if currencies:
        frames.append(currency_frame(rel, currencies))
    frames.append(placeholder_frame(rel, exclude=contract.enumerated))
    return Suite(
        "gx_contract",
        rel,
        "mart contract: columns and types as the dbt contract, unique grain, not-null columns, ISO 4217 "
        "currencies, no placeholder strings",
        tuple(frames),
        "a changed column or type means the model and its YAML contract diverged (dbt enforces the contract "
        "at build: look for a manual change to the table); a duplicate grain, NULL, unknown currency or "
        "placeholder comes from the model's inputs: trace the examples upstream (staging, raw) and fix the "
        "model or the source.",
        blocking=_blocking(rel),
    )


# --------------------------------------------------------------------------------------------------------------
# FOCUS record and export
# --------------------------------------------------------------------------------------------------------------


def _focus_custom_columns() -> Suite:
    from serving.focus_columns import FOCUS_COLUMNS

    focus = values_sql([(c,) for c in sorted(FOCUS_COLUMNS)], ["column_name"])
    sql = (
        f"select column_name, ordinal_position from information_schema.columns "
        f"where table_schema = 'marts' and table_name = 'focus_cost_and_usage' "
        f"and column_name not in (select column_name from {focus}) order by ordinal_position"
    )

    def expectations(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToMatchRegex(
                column="column_name",
                regex=r"^x_",
                description="every column that is not a FOCUS 1.2/1.3 column starts with x_ (custom column)",
            )
        ]

    return Suite(
        "gx_focus_custom_columns",
        FOCUS,
        "FOCUS column handling: custom columns are prefixed x_",
        (Frame("custom_columns", sql, expectations, index=("column_name", "ordinal_position")),),
        "rename the column in models/marts/finops/focus_cost_and_usage.sql and its YAML contract to "
        "x_<PascalCase> (FOCUS column_handling.md), or map it to the FOCUS column it stands for.",
        blocking=True,
    )


def _focus_sign_rules() -> Suite:
    sql = f'select "ChargeCategory", "ChargeClass", "BilledCost", "x_SourceFile", "x_SourceRow" from {qr(FOCUS)}'
    return Suite(
        "gx_focus_sign_rules",
        FOCUS,
        "FOCUS sign rules: Usage/Purchase/Tax BilledCost >= 0, Credit <= 0 (corrections excepted)",
        (
            Frame(
                "sign_per_charge_category",
                sql,
                lambda _: sign_rule_expectations("ChargeCategory", "ChargeClass", "BilledCost"),
                index=("x_SourceFile", "x_SourceRow"),
            ),
        ),
        "find the source rows in the examples: a refund or reversal must be a correction "
        "(ChargeClass = 'Correction') or a Credit/Adjustment, not a negative Usage; fix the staging model's "
        "ChargeCategory/ChargeClass mapping for that charge type.",
        blocking=True,
    )


# invoices the FOCUS rows must add up to: the raw SaaS invoice API (finalised invoices of vendors whose contract
# bills through it) and the AP invoices that became FOCUS rows (ai_vendor_contracts.billing_source = ap_invoice)
_INVOICES_SQL = f"""
with charges as (
    select "x_SourceSystem" as source, "InvoiceId" as invoice_id, "BillingAccountId" as billing_account_id,
           min("BillingCurrency") as billing_currency, count(distinct "BillingCurrency") as currencies,
           sum("BilledCost") as billed_cost, count(*) as charge_rows
    from {qr(FOCUS)} where "x_SourceSystem" in ('saas_invoices', 'finance_ap') group by all
),
saas as (
    select 'saas_invoices' as source, coalesce(number, id) as invoice_id,
           coalesce(customer, vendor) as billing_account_id,
           upper(currency) as currency, total
    from saas_invoices.invoices
    where coalesce(lower(status), 'open') not in ('draft', 'void', 'deleted')
      and vendor in (select vendor from reference.ai_vendor_contracts where billing_source = 'saas_api')
),
ap as (
    select 'finance_ap' as source, invoice_number as invoice_id,
           coalesce(max(nullif(trim(vendor_account_id), '')), supplier_id) as billing_account_id,
           max(upper(trim(currency))) as currency, sum(amount + coalesce(tax_amount, 0)) as total
    from finance.ap_invoice_lines group by supplier_id, invoice_number
),
invoices as (
    select * from saas
    union all
    select a.* from ap a where exists (select 1 from charges c where c.source = 'finance_ap'
        and c.invoice_id = a.invoice_id and c.billing_account_id = a.billing_account_id)
)
select coalesce(i.source, c.source) as source, coalesce(i.invoice_id, c.invoice_id) as invoice_id,
       coalesce(i.billing_account_id, c.billing_account_id) as billing_account_id,
       i.currency as invoice_currency, case when c.currencies > 1 then 'several' else c.billing_currency end
       as billing_currency, i.total as invoice_total, c.billed_cost, coalesce(c.charge_rows, 0) as charge_rows,
       coalesce(c.billed_cost, 0) - coalesce(i.total, 0) as billed_minus_invoice
from invoices i full outer join charges c
  on c.source = i.source and c.invoice_id = i.invoice_id and c.billing_account_id = i.billing_account_id
order by all
"""


def _focus_invoice_totals() -> Suite:
    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToBeBetween(
                column="billed_minus_invoice",
                min_value=0,
                max_value=0,
                description="BilledCost per InvoiceId equals the invoice total (to the last decimal)",
            ),
            e.ExpectColumnPairValuesToBeEqual(
                column_A="invoice_currency",
                column_B="billing_currency",
                ignore_row_if="neither",
                description="BillingCurrency per InvoiceId is the invoice's currency (and only one)",
            ),
        ]

    return Suite(
        "gx_focus_invoice_totals",
        FOCUS,
        "BilledCost per InvoiceId equals the invoice (SaaS API, AP)",
        (
            Frame(
                "invoices",
                _INVOICES_SQL,
                expectations,
                index=("source", "invoice_id", "billing_account_id", "invoice_total", "billed_cost"),
                requires=("saas_invoices.invoices", "finance.ap_invoice_lines", "reference.ai_vendor_contracts"),
            ),
        ),
        "compare the invoice in the example with its FOCUS rows (int_saas_charges): a line not mapped, a "
        "credit or tax left out, a rounding step, or an invoice both in the SaaS API and AP (double count); "
        "fix the model before finance closes the month.",
        blocking=True,
    )


def _focus_date_windows() -> Suite:
    sql = (
        'select distinct cast("BillingPeriodStart" as date) as billing_period_start_day, '
        '"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeClass", '
        f'"x_SourceSystem" from {qr(FOCUS)}'
    )

    def expectations(_: Columns):
        e = expectations_module()
        not_correction = condition("ChargeClass").is_null()
        return date_window_expectations(["billing_period_start_day"], "(BillingPeriodStart)") + [
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="BillingPeriodEnd",
                column_B="BillingPeriodStart",
                or_equal=False,
                description="BillingPeriodEnd > BillingPeriodStart",
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="ChargePeriodEnd",
                column_B="ChargePeriodStart",
                or_equal=True,
                description="ChargePeriodEnd >= ChargePeriodStart",
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="BillingPeriodEnd",
                column_B="ChargePeriodStart",
                or_equal=False,
                row_condition=not_correction,
                description="the charge period starts before its billing period ends (corrections excepted)",
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="ChargePeriodEnd",
                column_B="BillingPeriodStart",
                or_equal=False,
                row_condition=not_correction,
                description="the charge period ends after its billing period starts (corrections excepted)",
            ),
        ]

    return Suite(
        "gx_focus_date_windows",
        FOCUS,
        "FOCUS dates: billing periods in 2000-01-01 .. today + 45 days, periods well ordered, charge "
        "periods overlap their billing period (corrections excepted)",
        (Frame("periods", sql, expectations, index=("x_SourceSystem", "BillingPeriodStart", "ChargePeriodStart")),),
        "a date was parsed in the wrong unit or time zone, or a row was filed under the wrong billing "
        "period: trace the source rows of that period and fix the staging model's date handling.",
        blocking=True,
    )


def _record_completeness() -> Suite:
    """Completeness of the record per source and billing account, on the daily-grain charges (a charge period of at
    most a day): within each billing period an account's days run without a gap from its first to its last daily
    charge of that period, and an account appears in every billing period of its source between its first and its
    last. A month's trailing days are not required: an open month's export stops at its last delivered hour (and the
    demo's small exports deliver the last day of a month partially), and an account may close."""
    daily = (
        f"select x_source_system, billing_account_id, x_billing_period, cast(charge_period_start as date) as day,"
        f" count(*) as n from {qr(CHARGES)} where charge_period_end <= charge_period_start + interval 1 day "
        f"group by all"
    )
    days_sql = f"""
with present as ({daily}),
bounds as (select x_source_system, billing_account_id, x_billing_period, min(day) as first_day, max(day) as last_day
           from present group by all),
expected as (
    select x_source_system, billing_account_id, x_billing_period,
           cast(unnest(generate_series(cast(first_day as timestamp), cast(last_day as timestamp), interval 1 day))
                as date) as day
    from bounds
)
select e.*, coalesce(p.n, 0) as charge_rows
from expected e left join present p
  on p.x_source_system = e.x_source_system and p.billing_account_id = e.billing_account_id
 and p.x_billing_period = e.x_billing_period and p.day = e.day
order by all
"""
    periods_sql = f"""
with present as (select x_source_system, billing_account_id, x_billing_period, sum(n) as n from ({daily}) group by all),
periods as (select distinct x_source_system, x_billing_period from present),
spans as (select x_source_system, billing_account_id, min(x_billing_period) as first_period,
                 max(x_billing_period) as last_period from present group by all),
expected as (
    select s.x_source_system, s.billing_account_id, p.x_billing_period from spans s
    join periods p on p.x_source_system = s.x_source_system
     and p.x_billing_period between s.first_period and s.last_period
)
select e.*, coalesce(p.n, 0) as charge_rows
from expected e left join present p
  on p.x_source_system = e.x_source_system and p.billing_account_id = e.billing_account_id
 and p.x_billing_period = e.x_billing_period
order by all
"""

    def days(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToBeBetween(
                column="charge_rows",
                min_value=1,
                description="no day missing between a billing account's first and last daily charge of a period",
            )
        ]

    def periods(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToBeBetween(
                column="charge_rows",
                min_value=1,
                description="a billing account has charges in every period its source delivered, first to last",
            )
        ]

    return Suite(
        "gx_record_completeness",
        CHARGES,
        "every expected day and account present per source",
        (
            Frame(
                "days_present",
                days_sql,
                days,
                index=("x_source_system", "billing_account_id", "x_billing_period", "day"),
            ),
            Frame(
                "accounts_present",
                periods_sql,
                periods,
                index=("x_source_system", "billing_account_id", "x_billing_period"),
            ),
        ),
        "a billing account has no charges on a day (or in a period) its source delivered others: look for "
        "a missing or partial delivery of that period (finops quarantine, the landing zone) and "
        "re-deliver; an account that had nothing to bill needs no action.",
        severity="warn",
    )


# --------------------------------------------------------------------------------------------------------------
# Allocation, showback, journal
# --------------------------------------------------------------------------------------------------------------


def _equal_totals_suite(
    name: str, relation: str, rule: str, left_sql: str, right_sql: str, right: str, remedy: str
) -> Suite:
    sql = (
        f"with l as ({left_sql}), r as ({right_sql}) "
        "select coalesce(l.billing_period, r.billing_period) as billing_period, "
        "coalesce(l.currency, r.currency) as currency, l.effective_cost, r.effective_cost as expected_effective_cost, "
        "coalesce(l.effective_cost, 0) - coalesce(r.effective_cost, 0) as effective_difference, "
        "coalesce(l.billed_cost, 0) - coalesce(r.billed_cost, 0) as billed_difference "
        "from l full outer join r on l.billing_period = r.billing_period and l.currency = r.currency order by all"
    )

    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=0, description=f"{label} {rule}")
            for c, label in (("effective_difference", "EffectiveCost:"), ("billed_difference", "BilledCost:"))
        ]

    return Suite(
        name,
        relation,
        rule,
        (
            Frame(
                "per_period_and_currency",
                sql,
                expectations,
                index=("billing_period", "currency", "expected_effective_cost"),
                requires=(right,),
            ),
        ),
        remedy,
        blocking=True,
    )


def _allocation_conserves_record() -> Suite:
    return _equal_totals_suite(
        "gx_allocation_conserves_record",
        ALLOCATED,
        "allocated cost equals the FOCUS record per period and currency",
        f"select billing_period, billing_currency as currency, sum(allocated_effective_cost) as effective_cost, "
        f"sum(allocated_billed_cost) as billed_cost from {qr(ALLOCATED)} group by all",
        f"select x_billing_period as billing_period, billing_currency as currency, sum(effective_cost) as "
        f"effective_cost, sum(billed_cost) as billed_cost from {qr(CHARGES)} group by all",
        CHARGES,
        "allocation lost or double-counted cost: check the allocation rules (seeds/allocation/allocation_rule*.csv) "
        "for ratios that do not sum to 1 and for lines that match no rule without an unallocated row "
        "(assert_allocation_conserves_"
        "cost names the origin lines).",
    )


def _showback_equals_allocation() -> Suite:
    return _equal_totals_suite(
        "gx_showback_equals_allocation",
        "marts.fct_showback_monthly",
        "showback equals the allocated cost per period and currency",
        "select billing_period, billing_currency as currency, sum(allocated_effective_cost) as effective_cost, "
        "sum(allocated_billed_cost) as billed_cost from marts.fct_showback_monthly group by all",
        f"select billing_period, billing_currency as currency, sum(allocated_effective_cost) as effective_cost, "
        f"sum(allocated_billed_cost) as billed_cost from {qr(ALLOCATED)} group by all",
        ALLOCATED,
        "the showback dropped or duplicated allocated lines: look for a NULL in its grouping columns or a join "
        "that fans out in models/marts/allocation/fct_showback_monthly.sql.",
    )


def _journal_balances() -> Suite:
    rel = "marts.fct_chargeback_journal"
    lines_sql = f"select journal_id, line_number, debit, credit, least(debit, credit) as smaller_side from {qr(rel)}"
    totals_sql = (
        f"select journal_id, allocation_rule_id, sum(debit) - sum(credit) as debits_minus_credits, "
        f"sum(debit) as debits from {qr(rel)} group by rollup (journal_id, allocation_rule_id) "
        f"having journal_id is not null order by all"
    )

    def line_expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToBeBetween(column="debit", min_value=0, description="debits are >= 0"),
            e.ExpectColumnValuesToBeBetween(column="credit", min_value=0, description="credits are >= 0"),
            e.ExpectColumnValuesToBeBetween(
                column="smaller_side", min_value=0, max_value=0, description="a line is a debit or a credit, not both"
            ),
        ]

    def total_expectations(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToBeBetween(
                column="debits_minus_credits",
                min_value=0,
                max_value=0,
                description="debits = credits per journal and per allocation rule",
            )
        ]

    return Suite(
        "gx_journal_balances",
        rel,
        "the chargeback journal balances (debits = credits)",
        (
            Frame("lines", lines_sql, line_expectations, index=("journal_id", "line_number")),
            Frame("balances", totals_sql, total_expectations, index=("journal_id", "allocation_rule_id", "debits")),
        ),
        "do not export or post the journal: the rounding to the cent or a clearing line is off in "
        "models/marts/finance/fct_chargeback_journal.sql (finops export-journal refuses it too).",
        blocking=True,
    )


# --------------------------------------------------------------------------------------------------------------
# Reconciliation, shadow AI, budgets, AI usage
# --------------------------------------------------------------------------------------------------------------


def _reconciliation_buckets() -> Suite:
    rel = "marts.fct_invoice_reconciliation"
    sql = (
        f"select reconciliation_id, vendor, status, invoice_date, "
        f"variance - (coalesce(tax_variance, 0) + coalesce(credit_variance, 0) + coalesce(timing_variance, 0) "
        f"+ coalesce(fx_variance, 0) + coalesce(rounding_variance, 0) + coalesce(unexplained_variance, 0)) "
        f"as variance_minus_buckets, abs(unexplained_variance) - tolerance_amount as unexplained_over_tolerance "
        f"from {qr(rel)}"
    )

    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToBeBetween(
                column="variance_minus_buckets",
                min_value=0,
                max_value=0,
                description="the variance is the sum of its buckets",
            ),
            e.ExpectColumnValuesToBeBetween(
                column="unexplained_over_tolerance",
                max_value=0,
                row_condition=condition("status").is_in(["matched", "within_tolerance"]),
                description="a matched or within-tolerance line's unexplained variance is within tolerance",
            ),
            *date_window_expectations(["invoice_date"]),
        ]

    return Suite(
        "gx_reconciliation_buckets",
        rel,
        "invoice reconciliation variances add up and statuses hold",
        (Frame("lines", sql, expectations, index=("reconciliation_id", "vendor", "status")),),
        "the reconciliation's buckets or status are inconsistent: rebuild fct_invoice_reconciliation and "
        "check the invoice in the example (AP lines, ledger postings, billing rows) before the close.",
        blocking=True,
    )


def _shadow_ai_amounts() -> Suite:
    rel = "marts.fct_shadow_ai_spend"
    sql = f"select spend_line_id, spend_date, amount, amount_reporting, fx_rate_missing from {qr(rel)}"

    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToNotBeNull(
                column="amount_reporting",
                row_condition=condition("fx_rate_missing") == False,  # noqa: E712 - GX Column overloads ==, `not` would not
                description="a reporting-currency amount unless the FX rate is missing",
            ),
            *date_window_expectations(["spend_date"]),
        ]

    return Suite(
        "gx_shadow_ai_amounts",
        rel,
        "shadow AI spend converts to the reporting currency, dates in window",
        (Frame("lines", sql, expectations, index=("spend_line_id",)),),
        "an FX rate exists but the amount was not converted, or a spend date is implausible: check "
        "int_fx_rates_daily for that day and currency and the card / AP source row.",
        blocking=True,
    )


def _budget_rules() -> Suite:
    rel = "marts.fct_budget_vs_actual"
    sql = (
        f"select budget_id, budget_amount, warn_threshold_pct, alert_threshold_pct, period_start, period_end, "
        f"days_elapsed, days_in_period from {qr(rel)}"
    )

    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToBeBetween(
                column="budget_amount", min_value=0, strict_min=True, description="a budget is > 0"
            ),
            e.ExpectColumnValuesToBeBetween(
                column="warn_threshold_pct", min_value=0, strict_min=True, description="the warn threshold is > 0"
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="alert_threshold_pct",
                column_B="warn_threshold_pct",
                or_equal=True,
                description="alert threshold >= warn threshold",
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="period_end", column_B="period_start", or_equal=True, description="period_end >= period_start"
            ),
            e.ExpectColumnValuesToBeBetween(column="days_elapsed", min_value=0, description="days elapsed >= 0"),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="days_in_period",
                column_B="days_elapsed",
                or_equal=True,
                description="days elapsed <= days in the period",
            ),
            *date_window_expectations(["period_start"]),
        ]

    return Suite(
        "gx_budget_rules",
        rel,
        "budgets are well formed (amount, thresholds, period)",
        (Frame("budgets", sql, expectations, index=("budget_id",)),),
        "fix the budget in the budgets seed (dbt_project/seeds): amount > 0, 0 < warn <= alert, a real "
        "month; then rebuild.",
        blocking=True,
    )


def _ai_tokens_have_cost() -> Suite:
    rel = "marts.fct_ai_usage"
    sql = (
        f"select usage_date, vendor, usage_source, organization, model_name, token_type, tokens, "
        f"contracted_cost, billed_cost from {qr(rel)} where tokens > 0"
    )

    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToNotBeNull(
                column="contracted_cost",
                row_condition=condition("usage_source") == "api",
                description="API tokens have a cost (contracted price from the price book)",
            ),
            e.ExpectColumnValuesToNotBeNull(
                column="billed_cost",
                row_condition=condition("usage_source") == "cloud_billing",
                description="cloud-hosted model tokens have a billed cost",
            ),
        ]

    return Suite(
        "gx_tokens_have_cost",
        rel,
        "no tokens without cost",
        (
            Frame(
                "token_rows",
                sql,
                expectations,
                index=("usage_date", "vendor", "organization", "model_name", "token_type"),
            ),
        ),
        "add the model's price to the price book (reference.model_prices_* seeds) or its alias "
        "(ai_cloud_model_aliases), then rebuild; unpriced tokens are spend nobody sees.",
    )


def mart_suites() -> list[Suite]:
    """A contract suite per mart with an enforced contract, then the rule suites (built on demand)."""
    suites = [contract_suite(c) for c in mart_contracts().values()]
    suites += [
        _focus_custom_columns(),
        _focus_sign_rules(),
        _focus_invoice_totals(),
        _focus_date_windows(),
        _record_completeness(),
        _allocation_conserves_record(),
        _showback_equals_allocation(),
        _journal_balances(),
        _reconciliation_buckets(),
        _shadow_ai_amounts(),
        _budget_rules(),
        _ai_tokens_have_cost(),
    ]
    return suites


__all__ = ["FINANCE_MARTS", "contract_suite", "currency_columns", "mart_suites", "sql_str"]
