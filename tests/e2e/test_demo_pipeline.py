"""End to end through Dagster on the demo enterprise: every check passes (dbt tests, quarantine, landing
inventory, the FOCUS validator), and money reconciles to the cent from the source files to the FOCUS record,
through a re-run (idempotent) and a provider's re-delivery of a month (replaced, never added). The OpenAI and
Anthropic admin APIs are served by the local vendor servers (as in `make demo`): their raw cost tables equal the
servers' truth to the cent, and re-runs load nothing new from them."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_demo import generator as demo
from finops_demo.generator.kpis import sqlite_url
from finops_demo.vendor_servers.demo import (
    ANTHROPIC_ORGS,
    DEMO_END,
    DEMO_START,
    OPENAI_ORG,
    demo_vendor_servers,
)
from finops_demo.vendor_servers.stripe import truth as saas_truth
from ingestion.finance.runner import demo_ledger_database
from orchestration.defs.governance.checks import is_governance_signal
from tests.support.aws_cur import expected_sums as aws_expected
from tests.support.azure_cost_details import expected as azure_expected
from tests.support.focus_exports import expected_csv as focus_csv_expected
from tests.support.focus_exports import expected_parquet as focus_parquet_expected
from tests.support.gcp_billing import jsonl_month_totals
from tests.support.shared_state import DEMO_ROWS, DEMO_SEED, writable_copy_of_state

CENT = Decimal("0.01")
SEED, ROWS = 7, 8_000
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

# demo format id -> (x_source_format in the FOCUS record, how to compute the source's own sums)
SOURCE_FORMAT = {
    "aws_cur2": "aws_cur2",
    "aws_cur_legacy": "aws_cur_legacy",
    "azure_ea_actual": "azure_ea",
    "azure_ea_amortized": "azure_ea",
    "azure_mca_actual": "azure_mca",
    "azure_mca_amortized": "azure_mca",
    "gcp_billing": "gcp_billing_jsonl",
    "oci_focus": "focus_1_0",
    "aws_focus": "focus_1_2",
}


def _period_of(path: str) -> str:
    m = re.search(
        r"BILLING_PERIOD=(\d{4})-(\d{2})|/(\d{4})(\d{2})01-\d{8}/|invoice_month=(\d{4})(\d{2})|/(\d{4})/(\d{2})/", path
    )
    assert m, path
    y, mo = [g for g in m.groups() if g][:2]
    return f"{y}-{mo}"


def current_files(first: dict, redelivered: dict | None) -> dict[str, list[str]]:
    """Data files of the latest delivery per (demo format, period), from the generator's own account."""
    files: dict[tuple[str, str], list[str]] = defaultdict(list)
    for summary in [first] + ([redelivered] if redelivered else []):
        fresh: dict[tuple[str, str], list[str]] = defaultdict(list)
        for fmt, info in summary["formats"].items():
            for f in info["files"]:
                if "manifest" not in f.lower():
                    fresh[(fmt, _period_of(f))].append(f)
        files.update(fresh)  # a re-delivered (format, period) replaces the earlier files
    return files


def gcp_expected(path: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Σ cost + Σ credits.amount per invoice month, straight from the BigQuery JSON export."""
    return {k: (v, v) for k, v in jsonl_month_totals(path).items()}


def expected_totals(files: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(x_source_format, period) -> (Σ BilledCost, Σ EffectiveCost) computed from the source files alone."""
    out: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for (fmt, period), paths in files.items():
        key = (SOURCE_FORMAT[fmt], period)
        for p in paths:
            if fmt.startswith("azure_"):
                cost = azure_expected(Path(p), "")[period]["cost"]
                # both datasets delivered: BilledCost = Σ actual Cost, EffectiveCost = Σ amortized Cost
                out[key][0 if fmt.endswith("_actual") else 1] += cost
                continue
            if fmt.startswith(("aws_cur",)):
                sums = aws_expected(Path(p))
            elif fmt == "gcp_billing":
                sums = gcp_expected(p)
            elif p.endswith(".parquet"):
                sums = focus_parquet_expected(Path(p))
            else:
                sums = focus_csv_expected(Path(p))
            billed, effective = sums[period]
            out[key][0] += billed
            out[key][1] += effective
    return {k: (v[0].quantize(CENT), v[1].quantize(CENT)) for k, v in out.items()}


FILE_FORMATS = sorted(set(SOURCE_FORMAT.values()))  # the billing-file formats; vendor API lines are checked apart
_IN_FILE_FORMATS = "in (" + ", ".join(f"'{f}'" for f in FILE_FORMATS) + ")"


def record_totals(warehouse: Path, relation: str = "marts.fct_charges") -> dict[tuple[str, str], tuple]:
    """(x_source_format, period) -> (Σ BilledCost, Σ EffectiveCost) of the billing-file lines in the record."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select x_source_format, x_billing_period, sum(billed_cost), sum(effective_cost) "
            f"from {relation} where x_source_format {_IN_FILE_FORMATS} group by all"
        ).fetchall()
    return {(f, p): (b.quantize(CENT), e.quantize(CENT)) for f, p, b, e in rows}


def api_record_billed(warehouse: Path) -> Decimal | None:
    """Σ BilledCost of the record's model-API cost lines (no billing file; the SaaS invoice rows are checked by
    dbt test assert_saas_charges_equal_invoice_totals); None if none."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select sum(billed_cost) from marts.fct_charges "
            f"where x_source_format not {_IN_FILE_FORMATS} "
            f"and x_source_system in ('openai_usage', 'anthropic_usage')"
        ).fetchone()[0]


def api_cost_totals(warehouse: Path) -> dict[tuple[str, str], Decimal]:
    """(dataset, organisation) -> Σ amount (dollars) in the raw vendor API cost tables."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select 'openai_usage', organization, sum(amount) from openai_usage.costs group by all "
            "union all select 'anthropic_usage', organization_name, sum(amount) "
            "from anthropic_usage.costs group by all"
        ).fetchall()
    return {(ds, org): total for ds, org, total in rows}


def api_loads(warehouse: Path) -> dict[str, tuple]:
    """Rows and the latest dlt load id of every vendor API table (a run that loads nothing changes neither)."""
    from ingestion.catalogue import api_tables

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            f"{ds}.{t}": con.execute(f"select count(*), max(_dlt_load_id) from {ds}.{t}").fetchone()
            for ds, tables in api_tables().items()
            for t in tables
        }


def assert_no_new_api_rows(out: list[str]) -> None:
    """The runner's per-dataset line (the load report's summary, from the assets' metadata) says nothing was loaded."""
    for ds in ("openai_usage", "anthropic_usage"):
        assert any(
            line.strip().startswith(f"{ds}:") and line.endswith(" 0 rows loaded from the API") for line in out
        ), out


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "warehouse" / "finops.duckdb"))
    monkeypatch.setenv("FINOPS_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path


def test_demo_reconciles_to_the_cent_through_dagster(demo_pipeline, env, monkeypatch):
    """The first run is the session's shared demo run (``demo_pipeline``: this seed and row count, job refresh_all
    in process, as `make demo`'s first run), checked read-only; the re-run and the restatement run on a copy of it
    (landing zone, warehouse, dlt state) through the CLI's runner."""
    assert (SEED, ROWS) == (DEMO_SEED, DEMO_ROWS)
    # every data-quality check passed (governance checks are business signals: the demo plants findings)
    checks = [e for e in demo_pipeline["evaluations"] if not is_governance_signal(e)]
    assert checks and [e.asset_check_key for e in checks if not e.passed] == []
    first = demo_pipeline["generated"]
    with demo_vendor_servers() as vendors:
        api = _first_run_reconciles(env, vendors, demo_pipeline["warehouse"], first)
        copy = writable_copy_of_state(demo_pipeline, env)
        landing, warehouse = copy["landing"], copy["warehouse"]
        assert warehouse == env / "warehouse" / "finops.duckdb" and landing == env / "landing"
        # as `make demo`: the business-KPI SQL source reads the demo's SQLite database (the CSV drop is in the landing)
        monkeypatch.setenv("SOURCES__BUSINESS_KPIS__CREDENTIALS", sqlite_url(landing))
        with demo_ledger_database(landing):  # as `make demo` (--demo-finance): the ledger is the demo's SQLite
            _later_runs(env, landing, warehouse, first, api)


def _first_run_reconciles(env, vendors, warehouse, first) -> dict:
    """The first run's record, read-only: API costs to the servers' truth, allocation, journal, files to the cent."""
    # the vendor APIs' cost reports, loaded over HTTP from the local servers, equal their truth to the cent
    start, end = (dt.datetime.fromisoformat(d).replace(tzinfo=dt.UTC) for d in (DEMO_START, DEMO_END))
    api_truth = {("openai_usage", OPENAI_ORG): vendors.openai.total_cost(OPENAI_ORG, start, end)}
    api_truth |= {
        ("anthropic_usage", org): vendors.anthropic.total_cost_cents(org, start.date(), end.date()) / 100
        for org in ANTHROPIC_ORGS
    }
    api_totals = api_cost_totals(warehouse)
    assert {k: v.quantize(CENT) for k, v in api_totals.items()} == {k: v.quantize(CENT) for k, v in api_truth.items()}
    assert all(v > 0 for v in api_totals.values())
    api_loads_before = api_loads(warehouse)
    assert all(n > 0 for n, _ in api_loads_before.values())  # the demo servers fill every table
    # the vendor API cost lines are FOCUS rows: BilledCost per vendor and organisation equals the cost API's truth
    api_billed = api_record_billed(warehouse)
    assert api_billed.quantize(CENT) == sum(api_truth.values()).quantize(CENT)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        focus_api = {
            (ds, org): b
            for ds, org, b in con.execute(
                "select x_source_system, billing_account_id, sum(billed_cost) from marts.fct_charges "
                "where x_source_system in ('openai_usage', 'anthropic_usage') group by all"
            ).fetchall()
        }
        # cost per model per day for every AI vendor, with tokens and billed cost
        per_vendor = {
            v: (n, t, b)
            for v, n, t, b in con.execute(
                "select vendor, count(distinct model_name), sum(tokens), sum(billed_token_cost) "
                "from marts.fct_ai_model_costs_daily group by vendor"
            ).fetchall()
        }
        unpriced = con.execute(
            "select count(*) from marts.fct_ai_usage where usage_unit = 'Tokens' and price_status <> 'priced'"
        ).fetchone()[0]
    assert {k: v.quantize(CENT) for k, v in focus_api.items()} == {k: v.quantize(CENT) for k, v in api_truth.items()}
    assert set(per_vendor) == {"openai", "anthropic", "aws_bedrock", "azure_openai", "google_vertex"}
    assert all(n >= 1 and t > 0 and b > 0 for n, t, b in per_vendor.values()), per_vendor
    assert unpriced == 0

    # allocation: every dollar of the record lands on a product or the explicit remainder, by every split method
    with duckdb.connect(str(warehouse), read_only=True) as con:
        record = {
            (p, c): v
            for p, c, v in con.execute(
                "select x_billing_period, billing_currency, sum(effective_cost) from marts.fct_charges group by all"
            ).fetchall()
        }
        allocated = {
            (p, c): v
            for p, c, v in con.execute(
                "select billing_period, billing_currency, sum(allocated_effective_cost) from marts.fct_cost_allocated "
                "group by all"
            ).fetchall()
        }
        methods = {
            m
            for (m,) in con.execute(
                "select distinct allocation_method || coalesce(':' || allocation_driver, '') "
                "from marts.fct_cost_allocated where is_allocated"
            ).fetchall()
        }
        accuracy = dict(
            con.execute(
                "select distinct billing_period, period_accuracy_ratio from marts.fct_allocation_accuracy"
            ).fetchall()
        )
        # product unit costs carry the allocated AI cost, and cost per transaction is that cost / transactions
        unit_cost, ai_allocated, per_txn_off, priced_products = con.execute(
            "select (select sum(allocated_cost) from marts.fct_unit_costs where scope = 'product'), "
            "(select sum(allocated_effective_cost) from marts.fct_cost_allocated where is_allocated "
            " and product is not null and service_category = 'AI and Machine Learning' and billing_currency = 'USD'), "
            "(select max(abs(cost_per_transaction - allocated_cost / transactions)) from marts.fct_unit_costs "
            " where scope = 'product' and transactions > 0), "
            "(select count(*) from marts.fct_unit_costs where scope = 'product' and cost_per_transaction > 0)"
        ).fetchone()
    assert allocated == record
    # (this small demo has no untagged SageMaker line for the KPI-driven rule; `make demo` has, see README)
    assert {
        "direct",
        "even:equal",
        "fixed:splits",
        "proportional:tokens",
        "proportional:requests",
        "proportional:effective_cost",
    } <= methods, methods
    assert all(0.8 < a <= 1 for a in accuracy.values()), accuracy
    assert unit_cost == ai_allocated and unit_cost > 0
    assert per_txn_off < Decimal("0.0000001") and priced_products >= 5

    # the chargeback journal of a month balances and carries the allocated cost (rounded per cost centre line)
    from serving.journal_export import export_journal

    journal = export_journal(warehouse, "2026-10", env / "journal-2026-10.csv")
    with (env / "journal-2026-10.csv").open() as fh:
        lines = list(csv.DictReader(fh))
    assert sorted(journal["journals"]) == ["CHB-2026-10-EUR", "CHB-2026-10-USD"]  # Mistral AI invoices in EUR
    for cur in ("USD", "EUR"):
        expense = [r for r in lines if r["cost_center"] != "CC-0000" and r["currency"] == cur]
        net = sum(Decimal(r["debit"]) - Decimal(r["credit"]) for r in expense)
        assert abs(net - record[("2026-10", cur)]) <= Decimal("0.005") * len(expense)

    expected = expected_totals(current_files(first, None))
    assert record_totals(warehouse) == expected
    assert record_totals(warehouse, "marts.fct_charges") == expected

    # the FOCUS export carries the same money
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exported = con.execute(
            'select sum("BilledCost"), sum("EffectiveCost") from marts.focus_cost_and_usage '
            f'where "x_SourceFormat" {_IN_FILE_FORMATS}'
        ).fetchone()
        deliveries_before = con.execute("select count(*) from aws_cur.deliveries").fetchone()[0]
    # the expected sums are rounded to the cent per (format, period): their total may differ by half a cent each
    half_cents = Decimal("0.005") * len(expected)
    assert abs(exported[0] - sum(b for b, _ in expected.values())) <= half_cents
    assert abs(exported[1] - sum(e for _, e in expected.values())) <= half_cents

    return {
        "expected": expected,
        "totals": api_totals,
        "loads": api_loads_before,
        "billed": api_billed,
        "deliveries": deliveries_before,
    }


def _later_runs(env, landing, warehouse, first, api) -> None:
    from finops_cli.runner import run_pipeline

    out: list[str] = []
    expected, api_totals, api_loads_before = api["expected"], api["totals"], api["loads"]
    api_billed, deliveries_before = api["billed"], api["deliveries"]
    assert record_totals(warehouse) == expected and api_loads(warehouse) == api_loads_before

    # a second run with nothing new: nothing loads (files or APIs), every total unchanged
    out.clear()
    assert run_pipeline(echo=out.append)
    assert record_totals(warehouse) == expected
    assert_no_new_api_rows(out)
    assert api_loads(warehouse) == api_loads_before and api_cost_totals(warehouse) == api_totals
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from aws_cur.deliveries").fetchone()[0] == deliveries_before

    # the providers restate September: it replaces the earlier delivery, October is untouched
    redelivered = demo.write_redelivery(landing, seed=SEED, rows=ROWS)
    out.clear()
    assert run_pipeline(echo=out.append)
    assert_no_new_api_rows(out)
    assert api_loads(warehouse) == api_loads_before and api_record_billed(warehouse) == api_billed
    restated = expected_totals(current_files(first, redelivered))
    after = record_totals(warehouse)
    assert after == restated
    changed = {k for k in restated if restated[k] != expected.get(k)}
    assert changed and all(period == first["restated_month"] for _, period in changed)
    assert {k: v for k, v in after.items() if k[1] != first["restated_month"]} == {
        k: v for k, v in expected.items() if k[1] != first["restated_month"]
    }

    # finance: with the billing data final, the three-way reconciliation reproduces exactly the generator's
    # planted variances (and nothing else), shadow AI is exactly the unsanctioned vendors' lines, SaaS invoices are
    # FOCUS rows whose BilledCost per InvoiceId is the invoice total, and EUR converts at the day's rate
    assert_finance(warehouse, first["finance"])

    # metrics (issue 16): every metric table, re-materialised by the run after the restatement, equals `mf query`
    # of its metrics on the same warehouse, and the published copy carries them
    assert_metric_tables(env, warehouse)


def assert_metric_tables(env: Path, warehouse: Path) -> None:
    from serving.metrics import METRIC_TABLES
    from serving.publish import published_path
    from tests.support.mf_query import assert_metric_tables_equal_mf_query

    compared = assert_metric_tables_equal_mf_query(warehouse, env / "mf_query")
    assert set(compared) == {t.name for t in METRIC_TABLES}
    assert all(compared[t] > 0 for t in ("daily_cost", "monthly_cost", "daily_ai_unit_costs", "monthly_showback"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # the headline ties to the FOCUS record to the cent: Σ effective cost per billing month
        monthly = con.execute("select month, effective_cost from metrics.monthly_cost").fetchall()
        record = con.execute(
            "select cast(x_billing_period || '-01' as date), sum(x_reporting_effective_cost) from marts.fct_charges "
            "group by 1"
        ).fetchall()
        counts = {t.name: con.execute(f"select count(*) from {t.relation}").fetchone()[0] for t in METRIC_TABLES}
    assert sorted(monthly) == sorted(record)
    with duckdb.connect(str(published_path(warehouse)), read_only=True) as pub:
        assert {
            t.name: pub.execute(f"select count(*) from {t.relation}").fetchone()[0] for t in METRIC_TABLES
        } == counts


TENTH_NANO = Decimal("0.0000000001")
BUCKETS = {
    "tax": "tax_variance",
    "credits": "credit_variance",
    "timing": "timing_variance",
    "fx": "fx_variance",
    "rounding": "rounding_variance",
    "unexplained": "unexplained_variance",
}


def assert_finance(warehouse: Path, finance: dict) -> None:
    cols = ", ".join(BUCKETS.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        recon = {
            (v, i, p): (status, var, dict(zip(BUCKETS, b, strict=True)))
            for v, i, p, status, var, *b in con.execute(
                f"select vendor, invoice_number, billing_period, status, variance, {cols} "
                "from marts.fct_invoice_reconciliation"
            ).fetchall()
        }
        shadow = con.execute(
            "select channel, coalesce(transaction_id, invoice_number), vendor, product, currency, "
            "amount_reporting, fx_rate_missing from marts.fct_shadow_ai_spend"
        ).fetchall()
        saas = {
            (p, i): b
            for p, i, b in con.execute(
                "select provider_name, invoice_id, sum(billed_cost) from marts.fct_charges "
                "where x_source_system in ('saas_invoices', 'finance_ap') group by all"
            ).fetchall()
        }
        eur = con.execute(
            "select count(*), count(*) filter (where x_fx_rate_missing or x_reporting_billed_cost is null "
            "  or x_reporting_billed_cost <> cast(billed_cost * x_fx_rate as decimal(38, 10)) or x_fx_rate_source "
            "  not like 'ECB%'), count(*) filter (where billing_currency = x_reporting_currency and x_fx_rate <> 1) "
            "from marts.fct_charges where billing_currency = 'EUR'"
        ).fetchone()
        missing_fx = con.execute("select count(*) from marts.fct_charges where x_fx_rate_missing").fetchone()[0]
    expected = {(r["vendor"], r["invoice_number"], r["billing_period"]): r for r in finance["reconciliation"]}
    assert set(recon) == set(expected)
    for key, r in expected.items():
        status, variance, buckets = recon[key]
        want = {b: r["buckets"].get(b, Decimal(0)).quantize(TENTH_NANO) for b in BUCKETS}
        assert (status, variance.quantize(TENTH_NANO), {b: v.quantize(TENTH_NANO) for b, v in buckets.items()}) == (
            r["status"],
            r["variance"].quantize(TENTH_NANO),
            want,
        ), key
    statuses = sorted(s for s, _, _ in recon.values())
    assert statuses.count("unexplained") == 1 and statuses.count("within_tolerance") == 1  # Oracle, Azure EA

    # shadow AI: the card / expense lines of unsanctioned vendors and products, plus Jasper's AP invoices
    want_lines = {(x["channel"], x["transaction_id"], x["vendor"], x["product"]) for x in finance["shadow_ai"]}
    got_lines = {(c, t, v, p) for c, t, v, p, *_ in shadow if c != "ap"}
    assert got_lines == want_lines
    assert {v for c, _, v, *_ in shadow if c == "ap"} == {"Jasper"}
    assert {v for _, _, v, *_ in shadow} == {"Midjourney", "Jasper", "Otter.ai", "Perplexity", "OpenAI", "Anthropic"}
    for _c, _t, _v, _p, currency, amount_reporting, fx_missing in shadow:  # CHF has no rate: flagged, never 0 or 1
        assert fx_missing == (currency == "CHF") and (amount_reporting is None) == (currency == "CHF")

    # SaaS FOCUS rows: BilledCost per InvoiceId = the vendor's invoice total (Stripe API), Copilot from AP
    truth = {(vendor, number): total for vendor, inv in saas_truth().items() for number, total in inv.items()}
    assert {k: v for k, v in saas.items() if k[0] != "GitHub"} == truth
    assert {v for (p, _), v in saas.items() if p == "GitHub"} == {Decimal(3800)}
    # reporting currency: every EUR row converted at the ECB rate of its day; no row of the record lacks a rate
    assert eur[0] > 0 and eur[1] == 0 and eur[2] == 0 and missing_fx == 0
