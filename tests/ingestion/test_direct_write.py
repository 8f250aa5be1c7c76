"""A local Parquet file is written by DuckDB straight into its raw table (one INSERT ... SELECT FROM read_parquet,
no Arrow round trip through dlt's extract and load files): the same rows and cents as the streaming path, counted
in the load report, and never loaded twice when a run stops between that write and dlt's commit of the run's state
(the next run replaces the file's rows of the same delivery)."""

from __future__ import annotations

import dlt
import duckdb
import pytest

from ingestion._common.source import Plan
from ingestion._common.tables import drop_pending
from ingestion.catalogue import load_dataset, plan
from tests.support.aws_cur import cur2_rows, expected_sums, write_cur2_parquet


def _table(wh) -> tuple[int, object, int]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(
            "select count(*), sum(line_item_unblended_cost), count(distinct x_ingested_at) from aws_cur.line_items"
        ).fetchone()


def _deliveries(wh) -> int:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute("select count(*) from aws_cur.deliveries").fetchone()[0]


def test_parquet_is_written_by_duckdb_not_through_dlt_files(tmp_path):
    rows = cur2_rows("2026-09")
    f = write_cur2_parquet(tmp_path / "landing", "exp", "2026-09", rows)
    wh = tmp_path / "wh.duckdb"

    report = load_dataset("aws_cur", plan(str(tmp_path / "landing")), str(wh))

    assert (report.rows, report.quarantined, len(report.deliveries_loaded)) == (len(rows), [], 1)
    n, cost, runs = _table(wh)
    assert (n, cost, runs) == (len(rows), expected_sums(f)["2026-09"][0], 1)
    # dlt normalised no line_items rows: the rows never went through its files
    pipeline = dlt.attach("aws_cur", pipelines_dir=str(wh.parent / f".{wh.stem}.dlt"))
    counts = pipeline.last_trace.last_normalize_info.row_counts
    assert counts.get("line_items", 0) == 0 and counts["deliveries"] == 1


@pytest.mark.parametrize("stop", ["before the package is committed", "after the package is committed"])
def test_a_run_that_stops_after_the_write_neither_loses_nor_doubles_rows(tmp_path, monkeypatch, stop):
    rows = cur2_rows("2026-09")
    f = write_cur2_parquet(tmp_path / "landing", "exp", "2026-09", rows)
    wh = tmp_path / "wh.duckdb"
    p = plan(str(tmp_path / "landing"))
    load_dataset("aws_cur", Plan(), str(wh))  # the raw table exists (dlt's load is stopped below)

    def crash(self, *a, **k):
        raise KeyboardInterrupt("killed")

    with monkeypatch.context() as m:
        m.setattr(dlt.Pipeline, "load", crash)
        with pytest.raises(KeyboardInterrupt):
            load_dataset("aws_cur", p, str(wh))
    assert _table(wh)[0] == len(rows)  # written, committed; dlt's state not yet
    if stop == "before the package is committed":
        drop_pending(dlt.attach("aws_cur", pipelines_dir=str(wh.parent / f".{wh.stem}.dlt")))

    load_dataset("aws_cur", p, str(wh))

    n, cost, _ = _table(wh)
    assert (n, cost) == (len(rows), expected_sums(f)["2026-09"][0])
    assert _deliveries(wh) == 1
    # and a third run loads nothing
    assert load_dataset("aws_cur", p, str(wh)).rows == 0
    assert _table(wh)[0] == len(rows)
