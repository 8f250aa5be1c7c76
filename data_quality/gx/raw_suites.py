"""GX suites on every raw source table (the dlt-loaded schemas; ``*_staging``, ``_dlt_*``, the ``deliveries`` /
``quarantine`` bookkeeping tables and ``landing_zone.files`` have their own checks and are not sources).

Every raw table gets ``gx_contract`` (severity error): the columns the pipeline relies on exist with their types;
the natural key is unique; key, provenance and money columns are never NULL; business dates lie between
2000-01-01 and today + 45 days; currencies are active ISO 4217 codes; no placeholder strings. Natural keys are the
dlt resources' primary keys (``ingestion/*/settings.py``); billing-export tables have no provider row id that holds
in every format (Azure and GCP rows have none), so their key is the provenance of the row in the current delivery
(export, billing period, file, row number), and each (export, billing period) holds exactly one delivery (a
re-delivery replaces the earlier one).

Rule suites on top:

==================================  ==============================================================  ========
relation                            suite                                                            severity
==================================  ==============================================================  ========
aws_cur.line_items                  ``gx_aws_line_item_identity``: identity (line item id, time      warn
                                    interval) unique per export and period
focus_exports.focus_rows            ``gx_focus_sign_rules``: BilledCost sign per ChargeCategory      error
openai_usage.costs,                 ``gx_daily_completeness``: every day between an organisation's   warn
anthropic_usage.costs               first cost bucket and the dataset's last has cost buckets
openai_usage.costs,                 ``gx_tokens_have_cost``: every (organisation, day, project /     error
anthropic_usage.costs               workspace, model) with tokens has a cost line
business_kpis.daily_volumes         ``gx_daily_completeness`` per product, KPI and source system      warn
finance.gl_journal_lines            ``gx_journals_balance``: each journal sums to 0 per currency      error
saas_invoices.invoices              ``gx_invoice_lines_sum``: an invoice's lines sum to its          error
                                    subtotal, subtotal + tax = total
==================================  ==============================================================  ========

None of them blocks (raw data feeds dbt, whose own tests and the mart suites guard finance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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
)

TSTZ = "TIMESTAMP WITH TIME ZONE"
MONEY = "DECIMAL(38,10)"
V = "VARCHAR"

# the provenance every billing-export row carries (ingestion/_common/source.py)
PROVENANCE = {"x_billing_period": V, "x_export_id": V, "x_delivery_id": V, "x_source_file": V, "x_source_row": "BIGINT"}
PROVENANCE_KEY = ("x_export_id", "x_billing_period", "x_source_file", "x_source_row")

CONTRACT_REMEDY = (
    "look at the examples in the raw table; a missing column or changed type means the source's "
    "export format changed (update the loader in ingestion/); a duplicate key, placeholder, unknown "
    "currency or out-of-range date comes from the source: fix it there and re-deliver, or "
    "quarantine the delivery."
)


@dataclass(frozen=True)
class RawTable:
    """What ``gx_contract`` checks on one raw table. ``dates`` are read as DATE (UTC)."""

    relation: str
    columns: dict[str, str]  # required columns and their DuckDB types
    key: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    extra: Callable[[Columns], list] | None = None  # more row expectations on the rows frame
    extra_columns: tuple[str, ...] = ()  # columns the extra expectations read
    placeholder_exclude: tuple[str, ...] = ()
    empty_allowed: tuple[str, ...] = ()  # '' is the loader's documented "none" in these (NOT NULL key) columns
    key_what: str = "natural key"
    index: tuple[str, ...] = field(default=())


def _rows_frame(t: RawTable) -> Frame:
    cols = list(dict.fromkeys([*t.not_null, *t.extra_columns]))
    dates = [d for d in t.dates if d not in cols]

    def sql(columns: Columns) -> str:
        select = [qi(c) for c in cols]
        select += [f"cast({qi(d)} as date) as {qi(d)}" for d in dates]
        select += [f"cast({qi(d)} as date) as {qi(d + '__date')}" for d in t.dates if d in cols]
        select += [qi(i) for i in t.index if i not in cols and i not in dates]
        return f"select {', '.join(select)} from {qr(t.relation)}"

    def expectations(columns: Columns):
        out = not_null_expectations(t.not_null)
        out += date_window_expectations([d if d in dates else d + "__date" for d in t.dates])
        if t.extra:
            out += t.extra(columns)
        return out

    return Frame("rows", sql, expectations, index=t.index)


def contract_suite(t: RawTable) -> Suite:
    frames = [
        schema_frame(t.relation, t.columns, exact=False, what="the loader's declared columns"),
        duplicates_frame(t.relation, t.key, t.key_what),
        _rows_frame(t),
    ]
    if t.currencies:
        frames.append(currency_frame(t.relation, t.currencies))
    frames.append(placeholder_frame(t.relation, t.placeholder_exclude, t.empty_allowed))
    return Suite(
        "gx_contract",
        t.relation,
        "raw contract: columns and types, unique natural key, no NULL key or amount, dates in window, "
        "ISO 4217 currencies, no placeholder strings",
        tuple(frames),
        CONTRACT_REMEDY,
    )


def _one_delivery_frame(relation: str) -> Frame:
    sql = (
        f"select x_export_id, x_billing_period, count(distinct x_delivery_id) as deliveries "
        f"from {qr(relation)} group by all order by 1, 2"
    )

    def expectations(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToBeBetween(
                column="deliveries",
                min_value=1,
                max_value=1,
                description="one delivery per export and billing period (a re-delivery replaces the earlier one)",
            )
        ]

    return Frame("one_delivery_per_period", sql, expectations, index=("x_export_id", "x_billing_period"))


# --------------------------------------------------------------------------------------------------------------
# Billing exports
# --------------------------------------------------------------------------------------------------------------

AWS = RawTable(
    "aws_cur.line_items",
    {
        "identity_line_item_id": V,
        "identity_time_interval": V,
        "bill_payer_account_id": V,
        "line_item_usage_account_id": V,
        "line_item_line_item_type": V,
        "bill_billing_period_start_date": TSTZ,
        "bill_billing_period_end_date": TSTZ,
        "line_item_usage_start_date": TSTZ,
        "line_item_usage_end_date": TSTZ,
        "line_item_unblended_cost": MONEY,
        "line_item_currency_code": V,
        **PROVENANCE,
    },
    key=PROVENANCE_KEY,
    key_what="row provenance (export, period, file, row)",
    not_null=(
        *PROVENANCE,
        "bill_payer_account_id",
        "line_item_line_item_type",
        "bill_billing_period_start_date",
        "line_item_usage_start_date",
        "line_item_unblended_cost",
        "line_item_currency_code",
    ),
    dates=("bill_billing_period_start_date", "bill_billing_period_end_date", "line_item_usage_start_date"),
    currencies=("line_item_currency_code", "pricing_currency"),
    index=("x_source_file", "x_source_row"),
)

AZURE = RawTable(
    "azure_cost_details.cost_details",
    {
        "billing_account_id": V,
        "billing_period_start": TSTZ,
        "billing_period_end": TSTZ,
        "charge_date": TSTZ,
        "cost": MONEY,
        "billing_currency": V,
        "charge_type": V,
        **PROVENANCE,
    },
    key=PROVENANCE_KEY,
    key_what="row provenance (export, period, file, row)",
    not_null=(*PROVENANCE, "billing_account_id", "charge_date", "cost", "billing_currency"),
    dates=("billing_period_start", "billing_period_end", "charge_date"),
    currencies=("billing_currency", "pricing_currency"),
    index=("x_source_file", "x_source_row"),
)

GCP = RawTable(
    "gcp_billing.billing_export_rows",
    {
        "billing_account_id": V,
        "usage_start_time": TSTZ,
        "usage_end_time": TSTZ,
        "cost": MONEY,
        "currency": V,
        "invoice_month": V,
        **PROVENANCE,
    },
    key=PROVENANCE_KEY,
    key_what="row provenance (export, period, file, row)",
    not_null=(*PROVENANCE, "billing_account_id", "usage_start_time", "cost", "currency", "invoice_month"),
    dates=("usage_start_time", "usage_end_time"),
    currencies=("currency",),
    index=("x_source_file", "x_source_row"),
)


def _focus_extra(_: Columns) -> list:
    e = expectations_module()
    return [
        e.ExpectColumnValuesToNotBeNull(
            column=c, row_condition=condition(c + "__raw").is_not_null(), description=f"{c} is an ISO 8601 date/time"
        )
        for c in ("billing_period_start", "charge_period_start")
    ]


FOCUS_ROWS = RawTable(
    "focus_exports.focus_rows",
    {
        "billed_cost": MONEY,
        "billing_account_id": V,
        "billing_currency": V,
        "billing_period_start": V,
        "billing_period_end": V,
        "charge_period_start": V,
        "charge_period_end": V,
        "charge_category": V,
        "charge_class": V,
        "invoice_id": V,
        "source_focus_version": V,
        **PROVENANCE,
    },
    key=PROVENANCE_KEY,
    key_what="row provenance (export, period, file, row)",
    not_null=(*PROVENANCE, "billed_cost", "billing_currency", "billing_period_start", "charge_period_start"),
    currencies=("billing_currency",),
    index=("x_source_file", "x_source_row"),
)


def _focus_rows_frame() -> Frame:
    """FOCUS dates are text in the raw table: parsed (TRY_CAST) into DATE; an unparseable one is NULL and fails."""
    sql = (
        "select x_billing_period, x_export_id, x_delivery_id, x_source_file, x_source_row, billed_cost, "
        "billing_currency, billing_period_start as billing_period_start__raw, "
        "charge_period_start as charge_period_start__raw, "
        "cast(try_cast(billing_period_start as timestamptz) as date) as billing_period_start, "
        "cast(try_cast(billing_period_end as timestamptz) as date) as billing_period_end, "
        "cast(try_cast(charge_period_start as timestamptz) as date) as charge_period_start "
        "from focus_exports.focus_rows"
    )

    def expectations(columns: Columns):
        return (
            not_null_expectations([*PROVENANCE, "billed_cost", "billing_currency"])
            + _focus_extra(columns)
            + date_window_expectations(["billing_period_start", "billing_period_end", "charge_period_start"])
        )

    return Frame("rows", sql, expectations, index=("x_source_file", "x_source_row"))


def _focus_rows_contract() -> Suite:
    t = FOCUS_ROWS
    frames = (
        schema_frame(t.relation, t.columns, exact=False, what="the loader's declared columns"),
        duplicates_frame(t.relation, t.key, t.key_what),
        _focus_rows_frame(),
        currency_frame(t.relation, t.currencies),
        placeholder_frame(t.relation),
    )
    return Suite("gx_contract", t.relation, contract_suite(t).rule, frames, CONTRACT_REMEDY)


def sign_rule_expectations(category: str, cls: str, cost: str) -> list:
    """FOCUS sign rules on rows that are not corrections (ChargeClass NULL): Usage, Purchase and Tax BilledCost
    >= 0, Credit BilledCost <= 0. Adjustments and corrections (ChargeClass 'Correction', e.g. a refund of earlier
    usage) may carry either sign."""
    e = expectations_module()
    out = [
        e.ExpectColumnValuesToBeBetween(
            column=cost,
            min_value=0,
            row_condition=(condition(category) == cat) & condition(cls).is_null(),
            description=f"{cat} {cost} >= 0 unless a correction",
        )
        for cat in ("Usage", "Purchase", "Tax")
    ]
    out.append(
        e.ExpectColumnValuesToBeBetween(
            column=cost,
            max_value=0,
            row_condition=(condition(category) == "Credit") & condition(cls).is_null(),
            description=f"Credit {cost} <= 0 unless a correction",
        )
    )
    return out


def _focus_sign_suite() -> Suite:
    sql = (
        "select charge_category, charge_class, billed_cost, x_source_file, x_source_row "
        "from focus_exports.focus_rows where charge_category is not null"
    )
    frame = Frame(
        "sign_per_charge_category",
        sql,
        lambda _: sign_rule_expectations("charge_category", "charge_class", "billed_cost"),
        index=("x_source_file", "x_source_row"),
    )
    return Suite(
        "gx_focus_sign_rules",
        FOCUS_ROWS.relation,
        "FOCUS sign rules: Usage/Purchase/Tax BilledCost >= 0, Credit <= 0 (corrections excepted)",
        (frame,),
        "a provider's FOCUS export typed a charge with the wrong sign: check the source rows "
        "named in the examples with the provider and re-deliver the corrected export.",
    )


def _aws_identity_suite() -> Suite:
    key = ("x_export_id", "x_billing_period", "identity_line_item_id", "identity_time_interval")
    keys = ", ".join(key)
    sql = (
        f"select {keys} from aws_cur.line_items where identity_line_item_id is not null "
        f"qualify count(*) over (partition by {keys}) > 1"
    )

    def expectations(_: Columns):
        return [
            expectations_module().ExpectCompoundColumnsToBeUnique(
                column_list=list(key),
                ignore_row_if="never",
                description="AWS identity (line item id, time interval) unique per export and billing period",
            )
        ]

    return Suite(
        "gx_aws_line_item_identity",
        AWS.relation,
        "AWS line item identity unique within a delivery",
        (Frame("identity", sql, expectations),),
        "AWS repeated a line item id within one time interval: compare the rows in the CUR files; if "
        "they are distinct charges nothing is lost (the provenance key still holds), else report to AWS.",
        severity="warn",
    )


# --------------------------------------------------------------------------------------------------------------
# Vendor APIs
# --------------------------------------------------------------------------------------------------------------


def _openai_tables() -> list[RawTable]:
    from ingestion.openai_usage.settings import ENDPOINTS

    out = []
    for ep in ENDPOINTS.values():
        relation = f"openai_usage.{ep.table}"
        cols = {"organization": V, "bucket_start_time": TSTZ, "bucket_end_time": TSTZ, "bucket_width": V}
        not_null = ["organization", "bucket_start_time", "bucket_end_time", "bucket_width"]
        currencies: tuple[str, ...] = ()
        if ep.table == "costs":
            cols |= {"amount": MONEY, "currency": V, "line_item": V, "project_id": V}
            not_null += ["amount", "currency", "line_item"]
            currencies = ("currency",)
        elif ep.table == "completions_usage":
            cols |= {"input_tokens": "BIGINT", "output_tokens": "BIGINT", "model": V}
        # a dimension the API reports as none is '' (dlt makes key columns NOT NULL; staging turns it to NULL)
        out.append(
            RawTable(
                relation,
                cols,
                key=tuple(ep.primary_key),
                not_null=tuple(not_null),
                dates=("bucket_start_time",),
                currencies=currencies,
                key_what="natural key (dlt primary key)",
                empty_allowed=ep.group_by,
            )
        )
    return out


ANTHROPIC_TABLES = (
    RawTable(
        "anthropic_usage.messages_usage",
        {
            "row_key": V,
            "organization_name": V,
            "bucket_starting_at": TSTZ,
            "model": V,
            "uncached_input_tokens": "BIGINT",
            "output_tokens": "BIGINT",
        },
        key=("row_key",),
        not_null=("row_key", "organization_name", "bucket_starting_at"),
        dates=("bucket_starting_at",),
        key_what="natural key (dlt primary key)",
    ),
    RawTable(
        "anthropic_usage.costs",
        {"row_key": V, "organization_name": V, "bucket_starting_at": TSTZ, "amount": MONEY, "currency": V},
        key=("row_key",),
        not_null=("row_key", "organization_name", "bucket_starting_at", "amount", "currency"),
        dates=("bucket_starting_at",),
        currencies=("currency",),
        key_what="natural key (dlt primary key)",
    ),
    RawTable(
        "anthropic_usage.claude_code_usage",
        {"row_key": V, "organization_name": V, "date": TSTZ},
        key=("row_key",),
        not_null=("row_key", "organization_name", "date"),
        dates=("date",),
        key_what="natural key (dlt primary key)",
    ),
    RawTable(
        "anthropic_usage.claude_code_model_usage",
        {"row_key": V, "organization_name": V, "date": TSTZ, "model": V, "estimated_cost": MONEY, "currency": V},
        key=("row_key",),
        not_null=("row_key", "organization_name", "date"),
        dates=("date",),
        currencies=("currency",),
        key_what="natural key (dlt primary key)",
    ),
)


def completeness_frame(relation: str, group: Sequence[str], timestamp: str, what: str, where: str = "true") -> Frame:
    """Every day between a group's first day and the relation's last day (the watermark) has at least one row.
    Frame: one row per expected (group, day) with the number of rows present (0 = missing); examples name them."""
    g = ", ".join(qi(c) for c in group)
    bg = ", ".join(f"b.{qi(c)}" for c in group)
    on = " and ".join(f"p.{qi(c)} is not distinct from e.{qi(c)}" for c in group)
    sql = (
        f"with present as (select {g}, cast({qi(timestamp)} as date) as day, count(*) as n "
        f"from {qr(relation)} where {where} group by all), "
        f"bounds as (select {g}, min(day) as first_day from present group by all), "
        f"watermark as (select max(day) as last_day from present), "
        f"expected as (select {bg}, cast(unnest(generate_series(cast(b.first_day as timestamp), "
        f"cast(w.last_day as timestamp), interval 1 day)) as date) as day from bounds b cross join watermark w) "
        f"select e.*, coalesce(p.n, 0) as rows_present from expected e left join present p "
        f"on {on} and p.day = e.day order by all"
    )

    def expectations(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToBeBetween(
                column="rows_present",
                min_value=1,
                description=f"every day from each {what}'s first day to the last loaded day has rows",
            )
        ]

    return Frame("days_present", sql, expectations, index=(*group, "day"))


def _completeness_suite(relation: str, group: Sequence[str], timestamp: str, what: str) -> Suite:
    return Suite(
        "gx_daily_completeness",
        relation,
        f"every expected day present per {what}",
        (completeness_frame(relation, group, timestamp, what),),
        f"a day is missing for a {what}: check the source for that day (an outage, a late delivery, a "
        "revoked key) and re-load it (API sources re-fetch a look-back window: widen it); if the "
        f"{what} really had nothing that day, no action.",
        severity="warn",
    )


def _tokens_have_cost_suite(
    relation: str, usage_sql: str, cost_sql: str, group: Sequence[str], what: str, requires: Sequence[str]
) -> Suite:
    on = " and ".join(f"c.{qi(c)} is not distinct from u.{qi(c)}" for c in group)
    sql = (
        f"with u as ({usage_sql}), c as ({cost_sql}) "
        f"select u.*, c.cost_lines, c.cost from u left join c on {on} order by all"
    )

    def expectations(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToNotBeNull(
                column="cost_lines", description=f"tokens used per {what} have a cost line"
            )
        ]

    return Suite(
        "gx_tokens_have_cost",
        relation,
        f"no tokens without cost ({what})",
        (Frame("tokens_vs_cost", sql, expectations, index=(*group, "tokens"), requires=tuple(requires)),),
        "the vendor's cost report lacks lines for usage it reported: re-load the days named (the cost "
        "API may lag the usage API by a day); if it persists, the spend is under-reported: raise it with "
        "the vendor.",
    )


def _openai_tokens_suite() -> Suite:
    usage = " union all ".join(
        f"select organization, cast(bucket_start_time as date) as day, project_id, "
        f"sum(coalesce(input_tokens, 0)) as tokens from openai_usage.{t} group by all having sum(input_tokens) > 0"
        for t in ("completions_usage", "embeddings_usage")
    )
    usage = f"select organization, day, project_id, sum(tokens) as tokens from ({usage}) group by all"
    cost = (
        "select organization, cast(bucket_start_time as date) as day, project_id, count(*) as cost_lines, "
        "sum(amount) as cost from openai_usage.costs group by all"
    )
    return _tokens_have_cost_suite(
        "openai_usage.costs",
        usage,
        cost,
        ("organization", "day", "project_id"),
        "organisation, day and project",
        ("openai_usage.completions_usage", "openai_usage.embeddings_usage"),
    )


def _anthropic_tokens_suite() -> Suite:
    usage = (
        "select organization_name, cast(bucket_starting_at as date) as day, workspace_id, model, "
        "sum(coalesce(uncached_input_tokens, 0) + coalesce(cache_read_input_tokens, 0) "
        "+ coalesce(output_tokens, 0)) as tokens from anthropic_usage.messages_usage group by all "
        "having tokens > 0"
    )
    cost = (
        "select organization_name, cast(bucket_starting_at as date) as day, workspace_id, model, "
        "count(*) as cost_lines, sum(amount) as cost from anthropic_usage.costs group by all"
    )
    return _tokens_have_cost_suite(
        "anthropic_usage.costs",
        usage,
        cost,
        ("organization_name", "day", "workspace_id", "model"),
        "organisation, day, workspace and model",
        ("anthropic_usage.messages_usage",),
    )


# --------------------------------------------------------------------------------------------------------------
# Business KPIs, finance, SaaS invoices
# --------------------------------------------------------------------------------------------------------------

KPIS = RawTable(
    "business_kpis.daily_volumes",
    {"kpi_date": "DATE", "product": V, "kpi_name": V, "kpi_value": MONEY, "source_system": V},
    key=("kpi_date", "product", "kpi_name", "source_system"),
    not_null=("kpi_date", "product", "kpi_name", "kpi_value", "source_system"),
    dates=("kpi_date",),
    key_what="natural key (dlt primary key)",
)


def _positive_rate(_: Columns) -> list:
    return [
        expectations_module().ExpectColumnValuesToBeBetween(
            column="rate", min_value=0, strict_min=True, description="an FX rate is > 0"
        )
    ]


FINANCE_TABLES = (
    RawTable(
        "finance.ap_invoice_lines",
        {
            "supplier_id": V,
            "invoice_number": V,
            "line_number": "BIGINT",
            "invoice_date": "DATE",
            "amount": MONEY,
            "tax_amount": MONEY,
            "currency": V,
        },
        key=("supplier_id", "invoice_number", "line_number"),
        not_null=("supplier_id", "invoice_number", "line_number", "invoice_date", "amount", "currency"),
        dates=("invoice_date",),
        currencies=("currency",),
        key_what="natural key (dlt primary key)",
        index=("source_file", "source_row"),
    ),
    RawTable(
        "finance.card_transactions",
        {"channel": V, "transaction_id": V, "transaction_date": "DATE", "amount": MONEY, "currency": V},
        key=("channel", "transaction_id"),
        not_null=("channel", "transaction_id", "transaction_date", "amount", "currency"),
        dates=("transaction_date",),
        currencies=("currency",),
        key_what="natural key (dlt primary key)",
        index=("source_file", "source_row"),
    ),
    RawTable(
        "finance.fx_rates",
        {"rate_date": "DATE", "base_currency": V, "quote_currency": V, "rate": MONEY, "rate_source": V},
        key=("rate_date", "base_currency", "quote_currency", "rate_source"),
        not_null=("rate_date", "base_currency", "quote_currency", "rate", "rate_source"),
        dates=("rate_date",),
        currencies=("base_currency", "quote_currency"),
        extra=_positive_rate,
        key_what="natural key (dlt primary key)",
        index=("source_file", "source_row"),
    ),
    RawTable(
        "finance.gl_journal_lines",
        {"journal_id": V, "line_number": "BIGINT", "posting_date": "DATE", "amount": MONEY, "currency": V},
        key=("journal_id", "line_number"),
        not_null=("journal_id", "line_number", "posting_date", "amount", "currency"),
        dates=("posting_date",),
        currencies=("currency",),
        key_what="natural key (dlt primary key)",
        index=("journal_id", "line_number"),
    ),
)


def _journals_balance_suite() -> Suite:
    sql = (
        "select journal_id, currency, sum(amount) as balance, count(*) as lines "
        "from finance.gl_journal_lines group by all order by all"
    )

    def expectations(_: Columns):
        return [
            expectations_module().ExpectColumnValuesToBeBetween(
                column="balance",
                min_value=0,
                max_value=0,
                description="each ledger journal balances (its lines sum to 0 per currency)",
            )
        ]

    return Suite(
        "gx_journals_balance",
        "finance.gl_journal_lines",
        "double entry: every journal sums to zero",
        (Frame("journal_balances", sql, expectations, index=("journal_id", "currency", "lines")),),
        "the general ledger export holds an unbalanced journal: check it in the ledger (a partial "
        "extract, a line filtered out) and re-load.",
    )


SAAS_TABLES = (
    RawTable(
        "saas_invoices.invoices",
        {
            "id": V,
            "number": V,
            "vendor": V,
            "customer": V,
            "currency": V,
            "created_at": TSTZ,
            "period_start": TSTZ,
            "status": V,
            "subtotal": MONEY,
            "tax": MONEY,
            "total": MONEY,
        },
        key=("id",),
        not_null=("id", "vendor", "currency", "created_at", "period_start", "total"),
        dates=("created_at", "period_start"),
        currencies=("currency",),
        key_what="natural key (invoice id)",
        index=("id",),
    ),
    RawTable(
        "saas_invoices.invoice_lines",
        {"id": V, "invoice_id": V, "vendor": V, "amount": MONEY, "currency": V, "period_start": TSTZ},
        key=("invoice_id", "id"),
        not_null=("id", "invoice_id", "amount", "currency"),
        dates=("period_start",),
        currencies=("currency",),
        key_what="natural key (dlt primary key)",
        index=("invoice_id", "id"),
    ),
)


def _invoice_lines_suite() -> Suite:
    sql = (
        "select i.id, i.vendor, i.subtotal, i.tax, i.total, count(l.id) as lines, "
        "coalesce(sum(l.amount), 0) - i.subtotal as lines_minus_subtotal, "
        "i.subtotal + coalesce(i.tax, 0) - i.total as subtotal_plus_tax_minus_total "
        "from saas_invoices.invoices i left join saas_invoices.invoice_lines l on l.invoice_id = i.id "
        "group by i.id, i.vendor, i.subtotal, i.tax, i.total order by all"
    )

    def expectations(_: Columns):
        e = expectations_module()
        return [
            e.ExpectColumnValuesToBeBetween(
                column="lines_minus_subtotal",
                min_value=0,
                max_value=0,
                description="an invoice's lines sum to its subtotal",
            ),
            e.ExpectColumnValuesToBeBetween(
                column="subtotal_plus_tax_minus_total", min_value=0, max_value=0, description="subtotal + tax = total"
            ),
        ]

    return Suite(
        "gx_invoice_lines_sum",
        "saas_invoices.invoices",
        "SaaS invoices add up (lines, subtotal, tax, total)",
        (
            Frame(
                "invoice_totals",
                sql,
                expectations,
                index=("id", "vendor", "lines"),
                requires=("saas_invoices.invoice_lines",),
            ),
        ),
        "the vendor API returned an invoice whose lines do not add up (a page of lines missing, or a "
        "discount the loader does not read): re-load the vendor's invoices and compare with the PDF.",
    )


def raw_suites() -> list[Suite]:
    """Every raw-table suite (built on demand: reads ingestion settings, never at import)."""
    suites = [contract_suite(t) for t in (AWS, AZURE, GCP)] + [_focus_rows_contract()]
    for t in (AWS, AZURE, GCP, FOCUS_ROWS):
        suites.append(
            Suite(
                "gx_one_delivery_per_period",
                t.relation,
                "exactly one delivery per export and billing period",
                (_one_delivery_frame(t.relation),),
                "two deliveries of one period are both in the raw table (a load stopped between its "
                "append and its delete): run the load again, it removes the older delivery.",
            )
        )
    suites += [_aws_identity_suite(), _focus_sign_suite()]
    suites += [contract_suite(t) for t in _openai_tables()]
    suites += [contract_suite(t) for t in ANTHROPIC_TABLES]
    suites += [
        _completeness_suite("openai_usage.costs", ("organization",), "bucket_start_time", "organisation"),
        _completeness_suite("anthropic_usage.costs", ("organization_name",), "bucket_starting_at", "organisation"),
        _openai_tokens_suite(),
        _anthropic_tokens_suite(),
    ]
    suites += [
        contract_suite(KPIS),
        _completeness_suite(
            KPIS.relation, ("product", "kpi_name", "source_system"), "kpi_date", "product, KPI and source system"
        ),
    ]
    suites += [contract_suite(t) for t in FINANCE_TABLES] + [_journals_balance_suite()]
    suites += [contract_suite(t) for t in SAAS_TABLES] + [_invoice_lines_suite()]
    return suites
