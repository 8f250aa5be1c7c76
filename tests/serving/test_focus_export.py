"""Tests for serving.focus_export: the FOCUS dataset written as Parquet or CSV (types, order, UTC, filters, read-only),
on the FOCUS fixture dataset of tests/focus_fixture.py."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from serving.focus_export import export_focus, quote_relation
from tests.focus_fixture import ALL_COLUMNS, build_fixture_warehouse


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "finops.duckdb")


# ------------------------------------------------------------------------------------------------------------------
# export_focus
# ------------------------------------------------------------------------------------------------------------------


def test_export_parquet_types_and_order(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "focus.parquet"
    assert export_focus(str(warehouse), str(out)) == 6
    schema = pq.read_schema(out)
    assert schema.names == [n for n, _ in ALL_COLUMNS]
    assert schema.field("BilledCost").type == pa.decimal128(38, 10)
    for col in (
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "x_IngestedAt",
    ):
        t = schema.field(col).type
        assert pa.types.is_timestamp(t) and t.tz == "UTC", (col, t)
    for col in ("Tags", "SkuPriceDetails", "AllocatedTags"):
        assert schema.field(col).type == pa.string()
    table = pq.read_table(out)
    tags = table.column("Tags").to_pylist()
    assert json.loads(tags[0]) == {"env": "dev", "team": "ml"}
    start = table.column("ChargePeriodStart").to_pylist()[0]
    assert start.isoformat() == "2023-01-01T00:00:00+00:00"


def test_export_naive_timestamp_and_date_become_utc(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    con = duckdb.connect(str(wh))
    con.execute(
        "CREATE TABLE t AS SELECT TIMESTAMP '2024-03-01 12:30:00' AS ChargePeriodStart, "
        "DATE '2024-03-01' AS BillingPeriodStart, 1.5::DECIMAL(18,6) AS BilledCost, '{\"a\":1}'::JSON AS Tags"
    )
    con.close()
    out = tmp_path / "t.parquet"
    assert export_focus(str(wh), str(out), relation="t") == 1
    row = pq.read_table(out).to_pylist()[0]
    assert row["ChargePeriodStart"].isoformat() == "2024-03-01T12:30:00+00:00"
    assert row["BillingPeriodStart"].isoformat() == "2024-03-01T00:00:00+00:00"
    assert str(row["BilledCost"]) == "1.500000"
    assert row["Tags"] == '{"a":1}'
    csv_out = tmp_path / "t.csv"
    export_focus(str(wh), str(csv_out), relation="t")
    rec = next(csv.DictReader(csv_out.open()))
    assert rec["ChargePeriodStart"] == "2024-03-01T12:30:00Z"
    assert rec["BillingPeriodStart"] == "2024-03-01T00:00:00Z"


def test_export_csv_and_gzip(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus.csv"
    assert export_focus(str(warehouse), str(out)) == 6
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        assert reader.fieldnames == [n for n, _ in ALL_COLUMNS]
    first = rows[0]
    assert first["BillingPeriodStart"] == "2023-01-01T00:00:00Z"
    assert first["ChargePeriodEnd"] == "2024-01-01T00:00:00Z"
    assert first["CapacityReservationId"] == ""  # NULL as empty
    assert json.loads(first["Tags"]) == {"env": "dev", "team": "ml"}
    gz = tmp_path / "focus.csv.gz"
    assert export_focus(str(warehouse), str(gz)) == 6
    with gzip.open(gz, "rt", newline="") as fh:
        assert list(csv.DictReader(fh)) == rows


def test_export_billing_period_filter(warehouse: Path, tmp_path: Path) -> None:
    assert export_focus(str(warehouse), str(tmp_path / "a.parquet"), billing_period="2023-01") == 6
    assert export_focus(str(warehouse), str(tmp_path / "b.parquet"), billing_period="2023-01-01") == 6
    assert export_focus(str(warehouse), str(tmp_path / "c.parquet"), billing_period="2023-02") == 0
    with pytest.raises(ValueError):
        export_focus(str(warehouse), str(tmp_path / "d.parquet"), billing_period="Jan 2023")


def test_export_opens_read_only(warehouse: Path, tmp_path: Path) -> None:
    # A read-write connection elsewhere in the same process would conflict with read_only=True; instead check
    # that the file is not modified by the export.
    before = warehouse.stat().st_mtime_ns
    export_focus(str(warehouse), str(tmp_path / "x.parquet"))
    assert warehouse.stat().st_mtime_ns == before


def test_export_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        export_focus(str(tmp_path / "nope.duckdb"), str(tmp_path / "x.parquet"))


def test_quote_relation() -> None:
    assert quote_relation("main.focus_cost_and_usage") == '"main"."focus_cost_and_usage"'
    assert quote_relation('"My Schema"."T"') == '"My Schema"."T"'
    assert quote_relation("t") == '"t"'
    with pytest.raises(ValueError):
        quote_relation("a.")
