"""Values a later model would trip on are refused at ingestion, in every billing format: a billing currency that is not
an ISO 4217 code quarantines its file with file, row, the file's own column, value and raw record, and nothing of
the file reaches the raw table (so no mart). Inputs: the public samples in tests/data/samples and the CUR 2.0 Parquet
fixture of test_aws_cur (the DuckDB read_parquet path)."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from tests.support import SAMPLES, ingest
from tests.support.aws_cur import cur2_rows, write_cur2_parquet

CASES = {  # sample, its currency column, the dataset and raw table it loads into
    "aws_cur_legacy": ("aws/cur_legacy_sample.csv", "lineItem/CurrencyCode", "aws_cur", "line_items"),
    "azure_ea": ("azure/ea_actual_cost_small.csv", "BillingCurrency", "azure_cost_details", "cost_details"),
    "gcp_billing_csv": ("gcp/billing_export_flattened_sample.csv", "currency", "gcp_billing", "billing_export_rows"),
    "focus_1_2": (
        "focus_spec/saas_examples/spend_agreements/saas_spend_agreements_a1.csv",
        "BillingCurrency",
        "focus_exports",
        "focus_rows",
    ),
}


def _with_currency(src, dst, column: str, row: int, value: str) -> None:
    with open(src, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > row, f"{src} has fewer than {row} data rows"
    rows[row][rows[0].index(column)] = value
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _quarantine(wh, dataset: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(
            f"select source_file, row_number, field, value, reason, hint, raw_record from {dataset}.quarantine"
        ).fetchall()


def _rows(wh, dataset: str, table: str) -> int:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(f"select count(*) from {dataset}.{table}").fetchone()[0]


@pytest.mark.parametrize("fmt", list(CASES))
@pytest.mark.parametrize("value", ["usd", "US$", "EURO", "Dollars", "XXX"])
def test_a_billing_currency_that_is_not_iso_4217_quarantines_the_file(fmt, value, tmp_path):
    sample, column, dataset, table = CASES[fmt]
    drop = tmp_path / "drop"
    drop.mkdir()
    _with_currency(SAMPLES / sample, drop / "bill.csv", column, 1, value)
    wh = tmp_path / "wh.duckdb"

    reports = ingest(drop, wh)

    assert reports[dataset].deliveries_loaded == []
    (err,) = reports[dataset].quarantined
    assert (err.file, err.row, err.field, err.value) == ("bill.csv", 1, column, value)
    assert "not an ISO 4217 currency code" in err.reason
    (rec,) = _quarantine(wh, dataset)
    assert rec[:4] == ("bill.csv", 1, column, value)
    assert "ISO 4217" in rec[5] and json.loads(rec[6])[column] == value  # what to do, and the raw record
    assert _rows(wh, dataset, table) == 0  # nothing of the bad file is loaded
    if value == "usd":
        assert "did you mean 'USD'?" in err.reason


def test_the_unchanged_samples_still_load(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    for fmt, (sample, _, _, _) in CASES.items():
        (drop / f"{fmt}.csv").write_bytes((SAMPLES / sample).read_bytes())
    reports = ingest(drop, tmp_path / "wh.duckdb")
    assert {ds: (len(r.deliveries_loaded), r.quarantined) for ds, r in reports.items()} == {
        ds: (1, []) for _, _, ds, _ in CASES.values()
    }


def test_cur2_parquet_read_by_duckdb_is_checked_too(tmp_path):
    rows = cur2_rows("2026-09")
    rows[2]["line_item_currency_code"] = "usd"
    write_cur2_parquet(tmp_path / "landing", "exp", "2026-09", rows)
    wh = tmp_path / "wh.duckdb"

    reports = ingest(tmp_path / "landing", wh)

    (err,) = reports["aws_cur"].quarantined
    assert (err.row, err.field, err.value) == (3, "line_item_currency_code", "usd")
    assert json.loads(err.raw_record)["identity_line_item_id"] == rows[2]["identity_line_item_id"]
    assert _rows(wh, "aws_cur", "line_items") == 0
