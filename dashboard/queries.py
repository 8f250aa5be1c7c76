"""Every figure of the dashboard, one named function each: the one place where a figure's data comes from.

Each function takes a read-only DuckDB connection to the published copy and the sidebar's :class:`Filters`, and
returns a pandas DataFrame. It is registered in :data:`FIGURES` with the tables it reads; when one of them is
missing from the published copy it raises :class:`MissingData`, whose message says what loads it. Amounts are
rounded to the cent in SQL; every amount comes with its currency column. The pages never write SQL of their own.

The pages read the metric tables (schema ``metrics``, written after the marts by each run: serving/metrics.py,
docs/metrics.md) and the small marts, never the FOCUS record, except drill-downs. The spend headline, spend by month
and provider, the top movers and the sidebar's periods and providers read the MetricFlow metric table
``metrics.monthly_service_cost`` (the metrics effective_cost, ai_effective_cost, charge_lines, ... per billing month,
provider, service category and service, in the reporting currency: every billing currency converted at the charge
date's rate, as ``finops summary``); the forecast actuals and the burn projection ``metrics.daily_billing_cost``
(per charge day, billing month, provider and billing currency, as the forecasts); data health the tables
``metrics.source_freshness``, ``metrics.source_deliveries`` and ``metrics.focus_conformance``; the allocation figures
read the allocation marts in the billing currency (one row per currency). Drill-downs (``*_rows``) read the rows
behind a figure, down to the FOCUS record's ``x_SourceFile`` / ``x_SourceRow``, always filtered (a billing period at
least) and capped at :data:`DRILL_LIMIT` rows. The provider / vendor filter matches vendor columns by the one
vendor naming of :mod:`serving.vendor_names`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from serving.vendor_names import VendorNames

AI_CATEGORY = "AI and Machine Learning"
DRILL_LIMIT = 5000
SERVICE_COST = "metrics.monthly_service_cost"  # a MetricFlow metric table (serving/metrics.py)
BILLING_COST = "metrics.daily_billing_cost"  # ditto: per charge day, billing month, provider and billing currency
FRESHNESS = "metrics.source_freshness"  # SQL tables written beside the metric tables (serving.metrics.SQL_TABLES)
DELIVERIES = "metrics.source_deliveries"
CONFORMANCE = "metrics.focus_conformance"
PERIOD = "strftime(month, '%Y-%m')"  # its billing month as the FOCUS record's x_BillingPeriod ('YYYY-MM')

# what loads each table, for the empty states ("what is missing and how to load it")
HOW_TO_LOAD: dict[str, str] = {
    SERVICE_COST: "Load a billing export (`finops load FILE`), then `finops run`: it writes the metric tables.",
    BILLING_COST: "Load a billing export (`finops load FILE`), then `finops run`: it writes the metric tables.",
    FRESHNESS: "Run `finops run`: it writes the data-health tables (schema metrics) after the marts.",
    DELIVERIES: "Run `finops run`: it writes the data-health tables (schema metrics) after the marts.",
    CONFORMANCE: "Run `finops run`: it writes the data-health tables (schema metrics) after the marts.",
    "marts.fct_charges": "Load a billing export with `finops load FILE` (or `finops run`), then `finops publish`.",
    "marts.focus_cost_and_usage": "Load a billing export with `finops load FILE`, then `finops publish`.",
    "marts.fct_ai_model_costs_daily": (
        "Load AI usage: the OpenAI / Anthropic usage APIs (docs: Sources > OpenAI usage, Anthropic usage) or a cloud "
        "bill with Bedrock, Azure OpenAI or Vertex AI lines, then `finops run`."
    ),
    "marts.fct_ai_usage": "Load the OpenAI / Anthropic usage APIs or a cloud bill with AI lines, then `finops run`.",
    "marts.fct_unit_costs": "Load business KPIs (docs: Sources > Business KPIs) and run `finops run`.",
    "marts.fct_showback_monthly": "Run `finops run`: allocation rules (seeds/allocation) split the FOCUS record.",
    "marts.fct_cost_allocated": "Run `finops run`: allocation rules (seeds/allocation) split the FOCUS record.",
    "marts.fct_allocation_accuracy": "Run `finops run` to build the allocation marts.",
    "marts.fct_tag_coverage": "Run `finops run` to build the tag coverage mart.",
    "marts.fct_chargeback_journal": "Run `finops run` (the chargeback journal follows the allocation).",
    "marts.fct_budget_vs_actual": "Add budgets to seeds/reference/budgets.csv, then `finops run`.",
    "marts.fct_spend_forecast": "Run `finops run`: forecasts need at least a few weeks of daily spend.",
    "marts.fct_forecast_backtest": "Run `finops run`: the backtest needs a holdout of daily spend.",
    "marts.fct_anomaly_lifecycle": "Run `finops run`: anomalies are detected on daily spend.",
    "marts.fct_cost_anomalies": "Run `finops run`: anomalies are detected on daily spend.",
    "marts.fct_remediation_cycle_time": "Run `finops run`; acknowledge and resolve anomalies in the annotations seed.",
    "marts.fct_waste_candidates": "Run `finops run`: idle rules in seeds/reference/waste_idle_rules.csv.",
    "marts.fct_cost_avoidance": "Record actions in seeds/reference/waste_actions.csv, then `finops run`.",
    "marts.fct_shadow_ai_spend": "Load finance data (AP invoices, card transactions; docs: Sources > Finance).",
    "marts.dim_ai_workloads": "Run `finops run` (the AI inventory is built from the FOCUS record and AI usage).",
    "marts.fct_commitment_utilization": "Add contracts to seeds/reference/ai_vendor_contracts.csv, then `finops run`.",
    "reference.ai_vendor_contracts": "Add contracts to seeds/reference/ai_vendor_contracts.csv, then `finops run`.",
    "marts.fct_invoice_reconciliation": "Load finance data (AP invoices and the ledger; docs: Sources > Finance).",
    "marts.fct_quarantined_records": "Run `finops run` (the quarantine mart lists rejected input rows).",
    "main.publication": "Run `finops publish` (or `finops run`, which publishes after the marts).",
}


class MissingData(LookupError):
    """A table a figure reads is not in the published copy."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        hints = dict.fromkeys(HOW_TO_LOAD.get(t, "Run `finops run`, then `finops publish`.") for t in tables)
        super().__init__(f"Not in the published copy yet: {', '.join(tables)}. " + " ".join(hints))


@dataclass(frozen=True)
class Filters:
    """The sidebar: a billing period (``YYYY-MM``), a business unit and a provider / vendor (None: all)."""

    period: str | None = None
    business_unit: str | None = None
    provider: str | None = None


@dataclass(frozen=True)
class Figure:
    name: str
    tables: tuple[str, ...]
    fn: Callable[..., pd.DataFrame]
    doc: str


FIGURES: dict[str, Figure] = {}


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every ``schema.table`` of the published copy."""
    return {f"{s}.{t}" for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()}


def figure(*reads: str):
    """Register a figure function with the tables it reads; raise :class:`MissingData` when one is absent."""

    def wrap(fn: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        def run(con: duckdb.DuckDBPyConnection, f: Filters = Filters(), **kw: Any) -> pd.DataFrame:
            missing = sorted(set(reads) - tables(con))
            if missing:
                raise MissingData(missing)
            return fn(con, f, **kw)

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        run.__wrapped__ = fn  # type: ignore[attr-defined]
        FIGURES[fn.__name__] = Figure(fn.__name__, reads, run, (fn.__doc__ or "").strip())
        return run

    return wrap


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def vendor_values(con: duckdb.DuckDBPyConnection, relation: str, column: str, provider: str) -> list[str]:
    """The distinct values of ``relation.column`` that are the vendor ``provider`` (:class:`VendorNames`)."""
    names = VendorNames.read(con)
    wanted = (names(provider) or "").casefold()
    found = con.execute(f"select distinct {column} from {relation} where {column} is not null order by 1").fetchall()
    return [v for (v,) in found if (names(v) or "").casefold() == wanted]


class _Where:
    """``where`` clauses and their parameters, built from the filters a figure honours."""

    def __init__(self) -> None:
        self.clauses: list[str] = ["true"]
        self.params: list[Any] = []

    def eq(self, column: str, value: Any) -> _Where:
        if value is not None:
            self.clauses.append(f"{column} = ?")
            self.params.append(value)
        return self

    def le(self, column: str, value: Any) -> _Where:
        if value is not None:
            self.clauses.append(f"{column} <= ?")
            self.params.append(value)
        return self

    def vendor(self, con: duckdb.DuckDBPyConnection, relation: str, column: str, provider: str | None) -> _Where:
        """A vendor column (``openai``, ``aws_bedrock``, ``Amazon Web Services``) against the sidebar's provider
        (a FOCUS ProviderName: ``OpenAI``, ``AWS``): the values of ``relation.column`` that name the same vendor as the
        provider, by the one vendor naming of :class:`serving.vendor_names.VendorNames` (the AI vendor catalogue's
        names and aliases; without a catalogue, the same name up to case)."""
        if provider is not None:
            values = vendor_values(con, relation, column, provider)
            self.clauses.append(f"{column} in ({', '.join('?' * len(values))})" if values else "false")
            self.params += values
        return self

    @property
    def sql(self) -> str:
        return " and ".join(self.clauses)


# ---------------------------------------------------------------------------------------------------------------------
# the sidebar's choices
# ---------------------------------------------------------------------------------------------------------------------
@figure(SERVICE_COST)
def periods(con, f):
    """The billing periods of the FOCUS record, newest first."""
    return _df(con, f"select distinct {PERIOD} as period from {SERVICE_COST} order by 1 desc")


@figure(SERVICE_COST)
def providers(con, f):
    """The providers of the FOCUS record."""
    return _df(con, f"select distinct provider_name as provider from {SERVICE_COST} order by 1")


@figure("marts.fct_showback_monthly")
def business_units(con, f):
    """The business units of the showback."""
    return _df(
        con,
        "select distinct business_unit from marts.fct_showback_monthly where business_unit is not null order by 1",
    )


# ---------------------------------------------------------------------------------------------------------------------
# executive summary
# ---------------------------------------------------------------------------------------------------------------------
@figure(SERVICE_COST)
def spend_headline(con, f):
    """Effective cost, AI and Machine Learning cost and AI share of the period, and the month-over-month change,
    in the reporting currency (metrics.monthly_service_cost: the metrics effective_cost, ai_effective_cost,
    charge_lines, charge_lines_without_fx_rate; the AI share a ratio of the sums)."""
    w = _Where().eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        with p as (
            select {PERIOD} as period, any_value(reporting_currency) as currency,
                   sum(effective_cost) as total, coalesce(sum(ai_effective_cost), 0) as ai,
                   sum(charge_lines_without_fx_rate) as rows_without_fx, sum(charge_lines) as rows
            from {SERVICE_COST} where {w.sql} group by 1
        )
        select cur.period, cur.currency, round(cur.total, 2) as effective_cost, round(cur.ai, 2) as ai_cost,
               round(cur.ai / nullif(cur.total, 0), 6) as ai_share,
               prev.period as previous_period, round(prev.total, 2) as previous_effective_cost,
               round(cur.total - prev.total, 2) as change, round((cur.total - prev.total) / nullif(prev.total, 0), 6)
                   as change_ratio, cur.rows_without_fx, cur.rows
        from p as cur left join p as prev on prev.period = (select max(period) from p where period < cur.period)
        where cur.period = coalesce(?, (select max(period) from p))
        """,
        [*w.params, f.period],
    )


@figure(SERVICE_COST)
def spend_by_month(con, f):
    """Effective cost per billing period, AI and Machine Learning vs the rest, in the reporting currency
    (metrics.monthly_service_cost)."""
    w = _Where().eq("provider_name", f.provider).le(PERIOD, f.period)
    return _df(
        con,
        f"""
        select {PERIOD} as period,
               case when service_category = '{AI_CATEGORY}' then 'AI and ML' else 'Other' end as category,
               any_value(reporting_currency) as currency, round(sum(effective_cost), 2) as effective_cost
        from {SERVICE_COST} where {w.sql} group by 1, 2 order by 1, 2
        """,
        w.params,
    )


@figure(SERVICE_COST)
def top_movers(con, f):
    """The ten services whose effective cost changed most against the previous period (reporting currency;
    metrics.monthly_service_cost)."""
    w = _Where().eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        with s as (
            select {PERIOD} as period, provider_name, service_name, any_value(reporting_currency) as currency,
                   sum(effective_cost) as cost
            from {SERVICE_COST} where {w.sql} group by all
        ), cur as (select coalesce(?, (select max(period) from s)) as period)
        select coalesce(a.provider_name, b.provider_name) as provider_name,
               coalesce(a.service_name, b.service_name) as service_name, coalesce(a.currency, b.currency) as currency,
               round(coalesce(a.cost, 0), 2) as effective_cost, round(coalesce(b.cost, 0), 2) as previous_cost,
               round(coalesce(a.cost, 0) - coalesce(b.cost, 0), 2) as change
        from (select * from s where period = (select period from cur)) as a
        full join (select * from s where period = (select max(period) from s where period < (select period from cur)))
            as b using (provider_name, service_name)
        order by abs(change) desc limit 10
        """,
        [*w.params, f.period],
    )


@figure(SERVICE_COST)
def spend_by_provider(con, f):
    """Effective cost of the period per provider and service category (reporting currency;
    metrics.monthly_service_cost)."""
    latest = con.execute(f"select max({PERIOD}) from {SERVICE_COST}").fetchone()[0]
    w = _Where().eq("provider_name", f.provider).eq(PERIOD, f.period or latest)
    return _df(
        con,
        f"""
        select provider_name, service_category, any_value(reporting_currency) as currency,
               round(sum(effective_cost), 2) as effective_cost, sum(charge_lines) as rows
        from {SERVICE_COST} where {w.sql} group by all order by effective_cost desc
        """,
        w.params,
    )


def _latest(con) -> str | None:
    """The latest billing period (``YYYY-MM``) of the metric tables."""
    return con.execute(f"select max({PERIOD}) from {BILLING_COST}").fetchone()[0]


@figure("marts.focus_cost_and_usage", BILLING_COST)
def focus_rows(
    con,
    f,
    provider: str | None = None,
    service: str | None = None,
    category: str | None = None,
    model: str | None = None,
):
    """The FOCUS rows behind a spend figure, with their source file and row (x_SourceFile, x_SourceRow)."""
    w = (
        _Where()
        .eq('"x_BillingPeriod"', f.period or _latest(con))
        .eq('"ProviderName"', provider or f.provider)
        .eq('"ServiceName"', service)
        .eq('"x_ModelName"', model)
    )
    if category == "AI and ML":
        w.eq('"ServiceCategory"', AI_CATEGORY)
    elif category == "Other":
        w.clauses.append(f"\"ServiceCategory\" is distinct from '{AI_CATEGORY}'")
    return _df(
        con,
        f"""
        select "x_SourceFile", "x_SourceRow", "x_SourceSystem", "x_BillingPeriod", "ProviderName", "ServiceCategory",
               "ServiceName", "ChargeCategory", "ChargePeriodStart", "SubAccountName", "ResourceId", "x_ModelName",
               "BilledCost", "EffectiveCost", "BillingCurrency", "x_ReportingEffectiveCost", "x_ReportingCurrency",
               "x_FxRate", "Tags"
        from marts.focus_cost_and_usage where {w.sql}
        order by "x_ReportingEffectiveCost" desc nulls last limit {DRILL_LIMIT}
        """,
        w.params,
    )


# ---------------------------------------------------------------------------------------------------------------------
# AI models and unit economics
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_ai_model_costs_daily")
def ai_model_costs(con, f):
    """Token-priced AI spend of the period per vendor and model: tokens, requests, billed and expected cost, cost per
    1M tokens (marts.fct_ai_model_costs_daily; the vendor's currency)."""
    w = (
        _Where()
        .eq("strftime(usage_date, '%Y-%m')", f.period)
        .vendor(con, "marts.fct_ai_model_costs_daily", "vendor", f.provider)
    )
    return _df(
        con,
        f"""
        select vendor, model_name, currency, sum(tokens)::bigint as tokens, sum(requests)::bigint as requests,
               round(sum(billed_cost), 2) as billed_cost, round(sum(expected_cost), 2) as expected_cost,
               round(sum(billed_token_cost) / nullif(sum(tokens), 0) * 1000000, 4) as cost_per_million_tokens,
               count(*) filter (where reconciliation_status in ('over_billed', 'under_billed', 'unpriced'))
                   as days_out_of_tolerance
        from marts.fct_ai_model_costs_daily where {w.sql} group by all order by billed_cost desc nulls last
        """,
        w.params,
    )


@figure("marts.fct_ai_model_costs_daily")
def ai_daily_cost(con, f):
    """AI spend per day and vendor up to the end of the period (marts.fct_ai_model_costs_daily)."""
    w = (
        _Where()
        .le("strftime(usage_date, '%Y-%m')", f.period)
        .vendor(con, "marts.fct_ai_model_costs_daily", "vendor", f.provider)
    )
    return _df(
        con,
        f"""
        select usage_date, vendor, currency, round(sum(billed_cost), 2) as billed_cost
        from marts.fct_ai_model_costs_daily where {w.sql} group by all order by 1, 2
        """,
        w.params,
    )


@figure("marts.fct_unit_costs")
def unit_costs(con, f):
    """Cost per request, per 1M input / output tokens, per business transaction and per active user, per product
    (marts.fct_unit_costs, scope product)."""
    w = _Where().eq("billing_period", f.period).eq("business_unit", f.business_unit)
    return _df(
        con,
        f"""
        select scope, billing_period, product, business_unit, model_name, currency, round(allocated_cost, 2)
                   as allocated_cost, requests, transactions, active_users,
               round(cost_per_request, 6) as cost_per_request,
               round(cost_per_million_input_tokens, 4) as cost_per_million_input_tokens,
               round(cost_per_million_output_tokens, 4) as cost_per_million_output_tokens,
               round(cost_per_transaction, 6) as cost_per_transaction,
               round(cost_per_active_user, 4) as cost_per_active_user
        from marts.fct_unit_costs where {w.sql} order by allocated_cost desc nulls last
        """,
        w.params,
    )


@figure("marts.fct_ai_usage")
def ai_usage_rows(con, f, vendor: str | None = None, model: str | None = None):
    """The usage lines behind an AI model figure (marts.fct_ai_usage), by API key and project."""
    w = (
        _Where()
        .eq("strftime(usage_month, '%Y-%m')", f.period)
        .vendor(con, "marts.fct_ai_usage", "vendor", f.provider)
        .eq("vendor", vendor)
        .eq("model_name", model)
    )
    return _df(
        con,
        f"""
        select usage_date, vendor, usage_source, organization, project_id, api_key_id, model_name, token_type,
               usage_unit, usage_quantity, requests, list_cost, contracted_cost, billed_cost, effective_cost,
               currency, price_status
        from marts.fct_ai_usage where {w.sql} order by billed_cost desc nulls last limit {DRILL_LIMIT}
        """,
        w.params,
    )


# ---------------------------------------------------------------------------------------------------------------------
# showback and chargeback
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_showback_monthly")
def showback_by_business_unit(con, f):
    """Allocated effective cost of the period per business unit, its previous period and change, in the billing
    currency (marts.fct_showback_monthly; one row per currency)."""
    w = _Where().eq("billing_period", f.period).eq("business_unit", f.business_unit).eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        select business_unit, billing_currency as currency, round(sum(allocated_effective_cost), 2) as effective_cost,
               round(sum(previous_effective_cost), 2) as previous_effective_cost,
               round(sum(change_effective_cost), 2) as change
        from marts.fct_showback_monthly where {w.sql} group by all order by effective_cost desc
        """,
        w.params,
    )


@figure("marts.fct_showback_monthly")
def showback_detail(con, f):
    """The showback of the period by business unit, cost centre, product, provider, service and model."""
    w = _Where().eq("billing_period", f.period).eq("business_unit", f.business_unit).eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        select billing_period, business_unit, cost_center, product, provider_name, service_name, model_name,
               billing_currency as currency, round(allocated_effective_cost, 2) as effective_cost,
               round(allocated_billed_cost, 2) as billed_cost, round(change_effective_cost, 2) as change
        from marts.fct_showback_monthly where {w.sql} order by effective_cost desc
        """,
        w.params,
    )


@figure("marts.fct_cost_allocated")
def cost_allocated_rows(con, f, business_unit: str | None = None):
    """The allocated lines behind the showback: FOCUS charge (origin_id), rule, method, ratio and amount."""
    w = (
        _Where()
        .eq("billing_period", f.period)
        .eq("business_unit", business_unit or f.business_unit)
        .eq("provider_name", f.provider)
    )
    return _df(
        con,
        f"""
        select billing_period, business_unit, cost_center, product, owner, provider_name, service_name, resource_id,
               model_name, allocation_rule_id, allocation_method, allocation_driver, is_allocated, unallocated_reason,
               allocation_ratio, billing_currency as currency, round(allocated_effective_cost, 2) as effective_cost,
               origin_id, x_source_system
        from marts.fct_cost_allocated where {w.sql} order by effective_cost desc limit {DRILL_LIMIT}
        """,
        w.params,
    )


@figure("marts.fct_allocation_accuracy")
def allocation_accuracy(con, f):
    """Allocation accuracy per period: the share of effective cost that lands on a business unit, and the main
    causes of the remainder (marts.fct_allocation_accuracy)."""
    w = _Where().le("billing_period", f.period)
    return _df(
        con,
        f"""
        select distinct billing_period, billing_currency as currency, round(period_total_cost, 2) as total_cost,
               round(period_unallocated_cost, 2) as unallocated_cost, period_accuracy_ratio as accuracy_ratio,
               main_unallocated_causes
        from marts.fct_allocation_accuracy where {w.sql} order by 1, 2
        """,
        w.params,
    )


@figure("marts.fct_tag_coverage")
def tag_coverage(con, f):
    """Required-tag coverage of the period per tag key: covered (tagged, mapped or virtual-tagged) share of taggable
    cost (marts.fct_tag_coverage; billing currency)."""
    w = _Where().eq("billing_period", f.period).eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        select tag_key, billing_currency as currency, round(sum(taggable_cost), 2) as taggable_cost,
               round(sum(covered_cost), 2) as covered_cost, round(sum(uncovered_cost), 2) as uncovered_cost,
               round(sum(covered_cost) / nullif(sum(taggable_cost), 0), 6) as covered_ratio,
               round(sum(tagged_cost) / nullif(sum(taggable_cost), 0), 6) as tagged_ratio
        from marts.fct_tag_coverage where {w.sql} group by all order by 1, 2
        """,
        w.params,
    )


@figure("marts.fct_chargeback_journal")
def chargeback_journal(con, f):
    """The chargeback journal of the period (debits and credits per cost centre; marts.fct_chargeback_journal)."""
    w = _Where().eq("billing_period", f.period)
    return _df(
        con,
        f"""
        select journal_id, billing_period, posting_date, line_number, account, cost_center, debit, credit, currency,
               allocation_rule_id, description, reference
        from marts.fct_chargeback_journal where {w.sql} order by journal_id, line_number
        """,
        w.params,
    )


# ---------------------------------------------------------------------------------------------------------------------
# budgets and forecast
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_budget_vs_actual")
def budget_status(con, f):
    """Budgets of the period: amount, actual to date, projected month end and status (marts.fct_budget_vs_actual)."""
    w = _Where().eq("period", f.period)
    if f.business_unit is not None:
        w.clauses.append("(scope_type <> 'business_unit' or scope_value = ?)")
        w.params.append(f.business_unit)
    return _df(
        con,
        f"""
        select budget_id, scope_type, scope_value, period, owner, currency, round(budget_amount, 2) as budget_amount,
               round(actual_to_date, 2) as actual_to_date, round(projected_month_end, 2) as projected_month_end,
               projection_method, consumed_pct, projected_pct, threshold_crossed, period_state, status
        from marts.fct_budget_vs_actual where {w.sql}
        order by status in ('breached', 'over_budget') desc, projected_pct desc nulls last
        """,
        w.params,
    )


@figure("marts.fct_spend_forecast")
def forecast_scopes(con, f):
    """The scopes with a forecast (total, provider, business unit, product, model, ...)."""
    return _df(con, "select distinct scope_type, scope_value from marts.fct_spend_forecast order by 1, 2")


@figure("marts.fct_spend_forecast")
def forecast_currencies(con, f, scope_type: str = "total", scope_value: str = "all"):
    """The currencies a scope is forecast in (one forecast per billing currency), the largest first."""
    return _df(
        con,
        "select currency from marts.fct_spend_forecast where scope_type = ? and scope_value = ? "
        "group by 1 order by sum(point_forecast) desc",
        [scope_type, scope_value],
    )


def _actual_daily(scope_type: str, scope_value: str, currency: str) -> tuple[str, list[Any]]:
    """Daily effective cost in the billing currency for the scopes the FOCUS record has (total, provider), from the
    metric table metrics.daily_billing_cost."""
    if scope_type not in ("total", "provider"):
        return "select null::date as day, null::decimal(38, 2) as cost where false", []
    cond, params = ("billing_currency = ?", [currency])
    if scope_type == "provider":
        cond, params = cond + " and provider_name = ?", [currency, scope_value]
    return (
        f"select day, sum(effective_cost_billing_currency) as cost from {BILLING_COST} where {cond} group by 1",
        params,
    )


@figure("marts.fct_spend_forecast", BILLING_COST)
def forecast_fan(con, f, scope_type: str = "total", scope_value: str = "all", currency: str = "USD"):
    """Daily spend (the 60 days before the forecast) and its forecast with 80 % and 95 % intervals, in one billing
    currency (marts.fct_spend_forecast; actuals of the total and provider scopes from metrics.daily_billing_cost)."""
    actual, params = _actual_daily(scope_type, scope_value, currency)
    return _df(
        con,
        f"""
        with fc as (
            select forecast_date as day, round(point_forecast, 2) as forecast, round(lower_80, 2) as lower_80,
                   round(upper_80, 2) as upper_80, round(lower_95, 2) as lower_95, round(upper_95, 2) as upper_95,
                   method
            from marts.fct_spend_forecast
            where scope_type = ? and scope_value = ? and currency = ?
              and forecast_as_of_date = (select max(forecast_as_of_date) from marts.fct_spend_forecast)
        ), act as ({actual})
        select coalesce(fc.day, act.day) as day, ? as currency, round(act.cost, 2) as actual, fc.forecast,
               fc.lower_80, fc.upper_80, fc.lower_95, fc.upper_95, fc.method
        from fc full join act on fc.day = act.day
        where coalesce(fc.day, act.day) >= (select min(day) from fc) - interval 60 day
        order by 1
        """,
        [scope_type, scope_value, currency, *params, currency],
    )


@figure("marts.fct_spend_forecast", BILLING_COST)
def burn_projection(con, f, currency: str = "USD"):
    """The period's cumulative effective cost to date and its projection to month end from the total forecast
    (point and 80 % interval), in one billing currency (metrics.daily_billing_cost, marts.fct_spend_forecast)."""
    period = f.period or _latest(con)
    return _df(
        con,
        f"""
        with act as (
            select day, sum(effective_cost_billing_currency) as cost
            from {BILLING_COST} where {PERIOD} = ? and billing_currency = ? group by 1
        ), fc as (
            select forecast_date as day, point_forecast, lower_80, upper_80
            from marts.fct_spend_forecast
            where scope_type = 'total' and currency = ? and strftime(forecast_date, '%Y-%m') = ?
              and forecast_as_of_date = (select max(forecast_as_of_date) from marts.fct_spend_forecast)
              and forecast_date > (select coalesce(max(day), date '1900-01-01') from act)
        ), base as (select coalesce(sum(cost), 0) as to_date from act)
        select day, 'actual' as series, ? as currency, round(sum(cost) over (order by day), 2) as cumulative,
               null::decimal(38, 2) as lower_80, null::decimal(38, 2) as upper_80
        from act
        union all
        select day, 'projected', ?, round((select to_date from base) + sum(point_forecast) over (order by day), 2),
               round((select to_date from base) + sum(lower_80) over (order by day), 2),
               round((select to_date from base) + sum(upper_80) over (order by day), 2)
        from fc
        order by 1
        """,
        [period, currency, currency, period, currency, currency],
    )


@figure("marts.fct_forecast_backtest")
def forecast_accuracy(con, f):
    """Forecast accuracy on the holdout per scope: WAPE and MAPE of the selected method vs the seasonal naive
    baseline, interval coverage (marts.fct_forecast_backtest)."""
    return _df(
        con,
        """
        select scope_type, scope_value, currency, selected_method, holdout_start_date, holdout_end_date,
               selected_wape, snaive_wape, selected_mape, beats_baseline, coverage_80, coverage_95
        from marts.fct_forecast_backtest order by scope_type = 'total' desc, scope_type, scope_value
        """,
    )


# ---------------------------------------------------------------------------------------------------------------------
# anomalies
# ---------------------------------------------------------------------------------------------------------------------
_ANOMALY_FILTERS = "coalesce(l.business_unit, a.business_unit)"


@figure("marts.fct_anomaly_lifecycle", "marts.fct_cost_anomalies")
def open_anomalies(con, f):
    """Anomalies not resolved as of the last run, with owner, age and the volume / price / mix / FX decomposition of
    their impact (marts.fct_anomaly_lifecycle joined to marts.fct_cost_anomalies). Not filtered by period: an
    anomaly stays open across periods."""
    w = _Where().eq(_ANOMALY_FILTERS, f.business_unit).eq("l.provider_name", f.provider)
    return _df(
        con,
        f"""
        select l.anomaly_id, l.scope_type, l.scope_value, l.provider_name, l.owner, {_ANOMALY_FILTERS} as business_unit,
               l.severity, l.status, l.detected_date, l.as_of_date - l.detected_date as age_days, l.currency,
               round(l.impact_amount, 2) as impact_amount, round(a.volume_effect, 2) as volume_effect,
               round(a.price_effect, 2) as price_effect, round(a.mix_effect, 2) as mix_effect,
               round(a.fx_effect, 2) as fx_effect, round(a.residual_effect, 2) as residual_effect, a.primary_driver,
               l.anomaly_type, l.acknowledged_by, l.note
        from marts.fct_anomaly_lifecycle as l left join marts.fct_cost_anomalies as a using (anomaly_id)
        where l.status <> 'resolved' and {w.sql}
        order by l.severity = 'error' desc, impact_amount desc
        """,
        w.params,
    )


@figure("marts.fct_anomaly_lifecycle", "marts.fct_cost_anomalies", "marts.fct_remediation_cycle_time")
def anomalies_of_period(con, f):
    """Every anomaly detected in the period, with owner, impact, status and time to acknowledge and resolve."""
    w = (
        _Where()
        .eq("strftime(l.detected_date, '%Y-%m')", f.period)
        .eq(_ANOMALY_FILTERS, f.business_unit)
        .eq("l.provider_name", f.provider)
    )
    return _df(
        con,
        f"""
        select l.anomaly_id, l.scope_type, l.scope_value, l.provider_name, l.owner, {_ANOMALY_FILTERS} as business_unit,
               l.severity, l.status, l.detected_date, l.currency, round(l.impact_amount, 2) as impact_amount,
               a.primary_driver, round(r.hours_to_acknowledge, 1) as hours_to_acknowledge,
               round(r.hours_to_resolve, 1) as hours_to_resolve, l.resolution, l.resolved_by, l.note
        from marts.fct_anomaly_lifecycle as l
        left join marts.fct_cost_anomalies as a using (anomaly_id)
        left join marts.fct_remediation_cycle_time as r using (anomaly_id)
        where {w.sql} order by impact_amount desc
        """,
        w.params,
    )


@figure("marts.fct_remediation_cycle_time")
def remediation_trend(con, f):
    """Mean hours to acknowledge and to resolve per detection month (marts.fct_remediation_cycle_time)."""
    return _df(
        con,
        """
        select distinct detection_month, month_anomalies, month_acknowledged, month_resolved,
               round(month_mean_hours_to_acknowledge, 1) as mean_hours_to_acknowledge,
               round(month_mean_hours_to_resolve, 1) as mean_hours_to_resolve
        from marts.fct_remediation_cycle_time order by 1
        """,
    )


# ---------------------------------------------------------------------------------------------------------------------
# waste and cost avoidance
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_waste_candidates")
def waste_candidates(con, f):
    """Waste found as of the last run: idle endpoints, abandoned pilots, repeated training runs, with owner, evidence
    and estimated monthly savings (marts.fct_waste_candidates)."""
    w = _Where().eq("business_unit", f.business_unit).eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        select waste_type, name, provider_name, service_name, resource_id, owner, business_unit, currency,
               round(cost_30d, 2) as cost_30d, round(estimated_monthly_savings, 2) as estimated_monthly_savings,
               usage_30d, usage_unit, first_flagged_date, is_actioned, evidence, candidate_id
        from marts.fct_waste_candidates where {w.sql} order by estimated_monthly_savings desc
        """,
        w.params,
    )


@figure("marts.fct_cost_avoidance")
def cost_avoidance(con, f):
    """Actions taken on waste: projected vs realised monthly savings (marts.fct_cost_avoidance)."""
    return _df(
        con,
        """
        select action_id, waste_type, scope_value, action, action_date, action_by, currency,
               round(projected_monthly_savings, 2) as projected_monthly_savings,
               round(realised_monthly_savings, 2) as realised_monthly_savings,
               round(realised_savings_to_date, 2) as realised_savings_to_date, status, note
        from marts.fct_cost_avoidance order by action_date
        """,
    )


# ---------------------------------------------------------------------------------------------------------------------
# shadow AI and the AI inventory
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_shadow_ai_spend")
def shadow_ai_by_vendor(con, f):
    """AI vendor spend no sanctioned contract covers, per vendor and month, in the reporting currency
    (marts.fct_shadow_ai_spend: AP invoices and card transactions)."""
    w = (
        _Where()
        .le("spend_month", f.period)
        .eq("business_unit", f.business_unit)
        .vendor(con, "marts.fct_shadow_ai_spend", "vendor", f.provider)
    )
    return _df(
        con,
        f"""
        select vendor, spend_month, reporting_currency as currency, round(sum(amount_reporting), 2) as amount,
               count(*) as lines, string_agg(distinct channel, ', ' order by channel) as channels,
               count(distinct coalesce(employee_id, payer_id)) as payers, min(vendor_first_seen) as first_seen,
               count(*) filter (where fx_rate_missing) as lines_without_fx
        from marts.fct_shadow_ai_spend where {w.sql} group by all order by amount desc
        """,
        w.params,
    )


@figure("marts.fct_shadow_ai_spend")
def shadow_ai_rows(con, f, vendor: str | None = None):
    """The AP and card lines behind the shadow-AI figure, with their source file and row."""
    w = _Where().le("spend_month", f.period).eq("business_unit", f.business_unit).eq("vendor", vendor)
    w.vendor(con, "marts.fct_shadow_ai_spend", "vendor", f.provider)
    return _df(
        con,
        f"""
        select spend_date, vendor, product, channel, payee, description, payer_name, employee_name, cost_center,
               business_unit, amount, currency, amount_reporting, reporting_currency, reason, source_file, source_row
        from marts.fct_shadow_ai_spend where {w.sql} order by spend_date limit {DRILL_LIMIT}
        """,
        w.params,
    )


@figure("marts.dim_ai_workloads")
def ai_inventory(con, f):
    """The AI inventory: every AI workload (model API project or key, cloud AI resource, AI SaaS), its owner, status
    and 30-day cost; sanctioned or not (marts.dim_ai_workloads)."""
    w = _Where().eq("business_unit", f.business_unit).vendor(con, "marts.dim_ai_workloads", "vendor", f.provider)
    return _df(
        con,
        f"""
        select workload_type, vendor, service, name, owner, business_unit, product, status, status_reason, sanctioned,
               currency, round(cost_30d, 2) as cost_30d, first_seen, last_seen, contract_id, workload_id
        from marts.dim_ai_workloads where {w.sql} order by cost_30d desc nulls last
        """,
        w.params,
    )


# ---------------------------------------------------------------------------------------------------------------------
# contracts and commitments
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_commitment_utilization")
def commitment_utilization(con, f):
    """Commitments and contracts of the period: minimum commit, spend to date, projected utilisation and shortfall,
    savings rates (marts.fct_commitment_utilization)."""
    w = _Where().eq("period", f.period).eq("business_unit", f.business_unit).eq("provider_name", f.provider)
    return _df(
        con,
        f"""
        select commitment_type, commitment_id, provider_name, commitment_name, owner, business_unit, period, currency,
               round(minimum_commit, 2) as minimum_commit, round(spend_to_date, 2) as spend_to_date,
               utilization_to_date, projected_utilization, round(projected_shortfall, 2) as projected_shortfall,
               round(projected_overage_cost, 2) as projected_overage_cost,
               round(unused_commitment_cost, 2) as unused_commitment_cost, effective_savings_rate, status
        from marts.fct_commitment_utilization where {w.sql} order by commitment_type, provider_name, commitment_id
        """,
        w.params,
    )


@figure("reference.ai_vendor_contracts")
def vendor_contracts(con, f):
    """The AI vendor contracts on file (reference.ai_vendor_contracts)."""
    return _df(con, "select * from reference.ai_vendor_contracts order by 1")


# ---------------------------------------------------------------------------------------------------------------------
# reconciliation and close
# ---------------------------------------------------------------------------------------------------------------------
@figure("marts.fct_invoice_reconciliation")
def reconciliation(con, f):
    """Three-way reconciliation (billing vs invoice vs ledger) of every period up to the selected one: variance split
    into tax, credit, timing, FX, rounding and unexplained (marts.fct_invoice_reconciliation)."""
    w = _Where().le("billing_period", f.period).vendor(con, "marts.fct_invoice_reconciliation", "vendor", f.provider)
    return _df(
        con,
        f"""
        select billing_period, vendor, invoice_number, status, currency, round(billed_amount, 2) as billed_amount,
               round(invoice_net_amount, 2) as invoice_net_amount, round(ledger_in_period_amount, 2)
                   as ledger_in_period_amount, round(variance, 2) as variance, round(tax_variance, 2) as tax_variance,
               round(credit_variance, 2) as credit_variance, round(timing_variance, 2) as timing_variance,
               round(fx_variance, 2) as fx_variance, round(rounding_variance, 2) as rounding_variance,
               round(unexplained_variance, 2) as unexplained_variance, reporting_currency,
               round(unexplained_variance_reporting, 2) as unexplained_variance_reporting, reconciliation_gaps,
               explanation
        from marts.fct_invoice_reconciliation where {w.sql}
        order by status = 'matched', abs(unexplained_variance) desc nulls last, billing_period, vendor
        """,
        w.params,
    )


@figure("marts.fct_invoice_reconciliation", "marts.fct_chargeback_journal")
def close_status(con, f):
    """Close status per billing period: invoices matched, within tolerance and unexplained, the unexplained variance
    in the reporting currency, and whether the chargeback journal balances."""
    return _df(
        con,
        """
        with r as (
            select billing_period, count(*) as invoices, count(*) filter (where status = 'matched') as matched,
                   count(*) filter (where status = 'within_tolerance') as within_tolerance,
                   count(*) filter (where status not in ('matched', 'within_tolerance')) as unexplained,
                   any_value(reporting_currency) as reporting_currency,
                   round(sum(abs(unexplained_variance_reporting)), 2) as unexplained_variance
            from marts.fct_invoice_reconciliation group by 1
        ), j as (
            select billing_period, count(*) as journal_lines, sum(debit) as debits, sum(credit) as credits
            from marts.fct_chargeback_journal group by 1
        )
        select coalesce(r.billing_period, j.billing_period) as billing_period, r.invoices, r.matched,
               r.within_tolerance, r.unexplained, r.reporting_currency, r.unexplained_variance, j.journal_lines,
               j.debits, j.credits, j.debits = j.credits as journal_balanced,
               case when coalesce(r.unexplained, 0) = 0 and coalesce(j.debits = j.credits, false) then 'ready to close'
                    else 'open items' end as close_status
        from r full join j on r.billing_period = j.billing_period order by 1
        """,
    )


# ---------------------------------------------------------------------------------------------------------------------
# data health
# ---------------------------------------------------------------------------------------------------------------------
@figure("main.publication")
def publication(con, f):
    """When the published copy was built, and what it holds (main.publication)."""
    return _df(
        con,
        "select published_at, table_schema, table_name, row_count as rows from main.publication "
        "order by table_schema, table_name",
    )


@figure(FRESHNESS)
def source_freshness(con, f):
    """Freshness per source: rows, billing periods, latest charge date and last load (metrics.source_freshness,
    written from the FOCUS record after each run)."""
    return _df(
        con,
        f"""
        select source, format, rows, first_period, last_period, latest_charge_date, last_loaded_at, deliveries
        from {FRESHNESS} order by last_loaded_at desc nulls last, source, format
        """,
    )


@figure(DELIVERIES)
def last_loads(con, f):
    """The latest deliveries loaded (one per export delivery), newest first (metrics.source_deliveries)."""
    return _df(
        con,
        f"""
        select delivery_id, source, period, loaded_at, rows, files
        from {DELIVERIES} order by loaded_at desc nulls last, delivery_id, source, period limit 25
        """,
    )


@figure("marts.fct_quarantined_records")
def quarantine(con, f):
    """Records rejected at load, per dataset, field and reason (marts.fct_quarantined_records)."""
    return _df(
        con,
        """
        select dataset, field, reason, count(*) as records, count(distinct source_file) as files,
               max(quarantined_at) as last_quarantined_at, any_value(hint) as hint
        from marts.fct_quarantined_records group by all order by records desc
        """,
    )


@figure("marts.fct_quarantined_records")
def quarantine_rows(con, f):
    """The quarantined records with their file, row, field and value."""
    return _df(
        con,
        f"""
        select dataset, source_file, row_number, field, reason, value, hint, quarantined_at
        from marts.fct_quarantined_records order by quarantined_at desc limit {DRILL_LIMIT}
        """,
    )


@figure(CONFORMANCE)
def conformance(con, f):
    """FOCUS spot checks on the published record: rows violating each rule, 0 is conformant
    (metrics.focus_conformance, written from the FOCUS record after each run)."""
    return _df(con, f"select rule, rows_checked, rows_violating, status from {CONFORMANCE} order by rule_order")
