"""AWS CUR 2.0 (Data Exports) writer: Parquet (default) and the gzip-CSV flavour."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .aws import CUR2_SCHEMA, MAP_COLUMNS, AwsGenerator
from .enterprise import AWS_MAIN, Month, py_uuid
from .writers import GzipCsvWriter, ParquetPartWriter, write_json

EXPORT = "northwind-cur2"
EXPORT_CSV = "northwind-cur2-csv"
BUCKET = "s3://northwind-billing-exports/aws/cur2"

_ARROW_TO_ATHENA = {
    "string": "string",
    "double": "double",
    "timestamp[ms, tz=UTC]": "timestamp",
    "map<string, string>": "map<string,string>",
    "map<string, double>": "map<string,double>",
}


def _manifest(export: str, month: Month, files: list[Path], rows: list[int], seed: int, version: int, fmt: str) -> dict:
    return {
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{AWS_MAIN.payer_id}:export/{export}-{py_uuid(seed, 61, 1)}",
        "exportName": export,
        "billingPeriod": {
            "start": f"{month.start:%Y-%m-%dT%H:%M:%S.000Z}",
            "end": f"{month.end:%Y-%m-%dT%H:%M:%S.000Z}",
        },
        "executionId": py_uuid(seed, 62, month.index * 10 + version),
        "deliveryTime": ("2026-10-03T06:12:44.000Z" if version == 1 else "2026-11-04T05:47:10.000Z")
        if month.ym == "2026-09"
        else "2026-11-03T06:02:31.000Z",
        "contentType": "application/x-parquet" if fmt == "parquet" else "text/csv",
        "compression": "SNAPPY" if fmt == "parquet" else "GZIP",
        "format": "Parquet" if fmt == "parquet" else "textORcsv",
        "dataFiles": [f"{BUCKET}/{export}/data/BILLING_PERIOD={month.ym}/{f.name}" for f in files],
        "dataFileRowCounts": rows,
        "columns": [{"name": f.name, "type": _ARROW_TO_ATHENA.get(str(f.type), str(f.type))} for f in CUR2_SCHEMA],
        "tableConfigurations": {
            "COST_AND_USAGE_REPORT": {
                "TIME_GRANULARITY": "HOURLY",
                "INCLUDE_RESOURCES": "TRUE",
                "INCLUDE_SPLIT_COST_ALLOCATION_DATA": "FALSE",
                "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE",
            }
        },
    }


def write_cur2(
    out_dir: Path,
    month: Month,
    rows: int,
    seed: int,
    version: int,
    restate: bool,
    rows_per_file: int = 1_000_000,
    csv: bool = False,
    progress=None,
) -> dict:
    gen = AwsGenerator(AWS_MAIN, month, rows, seed, commitment="sp", version=version, restate=restate)
    export = EXPORT_CSV if csv else EXPORT
    root = Path(out_dir) / "aws" / ("cur2-csv" if csv else "cur2") / export
    data_dir = root / "data" / f"BILLING_PERIOD={month.ym}"
    # CUR 2.0 overwrite delivery: the whole period folder is replaced
    if data_dir.exists():
        for p in data_dir.iterdir():
            p.unlink()
    if csv:
        files, counts = [], []
        w = None
        written = 0
        for table, _aux in gen.iter_batches():
            off = 0
            while off < table.num_rows:
                if w is None or w.rows >= rows_per_file:
                    if w is not None:
                        files.append(w.close())
                        counts.append(w.rows)
                    w = GzipCsvWriter(data_dir / f"{export}-{len(files) + 1:05d}.csv.gz")
                take = min(table.num_rows - off, rows_per_file - w.rows)
                w.write(cur2_to_csv_table(table.slice(off, take)))
                off += take
                written += take
            if progress:
                progress(take)
        if w is None:
            w = GzipCsvWriter(data_dir / f"{export}-00001.csv.gz")
            w.write(cur2_to_csv_table(CUR2_SCHEMA.empty_table()))
        files.append(w.close())
        counts.append(w.rows)
        fmt = "csv"
    else:
        pw = ParquetPartWriter(data_dir, export, CUR2_SCHEMA, rows_per_file)
        for table, _aux in gen.iter_batches():
            pw.write(table)
            if progress:
                progress(table.num_rows)
        files = pw.close()
        counts = pw.rows_per_file
        fmt = "parquet"
    man = write_json(
        root / "metadata" / f"BILLING_PERIOD={month.ym}" / f"{export}-Manifest.json",
        _manifest(export, month, files, counts, seed, version, fmt),
    )
    return {
        "files": [str(p) for p in files] + [str(man)],
        "rows": int(sum(counts)),
        "period": month.ym,
        "granularity": "HOURLY" if gen.hourly else "DAILY",
    }


def cur2_to_csv_table(table: pa.Table) -> pa.Table:
    """CUR 2.0 CSV flavour: same columns, map columns as JSON objects, ISO timestamps."""
    cols = []
    for f in CUR2_SCHEMA:
        col = table.column(f.name).combine_chunks() if table.num_rows else pa.array([], f.type)
        if f.name in MAP_COLUMNS:
            cols.append(_map_to_json(col))
        elif pa.types.is_timestamp(f.type):
            cols.append(pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ") if len(col) else pa.array([], pa.string()))
        else:
            cols.append(col)
    return pa.Table.from_arrays(cols, names=CUR2_SCHEMA.names)


def _map_to_json(col: pa.MapArray) -> pa.Array:
    # small number of distinct maps per batch: serialise distinct offsets ranges via python
    if len(col) == 0:
        return pa.array([], pa.string())
    out = []
    cache: dict = {}
    for v in col.to_pylist():
        key = tuple(v) if v is not None else None
        s = cache.get(key)
        if s is None:
            s = json.dumps(dict(v), separators=(",", ":")) if v is not None else None
            cache[key] = s
        out.append(s)
    return pa.array(out, pa.string())
