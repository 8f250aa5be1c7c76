"""The raw layer as a Parquet lake (ingestion/_common/lake.py): one folder per (export, billing period), the files
read back equal to the raw table with its exact types, a re-run writing nothing, a re-delivered period replacing
exactly its own folder, a vanished period removed, an empty table still readable, object stores refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion._common.lake import LakeError, duckdb_read_sql, partition_dir, raw_tables, write_lake


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema aws_cur; create schema openai_usage; create schema marts")
        con.execute(
            """
            create table aws_cur.line_items (
                line_item_unblended_cost decimal(38, 10), line_item_usage_start_date timestamptz,
                x_export_id varchar, x_billing_period varchar, x_delivery_id varchar,
                x_source_file varchar, x_source_row bigint)
            """
        )
        con.execute(
            """
            insert into aws_cur.line_items values
              (0.0000000001, '2026-09-01 00:00:00+00', 'aws/cur2/acme', '2026-09', 'd1', 's3://b/a.pq', 1),
              (12345678.1234567891, '2026-09-30 23:00:00+00', 'aws/cur2/acme', '2026-09', 'd1', 's3://b/a.pq', 2),
              (-3.5, '2026-10-01 00:00:00+00', 'aws/cur2/acme', '2026-10', 'd2', 's3://b/a-2.parquet', 1),
              (7, '2026-10-02 00:00:00+00', 'aws/legacy/o''brien', '2026-10', 'd3', 's3://b/l.csv', 1)
            """
        )
        con.execute("create table aws_cur.quarantine (delivery_id varchar, field varchar, value varchar)")
        con.execute("create table aws_cur._dlt_loads (load_id varchar)")
        con.execute("insert into aws_cur._dlt_loads values ('1')")
        con.execute(
            "create table openai_usage.costs (amount_value decimal(38, 10), currency varchar, _dlt_load_id varchar)"
        )
        con.execute("insert into openai_usage.costs values (1.25, 'usd', 'l1'), (2.5, 'usd', 'l1')")
        con.execute("create table marts.fct_charges (billed_cost decimal(38, 10))")  # not raw: not exported
    return path


def _files(lake: Path) -> dict[str, int]:
    return {str(p.relative_to(lake)): p.stat().st_mtime_ns for p in sorted(lake.rglob("*.parquet"))}


def test_layout_and_exact_read_back(tmp_path):
    wh = _warehouse(tmp_path / "finops.duckdb")
    lake = tmp_path / "lake"
    report = write_lake(wh, lake)

    with duckdb.connect(str(wh), read_only=True) as con:
        assert raw_tables(con) == [
            ("aws_cur", "line_items", True),
            ("aws_cur", "quarantine", False),
            ("openai_usage", "costs", False),
        ]
    assert report.rows_written == 6 and len(report.written) == 5 and not report.removed
    # one folder per (export, period); the export id made a folder name, the period as it is
    sep = partition_dir(lake, "aws_cur", "line_items", "aws/cur2/acme", "2026-09")
    assert sep.parent.name.startswith("aws_cur2_acme-") and sep.name == "2026-09"
    assert (sep / "part-0.parquet").exists()
    assert (lake / "openai_usage" / "costs" / "all" / "all" / "part-0.parquet").exists()
    assert not (lake / "marts").exists() and not (lake / "aws_cur" / "_dlt_loads").exists()

    with duckdb.connect(str(wh), read_only=True) as con:
        for schema, table, _ in raw_tables(con):
            back = f"select * from {duckdb_read_sql(lake, schema, table)}"
            orig = f"select * from {schema}.{table}"
            assert con.execute(f"select count(*) from ({orig} except all {back})").fetchone() == (0,)
            assert con.execute(f"select count(*) from ({back} except all {orig})").fetchone() == (0,)
            assert con.execute(f"describe {back}").fetchall() == con.execute(f"describe {orig}").fetchall()
        # decimals to the last digit, the replacement key and lineage inside the files
        got = con.execute(
            f"select line_item_unblended_cost, x_export_id, x_source_row from "
            f"{duckdb_read_sql(lake, 'aws_cur', 'line_items')} order by x_billing_period, x_source_row, x_export_id"
        ).fetchall()
    assert got[0] == (Decimal("1E-10"), "aws/cur2/acme", 1)
    assert got[1][0] == Decimal("12345678.1234567891")
    assert ("aws/legacy/o'brien" in {g[1] for g in got}) and len(got) == 4


def test_rerun_writes_nothing_and_redelivery_replaces_its_partition_only(tmp_path):
    wh = _warehouse(tmp_path / "finops.duckdb")
    lake = tmp_path / "lake"
    write_lake(wh, lake)
    before = _files(lake)

    again = write_lake(wh, lake)
    assert again.written == [] and again.removed == [] and again.unchanged == 5
    assert _files(lake) == before

    # the provider re-delivers September: new delivery, different rows; October and the other export untouched
    with duckdb.connect(str(wh)) as con:
        con.execute("delete from aws_cur.line_items where x_billing_period = '2026-09'")
        con.execute(
            "insert into aws_cur.line_items values (99.99, '2026-09-15 00:00:00+00', 'aws/cur2/acme', '2026-09', "
            "'d9', 's3://b/a-1b.parquet', 1)"
        )
    redo = write_lake(wh, lake)
    assert len(redo.written) == 1 and redo.written[0].startswith("aws_cur.line_items aws_cur2_acme-")
    assert redo.written[0].endswith("/2026-09") and redo.rows_written == 1
    after = _files(lake)
    changed = {k for k in after if after[k] != before.get(k)}
    assert len(changed) == 1 and "/2026-09/" in next(iter(changed))
    with duckdb.connect(str(wh), read_only=True) as con:
        sept = con.execute(
            f"select sum(line_item_unblended_cost), count(*) from {duckdb_read_sql(lake, 'aws_cur', 'line_items')} "
            "where x_billing_period = '2026-09'"
        ).fetchone()
    assert sept == (Decimal("99.9900000000"), 1)  # replaced, never doubled

    # a period gone from the warehouse goes from the lake, its empty export folder too
    with duckdb.connect(str(wh)) as con:
        con.execute("delete from aws_cur.line_items where x_export_id = 'aws/legacy/o''brien'")
    gone = write_lake(wh, lake)
    assert len(gone.removed) == 1 and "2026-10" in gone.removed[0]
    assert not partition_dir(lake, "aws_cur", "line_items", "aws/legacy/o'brien", "2026-10").parent.exists()


def test_empty_table_keeps_its_columns_and_rows_replace_it(tmp_path):
    wh = _warehouse(tmp_path / "finops.duckdb")
    lake = tmp_path / "lake"
    write_lake(wh, lake)
    with duckdb.connect(str(wh), read_only=True) as con:
        cols = con.execute(f"describe select * from {duckdb_read_sql(lake, 'aws_cur', 'quarantine')}").fetchall()
        assert [c[0] for c in cols] == ["delivery_id", "field", "value"]
        assert con.execute(f"select count(*) from {duckdb_read_sql(lake, 'aws_cur', 'quarantine')}").fetchone() == (0,)
    with duckdb.connect(str(wh)) as con:
        con.execute("delete from aws_cur.line_items")  # a billing table emptied: one empty file, no partitions
    write_lake(wh, lake)
    table = lake / "aws_cur" / "line_items"
    assert [str(p.relative_to(table)) for p in table.rglob("*.parquet")] == ["all/all/part-0.parquet"]


def test_object_store_and_missing_lake_are_refused(tmp_path, monkeypatch):
    wh = _warehouse(tmp_path / "finops.duckdb")
    with pytest.raises(LakeError, match="only a local folder"):
        write_lake(wh, "s3://bucket/lake")
    monkeypatch.delenv("FINOPS_LAKE", raising=False)
    with pytest.raises(LakeError, match="set FINOPS_LAKE"):
        write_lake(wh, None)
