"""GCP Cloud Billing export: JSON (gzip), Parquet and flattened CSV into gcp_billing.billing_export_rows, then
int_gcp__focus_charges (FOCUS). Expected totals are computed here, from the files, with Decimal."""

from __future__ import annotations

import ast
import csv
import gzip
import json
import os
import shutil
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.gcp_billing.helpers import parse_record_list
from tests.support import SAMPLES, ingest, run_dbt

SAMPLE_CSV = SAMPLES / "gcp" / "billing_export_flattened_sample.csv"
STG = "intermediate.int_gcp__focus_charges"
RAW = "gcp_billing.billing_export_rows"
TEN = Decimal("1e-10")


# ------------------------------------------------------------------------------------- source fixtures


def _ts(day: int, hour: int, month: str) -> str:
    return f"{month[:4]}-{month[4:]}-{day:02d} {hour:02d}:00:00 UTC"


def _rows(month: str, scale: float = 1.0) -> list[dict]:
    """Export rows shaped like BigQuery's JSON extract: NULL fields omitted, floats as JSON numbers."""
    proj = {
        "id": "ml-prod",
        "number": "123456789",
        "name": "ML prod",
        "labels": [{"key": "team", "value": "research"}, {"key": "env", "value": "prod"}],
        "ancestry_numbers": "/111/123456789/",
    }
    out = [
        # first rows have empty lists and no optional records: the reader must not fix the schema on them
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"id": "24E6-581D-38E5", "description": "BigQuery"},
            "sku": {"id": "3362-E469-6BEF", "description": "Analysis"},
            "usage_start_time": _ts(1, 0, month),
            "usage_end_time": _ts(1, 1, month),
            "project": {"id": "analytics", "name": "Analytics", "labels": []},
            "labels": [],
            "system_labels": [],
            "location": {"location": "US", "country": "US"},
            "export_time": _ts(1, 5, month),
            "cost": round(1.25 * scale, 6),
            "currency": "USD",
            "currency_conversion_rate": 1.0,
            "usage": {
                "amount": 1.099511627776e12,
                "unit": "bytes",
                "amount_in_pricing_units": 1.0,
                "pricing_unit": "tebibyte",
            },
            "credits": [],
            "invoice": {"month": month},
            "cost_type": "regular",
        },
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"id": "95FF-2EF5-5EA1", "description": "Cloud Storage"},
            "sku": {"id": "E5F0-6A5D-7BAD", "description": "Standard Storage US Multi-region"},
            "usage_start_time": _ts(1, 0, month),
            "usage_end_time": _ts(2, 0, month),
            "labels": [],
            "system_labels": [],
            "location": {"location": "us", "country": "US"},
            "cost": 5e-06,
            "currency": "USD",
            "usage": {
                "amount": 2.5e9,
                "unit": "byte-seconds",
                "amount_in_pricing_units": 0.000001,
                "pricing_unit": "gibibyte month",
            },
            "credits": [
                {
                    "name": "Free Tier",
                    "amount": -1e-06,
                    "full_name": "Cloud Storage free tier",
                    "id": "FreeTier:1",
                    "type": "FREE_TIER",
                }
            ],
            "invoice": {"month": month},
            "cost_type": "regular",
        },
        # GPU VM with sustained-use + committed-use discounts (netted) and a promotion credit (own row)
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
            "sku": {"id": "8A0E-2F3C-1B1B", "description": "Nvidia Tesla A100 GPU running in Americas"},
            "usage_start_time": _ts(2, 10, month),
            "usage_end_time": _ts(2, 11, month),
            "project": proj,
            "labels": [{"key": "team", "value": "vision"}, {"key": "gpu", "value": ""}],
            "system_labels": [{"key": "compute.googleapis.com/machine_spec", "value": "a2-highgpu-1g"}],
            "location": {"location": "us-central1", "country": "US", "region": "us-central1", "zone": "us-central1-a"},
            "resource": {
                "name": "trainer-1",
                "global_name": "//compute.googleapis.com/projects/ml-prod/zones/us-central1-a/instances/42",
            },
            "cost": round(2.934 * scale, 6),
            "currency": "USD",
            "cost_at_list": round(3.1 * scale, 6),
            "usage": {"amount": 3600, "unit": "seconds", "amount_in_pricing_units": 1, "pricing_unit": "hour"},
            "credits": [
                {
                    "name": "Sustained Usage Discount",
                    "amount": -0.3,
                    "full_name": "Sustained usage discount",
                    "id": "SUD",
                    "type": "SUSTAINED_USAGE_DISCOUNT",
                },
                {
                    "name": "Committed use discount: GPU",
                    "amount": -1.2,
                    "full_name": "CUD A100 1 year",
                    "id": "cud-7731",
                    "type": "COMMITTED_USAGE_DISCOUNT",
                },
                {
                    "name": "FreeTrial:Credit-01ABCD",
                    "amount": -0.4,
                    "full_name": "Free trial credit",
                    "id": "FreeTrial:Credit-01ABCD",
                    "type": "PROMOTION",
                },
            ],
            "invoice": {"month": month},
            "cost_type": "regular",
            "price": {"effective_price": 2.934, "tier_start_amount": 0, "unit": "hour", "pricing_unit_quantity": 1},
            "tags": [{"key": "cost-center", "value": "cc-42", "inherited": True, "namespace": "111"}],
        },
        # Gemini tokens on Vertex AI
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"id": "C7E2-9256-1C43", "description": "Vertex AI"},
            "sku": {"id": "FDE4-1A2B-3C4D", "description": "Gemini 1.5 Flash Input Text Tokens"},
            "usage_start_time": _ts(3, 0, month),
            "usage_end_time": _ts(3, 1, month),
            "project": proj,
            "location": {"location": "us-central1", "region": "us-central1"},
            "cost": round(0.3 * scale, 6),
            "currency": "USD",
            "usage": {"amount": 4e6, "unit": "count", "amount_in_pricing_units": 4000, "pricing_unit": "1000 count"},
            "credits": [],
            "invoice": {"month": month},
            "cost_type": "regular",
        },
        # tax, an adjustment (correction) and a rounding error
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"id": "", "description": "Invoice"},
            "sku": {"id": "", "description": "Tax"},
            "usage_start_time": _ts(1, 0, month),
            "usage_end_time": _ts(28, 0, month),
            "cost": 0.45,
            "currency": "USD",
            "credits": [],
            "invoice": {"month": month},
            "cost_type": "tax",
        },
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
            "sku": {"id": "8A0E-2F3C-1B1B", "description": "Nvidia Tesla A100 GPU running in Americas"},
            "usage_start_time": _ts(1, 0, month),
            "usage_end_time": _ts(2, 0, month),
            "project": proj,
            "cost": -0.5,
            "currency": "USD",
            "credits": [],
            "invoice": {"month": month},
            "cost_type": "adjustment",
            "adjustment_info": {
                "id": "adj-99",
                "description": "Goodwill",
                "mode": "MANUAL_ADJUSTMENT",
                "type": "GENERAL_ADJUSTMENT",
            },
        },
        {
            "billing_account_id": "01ABCD-234567-89EFAB",
            "service": {"description": "Invoice"},
            "usage_start_time": _ts(1, 0, month),
            "usage_end_time": _ts(28, 0, month),
            "cost": 0.0032,
            "currency": "USD",
            "invoice": {"month": month},
            "cost_type": "rounding_error",
        },
    ]
    return out


def _expected(rows: list[dict]) -> dict[str, tuple[Decimal, Decimal, int]]:
    """Per billing period: (sum cost, sum credits, row count), exact decimals of the floats' shortest text."""
    acc: dict[str, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for r in rows:
        m = r["invoice"]["month"]
        p = f"{m[:4]}-{m[4:]}"
        acc[p][0] += Decimal(repr(r["cost"])).quantize(TEN)
        acc[p][1] += sum((Decimal(repr(c["amount"])).quantize(TEN) for c in r.get("credits") or []), Decimal(0))
        acc[p][2] += 1
    return {k: tuple(v) for k, v in acc.items()}


def _write_jsonl_gz(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return path


_KV = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
_PARQUET_SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("usage_start_time", pa.timestamp("us", tz="UTC")),
        ("usage_end_time", pa.timestamp("us", tz="UTC")),
        (
            "project",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("number", pa.string()),
                    ("name", pa.string()),
                    ("labels", _KV),
                    ("ancestry_numbers", pa.string()),
                ]
            ),
        ),
        ("labels", _KV),
        ("system_labels", _KV),
        (
            "location",
            pa.struct(
                [("location", pa.string()), ("country", pa.string()), ("region", pa.string()), ("zone", pa.string())]
            ),
        ),
        ("resource", pa.struct([("name", pa.string()), ("global_name", pa.string())])),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("cost_at_list", pa.float64()),
        (
            "usage",
            pa.struct(
                [
                    ("amount", pa.float64()),
                    ("unit", pa.string()),
                    ("amount_in_pricing_units", pa.float64()),
                    ("pricing_unit", pa.string()),
                ]
            ),
        ),
        # BigQuery's Parquet has no credits.full_name here: missing nested fields must read as NULL
        (
            "credits",
            pa.list_(
                pa.struct([("name", pa.string()), ("amount", pa.float64()), ("id", pa.string()), ("type", pa.string())])
            ),
        ),
        ("invoice", pa.struct([("month", pa.string())])),
        ("cost_type", pa.string()),
        (
            "adjustment_info",
            pa.struct(
                [("id", pa.string()), ("description", pa.string()), ("mode", pa.string()), ("type", pa.string())]
            ),
        ),
    ]
)


def _write_parquet(path: Path, rows: list[dict]) -> Path:
    from datetime import datetime

    def ts(s):
        return datetime.strptime(s, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)

    recs = []
    for r in rows:
        r = json.loads(json.dumps(r))
        r["usage_start_time"], r["usage_end_time"] = ts(r["usage_start_time"]), ts(r["usage_end_time"])
        for c in r.get("credits") or []:
            c.pop("full_name", None)
        recs.append({k: v for k, v in r.items() if k in _PARQUET_SCHEMA.names})
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(recs, schema=_PARQUET_SCHEMA), path)
    return path


def _sample_expected() -> dict[str, tuple[Decimal, Decimal, int]]:
    """Straight from the sample CSV: Decimal of the cost text and of each credit's amount."""
    acc: dict[str, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    with open(SAMPLE_CSV, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            m = r["invoice.month"]
            p = f"{m[:4]}-{m[4:]}"
            acc[p][0] += Decimal(r["cost"])
            acc[p][1] += sum((Decimal(repr(c["amount"])) for c in ast.literal_eval(r["credits"])), Decimal(0))
            acc[p][2] += 1
    return {k: tuple(v) for k, v in acc.items()}


# ------------------------------------------------------------------------------------------ helpers


def _q(wh: Path, sql: str):
    con = duckdb.connect(str(wh))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _raw_totals(wh: Path) -> dict[str, tuple[Decimal, Decimal, int]]:
    return {
        p: (c, cr, n)
        for p, c, cr, n in _q(
            wh, f"select x_billing_period, sum(cost), sum(credits_amount), count(*) from {RAW} group by 1"
        )
    }


def _focus_totals(wh: Path) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        p: (b, e)
        for p, b, e in _q(wh, f"select x_billing_period, sum(billed_cost), sum(effective_cost) from {STG} group by 1")
    }


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One landing zone with all three encodings, loaded once, then `dbt build` of the staging model."""
    tmp = tmp_path_factory.mktemp("gcp")
    land = tmp / "landing"
    csv_dst = land / "gcp" / "koku-sample" / "invoice_month=202011" / "billing_export.csv"
    csv_dst.parent.mkdir(parents=True)
    shutil.copy(SAMPLE_CSV, csv_dst)
    json_rows = _rows("202403")
    pq_rows = _rows("202404", scale=2.0)
    _write_jsonl_gz(
        land / "gcp" / "billing-export" / "invoice_month=202403" / "billing-export-000000000000.json.gz", json_rows
    )
    _write_parquet(
        land / "gcp" / "billing-export-pq" / "invoice_month=202404" / "billing-export-000000000000.parquet", pq_rows
    )
    wh = tmp / "warehouse.duckdb"
    reports = ingest(land, wh)
    run_dbt(["build", "--select", "+int_gcp__focus_charges", "--indirect-selection", "cautious"], wh, tmp)
    expected = {**_sample_expected(), **_expected(json_rows), **_expected(pq_rows)}
    return {"land": land, "wh": wh, "tmp": tmp, "report": reports["gcp_billing"], "expected": expected}


# --------------------------------------------------------------------------------------------- tests


@pytest.mark.slow
def test_all_three_encodings_load_and_conserve_cost_per_invoice_month(loaded):
    report, wh, expected = loaded["report"], loaded["wh"], loaded["expected"]
    assert report.ok and len(report.deliveries_loaded) == 3
    fmts = dict(_q(wh, f"select x_billing_period, any_value(x_source_format) from {RAW} group by 1"))
    assert fmts == {"2020-11": "gcp_billing_csv", "2024-03": "gcp_billing_jsonl", "2024-04": "gcp_billing_parquet"}

    raw = _raw_totals(wh)
    focus = _focus_totals(wh)
    assert set(raw) == set(focus) == set(expected) == {"2020-11", "2024-03", "2024-04"}
    for period, (cost, credits, n) in expected.items():
        assert raw[period] == (cost, credits, n), period
        billed, effective = focus[period]
        # exact in DECIMAL(38,10), hence to the cent
        assert billed == effective == cost + credits, (period, billed, cost + credits)
        assert round(billed, 2) == round(cost + credits, 2)


@pytest.mark.slow
def test_sample_figures_and_float_text_kept_exact(loaded):
    wh = loaded["wh"]
    # the koku sample: 25 rows, cost 0.000032, free-trial credits -0.000032 (5e-06 stays 0.000005)
    assert _raw_totals(wh)["2020-11"] == (Decimal("0.000032"), Decimal("-0.000032"), 25)
    assert _focus_totals(wh)["2020-11"] == (Decimal(0), Decimal(0))
    (credits,) = _q(wh, f"select credits from {RAW} where x_billing_period = '2020-11' and x_source_row = 1")[0]
    assert json.loads(credits)[0]["amount"] == pytest.approx(-0.000005)
    assert '"amount":-0.0000050000' in credits
    cats = dict(_q(wh, f"select charge_category, count(*) from {STG} where x_billing_period = '2020-11' group by 1"))
    assert cats == {"Usage": 25, "Credit": 8}


@pytest.mark.slow
def test_focus_mapping_of_json_rows(loaded):
    wh = loaded["wh"]
    rows = _q(
        wh,
        f"""select x_source_row, charge_category, charge_class, billed_cost, list_cost, list_unit_price,
                             pricing_quantity, pricing_unit, consumed_unit, commitment_discount_id,
                             commitment_discount_status, commitment_discount_category, service_category,
                             service_subcategory, tags, region_name, resource_type, x_native_charge_type,
                             sku_price_id, pricing_category
                      from {STG} where x_billing_period = '2024-03' order by x_source_row, charge_category desc""",
    )
    by = defaultdict(list)
    for r in rows:
        by[r[0]].append(r[1:])
    # row 3: GPU usage netted with SUD + CUD, promotion as its own Credit row
    (usage, credit) = by[3]
    assert usage[:2] == ("Usage", None) and usage[2] == Decimal("2.934") - Decimal("1.5")
    assert usage[3] == usage[4] * usage[5] and usage[4] == Decimal("3.1")  # ListCost = ListUnitPrice x PricingQuantity
    assert usage[6:9] == ("Hours", "Seconds", "cud-7731")
    assert usage[9:11] == ("Used", "Usage") and usage[11:13] == ("Compute", "Virtual Machines")
    # project labels < resource-manager tags < resource labels < system labels; valueless label -> true
    assert json.loads(usage[13]) == {
        "team": "vision",
        "env": "prod",
        "111/cost-center": "cc-42",
        "gpu": True,
        "compute.googleapis.com/machine_spec": "a2-highgpu-1g",
    }
    assert usage[14:16] == ("Iowa", "compute.googleapis.com/instances")
    assert usage[17:19] == ("8A0E-2F3C-1B1B/tier/0", "Committed")
    assert credit[:3] == ("Credit", None, Decimal("-0.4")) and credit[16] == "PROMOTION"
    # row 4: Gemini tokens on Vertex AI
    (gemini,) = by[4]
    assert gemini[6:8] == ("1000 Tokens", "Tokens") and gemini[11:13] == ("AI and Machine Learning", "Generative AI")
    assert _q(
        wh, f"select distinct service_name from {STG} where x_billing_period = '2024-03' and x_source_row = 4"
    ) == [("Generative AI on Vertex AI",)]
    # rows 5-7: tax, correction, rounding error
    assert [by[i][0][:2] for i in (5, 6, 7)] == [("Tax", None), ("Adjustment", "Correction"), ("Adjustment", None)]
    assert by[5][0][4] is None and by[5][0][5] is None and by[5][0][17] is None


@pytest.mark.slow
def test_focus_rules_the_validator_cannot_check(loaded):
    """Identities and iff-rules on the staged rows (the official validator miswires some of them)."""
    wh = loaded["wh"]
    assert _q(
        wh,
        f"""select count(*) from {STG} where charge_category = 'Usage' and (
        list_cost <> cast(list_unit_price * pricing_quantity as decimal(38,10))
        or contracted_cost <> cast(contracted_unit_price * pricing_quantity as decimal(38,10))
        or sku_price_id is null or pricing_unit is null or consumed_quantity is null or pricing_category is null)""",
    ) == [(0,)]
    assert _q(
        wh,
        f"""select count(*) from {STG} where
        (commitment_discount_status is not null) <> (commitment_discount_id is not null and charge_category = 'Usage')
        or (commitment_discount_type is null) <> (commitment_discount_id is null)
        or (commitment_discount_quantity is null) <> (commitment_discount_id is null)
        or (region_name is null) <> (region_id is null)
        or (sub_account_name is null) <> (sub_account_id is null)
        or (charge_category = 'Tax' and (list_unit_price is not null or pricing_quantity is not null
                                         or sku_price_id is not null))
        or (charge_category <> 'Usage' and consumed_quantity is not null)""",
    ) == [(0,)]
    assert _q(
        wh,
        f"select count(*) from (select service_name from {STG} group by 1 having "
        f"count(distinct service_category) > 1 or count(distinct service_subcategory) > 1)",
    ) == [(0,)]
    assert _q(wh, f"select count(*) from {STG} where tags = '' or charge_description = '' or region_id = ''") == [(0,)]


def test_service_seed_covers_common_services_with_one_category_each():
    seed = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "gcp_billing" / "gcp_service_categories.csv"
    with open(seed, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_name = defaultdict(set)
    for r in rows:
        by_name[r["service_name"]].add((r["service_category"], r["service_subcategory"]))
        if r["generative_ai_service_name"]:
            by_name[r["generative_ai_service_name"]].add((r["service_category"], "Generative AI"))
    assert len(by_name) >= 40 and all(len(c) == 1 for c in by_name.values())
    for name in ("Vertex AI", "Gemini API", "Cloud TPU", "Compute Engine", "BigQuery", "Cloud Storage"):
        assert name in by_name, name
    assert by_name["Vertex AI"] == {("AI and Machine Learning", "AI Platforms")}
    assert (
        by_name["Gemini API"] == by_name["Generative AI on Vertex AI"] == {("AI and Machine Learning", "Generative AI")}
    )


@pytest.mark.slow
def test_second_load_loads_nothing(loaded):
    wh = loaded["wh"]
    before_raw, before_focus = _raw_totals(wh), _focus_totals(wh)
    reports = ingest(loaded["land"], wh)
    assert reports["gcp_billing"].rows == 0 and reports["gcp_billing"].ok
    assert _raw_totals(wh) == before_raw and _focus_totals(wh) == before_focus


@pytest.mark.slow
def test_redelivered_month_replaces_the_month(loaded):
    wh, land = loaded["wh"], loaded["land"]
    before = _raw_totals(wh)
    new_rows = _rows("202403", scale=3.0)[:4]
    path = land / "gcp" / "billing-export" / "invoice_month=202403" / "billing-export-000000000000.json.gz"
    _write_jsonl_gz(path, new_rows)
    os.utime(path, (path.stat().st_mtime + 10, path.stat().st_mtime + 10))
    reports = ingest(land, wh)
    assert reports["gcp_billing"].rows == 4
    cost, credits, n = _expected(new_rows)["2024-03"]
    after = _raw_totals(wh)
    assert after["2024-03"] == (cost, credits, n)
    assert after["2020-11"] == before["2020-11"] and after["2024-04"] == before["2024-04"]
    assert _focus_totals(wh)["2024-03"] == (cost + credits, cost + credits)  # staging is a view over raw


def test_bad_files_are_quarantined_and_the_others_load(tmp_path):
    land = tmp_path / "landing"
    good = _rows("202405")
    _write_jsonl_gz(land / "gcp" / "good" / "invoice_month=202405" / "billing-export-000000000000.json.gz", good)
    with open(SAMPLE_CSV, newline="", encoding="utf-8") as fh:
        sample = list(csv.reader(fh))
    header, body = sample[0], sample[1:]
    # 1. a required column (cost) missing
    i = header.index("cost")
    missing = land / "gcp" / "no-cost" / "invoice_month=202011" / "export.csv"
    missing.parent.mkdir(parents=True)
    with open(missing, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[c for j, c in enumerate(r) if j != i] for r in sample])
    # 2. an unparseable amount on data row 3
    bad_body = [list(r) for r in body]
    bad_body[2][i] = "12,50 USD"
    bad = land / "gcp" / "bad-amount" / "invoice_month=202011" / "export.csv"
    bad.parent.mkdir(parents=True)
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *bad_body])
    # 3. a credits list that is neither JSON nor a Python literal, on data row 2
    j = header.index("credits")
    bad_credits = [list(r) for r in body]
    bad_credits[1][j] = "[{'name': 'x', 'amount': -1e-06"
    badc = land / "gcp" / "bad-credits" / "invoice_month=202011" / "export.csv"
    badc.parent.mkdir(parents=True)
    with open(badc, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *bad_credits])

    wh = tmp_path / "w.duckdb"
    report = ingest(land, wh)["gcp_billing"]
    errs = {e.file: e for e in report.quarantined}
    assert set(errs) == {
        "gcp/no-cost/invoice_month=202011/export.csv",
        "gcp/bad-amount/invoice_month=202011/export.csv",
        "gcp/bad-credits/invoice_month=202011/export.csv",
    }
    e1 = errs["gcp/no-cost/invoice_month=202011/export.csv"]
    assert (e1.row, e1.field) == (0, "cost") and "cost" in str(e1)
    e2 = errs["gcp/bad-amount/invoice_month=202011/export.csv"]
    assert (e2.row, e2.field, e2.value) == (3, "cost", "12,50 USD")
    e3 = errs["gcp/bad-credits/invoice_month=202011/export.csv"]
    assert (e3.row, e3.field) == (2, "credits")
    cost, credits, n = _expected(good)["2024-05"]
    assert _raw_totals(wh) == {"2024-05": (cost, credits, n)}
    q = _q(wh, "select source_file, row_number, field from gcp_billing.quarantine order by 1")
    assert q == [
        ("gcp/bad-amount/invoice_month=202011/export.csv", 3, "cost"),
        ("gcp/bad-credits/invoice_month=202011/export.csv", 2, "credits"),
        ("gcp/no-cost/invoice_month=202011/export.csv", 0, "cost"),
    ]


def test_bad_credit_amount_in_json_names_row_and_field(tmp_path):
    rows = _rows("202406")
    rows[2]["credits"][0]["amount"] = "n/a"
    _write_jsonl_gz(tmp_path / "gcp" / "e" / "invoice_month=202406" / "billing-export-000000000000.json.gz", rows)
    report = ingest(tmp_path, tmp_path / "w.duckdb")["gcp_billing"]
    (e,) = report.quarantined
    assert (e.row, e.field) == (3, "credits.amount") and "n/a" in (e.value or "")


@pytest.mark.parametrize(
    "text,expected",
    [
        (None, None),
        ("", None),
        ("[]", []),
        (
            "[{'key': 'goog-resource-type', 'value': 'bigquery_resource'}]",
            [{"key": "goog-resource-type", "value": "bigquery_resource"}],
        ),
        (
            "[{'name': 'FreeTrial', 'amount': -5e-06, 'full_name': None, 'id': \"O'Brien\", 'type': 'PROMOTION'}]",
            [{"name": "FreeTrial", "amount": "-5e-06", "full_name": None, "id": "O'Brien", "type": "PROMOTION"}],
        ),
        ('[{"name": "x", "amount": -0.30000000000000004}]', [{"name": "x", "amount": "-0.30000000000000004"}]),
        # numpy 2 / Decimal reprs, as pandas writes them
        (
            "[{'name': 'CUD', 'amount': np.float64(-2.985277), 'n': numpy.int64(3), 'd': Decimal('-1.50')}]",
            [{"name": "CUD", "amount": "-2.985277", "n": "3", "d": "-1.50"}],
        ),
    ],
)
def test_flattened_csv_record_lists_are_parsed_with_exact_number_text(text, expected):
    assert parse_record_list(text, "credits") == expected


def test_malformed_record_list_is_rejected():
    with pytest.raises(ValueError):
        parse_record_list("[{'a': 1", "labels")
    with pytest.raises(ValueError):
        parse_record_list("['just', 'strings']", "labels")
    with pytest.raises(ValueError):
        parse_record_list("[{'a': __import__('os').getcwd()}]", "labels")
