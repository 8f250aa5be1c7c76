"""The GX suites on a real (small) demo warehouse: the whole pipeline runs once per session through Dagster (the demo
exports, vendor APIs, finance and KPI sources, dbt, every check), every GX asset check passes on the clean data,
then each rule is broken on a copy of the warehouse and its suite fails naming the rule and the offending values."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from data_quality.gx import all_suites, validate_suite

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    """The small demo (seed 7, 8,000 rows a format) run once through job refresh_all in process (as `finops run
    --demo-vendors --demo-kpis --demo-finance`): the session's shared, read-only ``demo_pipeline`` (tests/conftest.py),
    with its warehouse and the run's asset check evaluations."""
    return demo_pipeline


def suite(relation: str, name: str):
    return next(s for s in all_suites().by_relation[relation] if s.name == name)


def mutated(pipeline, tmp_path: Path, *statements: str) -> Path:
    """A copy of the clean warehouse (named finops.duckdb: the views name their catalog) with ``statements`` run."""
    wh = tmp_path / "mutated" / "finops.duckdb"
    wh.parent.mkdir(parents=True)
    shutil.copyfile(pipeline["warehouse"], wh)
    with duckdb.connect(str(wh)) as con:
        for sql in statements:
            con.execute(sql)
    return wh


def failure(result, rule_start: str):
    """The failing expectation whose rule starts with ``rule_start`` (and the suite failed)."""
    assert result.status == "failed", result.summary()
    matches = [o for o in result.failures if o.rule.startswith(rule_start)]
    assert matches, f"{rule_start!r} did not fail: {result.summary()}"
    return matches[0]


# --------------------------------------------------------------------------------------------------------------
# clean data
# --------------------------------------------------------------------------------------------------------------


def test_every_gx_check_passes_on_the_clean_demo_in_dagster(pipeline):
    from orchestration.defs.quality.gx_checks import asset_key, grouped_suites

    expected = {(asset_key(s.relation).to_user_string(), s.name) for g in grouped_suites().values() for s in g}
    gx = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in pipeline["evaluations"]
        if e.check_name.startswith("gx_")
    }
    assert set(gx) == expected  # every suite ran once, as the check of its relation's asset
    failed = {k: e.description for k, e in gx.items() if not e.passed}
    assert failed == {}

    def meta(key, name):
        v = gx[key].metadata[name]
        return getattr(v, "value", v)

    # everything was built: no suite passed for want of data
    assert {meta(k, "status") for k in gx} == {"passed"}
    assert meta(("focus_cost_and_usage", "gx_focus_sign_rules"), "rows_validated") > 1_000
    assert meta(("aws_cur/line_items", "gx_contract"), "failing_expectations") == 0
    assert meta(("fct_chargeback_journal", "gx_journal_balances"), "rows_validated") > 0


def test_every_suite_passes_directly_on_the_clean_warehouse(pipeline):
    from data_quality.gx import run_suites

    results = run_suites(pipeline["warehouse"], all_suites().suites)
    assert [r.suite.id for r in results if r.status != "passed"] == []
    assert sum(r.rows for r in results) > 10_000


# --------------------------------------------------------------------------------------------------------------
# each rule broken on a copy
# --------------------------------------------------------------------------------------------------------------


def test_placeholder_string_fails_the_raw_contract(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "update finance.card_transactions set description = ' N/A ' "
        "where transaction_id = (select min(transaction_id) from finance.card_transactions)",
    )
    r = validate_suite(wh, suite("finance.card_transactions", "gx_contract"))
    o = failure(r, "no placeholder string")
    assert o.unexpected_count == 1 and o.examples == ({"value": " N/A ", "column_name": "description", "n": 1},)
    assert len(r.failures) == 1 and "' N/A '" in r.summary()


def test_unknown_currency_fails(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "update finance.ap_invoice_lines set currency = 'XYZ' where line_number = 1 "
        "and invoice_number = (select min(invoice_number) from finance.ap_invoice_lines)",
    )
    o = failure(
        validate_suite(wh, suite("finance.ap_invoice_lines", "gx_contract")),
        "currencies (currency) are active ISO 4217 codes",
    )
    assert o.unexpected_count == 1 and o.examples == ({"code": "XYZ", "column_name": "currency", "n": 1},)


def test_positive_credit_fails_the_focus_sign_rules(pipeline, tmp_path):
    with duckdb.connect(str(pipeline["warehouse"]), read_only=True) as con:
        file, row = con.execute(
            "select x_source_file, x_source_row from intermediate.int_charges_unioned "
            "where charge_category = 'Credit' and charge_class is null and x_source_system = 'aws' "
            "order by x_source_file, x_source_row limit 1"
        ).fetchone()
    wh = mutated(
        pipeline,
        tmp_path,
        "update intermediate.int_charges_unioned set billed_cost = 12.34 "
        f"where x_source_file = '{file}' and x_source_row = {row} "
        "and charge_category = 'Credit'",
    )
    o = failure(
        validate_suite(wh, suite("marts.focus_cost_and_usage", "gx_focus_sign_rules")),
        "Credit BilledCost <= 0 unless a correction",
    )
    assert o.unexpected_count == 1
    assert o.examples[0] == {"BilledCost": "12.34", "x_SourceFile": file, "x_SourceRow": row}


def test_tokens_without_cost_fail(pipeline, tmp_path):
    with duckdb.connect(str(pipeline["warehouse"]), read_only=True) as con:
        day, org, model, token_type = con.execute(
            "select usage_date, organization, model_name, token_type from marts.fct_ai_usage "
            "where usage_source = 'api' and tokens > 0 order by all limit 1"
        ).fetchone()
    wh = mutated(
        pipeline,
        tmp_path,
        "update marts.fct_ai_usage set contracted_cost = null, list_cost = null "
        f"where usage_source = 'api' and usage_date = '{day}' and organization = '{org}' "
        f"and model_name = '{model}' and token_type = '{token_type}'",
    )
    o = failure(validate_suite(wh, suite("marts.fct_ai_usage", "gx_tokens_have_cost")), "API tokens have a cost")
    assert o.unexpected_count >= 1
    assert {(e["usage_date"], e["organization"], e["model_name"], e["token_type"]) for e in o.examples} == {
        (str(day), org, model, token_type)
    }


def test_duplicated_natural_key_fails(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "insert into finance.fx_rates select * from finance.fx_rates order by rate_date, base_currency limit 1",
    )
    with duckdb.connect(str(wh), read_only=True) as con:
        first = con.execute(
            "select rate_date, base_currency, quote_currency, rate_source from finance.fx_rates "
            "order by rate_date, base_currency limit 1"
        ).fetchone()
    o = failure(
        validate_suite(wh, suite("finance.fx_rates", "gx_contract")),
        "natural key (dlt primary key) (rate_date, base_currency, quote_currency, rate_source) is unique",
    )
    assert o.unexpected_count == 2
    assert o.examples[0] == {
        "rate_date": str(first[0]),
        "base_currency": first[1],
        "quote_currency": first[2],
        "rate_source": first[3],
    }


def test_missing_day_for_an_account_fails_completeness(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "delete from intermediate.int_charges_unioned "
        "where billing_account_id = '210987654321' "
        "and cast(charge_period_start as date) = date '2026-10-15'",
    )
    o = failure(
        validate_suite(wh, suite("marts.fct_charges", "gx_record_completeness")),
        "no day missing between a billing account's first and last daily charge of a period",
    )
    assert o.unexpected_count == 1
    assert o.examples == (
        {
            "charge_rows": 0,
            "x_source_system": "aws",
            "billing_account_id": "210987654321",
            "x_billing_period": "2026-10",
            "day": "2026-10-15",
        },
    )
    # the vendor API's cost buckets too: a day without any cost line for the organisation
    wh2 = mutated(
        pipeline,
        tmp_path / "api",
        "delete from openai_usage.costs where cast(bucket_start_time as date) = date '2026-09-20'",
    )
    o = failure(validate_suite(wh2, suite("openai_usage.costs", "gx_daily_completeness")), "every day from each")
    assert o.examples == ({"rows_present": 0, "organization": "northwind", "day": "2026-09-20"},)


def test_billing_period_in_1999_fails_the_date_window(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "update intermediate.int_charges_unioned set "
        "billing_period_start = timestamp '1999-10-01', "
        "billing_period_end = timestamp '1999-11-01' where x_source_system = 'oracle' "
        "and x_billing_period = '2026-10'",
    )
    r = validate_suite(wh, suite("marts.focus_cost_and_usage", "gx_focus_date_windows"))
    o = failure(r, "billing_period_start_day (BillingPeriodStart) between 2000-01-01")
    assert o.unexpected_count >= 1  # one per distinct (billing, charge period) of the restamped rows
    assert {(e["billing_period_start_day"], e["x_SourceSystem"]) for e in o.examples} == {("1999-10-01", "oracle")}
    # its charges (October 2026) now lie outside their billing period
    assert failure(r, "the charge period starts before its billing period ends").unexpected_count > 0


def test_invoice_off_by_a_cent_fails_the_invoice_totals(pipeline, tmp_path):
    with duckdb.connect(str(pipeline["warehouse"]), read_only=True) as con:
        invoice, account, total = con.execute(
            "select invoice_id, billing_account_id, sum(billed_cost) from marts.fct_charges "
            "where x_source_system = 'saas_invoices' group by all order by all limit 1"
        ).fetchone()
    wh = mutated(
        pipeline,
        tmp_path,
        "update intermediate.int_charges_unioned set billed_cost = billed_cost + 0.01 "
        "where rowid = (select rowid from intermediate.int_charges_unioned "
        f"where x_source_system = 'saas_invoices' and invoice_id = '{invoice}' "
        f"and billing_account_id = '{account}' order by billed_cost desc limit 1)",
    )
    o = failure(
        validate_suite(wh, suite("marts.focus_cost_and_usage", "gx_focus_invoice_totals")),
        "BilledCost per InvoiceId equals the invoice total",
    )
    assert o.unexpected_count == 1
    ex = o.examples[0]
    assert ex["billed_minus_invoice"] == "0.01" and ex["invoice_id"] == invoice and ex["source"] == "saas_invoices"
    assert Decimal(ex["invoice_total"]) == total and Decimal(ex["billed_cost"]) == total + Decimal("0.01")


def test_extra_column_without_x_prefix_fails_the_focus_export(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "create table marts.focus_copy as select * from marts.focus_cost_and_usage",
        "drop view marts.focus_cost_and_usage",
        "create table marts.focus_cost_and_usage as select *, 'CC-1100' as \"CostCentre\" from marts.focus_copy",
    )
    o = failure(
        validate_suite(wh, suite("marts.focus_cost_and_usage", "gx_focus_custom_columns")),
        "every column that is not a FOCUS 1.2/1.3 column starts with x_",
    )
    assert o.unexpected_count == 1 and o.examples[0]["column_name"] == "CostCentre"
    contract = failure(validate_suite(wh, suite("marts.focus_cost_and_usage", "gx_contract")), "columns and types")
    assert list(contract.examples) == [[None, "CostCentre VARCHAR"]]


def test_mart_column_type_change_fails_the_contract(pipeline, tmp_path):
    wh = mutated(
        pipeline,
        tmp_path,
        "create or replace table marts.fct_budget_vs_actual as select * replace "
        "(cast(budget_amount as double) as budget_amount) from marts.fct_budget_vs_actual",
    )
    r = validate_suite(wh, suite("marts.fct_budget_vs_actual", "gx_contract"))
    o = failure(r, "columns and types equal the dbt contract")
    assert o.unexpected_count == 1
    assert list(o.examples) == [["budget_amount DECIMAL(38,10)", "budget_amount DOUBLE"]]
    assert len(r.failures) == 1


def test_unbalanced_chargeback_journal_fails(pipeline, tmp_path):
    with duckdb.connect(str(pipeline["warehouse"]), read_only=True) as con:
        journal, line = con.execute(
            "select journal_id, min(line_number) from marts.fct_chargeback_journal "
            "where debit > 0 group by 1 order by 1 limit 1"
        ).fetchone()
    wh = mutated(
        pipeline,
        tmp_path,
        "update marts.fct_chargeback_journal set debit = debit + 0.01 "
        f"where journal_id = '{journal}' and line_number = {line}",
    )
    o = failure(
        validate_suite(wh, suite("marts.fct_chargeback_journal", "gx_journal_balances")),
        "debits = credits per journal and per allocation rule",
    )
    assert o.unexpected_count == 2  # the journal and its rule
    assert {(e["journal_id"], e["debits_minus_credits"]) for e in o.examples} == {(journal, "0.01")}


def test_a_mart_not_built_yet_passes_with_that_status(pipeline, tmp_path):
    wh = mutated(pipeline, tmp_path, "drop table marts.fct_shadow_ai_spend")
    r = validate_suite(wh, suite("marts.fct_shadow_ai_spend", "gx_contract"))
    assert r.passed and r.status == "not built yet" and "not built yet" in r.summary()


def test_blocking_check_failure_is_an_error_with_rule_and_examples(pipeline, tmp_path):
    """The Dagster check result of a failing suite: ERROR severity, the rule, the count and examples in the
    description and metadata, and what to do next."""
    import dagster as dg

    from orchestration.defs.quality.gx_checks import check_result

    wh = mutated(pipeline, tmp_path, "update marts.fct_chargeback_journal set credit = -credit where credit > 0")
    res = check_result(validate_suite(wh, suite("marts.fct_chargeback_journal", "gx_journal_balances")))
    assert not res.passed and res.severity == dg.AssetCheckSeverity.ERROR
    assert res.asset_key == dg.AssetKey(["fct_chargeback_journal"]) and res.check_name == "gx_journal_balances"
    assert "credits are >= 0" in res.description and "Next:" in res.description
    rules = {f["rule"]: f for f in res.metadata["failing_rules"].value}
    assert rules["credits are >= 0"]["unexpected"] > 0 and rules["credits are >= 0"]["examples"][0]["credit"] < "0"
    assert res.metadata["rows_validated"].value > 0


@pytest.fixture(autouse=True)
def _no_env_leak():
    before = os.environ.get("FINOPS_WAREHOUSE")
    yield
    assert os.environ.get("FINOPS_WAREHOUSE") == before
