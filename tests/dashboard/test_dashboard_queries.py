"""The dashboard's queries without a browser: the pages read the metric tables, never the FOCUS record (only the
drill-downs do, filtered and capped); the data-health tables and the forecast actuals equal SQL on the marts written
here; the provider filter matches vendors by the one vendor naming (serving/vendor_names.py), not by prefix; the
page-timing benchmark's query timer runs on a copy with the FOCUS record only."""

from __future__ import annotations

import inspect
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dashboard import queries as q
from tests.dashboard.conftest import focus_record_only

FOCUS_RECORD = ("marts.fct_charges", "marts.focus_cost_and_usage")
CENT = Decimal("0.01")


def test_only_drill_downs_read_the_focus_record():
    for name, fig in q.FIGURES.items():
        source = inspect.getsource(fig.fn.__wrapped__)
        reads = set(fig.tables) | {t for t in FOCUS_RECORD if t in source}
        if name.endswith("_rows"):  # a drill-down: filtered (a billing period at least) and capped
            assert "limit {DRILL_LIMIT}" in source, name
            continue
        assert not reads & set(FOCUS_RECORD), f"{name} reads the FOCUS record: {reads & set(FOCUS_RECORD)}"


def test_focus_drill_down_is_always_filtered_by_a_period(published):
    with duckdb.connect(str(published), read_only=True) as con:
        (latest,) = con.execute('select max("x_BillingPeriod") from marts.focus_cost_and_usage').fetchone()
        rows = q.FIGURES["focus_rows"].fn(con.cursor(), q.Filters())
    assert len(rows) and set(rows["x_BillingPeriod"]) == {latest}


@pytest.fixture()
def vendors() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema reference; create schema marts")
    con.execute(
        "create table reference.ai_vendor_catalogue as select * from (values "
        "('Amazon Web Services', 'aws', 10), ('Amazon Web Services', null, 10), ('Microsoft', 'azure', 10), "
        "('Microsoft', null, 10), ('OpenAI', 'chatgpt', 5), ('OpenAI', null, 5)) as t(vendor, alias, priority)"
    )
    con.execute(
        "create table marts.v as select * from (values ('aws_bedrock'), ('Amazon Web Services'), ('azure_openai'), "
        "('Microsoft'), ('openai'), ('OpenAI'), ('Micro Focus'), ('Amazonia'), (null)) as t(vendor)"
    )
    return con


def test_provider_filter_matches_vendors_by_the_one_vendor_naming(vendors):
    def matched(provider: str) -> set[str]:
        return set(q.vendor_values(vendors, "marts.v", "vendor", provider))

    assert matched("AWS") == {"aws_bedrock", "Amazon Web Services"}  # the old prefix match found neither
    assert matched("Microsoft") == {"azure_openai", "Microsoft"}
    assert matched("OpenAI") == {"openai", "OpenAI"}
    assert matched("Micro") == set()  # not a prefix match: "Micro" is no vendor of the catalogue
    w = q._Where().vendor(vendors, "marts.v", "vendor", "Nobody")
    assert w.sql.endswith("false") and w.params == []


def test_provider_filter_without_a_catalogue_matches_the_same_name(vendors):
    vendors.execute("drop schema reference cascade")
    assert set(q.vendor_values(vendors, "marts.v", "vendor", "openai")) == {"openai", "OpenAI"}


@pytest.mark.slow
def test_data_health_tables_equal_sql_on_the_marts(published):
    with duckdb.connect(str(published), read_only=True) as con:

        def rows(sql: str) -> list[tuple]:
            return sorted(con.execute(sql).fetchall(), key=repr)

        assert rows(
            "select source, format, rows, first_period, last_period, latest_charge_date, last_loaded_at, deliveries "
            "from metrics.source_freshness"
        ) == rows(
            "select x_source_system, x_source_format, count(*), min(x_billing_period), max(x_billing_period), "
            "max(charge_period_end)::date, max(x_ingested_at), count(distinct x_delivery_id) "
            "from marts.fct_charges group by 1, 2"
        )
        assert rows(
            "select delivery_id, source, period, loaded_at, rows, files from metrics.source_deliveries"
        ) == rows(
            "select x_delivery_id, x_source_system, x_billing_period, max(x_ingested_at), count(*), "
            "count(distinct x_source_file) from marts.fct_charges group by 1, 2, 3"
        )
        conformance = dict(con.execute("select rule, rows_violating from metrics.focus_conformance").fetchall())
        (total,) = con.execute("select count(*) from marts.focus_cost_and_usage").fetchone()
        checked = {r for (r,) in con.execute("select distinct rows_checked from metrics.focus_conformance").fetchall()}
        assert checked == {total}

        def violating(where: str) -> int:
            return con.execute(f"select count(*) from marts.focus_cost_and_usage where {where}").fetchone()[0]

        assert conformance["BilledCost is not null"] == violating('"BilledCost" is null')
        assert conformance["ProviderName is not null"] == violating('"ProviderName" is null')
        assert conformance["BillingCurrency is a 3-letter code"] == violating(
            '"BillingCurrency" is null or not regexp_matches("BillingCurrency", \'^[A-Z][A-Z][A-Z]$\')'
        )
        assert conformance["x_SourceFile and x_SourceRow are set (lineage)"] == violating(
            '"x_SourceFile" is null or "x_SourceRow" is null'
        )


@pytest.mark.slow
def test_daily_billing_cost_ties_to_the_focus_record_to_the_cent(published):
    with duckdb.connect(str(published), read_only=True) as con:
        table = con.execute(
            "select day, month, provider_name, billing_currency, effective_cost_billing_currency "
            "from metrics.daily_billing_cost"
        ).fetchall()
        record = con.execute(
            "select charge_period_start::date, (x_billing_period || '-01')::date, provider_name, billing_currency, "
            "sum(effective_cost) from marts.fct_charges group by 1, 2, 3, 4"
        ).fetchall()
    assert len(table) == len(record) > 0
    cents = {r[:4]: Decimal(r[4]).quantize(CENT) for r in record}
    assert {r[:4]: Decimal(r[4]).quantize(CENT) for r in table} == cents


@pytest.mark.slow
def test_query_timer_on_the_focus_record_only(published, tmp_path: Path):
    from benchmarks.dashboard import PAGES, time_queries

    own = focus_record_only(published, tmp_path)
    timed = time_queries(own)
    assert set(timed) == {p or "summary" for p in PAGES}
    assert timed["summary"]["figures"]["spend_headline"] is None  # no metric table: the empty state
    assert timed["budgets"]["figures"]["budget_status"] is None
    assert timed["data-health"]["figures"]["publication"] is not None  # main.publication is there: timed
