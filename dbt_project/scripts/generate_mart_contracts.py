"""Regenerate models/marts/finops/_finops__models.yml (the enforced contracts of the FOCUS marts) from
macros/focus_columns.sql, the single list of the FOCUS record's columns. Run after changing that list:

    .venv/bin/python dbt_project/scripts/generate_mart_contracts.py

tests/orchestration/test_dbt_contracts.py fails when the YAML and the macro disagree."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from serving.focus_columns import ALLOWED_VALUES  # read from macros/focus_columns.sql too

DBT = Path(__file__).resolve().parents[1]
MACRO = DBT / "macros" / "focus_columns.sql"
OUT = DBT / "models" / "marts" / "finops" / "_finops__models.yml"
# `string`: DuckDB's alias of VARCHAR and Spark's text type (Spark refuses a VARCHAR without a length)
TYPES = {
    "money": "decimal(38,10)",
    "ts": "timestamp",
    "text": "string",
    "json": "string",
    "int": "bigint",
    "bool": "boolean",
    "date": "date",
}
DESCRIPTIONS = {
    "billed_cost": "Cash-basis cost invoiced for the charge, in billing_currency (FOCUS BilledCost).",
    "effective_cost": (
        "Amortised cost after discounts and prepaid commitments, in billing_currency (FOCUS EffectiveCost)."
    ),
    "list_cost": "Cost at public list prices, in billing_currency.",
    "contracted_cost": "Cost at negotiated prices before commitment discounts, in billing_currency.",
    "billing_currency": "ISO 4217 currency of every cost column on the row.",
    "charge_category": "Usage, Purchase, Tax, Credit or Adjustment.",
    "invoice_id": (
        "Provider invoice id; the provisional invoice id (<Provider>/provisional/<account>/<YYYY-MM>) "
        "until one is issued."
    ),
    "x_source_file": "Landing-relative path of the export file the row came from (model-API rows: the API endpoint).",
    "x_source_row": "1-based data row in x_source_file.",
    "x_billing_period": "Billing period (YYYY-MM) of the export delivery; restatements replace whole periods.",
    "x_source_values": (
        "FOCUS exports: the delivered values the mapping replaced to conform (JSON object by FOCUS column ID, "
        'e.g. {"InvoiceIssuerName": "Amazon Web Services EMEA SARL", "ConsumedUnit": "GiB/Second-Months"}; '
        "JSON null = delivered empty, derived); null when nothing was replaced."
    ),
    "x_model_name": "Model-API charges: the model as the vendor reports it (null on cloud bills; see fct_ai_usage).",
    "x_token_type": (
        "Model-API charges: price-book token type (input, output, cache_read, cache_write, cache_write_1h, ...)."
    ),
    "x_token_count": "Model-API charges: tokens of x_token_type on the row (unit: tokens).",
    "x_invoice_id_provisional": "True when invoice_id is the provisional id, not one the provider issued.",
    "x_reporting_currency": "The reporting currency (dbt var reporting_currency, ISO 4217) of x_reporting_* amounts.",
    "x_reporting_billed_cost": (
        "billed_cost converted into x_reporting_currency at x_fx_rate; null when x_fx_rate_missing."
    ),
    "x_reporting_effective_cost": (
        "effective_cost converted into x_reporting_currency at x_fx_rate; null when x_fx_rate_missing."
    ),
    "x_fx_rate": (
        "1 billing_currency = x_fx_rate x_reporting_currency on the charge's day (charge_period_start's date); "
        "1 when the currencies are equal."
    ),
    "x_fx_rate_date": (
        "The day of the quote used (earlier than the charge day when a weekend / holiday quote was carried)."
    ),
    "x_fx_rate_source": "Source of x_fx_rate (treasury rate source; 'same currency' for the reporting currency).",
    "x_fx_rate_missing": (
        "True when no usable rate exists for the currency and day: the x_reporting_* amounts are null "
        "(never converted at 0 or 1)."
    ),
}
NOT_NULL = {
    "billed_cost",
    "effective_cost",
    "list_cost",
    "contracted_cost",
    "billing_currency",
    "charge_category",
    "provider_name",
    "invoice_issuer_name",
    "service_category",
    "service_name",
    "charge_period_start",
    "charge_period_end",
    "billing_period_start",
    "billing_period_end",
    "billing_account_id",
    "invoice_id",
    "x_source_file",
    "x_billing_period",
    "x_export_id",
    "x_reporting_currency",
    "x_fx_rate_missing",
}

#: fct_charges' enumerated columns checked against the FOCUS allowed values (the export checks all of them).
ENUMERATED = {"charge_category", "service_category", "charge_class"}


def columns() -> list[tuple[str, str, str]]:
    src = MACRO.read_text()
    return re.findall(r"\('(\w+)', '(\w+)', '(\w+)'\)", src)


def model(name: str, pascal: bool, description: str) -> dict:
    cols = []
    for snake, focus_id, kind in columns():
        c: dict = {"name": focus_id if pascal else snake, "data_type": TYPES[kind]}
        if snake in DESCRIPTIONS:
            c["description"] = DESCRIPTIONS[snake]
        if pascal:
            c["quote"] = True
            if focus_id in ALLOWED_VALUES:  # the export: every enumerated FOCUS column, per row
                c["data_tests"] = [
                    {
                        "in_focus_allowed_values": {
                            "arguments": {"focus_column": focus_id},
                            "config": {"tags": ["focus_conformance"]},
                        }
                    }
                ]
        else:
            tests: list = ["not_null"] if snake in NOT_NULL else []
            if snake in ENUMERATED:
                tests.append({"in_focus_allowed_values": {"arguments": {"focus_column": focus_id}}})
            if tests:
                c["data_tests"] = tests
        cols.append(c)
    return {
        "name": name,
        "description": description,
        "config": {"contract": {"enforced": True}, "meta": {"dagster": {"owners": ["team:finops"]}}},
        "columns": cols,
    }


def render() -> str:
    doc = {
        "version": 2,
        "models": [
            model(
                "fct_charges",
                False,
                "The FOCUS 1.2 charge record in snake_case: every charge from every provider "
                "(cloud and model-API billing data, AI SaaS invoices), costs as DECIMAL(38,10) in "
                "billing_currency and converted into the reporting currency by charge day "
                "(x_reporting_*, x_fx_*), each row traceable to its file and row.",
            ),
            model(
                "focus_cost_and_usage",
                True,
                "FOCUS 1.2 export dataset with the exact FOCUS column IDs (FOCUS 1.3 "
                "columns nullable, x_ columns last). Validated by `finops validate-focus`.",
            ),
        ],
    }
    header = (
        "# Generated by dbt_project/scripts/generate_mart_contracts.py from macros/focus_columns.sql. Do not edit.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, width=120)


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}", file=sys.stderr)
