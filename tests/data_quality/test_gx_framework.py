"""The GX framework without a pipeline: contracts derived from the dbt YAML, reference data, the runner on an empty
or hand-made warehouse ("not built yet", failures with the rule and examples), data_quality never importing Dagster,
and every suite wired as an asset check on the right asset with the right blocking flag."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from data_quality.gx import NOT_BUILT, all_suites, run_suites, validate_suite
from data_quality.gx.mart_suites import FINANCE_MARTS
from data_quality.gx.raw_suites import RawTable, contract_suite
from data_quality.gx.reference import ISO_4217_CODES, duckdb_type, mart_contracts

REPO = Path(__file__).resolve().parents[2]


def test_contract_types_are_duckdb_types():
    assert duckdb_type("varchar") == "VARCHAR"
    assert duckdb_type("decimal(38, 10)") == "DECIMAL(38,10)"
    assert duckdb_type("numeric(9,4)") == "DECIMAL(9,4)"
    assert duckdb_type("timestamptz") == "TIMESTAMP WITH TIME ZONE"
    assert duckdb_type("text") == "VARCHAR" and duckdb_type("int") == "INTEGER"


def test_every_mart_yaml_contract_is_read_with_its_grain():
    contracts = mart_contracts()
    models = {
        m["name"]
        for p in (REPO / "dbt_project/models/marts").rglob("_*.yml")
        for m in (yaml.safe_load(p.read_text()) or {}).get("models") or []
    }
    assert set(contracts) == models  # every mart model has an enforced contract, and every one is read
    journal = contracts["fct_chargeback_journal"]
    assert journal.relation == "marts.fct_chargeback_journal"
    assert journal.column_types["debit"] == "DECIMAL(38,2)" and journal.column_types["posting_date"] == "DATE"
    assert journal.unique_keys == (("journal_id", "line_number"),)
    assert ("reconciliation_id",) in contracts["fct_invoice_reconciliation"].unique_keys
    assert "threshold_crossed" in contracts["fct_budget_vs_actual"].enumerated  # 'none' is one of its values


def test_iso_currency_list_holds_real_codes_only():
    assert {"USD", "EUR", "GBP", "JPY", "CHF", "CNY", "INR", "BRL", "XOF", "ZWG"} <= ISO_4217_CODES
    assert not {"XXX", "XTS", "XAU", "XYZ", "usd", "US$", "Credits"} & ISO_4217_CODES
    assert all(len(c) == 3 and c.isupper() for c in ISO_4217_CODES) and len(ISO_4217_CODES) > 150


def test_every_raw_table_and_mart_has_a_suite():
    suites = all_suites()
    relations = set(suites.by_relation)
    raw = {
        "aws_cur.line_items",
        "azure_cost_details.cost_details",
        "gcp_billing.billing_export_rows",
        "focus_exports.focus_rows",
        "business_kpis.daily_volumes",
        "finance.ap_invoice_lines",
        "finance.card_transactions",
        "finance.fx_rates",
        "finance.gl_journal_lines",
        "saas_invoices.invoices",
        "saas_invoices.invoice_lines",
        "anthropic_usage.messages_usage",
        "anthropic_usage.costs",
        "anthropic_usage.claude_code_usage",
        "anthropic_usage.claude_code_model_usage",
    }
    from ingestion.openai_usage.settings import ENDPOINTS

    raw |= {f"openai_usage.{e.table}" for e in ENDPOINTS.values()}
    marts = {c.relation for c in mart_contracts().values()}
    assert raw | marts <= relations
    for rel in raw | marts:
        assert any(s.name == "gx_contract" for s in suites.by_relation[rel]), rel
    # finance marts block, with ERROR severity (completeness is a warning, never blocking)
    for s in suites.suites:
        if s.schema == "marts" and s.table in FINANCE_MARTS and s.severity == "error":
            assert s.blocking, s.id
        assert not (s.blocking and s.severity == "warn"), s.id
        assert s.schema == "marts" or not s.blocking, s.id
    assert {"gx_focus_sign_rules", "gx_focus_invoice_totals", "gx_focus_custom_columns", "gx_focus_date_windows"} <= {
        s.name for s in suites.by_relation["marts.focus_cost_and_usage"]
    }


def test_missing_warehouse_or_relation_passes_as_not_built_yet(tmp_path):
    suites = all_suites().suites
    assert all(r.status == NOT_BUILT and r.passed for r in run_suites(tmp_path / "none.duckdb", suites[:3]))
    wh = tmp_path / "finops.duckdb"
    duckdb.connect(str(wh)).close()
    results = run_suites(wh, suites)
    assert {r.status for r in results} == {NOT_BUILT}
    assert "not built yet" in results[0].summary()


def test_a_frame_whose_other_relation_is_missing_is_skipped(tmp_path):
    wh = tmp_path / "finops.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema saas_invoices")
        con.execute(
            "create table saas_invoices.invoices (id varchar, vendor varchar, subtotal decimal(38,10), "
            "tax decimal(38,10), total decimal(38,10))"
        )
    suite = next(s for s in all_suites().by_relation["saas_invoices.invoices"] if s.name == "gx_invoice_lines_sum")
    r = validate_suite(wh, suite)
    assert r.passed and r.frames[0].status == NOT_BUILT and r.frames[0].missing == ("saas_invoices.invoice_lines",)


def test_hand_made_table_fails_with_rule_count_and_examples(tmp_path):
    """A small raw table with a duplicate key, an 'N/A', an unknown currency, a NULL amount, a 1999 date and an
    amount typed DOUBLE: each rule fails with its count and the offending values."""
    wh = tmp_path / "finops.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema finance")
        con.execute("""create table finance.card_transactions as select * from (values
            ('card', 't1', date '2026-10-01', 12.5, 'USD', 'ok', 'f.csv', 1),
            ('card', 't1', date '2026-10-02', 3.0, 'EUR', 'N/A', 'f.csv', 2),
            ('card', 't2', date '1999-12-31', null, 'XYZ', 'ok', 'f.csv', 3))
            t(channel, transaction_id, transaction_date, amount, currency, description, source_file, source_row)""")
    table = RawTable(
        "finance.card_transactions",
        {"channel": "VARCHAR", "transaction_id": "VARCHAR", "amount": "DECIMAL(38,10)"},
        key=("channel", "transaction_id"),
        not_null=("amount",),
        dates=("transaction_date",),
        currencies=("currency",),
        index=("source_file", "source_row"),
    )
    r = validate_suite(wh, contract_suite(table))
    assert r.status == "failed" and r.rows > 0
    by_rule = {o.rule: o for o in r.failures}
    types = by_rule["columns and types equal the loader's declared columns (every required column present)"]
    assert types.unexpected_count == 1 and list(types.examples) == [["amount DECIMAL(38,10)", "amount DECIMAL(3,1)"]]
    dup = by_rule["natural key (channel, transaction_id) is unique"]
    assert dup.unexpected_count == 2 and {"channel": "card", "transaction_id": "t1"} in dup.examples
    assert by_rule["amount is never NULL"].examples == ({"amount": None, "source_file": "f.csv", "source_row": 3},)
    window = next(o for o in r.failures if o.rule.startswith("transaction_date between 2000-01-01"))
    assert window.unexpected_count == 1 and window.examples[0]["transaction_date"] == "1999-12-31"
    cur = by_rule["currencies (currency) are active ISO 4217 codes"]
    assert cur.unexpected_count == 1 and cur.examples[0] == {"code": "XYZ", "column_name": "currency", "n": 1}
    ph = by_rule["no placeholder string ('', 'NULL', 'N/A', 'None', 'NaN', '-') instead of NULL"]
    assert ph.examples == ({"value": "N/A", "column_name": "description", "n": 1},)
    assert len(r.failures) == 6
    summary = r.summary()
    assert "FAILED 6 of" in summary and "'N/A'" in summary and "XYZ" in summary and "Next:" in summary


def test_decimals_are_compared_exactly_not_through_floats(tmp_path):
    wh = tmp_path / "finops.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema finance")
        con.execute(
            "create table finance.gl_journal_lines as select * from (values "
            "('J1', 1, 'USD', 0.1::decimal(38,10)), ('J1', 2, 'USD', 0.2::decimal(38,10)), "
            "('J1', 3, 'USD', -0.3::decimal(38,10)), ('J2', 1, 'USD', 0.0000000001::decimal(38,10))) "
            "t(journal_id, line_number, currency, amount)"
        )
    suite = next(s for s in all_suites().by_relation["finance.gl_journal_lines"] if s.name == "gx_journals_balance")
    r = validate_suite(wh, suite)
    (fail,) = r.failures
    assert fail.unexpected_count == 1  # J1 (0.1 + 0.2 - 0.3) balances exactly; J2 is off by 1e-10
    assert fail.examples[0]["journal_id"] == "J2" and Decimal(fail.examples[0]["balance"]) == Decimal("1E-10")


def test_data_quality_never_imports_dagster():
    for path in (REPO / "data_quality").rglob("*.py"):
        text = path.read_text()
        assert "import dagster" not in text and "from dagster" not in text, path
    code = (
        "import sys, importlib, pkgutil, data_quality, data_quality.gx\n"
        "for m in pkgutil.walk_packages(data_quality.__path__, 'data_quality.'):\n"
        "    importlib.import_module(m.name)\n"
        "from data_quality.gx import all_suites\n"
        "assert len(all_suites().suites) > 50\n"
        "assert 'dagster' not in sys.modules, [m for m in sys.modules if m.startswith('dagster')]\n"
        "assert 'great_expectations' not in sys.modules  # imported on first validation only"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs as load

    return load()


def test_every_suite_is_an_asset_check_with_its_blocking_flag(defs):
    from orchestration.defs.quality.gx_checks import asset_key, dbt_models

    graph = defs.resolve_asset_graph()
    checks = {}
    for ad in graph.assets_defs + list(defs.asset_checks or []):
        for spec in getattr(ad, "check_specs", []) or []:
            checks[spec.key] = (spec, ad)
    models = dbt_models()
    suites = [s for s in all_suites().suites if s.schema != "marts" or s.table in models]
    assert len(suites) > 70
    for s in suites:
        key = dg.AssetCheckKey(asset_key(s.relation), s.name)
        assert key in checks, f"no asset check for suite {s.id}"
        spec, ad = checks[key]
        assert spec.blocking is s.blocking, s.id
        assert key.asset_key in graph.get_all_asset_keys(), s.id  # on the ingest / dbt asset itself
        assert ad.op.pool == "warehouse", s.id
    assert asset_key("marts.fct_charges") == dg.AssetKey(["fct_charges"])
    assert asset_key("openai_usage.costs") == dg.AssetKey(["openai_usage", "costs"])
    gx = [k for k in checks if k.name.startswith("gx_")]
    assert len(gx) == len(suites)
    blocking = {k.asset_key.path[-1] for k, (spec, _) in checks.items() if k.name.startswith("gx_") and spec.blocking}
    assert blocking == set(FINANCE_MARTS)
