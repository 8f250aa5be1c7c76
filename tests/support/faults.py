"""Helpers of the fault-injection suite (tests/reliability): tiny export files in the providers' landing layouts,
written with any
delimiter or encoding, and the independent expectations (sums read back from the files with csv / pyarrow + Decimal,
never from the warehouse), the raw tables' totals and the quarantine as loaded."""

from __future__ import annotations

import csv
import gzip
import io
import os
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from tests.support import run_dbt
from tests.support.aws_cur import CUR2_SCHEMA, cur2_csv_rows, cur2_rows
from tests.support.focus_exports import AWS10_HEADER, AWS_EXPORT, aws10_rows

CENT = Decimal("0.01")
SCALE = Decimal("1e-10")  # DECIMAL(38,10)
CUR2_EXPORT = "aws/cur2-csv/northwind"  # AWS Data Exports CUR 2.0 (CSV) layout, see tests/ingestion/test_aws_cur.py

__all__ = ["AWS10_HEADER", "AWS_EXPORT", "CENT", "CUR2_EXPORT", "aws10_rows", "cur2_csv_rows", "cur2_rows"]


# ------------------------------------------------------------------------------------------------ writing files
def csv_bytes(
    header: list[str], rows: list[dict], *, delimiter: str = ",", encoding: str = "utf-8", gz: bool = False
) -> bytes:
    """A CSV file's bytes: header + rows, any delimiter, encoded as ``encoding`` (``utf-8-sig`` writes a BOM,
    ``utf-16`` writes UTF-16 LE with its BOM on little-endian machines), gzip-compressed when ``gz``."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, delimiter=delimiter, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    return gzip.compress(data, mtime=0) if gz else data


def cur2_path(
    root: Path, period: str, *, export: str = CUR2_EXPORT, name: str = "part-00001.csv.gz", version: str | None = None
) -> Path:
    """``<export>/data/BILLING_PERIOD=<period>/[<version>/]<name>`` under ``root``."""
    folder = root / export / "data" / f"BILLING_PERIOD={period}"
    return (folder / version / name) if version else folder / name


def touch_later(path: Path, seconds: int = 5) -> None:
    """A new modification time: the loader sees a re-delivery (its fingerprint is path, size and version)."""
    t = time.time() + seconds
    os.utime(path, (t, t))


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_cur2(
    root: Path,
    period: str,
    rows: list[dict] | None = None,
    *,
    header: list[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
    export: str = CUR2_EXPORT,
    name: str = "part-00001.csv.gz",
    version: str | None = None,
) -> Path:
    """A CUR 2.0 CSV delivery (gzip when ``name`` ends in .gz) of ``rows`` (default: every line item type of the
    period, see tests/ingestion/test_aws_cur.py), with any header, delimiter and encoding."""
    text_rows = cur2_csv_rows(cur2_rows(period) if rows is None else rows)
    header = header or list(CUR2_SCHEMA.names)
    text_rows = [{h: r.get(h, "") for h in header} for r in text_rows]
    return write_bytes(
        cur2_path(root, period, export=export, name=name, version=version),
        csv_bytes(header, text_rows, delimiter=delimiter, encoding=encoding, gz=name.endswith(".gz")),
    )


def write_focus(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    """A FOCUS CSV (the AWS FOCUS 1.0 columns by default; gzip when the name ends in .gz)."""
    header = header or AWS10_HEADER
    return write_bytes(path, csv_bytes(header, rows, gz=path.name.endswith(".gz")))


def focus_path(root: Path, period: str, name: str = "northwind-focus-00001.csv") -> Path:
    """AWS Data Exports FOCUS layout: ``aws/focus/northwind-focus/data/BILLING_PERIOD=<period>/<name>``."""
    return root / AWS_EXPORT / "data" / f"BILLING_PERIOD={period}" / name


# ------------------------------------------------------------------------------- independent expectations
def dec(text) -> Decimal:
    """A text amount as the warehouse stores it: exact, rounded half away from zero to DECIMAL(38,10)'s scale."""
    t = "" if text is None else str(text).strip()
    return Decimal(t).quantize(SCALE, ROUND_HALF_UP) if t else Decimal(0)


def read_csv_file(path: Path, *, delimiter: str = ",", encoding: str = "utf-8-sig") -> list[dict]:
    csv.field_size_limit(sys.maxsize)  # huge tag values
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def cur2_file_sums(path: Path, **kw) -> dict[str, tuple[int, Decimal]]:
    """{billing period: (rows, Σ line_item_unblended_cost)} read back from a CUR 2.0 CSV or Parquet file."""
    rows = pq.read_table(path).to_pylist() if path.suffix == ".parquet" else read_csv_file(path, **kw)
    out: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for r in rows:
        start = r["bill_billing_period_start_date"]
        period = start.strftime("%Y-%m") if hasattr(start, "strftime") else str(start)[:7]
        out[period][0] += 1
        v = r["line_item_unblended_cost"]
        out[period][1] += dec(repr(v) if isinstance(v, float) else v)
    return {p: (n, s) for p, (n, s) in out.items()}


def focus_file_sums(path: Path, by: str = "BillingPeriodStart") -> dict[str, tuple[int, Decimal, Decimal]]:
    """{YYYY-MM of ``by``: (rows, Σ BilledCost, Σ EffectiveCost)} read back from a FOCUS CSV."""
    out: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for r in read_csv_file(path):
        acc = out[r[by][:7]]
        acc[0] += 1
        acc[1] += dec(r["BilledCost"])
        acc[2] += dec(r["EffectiveCost"])
    return {p: tuple(v) for p, v in out.items()}


# ----------------------------------------------------------------------------------------- the warehouse
def build(args: list[str], warehouse: Path, tmp: Path) -> None:
    """``tests.support.run_dbt``: it closes the DuckDB database dbt keeps open in this process, so that the warehouse
    can be opened read-only afterwards (as the CLI and the checks open it)."""
    run_dbt(args, warehouse, tmp)


def sql(warehouse: Path, query: str, params: list | None = None) -> list[tuple]:
    """Rows of ``query``, read-only (after dbt, run it with :func:`build`)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(query, params or []).fetchall()


def cur_totals(warehouse: Path) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """{(export, billing period): (rows, Σ line_item_unblended_cost)} of aws_cur.line_items."""
    return {
        (e, p): (n, s)
        for e, p, n, s in sql(
            warehouse,
            "select x_export_id, x_billing_period, count(*), sum(line_item_unblended_cost) "
            "from aws_cur.line_items group by all",
        )
    }


def focus_totals(warehouse: Path) -> dict[tuple[str, str], tuple[int, Decimal, Decimal]]:
    """{(export, billing period): (rows, Σ billed_cost, Σ effective_cost)} of focus_exports.focus_rows."""
    return {
        (e, p): (n, b, c)
        for e, p, n, b, c in sql(
            warehouse,
            "select x_export_id, x_billing_period, count(*), sum(billed_cost), sum(effective_cost) "
            "from focus_exports.focus_rows group by all",
        )
    }


def quarantined(warehouse: Path, dataset: str) -> list[tuple]:
    """(source_file, row_number, field, reason, value, raw_record, delivery_id) of ``<dataset>.quarantine``,
    ordered; [] when the table does not exist."""
    exists = sql(
        warehouse,
        "select count(*) from information_schema.tables where table_schema = ? and table_name = 'quarantine'",
        [dataset],
    )[0][0]
    if not exists:
        return []
    return sql(
        warehouse,
        f"select source_file, row_number, field, reason, value, raw_record, delivery_id "
        f"from {dataset}.quarantine order by source_file, row_number, field",
    )
