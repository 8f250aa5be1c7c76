"""The shared ingestion machinery: landing layouts, readers, validation errors."""

from __future__ import annotations

import gzip
import json
import os
import time

import pyarrow as pa
import pytest

from ingestion._common.errors import BadInputError
from ingestion._common.landing import LandingPathError, group_deliveries, list_files, safe_rel
from ingestion._common.readers import iter_batches, read_header
from ingestion._common.transform import SelectBuilder, run_transform


def _touch(path, text="a,b\n1,2\n", mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    if str(path).endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    if mtime:
        os.utime(path, (mtime, mtime))
    return path


def test_aws_data_exports_layout_groups_by_export_and_period(tmp_path):
    _touch(tmp_path / "aws/cur2/exp/data/BILLING_PERIOD=2026-09/exp-00001.snappy.parquet")
    _touch(tmp_path / "aws/cur2/exp/data/BILLING_PERIOD=2026-09/exp-00002.snappy.parquet")
    _touch(tmp_path / "aws/cur2/exp/data/BILLING_PERIOD=2026-10/exp-00001.snappy.parquet")
    _touch(tmp_path / "aws/cur2/exp/metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", "{}")
    ds = group_deliveries(str(tmp_path))
    assert [(d.export_id, d.period, len(d.files)) for d in ds] == [
        ("aws/cur2/exp", "2026-09", 2),
        ("aws/cur2/exp", "2026-10", 1),
    ]


def test_legacy_cur_manifest_picks_current_assembly(tmp_path):
    base = tmp_path / "cur/rep/20261001-20261101"
    _touch(base / "old-assembly/rep-1.csv.gz", mtime=time.time() + 100)  # newer mtime, but not current
    _touch(base / "new-assembly/rep-1.csv.gz", mtime=time.time())
    (base / "rep-Manifest.json").write_text(json.dumps({"assemblyId": "new-assembly", "reportKeys": []}))
    (d,) = group_deliveries(str(tmp_path))
    assert d.period == "2026-10" and [f.rel for f in d.files] == ["cur/rep/20261001-20261101/new-assembly/rep-1.csv.gz"]


def test_azure_newest_run_folder_wins(tmp_path):
    base = tmp_path / "azure/dir/costs-actual/20261001-20261031"
    _touch(base / "run-a/part_1_0001.csv.gz", mtime=1_000)
    _touch(base / "run-b/part_1_0001.csv.gz", mtime=2_000)
    (d,) = group_deliveries(str(tmp_path))
    assert d.files[0].rel.endswith("run-b/part_1_0001.csv.gz")


def test_redelivery_changes_fingerprint(tmp_path):
    f = _touch(tmp_path / "gcp/exp/invoice_month=202610/a.jsonl", '{"a": 1}\n', mtime=1_000)
    (d1,) = group_deliveries(str(tmp_path))
    _touch(f, '{"a": 2}\n', mtime=2_000)
    (d2,) = group_deliveries(str(tmp_path))
    assert d1.key == d2.key and d1.fingerprint != d2.fingerprint


def test_landing_paths_cannot_escape_root(tmp_path):
    outside = _touch(tmp_path / "outside.csv")
    root = tmp_path / "landing"
    root.mkdir()
    (root / "link.csv").symlink_to(outside)
    with pytest.raises(LandingPathError):
        list_files(str(root))
    with pytest.raises(LandingPathError):
        safe_rel(str(root), str(root / ".." / "outside.csv"))


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-16", ","), ("utf-8", ";"), ("utf-8", "\t")])
def test_csv_reader_handles_bom_encodings_and_delimiters(tmp_path, encoding, delimiter):
    p = tmp_path / "x.csv"
    p.write_bytes(f"Cost{delimiter}Name\n1.5{delimiter}Zoë\n".encode(encoding))
    (ref,) = list_files(str(p))
    assert read_header(ref) == ["Cost", "Name"]
    ((batch, first),) = list(iter_batches(ref))
    assert first == 1 and batch.to_pylist() == [{"Cost": "1.5", "Name": "Zoë"}]


def test_truncated_gzip_names_file(tmp_path):
    p = tmp_path / "bad.csv.gz"
    data = gzip.compress(("Cost\n" + "1.0\n" * 200_000).encode())
    p.write_bytes(data[: len(data) // 2])
    (ref,) = list_files(str(p))
    with pytest.raises(BadInputError) as e:
        list(iter_batches(ref))
    assert "bad.csv.gz" in str(e.value) and "corrupt or truncated" in str(e.value)


def test_unparseable_amount_names_file_row_and_field():
    b = SelectBuilder(header=["Cost", "Day"])
    b.number("cost", "Cost").timestamp("day", "Day")
    batch = pa.RecordBatch.from_pydict(
        {"Cost": ["1.25", "", "12,5"], "Day": ["2026-10-01", "2026-10-02", "2026-10-03"]}
    )
    with pytest.raises(BadInputError) as e:
        run_transform(batch, 41, b.sql({}), "exports/f.csv")
    err = e.value
    assert (err.file, err.row, err.field, err.value) == ("exports/f.csv", 43, "Cost", "12,5")
    assert "exports/f.csv, row 43, field 'Cost'" in str(err)


def test_valid_values_become_decimal_and_utc_timestamps():
    b = SelectBuilder(header=["Cost", "Day"])
    b.number("cost", "Cost").timestamp("day", "Day")
    batch = pa.RecordBatch.from_pydict(
        {"Cost": ["5e-06", " 2.5 "], "Day": ["2026-10-01T02:00:00+02:00", "2026-10-02T00:00:00Z"]}
    )
    out = run_transform(batch, 1, b.sql({}), "f.csv")
    assert out.schema.field("cost").type == pa.decimal128(38, 10)
    assert [str(v) for v in out["cost"].to_pylist()] == ["0.0000050000", "2.5000000000"]
    assert [v.isoformat() for v in out["day"].to_pylist()] == ["2026-10-01T00:00:00", "2026-10-02T00:00:00"]
    assert out["x_source_row"].to_pylist() == [1, 2]
