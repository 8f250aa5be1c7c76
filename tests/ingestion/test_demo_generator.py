"""Tests for finops_demo.generator (the synthetic Northwind Robotics exports). Small row budgets: fast."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finops_demo.generator import generate, write_redelivery
from tests.support import SAMPLES

REPO = Path(__file__).resolve().parents[2]


def _header_gz(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8-sig") as f:
        return next(csv.reader(f))


def _rows_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    summary = generate(out, seed=7, rows=12_000)
    return out, summary


def test_layouts(demo):
    out, s = demo
    for ym in ("2026-09", "2026-10"):
        assert (out / f"aws/cur2/northwind-cur2/data/BILLING_PERIOD={ym}/northwind-cur2-00001.snappy.parquet").exists()
        assert (out / f"aws/cur2/northwind-cur2/metadata/BILLING_PERIOD={ym}/northwind-cur2-Manifest.json").exists()
        assert (
            out / f"aws/focus/northwind-edge-focus/data/BILLING_PERIOD={ym}/northwind-edge-focus-00001.snappy.parquet"
        ).exists()
        assert list((out / "focus/oci-tenancy" / ym[:4] / ym[5:]).glob("*.csv.gz"))
        assert (
            out
            / f"gcp/northwind-billing-export/invoice_month={ym.replace('-', '')}/billing-export-000000000000.json.gz"
        ).exists()
    legacy = out / "aws/cur-legacy/northwind-canada-cur"
    assert sorted(p.name for p in legacy.iterdir()) == ["20260901-20261001", "20261001-20261101"]
    for exp in ("northwind-ea-actual-cost", "northwind-ea-amortized-cost"):
        runs = list((out / "azure/ea-enrollment-84012345" / exp / "20260901-20260930").iterdir())
        for r in runs:
            assert (r / "part_1_0001.csv.gz").exists() and (r / "manifest.json").exists()
            man = json.loads((r / "manifest.json").read_text())
            assert man["dataset"] in ("ActualCost", "AmortizedCost") and ("actual" in exp) == (
                man["dataset"] == "ActualCost"
            )
    assert set(s["formats"]) >= {
        "aws_cur2",
        "aws_cur_legacy",
        "azure_ea_actual",
        "azure_ea_amortized",
        "azure_mca_actual",
        "azure_mca_amortized",
        "gcp_billing",
        "oci_focus",
        "aws_focus",
    }


def test_cur2_schema_maps(demo):
    out, _ = demo
    f = next((out / "aws/cur2/northwind-cur2/data/BILLING_PERIOD=2026-10").glob("*.parquet"))
    schema = pq.read_schema(f)
    assert (
        pa.types.is_map(schema.field("resource_tags").type)
        and schema.field("resource_tags").type.item_type == pa.string()
    )
    assert pa.types.is_map(schema.field("product").type) and schema.field("product").type.item_type == pa.string()
    assert (
        pa.types.is_map(schema.field("cost_category").type)
        and schema.field("cost_category").type.item_type == pa.string()
    )
    t = pq.read_table(
        f, columns=["line_item_line_item_type", "resource_tags", "line_item_product_code", "line_item_usage_type"]
    ).to_pylist()
    types = {r["line_item_line_item_type"] for r in t}
    assert {
        "Usage",
        "SavingsPlanCoveredUsage",
        "SavingsPlanNegation",
        "SavingsPlanRecurringFee",
        "Tax",
        "Credit",
        "Refund",
    } <= types
    keys = {k for r in t for k, _ in (r["resource_tags"] or [])}
    assert {"user_business_unit", "user_cost_center", "user_project", "user_environment", "user_owner"} <= keys
    assert any(not r["resource_tags"] for r in t if r["line_item_line_item_type"] == "Usage")  # untagged spend
    assert any((r["line_item_usage_type"] or "").startswith("USE1-Claude3.5Sonnet") for r in t)


def test_legacy_header_matches_sample(demo):
    out, _ = demo
    with open(SAMPLES / "aws/cur_legacy_sample.csv") as fh:
        sample = next(csv.reader(fh))
    period = out / "aws/cur-legacy/northwind-canada-cur/20261001-20261101"
    man = json.loads((period / "northwind-canada-cur-Manifest.json").read_text())
    f = period / man["assemblyId"] / "northwind-canada-cur-1.csv.gz"
    assert man["reportKeys"][0].endswith(f"{man['assemblyId']}/northwind-canada-cur-1.csv.gz")
    header = _header_gz(f)
    assert set(sample) <= set(header)
    assert any(h.startswith("resourceTags/user:") for h in header)
    types = {r["lineItem/LineItemType"] for r in _rows_gz(f)}
    assert {"Usage", "DiscountedUsage", "RIFee", "Tax", "Credit"} <= types


def test_azure_headers_and_consistency(demo):
    out, _ = demo
    sample = _header(SAMPLES / "azure/ea_actual_cost_small.csv")
    base = out / "azure/ea-enrollment-84012345"

    def run(exp):
        return min((base / exp / "20261001-20261031").iterdir()) / "part_1_0001.csv.gz"

    act, amo = _rows_gz(run("northwind-ea-actual-cost")), _rows_gz(run("northwind-ea-amortized-cost"))
    assert set(sample) <= set(_header_gz(run("northwind-ea-actual-cost")))
    assert {r["ChargeType"] for r in act} >= {"Usage", "Purchase", "Refund"}
    assert "UnusedReservation" not in {r["ChargeType"] for r in act}
    assert {r["ChargeType"] for r in amo} >= {"Usage", "UnusedReservation", "Refund"}
    assert "Purchase" not in {r["ChargeType"] for r in amo}

    def od(rows):
        return sorted(
            (r["ResourceId"], r["Date"], r["Cost"])
            for r in rows
            if r["ChargeType"] == "Usage" and r["PricingModel"] == "OnDemand"
        )

    assert od(act) == od(amo)
    ri_act = [float(r["Cost"]) for r in act if r["ChargeType"] == "Usage" and r["PricingModel"] == "Reservation"]
    assert ri_act and all(c == 0 for c in ri_act)
    purchase = sum(float(r["Cost"]) for r in act if r["ChargeType"] == "Purchase")
    amortized = sum(float(r["Cost"]) for r in amo if r["PricingModel"] == "Reservation")
    assert purchase == pytest.approx(amortized, abs=0.05)
    mca = min((out / "azure/mca-northwind-europe/northwind-mca-actual-cost/20261001-20261031").iterdir())
    assert {"costInBillingCurrency", "billingCurrency", "invoiceId", "date"} <= set(
        _header_gz(mca / "part_1_0001.csv.gz")
    )


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig") as f:
        return next(csv.reader(f))


def test_gcp_rows(demo):
    out, _ = demo
    f = out / "gcp/northwind-billing-export/invoice_month=202610/billing-export-000000000000.json.gz"
    with gzip.open(f, "rt") as fh:
        rows = [json.loads(line) for line in fh]
    r = rows[0]
    assert {"service", "sku", "project", "labels", "credits", "invoice", "cost_type", "usage", "price"} <= set(r)
    assert {x["cost_type"] for x in rows} >= {"regular", "tax", "rounding_error"}
    assert any(c["type"] == "COMMITTED_USAGE_DISCOUNT" for x in rows for c in x["credits"])
    assert any(x["sku"]["description"].startswith("Gemini") for x in rows)


def test_determinism(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, seed=3, rows=4_000)
    generate(b, seed=3, rows=4_000)
    assert _digest(a) == _digest(b)
    c = tmp_path / "c"
    generate(c, seed=4, rows=4_000)
    assert _digest(a) != _digest(c)


def test_redelivery_changes_restated_month(tmp_path):
    out = tmp_path / "d"
    generate(out, seed=5, rows=6_000, redelivery=False)
    cur2 = out / "aws/cur2/northwind-cur2/data/BILLING_PERIOD=2026-09/northwind-cur2-00001.snappy.parquet"
    before = pq.read_table(cur2)
    oct_before = _digest(out / "aws/cur2/northwind-cur2/data/BILLING_PERIOD=2026-10")
    legacy = out / "aws/cur-legacy/northwind-canada-cur/20260901-20261001"
    man1 = json.loads((legacy / "northwind-canada-cur-Manifest.json").read_text())
    azure_runs1 = set((out / "azure/ea-enrollment-84012345/northwind-ea-actual-cost/20260901-20260930").iterdir())
    gcp = out / "gcp/northwind-billing-export/invoice_month=202609/billing-export-000000000000.json.gz"
    gcp1 = gcp.read_bytes()

    write_redelivery(out, seed=5, rows=6_000)
    after = pq.read_table(cur2)
    assert before.column("bill_invoice_id").null_count == before.num_rows
    assert after.column("bill_invoice_id").null_count == 0
    assert "Refund" in after.column("line_item_line_item_type").to_pylist()
    assert "Refund" not in before.column("line_item_line_item_type").to_pylist()
    assert after.num_rows == before.num_rows + 1
    assert sum(after.column("line_item_unblended_cost").to_pylist()) != sum(
        before.column("line_item_unblended_cost").to_pylist()
    )
    assert _digest(out / "aws/cur2/northwind-cur2/data/BILLING_PERIOD=2026-10") == oct_before
    man2 = json.loads((legacy / "northwind-canada-cur-Manifest.json").read_text())
    assert man2["assemblyId"] != man1["assemblyId"]
    assert (legacy / man1["assemblyId"]).is_dir() and (legacy / man2["assemblyId"]).is_dir()
    azure_runs2 = set((out / "azure/ea-enrollment-84012345/northwind-ea-actual-cost/20260901-20260930").iterdir())
    assert len(azure_runs2) == len(azure_runs1) + 1
    assert gcp.read_bytes() != gcp1

    # final state of generate(redelivery=True) equals original + write_redelivery
    full = tmp_path / "full"
    generate(full, seed=5, rows=6_000)
    assert _digest(full) == _digest(out)


@pytest.mark.parametrize("n", [1, 57, 5_000, 123_457])
def test_exact_cur2_rows(tmp_path, n):
    s = generate(tmp_path, seed=1, rows=n, formats=["aws_cur2"])
    files = list((tmp_path / "aws/cur2/northwind-cur2/data").rglob("*.parquet"))
    assert [p.parent.name for p in files] == ["BILLING_PERIOD=2026-10"] * len(files)
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in files) == n == s["formats"]["aws_cur2"]["rows"]


def test_cur2_part_files_and_csv_flavour(tmp_path):
    from finops_demo.generator.aws_cur2 import write_cur2
    from finops_demo.generator.enterprise import Month

    r = write_cur2(tmp_path, Month("2026-10"), 25_000, 2, 1, False, rows_per_file=10_000)
    assert len(r["files"]) == 4 and r["rows"] == 25_000  # 3 parts + manifest
    generate(tmp_path / "csv", seed=2, rows=3_000, formats=["aws_cur2_csv"])
    f = next((tmp_path / "csv/aws/cur2-csv/northwind-cur2-csv/data").rglob("*.csv.gz"))
    rows = _rows_gz(f)
    assert len(rows) == 3_000
    tagged = [r["resource_tags"] for r in rows if r["resource_tags"] not in ("", "{}")]
    assert tagged and json.loads(tagged[0])


@pytest.mark.slow
def test_legacy_256k_rows_exact(tmp_path):
    s = generate(tmp_path, seed=1, rows=256_000, formats=["aws_cur_legacy"])
    assert s["formats"]["aws_cur_legacy"]["rows"] == 256_000
    f = next((tmp_path / "aws/cur-legacy").rglob("*.csv.gz"))
    with gzip.open(f, "rt") as fh:
        assert sum(1 for _ in fh) == 256_001


def test_focus_exports_valid_basics(demo):
    out, _ = demo
    t = pq.read_table(next((out / "aws/focus").rglob("*.parquet"))).to_pylist()
    for r in t:
        if r["ListUnitPrice"] is not None:
            assert r["ListUnitPrice"] * r["PricingQuantity"] == r["ListCost"]
        assert r["ChargeCategory"] in {"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
        assert r["BilledCost"] is not None and r["EffectiveCost"] is not None
    assert {r["ChargeCategory"] for r in t} == {"Usage", "Tax", "Credit"}


def test_no_dagster_import_and_cli(tmp_path):
    code = "import sys, finops_demo.generator; assert 'dagster' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "finops_demo.generator",
            "--seed",
            "1",
            "--rows",
            "2000",
            "--out",
            str(tmp_path / "cli"),
            "--formats",
            "aws_cur2,gcp_billing",
            "--quiet",
        ],
        check=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert json.loads(p.stdout)["formats"]["aws_cur2"]["rows"] > 0
