"""The metric tables: plain ``metrics.*`` tables in the warehouse, computed from the MetricFlow definitions.

The metrics are defined once, as dbt semantic models and metrics (``dbt_project/models/semantic/*.yml``, the
MetricFlow spec; reference: ``docs/metrics.md``). BI tools and the dashboard do not run MetricFlow: :func:`materialise`
asks MetricFlow's engine for the SQL of each table in :data:`METRIC_TABLES` (the same SQL ``mf query --explain``
prints for the same metrics and group-by) and runs ``create or replace table metrics.<name> as`` that SQL, with the
MetricFlow column names shortened (``metric_time__day`` -> ``day``, ``charge__provider_name`` -> ``provider_name``) and
every column commented with its definition. The published copy (:mod:`serving.publish`) carries the schema.

The definitions are read from ``dbt_project/target/semantic_manifest.json`` (written by ``dbt parse``). Its relations
name the catalog of the warehouse the manifest was parsed against; they are read here without it (``schema.table``),
so the SQL runs on whichever warehouse file it is given. No Dagster import: ``orchestration/defs/metrics`` wires this
into the asset group ``metrics``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb

from serving.focus_columns import ALLOWED_VALUES

METRICS_SCHEMA = "metrics"
SEMANTIC_MANIFEST = Path("target") / "semantic_manifest.json"
_TIME_GRAINS = ("day", "week", "month", "quarter", "year")


class MetricsError(RuntimeError):
    """The metric tables could not be built (no semantic manifest, a metric MetricFlow cannot resolve)."""


@dataclass(frozen=True)
class MetricTable:
    """One table ``metrics.<name>``: ``metrics`` by ``group_by`` (MetricFlow group-by names)."""

    name: str
    description: str
    metrics: tuple[str, ...]
    group_by: tuple[str, ...]

    @property
    def relation(self) -> str:
        return f"{METRICS_SCHEMA}.{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The table's columns: the group-by columns (short names), then the metrics."""
        return tuple(column_name(g) for g in self.group_by) + self.metrics


# The dashboard's tables: each reads one semantic model, by day or month and the dimensions a page filters on.
METRIC_TABLES: tuple[MetricTable, ...] = (
    MetricTable(
        "daily_cost",
        "Spend per charge day, provider and service category, in the reporting currency.",
        ("effective_cost", "billed_cost", "ai_effective_cost"),
        ("metric_time__day", "charge__provider_name", "charge__service_category", "charge__reporting_currency"),
    ),
    MetricTable(
        "daily_billing_cost",
        "Effective cost per charge day, billing month, provider and billing currency, unconverted (the actuals beside "
        "the spend forecasts, which are per billing currency; the burn of a billing period).",
        ("effective_cost_billing_currency",),
        (
            "metric_time__day",
            "charge__billing_month__month",
            "charge__provider_name",
            "charge__billing_currency",
        ),
    ),
    MetricTable(
        "monthly_cost",
        "Spend and AI share per billing month, in the reporting currency (the executive summary's headline).",
        ("effective_cost", "billed_cost", "ai_effective_cost", "ai_share"),
        ("charge__billing_month__month", "charge__reporting_currency"),
    ),
    MetricTable(
        "monthly_service_cost",
        "Spend per billing month, provider, service category and service, in the reporting currency, with the lines "
        "behind it (the dashboard's summary, spend by provider and top movers).",
        ("effective_cost", "billed_cost", "ai_effective_cost", "charge_lines", "charge_lines_without_fx_rate"),
        (
            "charge__billing_month__month",
            "charge__provider_name",
            "charge__service_category",
            "charge__service_name",
            "charge__reporting_currency",
        ),
    ),
    MetricTable(
        "daily_ai_unit_costs",
        "Model-API usage and cost per 1M tokens per usage day, vendor, model and token type.",
        ("ai_usage_cost", "ai_token_cost", "ai_tokens", "ai_requests", "cost_per_million_tokens"),
        (
            "metric_time__day",
            "ai_usage__vendor",
            "ai_usage__model_name",
            "ai_usage__token_type",
            "ai_usage__currency",
        ),
    ),
    MetricTable(
        "monthly_unit_costs",
        "Allocated cost of each product per month and its unit costs (per request, business transaction, active user).",
        (
            "product_allocated_cost",
            "product_requests",
            "product_transactions",
            "product_active_users",
            "cost_per_request",
            "cost_per_transaction",
            "cost_per_active_user",
        ),
        (
            "metric_time__month",
            "unit_cost__product",
            "unit_cost__business_unit",
            "unit_cost__currency",
        ),
    ),
    MetricTable(
        "monthly_showback",
        "Showback: allocated cost per billing month, business unit, cost centre and product, in the billing currency.",
        ("showback_effective_cost", "showback_billed_cost"),
        (
            "metric_time__month",
            "showback__business_unit",
            "showback__cost_center",
            "showback__product",
            "showback__billing_currency",
        ),
    ),
    MetricTable(
        "monthly_allocation_accuracy",
        "Allocation accuracy per billing month and currency: the share of cost placed on a business unit.",
        ("allocation_accuracy", "allocated_cost", "allocation_total_cost"),
        ("metric_time__month", "allocation__billing_currency"),
    ),
    MetricTable(
        "monthly_tag_coverage",
        "Required-tag coverage per billing month, required tag key and currency.",
        ("required_tag_coverage", "tag_covered_cost", "taggable_cost"),
        ("metric_time__month", "tag_coverage__tag_key", "tag_coverage__billing_currency"),
    ),
    MetricTable(
        "monthly_budgets",
        "Budget vs actual per budget and month: consumption to date and projected month end.",
        (
            "budget_amount",
            "budget_actual_to_date",
            "budget_projected_month_end",
            "budget_consumption",
            "budget_projected_consumption",
        ),
        (
            "metric_time__month",
            "budget__budget_id",
            "budget__scope_type",
            "budget__scope_value",
            "budget__currency",
        ),
    ),
    MetricTable(
        "daily_forecast",
        "Spend forecast per forecast day and scope, with its 80 % and 95 % prediction intervals.",
        (
            "forecast_cost",
            "forecast_lower_80",
            "forecast_upper_80",
            "forecast_lower_95",
            "forecast_upper_95",
        ),
        (
            "metric_time__day",
            "forecast__scope_type",
            "forecast__scope_value",
            "forecast__currency",
        ),
    ),
    MetricTable(
        "monthly_forecast_accuracy",
        "Forecast accuracy (WAPE) per evaluated month and scope.",
        ("forecast_wape", "forecast_abs_error", "forecast_actual"),
        (
            "metric_time__month",
            "forecast_accuracy__evaluation",
            "forecast_accuracy__scope_type",
            "forecast_accuracy__scope_value",
            "forecast_accuracy__currency",
        ),
    ),
    MetricTable(
        "monthly_anomalies",
        "Cost anomalies per detection month and severity: detected, open, and the mean hours to resolve.",
        (
            "anomalies_detected",
            "open_anomalies",
            "anomaly_impact",
            "anomalies_resolved",
            "remediation_hours",
            "mean_remediation_hours",
        ),
        ("metric_time__month", "anomaly__severity", "anomaly__currency"),
    ),
    MetricTable(
        "monthly_waste",
        "Waste identified per month first flagged, waste type and currency.",
        ("waste_identified", "waste_candidates"),
        ("metric_time__month", "waste__waste_type", "waste__currency"),
    ),
    MetricTable(
        "monthly_cost_avoidance",
        "Cost avoided by the actions taken per month: projected vs realised monthly savings.",
        ("cost_avoided_projected", "cost_avoided_realised", "cost_avoided_to_date"),
        ("metric_time__month", "cost_avoidance__waste_type", "cost_avoidance__currency"),
    ),
    MetricTable(
        "monthly_shadow_ai",
        "Shadow-AI spend (AI vendors paid outside the sanctioned channels) per month, vendor and business unit.",
        ("shadow_ai_spend", "shadow_ai_lines"),
        (
            "metric_time__month",
            "shadow_ai__vendor",
            "shadow_ai__business_unit",
            "shadow_ai__reporting_currency",
        ),
    ),
    MetricTable(
        "monthly_commitments",
        "Commitment utilisation per period, commitment type and provider.",
        ("commitment_utilisation", "commitment_used", "commitment_committed", "commitment_unused_cost"),
        (
            "metric_time__month",
            "commitment__commitment_type",
            "commitment__provider_name",
            "commitment__currency",
        ),
    ),
    MetricTable(
        "monthly_reconciliation",
        "Invoice reconciliation per billing month and vendor: unreconciled (unexplained) variance.",
        ("unreconciled_variance", "invoices_reconciled", "invoices_unexplained"),
        ("metric_time__month", "reconciliation__vendor", "reconciliation__reporting_currency"),
    ),
)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


@dataclass(frozen=True)
class SqlTable:
    """One table ``metrics.<name>`` that is no MetricFlow metric (latest load times, rule counts): plain SQL on the
    marts ``reads``, written by the same step as the metric tables so that no page scans the FOCUS record."""

    name: str
    description: str
    reads: tuple[str, ...]  # the dbt models (marts) it reads
    sql: str
    comments: tuple[tuple[str, str], ...]  # (column, definition), in the table's order

    @property
    def relation(self) -> str:
        return f"{METRICS_SCHEMA}.{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.comments)


# FOCUS 1.2 rules spot-checked on the published record (`finops validate-focus` runs the full validator): the rule and
# the condition a violating row meets
FOCUS_SPOT_CHECKS: tuple[tuple[str, str], ...] = (
    ("BilledCost is not null", '"BilledCost" is null'),
    ("EffectiveCost is not null", '"EffectiveCost" is null'),
    ("BillingCurrency is a 3-letter code", "not regexp_full_match(coalesce(\"BillingCurrency\", ''), '[A-Z]{3}')"),
    (
        "ChargeCategory is an allowed value",
        '"ChargeCategory" is null or "ChargeCategory" not in ('
        + ", ".join(f"'{v}'" for v in ALLOWED_VALUES["ChargeCategory"])  # their one owner: macros/focus_columns.sql
        + ")",
    ),
    ("ChargePeriodStart < ChargePeriodEnd", 'not ("ChargePeriodStart" < "ChargePeriodEnd")'),
    ("ProviderName is not null", '"ProviderName" is null'),
    ("x_SourceFile and x_SourceRow are set (lineage)", '"x_SourceFile" is null or "x_SourceRow" is null'),
    ("an FX rate to the reporting currency exists", 'coalesce("x_FxRateMissing", false)'),
)


def _spot_check_sql() -> str:
    counts = ", ".join(f"count(*) filter (where {cond})" for _, cond in FOCUS_SPOT_CHECKS)
    rules = ", ".join(f"({i}, {_quote(rule)})" for i, (rule, _) in enumerate(FOCUS_SPOT_CHECKS, start=1))
    return (
        f"with c as (select count(*) as n, [{counts}] as bad from marts.focus_cost_and_usage)\n"
        f"select r.rule_order, r.rule, c.n as rows_checked, c.bad[r.rule_order] as rows_violating,\n"
        f"       case when c.bad[r.rule_order] = 0 then 'pass' else 'fail' end as status\n"
        f"from c cross join (values {rules}) as r(rule_order, rule)\norder by r.rule_order"
    )


# The data-health tables: one scan of the FOCUS record per run instead of one per page view.
SQL_TABLES: tuple[SqlTable, ...] = (
    SqlTable(
        "source_freshness",
        "Freshness per source system and format of the FOCUS record: rows, billing periods, latest charge day, last "
        "load and deliveries.",
        ("fct_charges",),
        """select x_source_system as source, x_source_format as format, count(*) as rows,
       min(x_billing_period) as first_period, max(x_billing_period) as last_period,
       cast(max(charge_period_end) as date) as latest_charge_date, max(x_ingested_at) as last_loaded_at,
       count(distinct x_delivery_id) as deliveries
from marts.fct_charges group by all order by last_loaded_at desc nulls last, source, format""",
        (
            ("source", "x_SourceSystem: the source the lines were loaded from."),
            ("format", "x_SourceFormat: the export format."),
            ("rows", "Lines of the FOCUS record from this source and format. Unit: lines."),
            ("first_period", "Earliest billing period (YYYY-MM)."),
            ("last_period", "Latest billing period (YYYY-MM)."),
            ("latest_charge_date", "Last day a charge of this source covers (ChargePeriodEnd, as a date)."),
            ("last_loaded_at", "When a delivery of this source was last loaded (x_IngestedAt, UTC)."),
            ("deliveries", "Distinct deliveries (x_DeliveryId) loaded. Unit: deliveries."),
        ),
    ),
    SqlTable(
        "source_deliveries",
        "Every delivery of the FOCUS record (one export delivery of a source and billing period): when it was loaded, "
        "its lines and files.",
        ("fct_charges",),
        """select x_delivery_id as delivery_id, x_source_system as source, x_billing_period as period,
       max(x_ingested_at) as loaded_at, count(*) as rows, count(distinct x_source_file) as files
from marts.fct_charges group by all order by loaded_at desc nulls last, delivery_id, source, period""",
        (
            ("delivery_id", "x_DeliveryId: the export delivery."),
            ("source", "x_SourceSystem."),
            ("period", "Billing period (YYYY-MM)."),
            ("loaded_at", "When the delivery was loaded (x_IngestedAt, UTC)."),
            ("rows", "Lines of the FOCUS record from the delivery. Unit: lines."),
            ("files", "Source files (x_SourceFile) of the delivery. Unit: files."),
        ),
    ),
    SqlTable(
        "focus_conformance",
        "FOCUS 1.2 spot checks on the FOCUS record (marts.focus_cost_and_usage): rows checked and rows violating each "
        "rule (0 is conformant; `finops validate-focus` runs the full validator).",
        ("focus_cost_and_usage",),
        _spot_check_sql(),
        (
            ("rule_order", "The rule's place in the list."),
            ("rule", "The FOCUS rule checked."),
            ("rows_checked", "Rows of the FOCUS record checked. Unit: rows."),
            ("rows_violating", "Rows violating the rule. Unit: rows."),
            ("status", "pass (no row violates the rule) or fail."),
        ),
    ),
)

ALL_TABLES: tuple[MetricTable | SqlTable, ...] = METRIC_TABLES + SQL_TABLES


def column_name(group_by: str) -> str:
    """The metric table's column for a MetricFlow group-by name: a time by its grain (``metric_time__day`` ->
    ``day``, ``charge__billing_month__month`` -> ``month``: every table has its ``day`` or ``month``), a dimension by
    its name (``charge__provider_name`` -> ``provider_name``)."""
    parts = group_by.split("__")
    if parts[0] == "metric_time":
        return parts[1] if len(parts) > 1 else "day"
    if len(parts) == 3 and parts[2] in _TIME_GRAINS:
        return parts[2]
    return parts[-1]


def _is_time(group_by: str) -> bool:
    parts = group_by.split("__")
    return parts[0] == "metric_time" or (len(parts) == 3 and parts[2] in _TIME_GRAINS)


def metric_table(name: str) -> MetricTable | SqlTable:
    for table in ALL_TABLES:
        if table.name == name:
            return table
    raise MetricsError(f"no metric table {name!r}; the tables are {', '.join(t.name for t in ALL_TABLES)}")


def default_project_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "dbt_project"


@dataclass
class SemanticLayer:
    """The project's MetricFlow definitions (from the dbt project's semantic manifest) and an engine that renders
    DuckDB SQL for them. It never connects anywhere: the SQL runs on the caller's connection."""

    project_dir: Path = field(default_factory=default_project_dir)

    @cached_property
    def raw_manifest(self) -> dict:
        path = Path(self.project_dir) / SEMANTIC_MANIFEST
        if not path.exists():
            raise MetricsError(f"no semantic manifest at {path}: run `dbt parse` in {self.project_dir} first")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        # relations without the catalog of the warehouse dbt parsed against: the SQL runs on any warehouse file
        relations = [m["node_relation"] for m in manifest.get("semantic_models", [])]
        relations += [s["node_relation"] for s in manifest.get("project_configuration", {}).get("time_spines", [])]
        for rel in relations:
            rel["database"] = None
            rel["relation_name"] = f"{rel['schema_name']}.{rel['alias']}"
        return manifest

    @cached_property
    def engine(self):
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=json.dumps(self.raw_manifest))
        return MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=_DuckDbSqlRenderer()
        )

    def metric(self, name: str) -> dict:
        for m in self.raw_manifest["metrics"]:
            if m["name"] == name:
                return m
        raise MetricsError(f"no metric {name!r} in the semantic manifest (dbt_project/models/semantic/)")

    def measures_of(self, metric: str) -> set[str]:
        """The measures a metric reads (through ratio and derived metrics)."""
        params = self.metric(metric)["type_params"]
        if params.get("measure"):
            return {params["measure"]["name"]}
        inputs = [params.get("numerator"), params.get("denominator"), *(params.get("metrics") or [])]
        return set().union(*(self.measures_of(m["name"]) for m in inputs if m))

    def models_of(self, table: MetricTable | SqlTable) -> set[str]:
        """The dbt models ``table`` reads: the semantic models of its metrics' measures (and of the dimensions
        joined to them: the models of the group-by entities), and the time spine (an SQL table: its ``reads``)."""
        if isinstance(table, SqlTable):
            return set(table.reads)
        measures = set().union(*(self.measures_of(m) for m in table.metrics))
        entities = {g.split("__")[0] for g in table.group_by if not g.startswith("metric_time")}
        models = set()
        for sm in self.raw_manifest["semantic_models"]:
            names = {e["name"] for e in sm.get("entities", [])} | {sm.get("primary_entity")}
            if measures & {m["name"] for m in sm.get("measures", [])} or entities & names:
                models.add(sm["node_relation"]["alias"])
        spines = self.raw_manifest.get("project_configuration", {}).get("time_spines", [])
        return models | {s["node_relation"]["alias"] for s in spines}

    def dimension_description(self, group_by: str, table: MetricTable | None = None) -> str:
        parts = group_by.split("__")
        if parts[0] == "metric_time":  # the time of the measures' semantic models (their agg_time_dimension)
            measures = set().union(*(self.measures_of(m) for m in table.metrics)) if table else set()
            times = []
            for sm in self.raw_manifest["semantic_models"]:
                if measures & {m["name"] for m in sm.get("measures", [])}:
                    agg_time = (sm.get("defaults") or {}).get("agg_time_dimension")
                    dims = {d["name"]: d.get("description") or d["name"] for d in sm.get("dimensions", [])}
                    times.append(f"{sm['name']}: {dims.get(agg_time, agg_time).rstrip('.')}")
            grain = "The day" if parts[1] == "day" else f"The {parts[1]} (its first day)"
            return f"{grain} of each metric's time ({'; '.join(times)})" if times else grain
        entity, dim = parts[0], parts[1]
        for sm in self.raw_manifest["semantic_models"]:
            if sm.get("primary_entity") == entity or any(e["name"] == entity for e in sm.get("entities", [])):
                for d in sm.get("dimensions", []):
                    if d["name"] == dim:
                        return d.get("description") or dim
        return dim

    def sql(self, metrics: Sequence[str], group_by: Sequence[str]) -> str:
        """MetricFlow's SQL for ``metrics`` by ``group_by`` (what ``mf query --explain`` prints)."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        request = MetricFlowQueryRequest.create(metric_names=list(metrics), group_by_names=list(group_by))
        try:
            return self.engine.explain(mf_request=request).sql_statement.without_descriptions.sql
        except Exception as exc:  # MetricFlow's own errors name the metric or group-by it cannot resolve
            raise MetricsError(f"MetricFlow cannot plan {list(metrics)} by {list(group_by)}: {exc}") from exc

    def table_sql(self, table: MetricTable) -> str:
        """The select that fills ``metrics.<table>``: MetricFlow's SQL with short column names, ordered."""
        renamed = [
            f"cast({_ident(g)} as date) as {_ident(column_name(g))}"  # MetricFlow truncates to a timestamp
            if _is_time(g)
            else f"{_ident(g)} as {_ident(column_name(g))}"
            for g in table.group_by
        ]
        renamed += [_ident(m) for m in table.metrics]
        order = ", ".join(str(i + 1) for i in range(len(table.group_by)))
        inner = self.sql(table.metrics, table.group_by)
        return f"select {', '.join(renamed)}\nfrom (\n{inner}\n) as metricflow_query\norder by {order}"

    def column_comments(self, table: MetricTable) -> dict[str, str]:
        """Column -> its definition (the dimension's or metric's description)."""
        out = {column_name(g): self.dimension_description(g, table) for g in table.group_by}
        out |= {m: self.metric(m).get("description") or m for m in table.metrics}
        return out


class _DuckDbSqlRenderer:
    """The SqlClient MetricFlow's engine needs to plan and render SQL for DuckDB (``explain``); it executes nothing."""

    @property
    def sql_engine_type(self):
        from metricflow.protocols.sql_client import SqlEngine

        return SqlEngine.DUCKDB

    @cached_property
    def sql_plan_renderer(self):
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        return DuckDbSqlPlanRenderer()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"

    def query(self, *args, **kwargs):
        raise NotImplementedError("explain only: the metric tables run MetricFlow's SQL on their own connection")

    execute = dry_run = query

    def close(self) -> None:
        pass


@dataclass
class MaterialiseReport:
    tables: dict[str, int] = field(default_factory=dict)  # "metrics.name" -> rows

    def summary(self) -> str:
        rows = sum(self.tables.values())
        return f"materialised {len(self.tables)} metric tables ({rows:,} rows) in schema {METRICS_SCHEMA}"


def materialise(
    warehouse: str | os.PathLike,
    tables: Iterable[MetricTable | SqlTable] = ALL_TABLES,
    layer: SemanticLayer | None = None,
) -> MaterialiseReport:
    """Create or replace ``metrics.<name>`` for each of ``tables`` in ``warehouse`` from MetricFlow's SQL (an
    :class:`SqlTable`: its own SQL), with a comment on the table and each column. The caller holds the warehouse run
    lock (no other writer)."""
    tables = list(tables)
    if any(isinstance(t, MetricTable) for t in tables):
        layer = layer or SemanticLayer()
    statements = [  # plan all before writing
        (t, t.sql, dict(t.comments)) if isinstance(t, SqlTable) else (t, layer.table_sql(t), layer.column_comments(t))
        for t in tables
    ]
    report = MaterialiseReport()
    with duckdb.connect(str(Path(warehouse).expanduser().resolve())) as con:
        con.execute(f"create schema if not exists {METRICS_SCHEMA}")
        for table, sql, comments in statements:
            try:
                con.execute(f"create or replace table {table.relation} as\n{sql}")
            except duckdb.Error as exc:
                raise MetricsError(f"{table.relation}: MetricFlow's SQL failed on {warehouse}: {exc}") from exc
            con.execute(f"comment on table {table.relation} is {_quote(table.description)}")
            for column, text in comments.items():
                con.execute(f"comment on column {table.relation}.{_ident(column)} is {_quote(text)}")
            report.tables[table.relation] = con.execute(f"select count(*) from {table.relation}").fetchone()[0]
    return report


def _unit(description: str) -> str:
    """The unit a metric's description states (``... Unit: <unit>``)."""
    text = " ".join(description.split())
    return text.rsplit("Unit: ", 1)[1].rstrip(".") if "Unit: " in text else "-"


def _definition(description: str) -> str:
    text = " ".join(description.split())
    return text.rsplit(" Unit: ", 1)[0] if " Unit: " in text else text


def reference_markdown(layer: SemanticLayer | None = None) -> str:
    """docs/metrics.md: the metric tables (columns and definitions) and every metric (definition, unit, inputs,
    table, and MetricFlow's SQL by the table's time), generated from the definitions (tests/serving/test_metrics.py
    keeps the page in step)."""
    layer = layer or SemanticLayer()
    tables_of: dict[str, list[MetricTable]] = {}
    for table in METRIC_TABLES:
        for m in table.metrics:
            tables_of.setdefault(m, []).append(table)
    out = [
        "# Metrics",
        "",
        "<!-- generated from dbt_project/models/semantic/*.yml and serving/metrics.py; regenerate with",
        "     FINOPS_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest -q tests/serving/test_metrics.py -->",
        "",
        "Every metric is defined once, as a [MetricFlow](https://docs.getdbt.com/docs/build/about-metricflow) semantic",
        "model and metric in the dbt project (`dbt_project/models/semantic/*.yml`, beside the day time spine",
        "`semantic.metricflow_time_spine`). `make lint` validates them (`dbt parse`, then `mf validate-configs`).",
        "",
        "BI tools do not need MetricFlow: after the marts, the Dagster asset group `metrics` (`finops run`) writes the",
        "plain tables below into the warehouse schema `metrics` from MetricFlow's SQL (`serving/metrics.py`), and the",
        "publication copies them to the read-only BI copy (`warehouse/published/finops_bi.duckdb`, schema `metrics`).",
        "Each table holds exactly what `mf query` returns for its metrics and group-by (the end-to-end test compares",
        "them to the cent); its columns carry these definitions as comments. Ratios are ratios of sums (numerator and",
        "denominator summed over the rows first), never averages of ratios. Money is in the currency the column next",
        "to it names (`reporting_currency`: converted at each line's day rate; `billing_currency` / `currency`: as",
        "billed, never summed across currencies).",
        "",
        "With MetricFlow, from `dbt_project/` (after `dbt parse`; `FINOPS_WAREHOUSE` names the warehouse):",
        "",
        "```sh",
        "mf query --metrics effective_cost,ai_share --group-by charge__billing_month__month",
        "mf query --explain --metrics cost_per_million_tokens --group-by metric_time__day,ai_usage__vendor",
        "```",
        "",
        "## Metric tables",
        "",
    ]
    for table in METRIC_TABLES:
        comments = layer.column_comments(table)
        out += [f"### metrics.{table.name}", "", table.description, ""]
        out += ["| column | definition |", "|---|---|"]
        out += [f"| `{c}` | {' '.join(comments[c].split())} |" for c in table.columns]
        out += [
            "",
            "Its SQL: `mf query --explain --metrics "
            f"{','.join(table.metrics)} --group-by {','.join(table.group_by)}` (columns renamed as above).",
            "",
        ]
    out += [
        "## Data-health tables",
        "",
        "Not MetricFlow metrics (latest load times, rule counts): plain SQL on the marts, written by the same step",
        "after the marts (`serving.metrics.SQL_TABLES`), so that the dashboard's data-health page reads them instead",
        "of scanning the FOCUS record on every view. `tests/dashboard/test_dashboard_queries.py` checks them against",
        "SQL on the marts.",
        "",
    ]
    for table in SQL_TABLES:
        out += [f"### metrics.{table.name}", "", table.description, ""]
        out += ["| column | definition |", "|---|---|"]
        out += [f"| `{c}` | {' '.join(d.split())} |" for c, d in table.comments]
        out += ["", "```sql", table.sql, "```", ""]
    out += ["## Metrics", ""]
    for metric in sorted(layer.raw_manifest["metrics"], key=lambda m: m["name"]):
        name, description = metric["name"], metric.get("description") or ""
        params = metric["type_params"]
        if metric["type"] == "simple":
            inputs = f"measure `{params['measure']['name']}`"
        elif metric["type"] == "ratio":
            inputs = f"`{params['numerator']['name']}` / `{params['denominator']['name']}`"
        else:
            inputs = f"`{params['expr']}`"
        tables = tables_of.get(name, [])
        time = next((g for t in tables for g in t.group_by if _is_time(g)), "metric_time__month")
        out += [
            f"### {name}",
            "",
            f"**{metric.get('label') or name}** ({metric['type']}: {inputs}). {_definition(description)}",
            "",
            f"- unit: {_unit(description)}",
            f"- table: {', '.join(f'`metrics.{t.name}`' for t in tables) or '-'}",
            "",
            "```sql",
            layer.sql([name], [time]),
            "```",
            "",
        ]
    return "\n".join(out)
