"""The console summary (finops_cli/summary.py, the closing tables of `finops run`, `make demo`, `finops summary`):
totals per currency, one name per vendor in every section (the AI vendor catalogue's), no raw None, lists or dicts,
and the marts' figures as they are. On a small warehouse with the marts' columns the summary reads."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_cli.summary import _causes, _currency_totals, spend_summary
from serving.vendor_names import VendorNames

CATALOGUE = [
    ("Amazon Web Services", "amazon web services", 10),
    ("Amazon Web Services", "aws", 10),
    ("Microsoft", "azure", 10),
    ("Google Cloud", "google cloud", 10),
    ("Google Cloud", "google", 5),
    ("OpenAI", "openai", 10),
    ("OpenAI", "chatgpt", 20),
    ("Mistral AI", "mistral ai", 10),
]


@pytest.fixture()
def warehouse(tmp_path) -> Path:
    wh = tmp_path / "finops.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema marts; create schema reference")
        con.execute("create table reference.ai_vendor_catalogue (vendor varchar, alias varchar, priority int)")
        con.executemany("insert into reference.ai_vendor_catalogue values (?, ?, ?)", CATALOGUE)
        con.execute(
            "create table marts.fct_charges (provider_name varchar, service_category varchar, "
            "x_billing_period varchar, billing_currency varchar, billed_cost decimal(38,10), "
            "effective_cost decimal(38,10), x_reporting_effective_cost decimal(38,10), "
            "x_reporting_currency varchar, x_fx_rate_missing boolean)"
        )
        con.executemany(
            "insert into marts.fct_charges values (?, ?, ?, ?, ?, ?, ?, 'USD', false)",
            [
                ("AWS", "Compute", "2026-10", "USD", "100.25", "90.25", "90.25"),
                ("Amazon Web Services", "AI and Machine Learning", "2026-10", "USD", "50", "50", "50"),  # FOCUS export
                ("Microsoft", "Compute", "2026-09", "USD", "25.50", "25.50", "25.50"),
                ("Mistral AI", "AI and Machine Learning", "2026-10", "EUR", "10", "10", "11.60"),
                (None, None, None, "USD", None, None, None),  # a row without provider or cost
            ],
        )
        con.execute(
            "create table marts.fct_ai_model_costs_daily as select * from (values "
            "('aws_bedrock', 'cloud_billing', 'USD', 2000000::decimal(38,10), 3.00::decimal(38,10), "
            "3.00::decimal(38,10), 'matched'), "
            "('openai', 'api', 'USD', 1000000, 2.50, 2.00, 'over_billed'), "
            "('azure_openai', 'cloud_billing', 'USD', 0, null, null, 'unpriced')) "
            "t(vendor, usage_source, currency, tokens, billed_token_cost, expected_cost, reconciliation_status)"
        )
        con.execute(
            "create table marts.fct_allocation_accuracy as select * from (values "
            "('2026-10', 'USD', 140.005::decimal(38,10), 4515.68::decimal(38,10), 0.993200::decimal(18,6), "
            "'untagged: 4515.68'), ('2026-09', 'USD', 25.5, 0, 1, null)) "
            "t(billing_period, billing_currency, period_total_cost, period_unallocated_cost, period_accuracy_ratio, "
            "main_unallocated_causes)"
        )
        con.execute(
            "create table marts.fct_invoice_reconciliation as select * from (values "
            "('Amazon Web Services', 'INV-1', '2026-10', 'USD', 5481.16::decimal(38,10), -130.15::decimal(38,10), "
            "'unexplained'), ('Oracle', null, '2026-10', 'USD', 63, 63, 'unexplained'), "
            "('Mistral AI', 'MI-1', '2026-10', 'EUR', 0.001, 0, 'matched')) "
            "t(vendor, invoice_number, billing_period, currency, variance, unexplained_variance, status)"
        )
        con.execute(
            "create table marts.fct_shadow_ai_spend as select * from (values "
            "('OpenAI', 'ChatGPT Plus', 'card', 'USD', 40.00::decimal(38,10), false, date '2026-09-21'), "
            "('Midjourney', null, 'card', 'USD', 120.00, false, date '2026-09-09'), "
            "('Otter.ai', null, 'expense', 'USD', null, true, date '2026-09-07')) "
            "t(vendor, product, channel, reporting_currency, amount_reporting, fx_rate_missing, spend_date)"
        )
        con.execute(
            "create table marts.dim_ai_workloads as select * from (values ('api_key', 'active', true), "
            "('shadow_saas', 'inactive', false)) t(workload_type, status, sanctioned)"
        )
    return wh


def section(text: str, title: str) -> list[str]:
    block = text.split(f"\n{title}", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()[1:]


def test_one_vendor_name_in_every_section(warehouse):
    text = spend_summary(str(warehouse))
    # AWS (CUR) and Amazon Web Services (a FOCUS export) are one vendor: one line, their figures added
    provider = section(text, "Spend by provider:")
    aws = [line for line in provider if line.strip().startswith("Amazon Web Services")]
    assert len(aws) == 1 and "150.25" in aws[0] and "140.25" in aws[0]
    assert not any(line.strip().startswith("AWS") for line in text.splitlines())
    # the price book's vendor codes print as the catalogue's vendors, with the channel beside them
    models = "\n".join(section(text, "AI model spend"))
    assert "aws_bedrock" not in models and "azure_openai" not in models
    assert re.search(r"Amazon Web Services\s+cloud bill\s+USD", models)
    assert re.search(r"Microsoft\s+cloud bill\s+USD", models) and re.search(r"OpenAI\s+API\s+USD", models)
    recon = "\n".join(section(text, "Three-way reconciliation"))
    assert "Amazon Web Services" in recon


def test_totals_per_currency_and_no_raw_python(warehouse):
    text = spend_summary(str(warehouse))
    assert "None" not in text and "{" not in text and "[" not in text, text
    provider = section(text, "Spend by provider:")
    totals = {line.split()[1]: line.split()[2:] for line in provider if line.strip().startswith("Total")}
    # USD: 100.25 + 50 + 25.50 (the provider-less row has no cost: '-', and counts in rows)
    assert totals["USD"] == ["175.75", "165.75", "4"] and totals["EUR"] == ["10.00", "10.00", "1"]
    unnamed = next(line for line in provider if line.strip().startswith("-"))
    assert unnamed.split()[1:] == ["USD", "-", "-", "1"]  # no cost is '-', not 0.00 or None
    models = section(text, "AI model spend")
    total = next(line for line in models if line.strip().startswith("Total")).split()
    assert total == ["Total", "USD", "3,000,000", "5.50", "5.00", "1.833", "2"]
    allocation = section(text, "Allocation")
    assert any("untagged: 4,515.68" in line for line in allocation)
    recon = section(text, "Three-way reconciliation")
    assert "2 unexplained, 1 matched" not in text  # sorted by status name
    assert "1 matched, 2 unexplained; 1 matched to the cent not listed" in text
    oracle = next(line for line in recon if line.strip().startswith("Oracle"))
    assert oracle.split()[1] == "-"  # no invoice number: '-', not None
    usd = next(line for line in recon if line.strip().startswith("Total") and " USD " in line)
    assert usd.split()[2:5] == ["5,544.16", "-67.15", "(all"]
    shadow = section(text, "Shadow AI")
    midjourney = next(line for line in shadow if line.strip().startswith("Midjourney"))
    assert midjourney.split()[1] == "-"
    assert next(line for line in shadow if line.strip().startswith("Total")).split()[1:4] == ["3", "USD", "160.00"]
    assert "AI inventory (marts.dim_ai_workloads): 2 workloads: api_key active 1; shadow_saas inactive 1 (1 " in text


def test_figures_are_the_marts(warehouse):
    """The summary adds presentation only: every figure it prints is the mart's, rounded to the cent."""
    text = spend_summary(str(warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ai, total = con.execute(
            "select sum(x_reporting_effective_cost) filter (where service_category = 'AI and Machine Learning'), "
            "sum(x_reporting_effective_cost) from marts.fct_charges"
        ).fetchone()
    assert f"{ai:,.2f} of {total:,.2f} = {ai / total * 100:.1f}%" in text


def test_vendor_names_without_the_catalogue(tmp_path):
    wh = tmp_path / "w.duckdb"
    duckdb.connect(str(wh)).close()
    with duckdb.connect(str(wh), read_only=True) as con:
        names = VendorNames.read(con)
    assert names("AWS") == "AWS" and names(None) is None  # shown as they are
    assert VendorNames.of(tmp_path / "nowhere.duckdb")("aws_bedrock") == "aws_bedrock"


def test_helpers():
    assert _causes(None) == "-" and _causes("untagged: 1234.5; no_rule: -7.25") == "untagged: 1,234.50; no_rule: -7.25"
    rows = [["a", "USD", Decimal(1)], ["b", "EUR", None], ["c", "USD", Decimal("2.5")]]
    assert _currency_totals(rows, 1, (2,)) == [["Total", "EUR", None], ["Total", "USD", Decimal("3.5")]]
    assert _currency_totals([[*r, "x"] for r in rows], 1, (2,))[0] == ["Total", "EUR", None, ""]
    assert _currency_totals(rows[:1], 1, (2,)) == []
