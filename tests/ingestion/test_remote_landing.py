"""A landing root given as an fsspec URL (s3://, az://, gs:// in production) is read the same way as a folder:
here through fsspec's in-memory filesystem, so the URL code path runs without a cloud account."""

from __future__ import annotations

import duckdb
import fsspec

from ingestion._common.landing import group_deliveries
from ingestion.catalogue import load_dataset, plan
from tests.support import SAMPLES
from tests.support.aws_cur import expected_sums


def test_memory_url_landing_loads_like_a_folder(tmp_path):
    fs = fsspec.filesystem("memory")
    root = "memory://landing-test"
    target = "/landing-test/cur/report/20231101-20231201/assembly-1/report-1.csv"
    fs.pipe(target, (SAMPLES / "aws" / "cur_legacy_sample.csv").read_bytes())
    (d,) = group_deliveries(root)
    assert (d.export_id, d.period, [f.rel for f in d.files]) == (
        "cur/report",
        "2023-11",
        ["cur/report/20231101-20231201/assembly-1/report-1.csv"],
    )
    planned = plan(root)
    report = load_dataset("aws_cur", planned, str(tmp_path / "wh.duckdb"))
    assert report.ok and report.rows == 1281
    billed, _ = expected_sums(SAMPLES / "aws" / "cur_legacy_sample.csv")["2023-11"]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        loaded = con.execute("select sum(line_item_unblended_cost) from aws_cur.line_items").fetchone()[0]
    assert loaded == billed.quantize(loaded)  # every cent of the file, read through the URL
    fs.rm("/landing-test", recursive=True)
