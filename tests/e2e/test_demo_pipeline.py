"""End to end through Dagster on the demo enterprise: every check passes (dbt tests, quarantine, landing
inventory, the FOCUS validator), and money reconciles to the cent from the source files to the FOCUS record,
through a re-run (idempotent) and a provider's re-delivery of a month (replaced, never added)."""
from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion import demo
from tests.ingestion.test_aws_cur import expected_sums as aws_expected
from tests.ingestion.test_azure_cost_details import expected as azure_expected
from tests.ingestion.test_focus_exports import expected_csv as focus_csv_expected
from tests.ingestion.test_focus_exports import expected_parquet as focus_parquet_expected

CENT = Decimal("0.01")
SEED, ROWS = 7, 8_000
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]

# demo format id -> (x_source_format in the FOCUS record, how to compute the source's own sums)
SOURCE_FORMAT = {"aws_cur2": "aws_cur2", "aws_cur_legacy": "aws_cur_legacy", "azure_ea_actual": "azure_ea",
                 "azure_ea_amortized": "azure_ea", "azure_mca_actual": "azure_mca",
                 "azure_mca_amortized": "azure_mca", "gcp_billing": "gcp_billing_jsonl",
                 "oci_focus": "focus_1_0", "aws_focus": "focus_1_2"}


def _period_of(path: str) -> str:
    m = re.search(r"BILLING_PERIOD=(\d{4})-(\d{2})|/(\d{4})(\d{2})01-\d{8}/|invoice_month=(\d{4})(\d{2})|/(\d{4})/(\d{2})/", path)
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
    out: dict[str, Decimal] = defaultdict(Decimal)
    with gzip.open(path, "rt") as fh:
        for line in fh:
            r = json.loads(line, parse_float=Decimal)
            month = r["invoice"]["month"]
            out[f"{month[:4]}-{month[4:]}"] += Decimal(r["cost"]) + sum(
                (Decimal(c["amount"]) for c in r.get("credits") or []), Decimal(0))
    return {k: (v, v) for k, v in out.items()}


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


def record_totals(warehouse: Path, relation: str = "marts.fct_charges") -> dict[tuple[str, str], tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"select x_source_format, x_billing_period, sum(billed_cost), sum(effective_cost) "
                           f"from {relation} group by all").fetchall()
    return {(f, p): (b.quantize(CENT), e.quantize(CENT)) for f, p, b, e in rows}


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "warehouse" / "finops.duckdb"))
    monkeypatch.setenv("FINOPS_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path


def test_demo_reconciles_to_the_cent_through_dagster(env):
    from orchestration.lib.runner import run_pipeline

    landing, warehouse = env / "landing", env / "warehouse" / "finops.duckdb"
    first = demo.generate(landing, seed=SEED, rows=ROWS, redelivery=False)
    out: list[str] = []
    assert run_pipeline(echo=out.append), "\n".join(out)
    assert "checks passed" in out[0] and "FAILED" not in "\n".join(out)

    expected = expected_totals(current_files(first, None))
    assert record_totals(warehouse) == expected
    assert record_totals(warehouse, "marts.fct_charges") == expected

    # the FOCUS export carries the same money
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exported = con.execute('select sum("BilledCost"), sum("EffectiveCost") from marts.focus_cost_and_usage').fetchone()
        deliveries_before = con.execute("select count(*) from aws_cur.deliveries").fetchone()[0]
    assert tuple(v.quantize(CENT) for v in exported) == (
        sum(b for b, _ in expected.values()), sum(e for _, e in expected.values()))

    # a second run with nothing new: nothing loads, every total unchanged
    assert run_pipeline(echo=out.append)
    assert record_totals(warehouse) == expected
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from aws_cur.deliveries").fetchone()[0] == deliveries_before

    # the providers restate September: it replaces the earlier delivery, October is untouched
    redelivered = demo.write_redelivery(landing, seed=SEED, rows=ROWS)
    assert run_pipeline(echo=out.append)
    restated = expected_totals(current_files(first, redelivered))
    after = record_totals(warehouse)
    assert after == restated
    changed = {k for k in restated if restated[k] != expected.get(k)}
    assert changed and all(period == first["restated_month"] for _, period in changed)
    assert {k: v for k, v in after.items() if k[1] != first["restated_month"]} == {
        k: v for k, v in expected.items() if k[1] != first["restated_month"]}
