"""The dbt project on Spark over the Parquet lake equals its DuckDB build (tools/compare_engines.py, the `spark`
selector of dbt_project/selectors.yml: every model but the Python spend forecast and the marts that read it): the
small demo's raw layer written to a lake, seeded and built on Spark (PySpark, Java 17), and every selected model
compared with the DuckDB relation row for row, every column cast to the DuckDB type. And the comparison is not
blind: one decimal changed by 1e-10 in a copy of the warehouse is found."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.support.shared_state import writable_copy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (Debian openjdk-17-jre-headless)"),
]


@pytest.fixture(scope="module")
def spark_build(demo_pipeline, tmp_path_factory):
    from tools.compare_engines import main

    lake = tmp_path_factory.mktemp("lake")
    rc = main(["--warehouse", str(demo_pipeline["warehouse"]), "--lake", str(lake)])
    return rc, lake, json.loads((lake / "_compare.json").read_text())


def test_every_spark_model_equals_duckdb(spark_build):
    rc, _lake, report = spark_build
    different = [r for r in report["relations"] if not r["equal"]]
    assert not different, json.dumps(different, indent=1)[:4000]
    assert rc == 0
    names = {r["relation"] for r in report["relations"]}
    # the FOCUS record and everything it is built from: the four billing mappings, SaaS and model-API charges, FX
    assert {
        "marts.focus_cost_and_usage",
        "marts.fct_charges",
        "intermediate.int_charges_unioned",
        "intermediate.int_aws__focus_charges",
        "intermediate.int_azure__focus_charges",
        "intermediate.int_gcp__focus_charges",
        "intermediate.int_focus_exports__focus_charges",
        "intermediate.int_saas_charges",
        "intermediate.int_ai_api_charges",
        "intermediate.int_fx_rates_daily",
        "staging.stg_aws_cur__line_items",
    } <= names
    # and the marts of every family: AI usage, allocation and showback, finance, governance (budgets without the
    # forecast, anomalies, waste, contracts), inventory
    assert {
        "marts.fct_ai_usage",
        "marts.fct_ai_model_costs_daily",
        "marts.fct_unit_costs",
        "marts.fct_cost_allocated",
        "marts.fct_showback_monthly",
        "marts.fct_allocation_accuracy",
        "marts.fct_tag_coverage",
        "marts.fct_chargeback_journal",
        "marts.fct_invoice_reconciliation",
        "marts.fct_shadow_ai_spend",
        "marts.fct_cost_anomalies",
        "marts.fct_remediation_cycle_time",
        "marts.fct_waste_candidates",
        "marts.fct_cost_avoidance",
        "marts.fct_commitment_utilization",
        "marts.dim_ai_workloads",
        "marts.fct_quarantined_records",
    } <= names
    # equal because both hold rows: only these are empty in the small demo (no source-key gaps, nothing quarantined)
    empty = {r["relation"] for r in report["relations"] if r["duckdb_rows"] == 0}
    assert empty <= {"intermediate.int_charge_source_keys", "marts.fct_quarantined_records"}, empty


def test_the_comparison_finds_one_changed_decimal(spark_build, demo_pipeline, tmp_path):
    from tools.compare_engines import compare

    _rc, lake, _report = spark_build
    copy = writable_copy(demo_pipeline["warehouse"], tmp_path)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update intermediate.int_fx_rates_daily set rate = rate + 0.0000000001 "
            "where rowid = (select min(rowid) from intermediate.int_fx_rates_daily where from_currency <> 'USD')"
        )
    lines: list[str] = []
    [result] = compare(copy, lake, ["intermediate.int_fx_rates_daily"], lines.append)
    assert not result.equal and result.only_duckdb == 1 and result.only_spark == 1
    assert set(result.columns) == {"rate"}
    assert "DIFFERENT" in lines[0]
