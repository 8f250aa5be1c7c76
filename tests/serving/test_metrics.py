"""The metric definitions (dbt_project/models/semantic/, MetricFlow) and their tables (serving/metrics.py), without a
warehouse: every metric lands in a metric table, MetricFlow plans every table, the column names, the Dagster assets'
dependencies, and docs/metrics.md in step with the definitions (regenerate it with FINOPS_UPDATE_SNAPSHOT=1). That
each table equals `mf query` on a built warehouse is proven end to end (tests/e2e/test_demo_pipeline.py,
assert_metric_tables); `mf validate-configs` runs in `make lint`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from serving.metrics import ALL_TABLES, METRIC_TABLES, SemanticLayer, column_name, reference_markdown

REPO = Path(__file__).resolve().parents[2]
DOCS_PAGE = REPO / "docs" / "metrics.md"
UPDATE_ENV = "FINOPS_UPDATE_SNAPSHOT"


@pytest.fixture(scope="module")
def layer() -> SemanticLayer:
    from orchestration.lib.dbt import prepare_dbt_project

    prepare_dbt_project()  # dbt parse writes target/semantic_manifest.json when the project changed
    return SemanticLayer()


def test_column_names():
    assert column_name("metric_time__day") == "day"
    assert column_name("metric_time__month") == "month"
    assert column_name("charge__billing_month__month") == "month"
    assert column_name("charge__provider_name") == "provider_name"


def test_every_metric_lands_in_a_table_and_every_table_has_its_day_or_month(layer):
    defined = {m["name"] for m in layer.raw_manifest["metrics"]}
    materialised = set().union(*(t.metrics for t in METRIC_TABLES))
    assert materialised == defined
    for table in METRIC_TABLES:
        assert len(set(table.columns)) == len(table.columns), table.name
        assert table.columns[0] == table.name.split("_", 1)[0].replace("daily", "day").replace("monthly", "month")


def test_the_issue_metrics_are_defined(layer):
    """Issue 16 §1's list, by the metric that answers each item."""
    defined = {m["name"]: m for m in layer.raw_manifest["metrics"]}
    for name in (
        "effective_cost",
        "billed_cost",
        "ai_effective_cost",
        "ai_share",
        "cost_per_million_tokens",
        "cost_per_request",
        "cost_per_transaction",
        "cost_per_active_user",
        "allocation_accuracy",
        "required_tag_coverage",
        "showback_effective_cost",
        "budget_consumption",
        "budget_projected_month_end",
        "forecast_cost",
        "forecast_lower_80",
        "forecast_upper_95",
        "forecast_wape",
        "open_anomalies",
        "mean_remediation_hours",
        "waste_identified",
        "cost_avoided_projected",
        "cost_avoided_realised",
        "shadow_ai_spend",
        "commitment_utilisation",
        "unreconciled_variance",
    ):
        assert name in defined, name
        assert "Unit: " in defined[name]["description"], name  # every metric says what it means and its unit
    for name in ("ai_share", "cost_per_request", "allocation_accuracy", "forecast_wape", "commitment_utilisation"):
        assert defined[name]["type"] == "ratio", name  # ratios of sums, not averages of ratios


def test_metricflow_plans_every_table(layer):
    for table in METRIC_TABLES:
        sql = layer.table_sql(table)
        assert sql.startswith("select ") and "marts." in sql, table.name
        assert "finops." not in sql  # no catalog: runs on any warehouse file


def test_metric_assets_depend_on_the_marts_they_read(layer):
    from orchestration.defs.metrics.tables import metric_table_specs

    deps = {s.key.path[-1]: {d.asset_key.path[-1] for d in s.deps} for s in metric_table_specs()}
    assert deps["monthly_cost"] == {"fct_charges", "metricflow_time_spine"}
    assert deps["monthly_anomalies"] == {"fct_anomaly_lifecycle", "fct_remediation_cycle_time", "metricflow_time_spine"}
    assert deps["source_freshness"] == {"fct_charges"}
    assert deps["focus_conformance"] == {"focus_cost_and_usage"}
    assert set(deps) == {t.name for t in ALL_TABLES}


def test_docs_page_is_generated_from_the_definitions(layer):
    page = reference_markdown(layer)
    if os.environ.get(UPDATE_ENV):
        DOCS_PAGE.write_text(page, encoding="utf-8")
    assert DOCS_PAGE.read_text(encoding="utf-8") == page, (
        f"docs/metrics.md is not in step with the metric definitions: regenerate it with "
        f"`{UPDATE_ENV}=1 .venv/bin/python -m pytest -q tests/serving/test_metrics.py`"
    )


def test_metric_tables_on_a_small_warehouse_and_in_the_published_copy(layer, tmp_path):
    """Three charge lines, by hand: the AI share of a month is Σ AI cost / Σ cost (0.875 here), not the mean of the
    daily shares (0.75); the days and billing months land in `day` / `month`; the published copy carries the
    tables with their columns' definitions."""
    import datetime as dt
    from decimal import Decimal

    import duckdb

    from serving.metrics import materialise, metric_table
    from serving.publish import publish

    warehouse = tmp_path / "finops.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create schema semantic")
        con.execute(
            "create table semantic.metricflow_time_spine as select cast(range as date) as date_day "
            "from range(date '2026-09-01', date '2026-11-01', interval 1 day)"
        )
        con.execute(
            "create table marts.fct_charges (charge_period_start timestamp, x_billing_period varchar, "
            "provider_name varchar, service_category varchar, service_name varchar, charge_category varchar, "
            "x_reporting_currency varchar, x_reporting_effective_cost decimal(38, 10), "
            "x_reporting_billed_cost decimal(38, 10))"
        )
        con.execute(
            "insert into marts.fct_charges values "
            "('2026-09-01', '2026-09', 'OpenAI', 'AI and Machine Learning', 'API', 'Usage', 'USD', 300.10, 300.10),"
            "('2026-09-02', '2026-09', 'AWS', 'Compute', 'EC2', 'Usage', 'USD', 50.05, 60.00),"
            "('2026-09-02', '2026-09', 'OpenAI', 'AI and Machine Learning', 'API', 'Usage', 'USD', 50.00, 50.00)"
        )
        con.execute("comment on column marts.fct_charges.provider_name is 'FOCUS ProviderName'")
    report = materialise(warehouse, [metric_table("daily_cost"), metric_table("monthly_cost")], layer=layer)
    assert report.tables == {"metrics.daily_cost": 3, "metrics.monthly_cost": 1}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        monthly = con.execute("select * from metrics.monthly_cost").fetchall()
        daily = con.execute("select day, provider_name, effective_cost from metrics.daily_cost").fetchall()
    [(month, currency, effective, billed, ai, share)] = monthly
    assert (month, currency, effective, billed, ai) == (
        dt.date(2026, 9, 1),
        "USD",
        Decimal("400.15"),
        Decimal("410.10"),
        Decimal("350.10"),
    )
    assert share == pytest.approx(350.10 / 400.15)  # not (1 + 50.00 / 100.05) / 2
    assert daily == [
        (dt.date(2026, 9, 1), "OpenAI", Decimal("300.10")),
        (dt.date(2026, 9, 2), "AWS", Decimal("50.05")),
        (dt.date(2026, 9, 2), "OpenAI", Decimal("50.00")),
    ]

    published = publish(warehouse, tmp_path / "published" / "finops_bi.duckdb")
    assert {"metrics.daily_cost", "metrics.monthly_cost", "marts.fct_charges"} <= set(published.tables)
    with duckdb.connect(str(published.path), read_only=True) as con:
        comments = dict(
            con.execute(
                "select schema_name || '.' || table_name || '.' || column_name, comment from duckdb_columns() "
                "where comment is not null"
            ).fetchall()
        )
    assert comments["marts.fct_charges.provider_name"] == "FOCUS ProviderName"
    assert comments["metrics.monthly_cost.ai_share"].startswith("AI share: AI cost / effective cost")
