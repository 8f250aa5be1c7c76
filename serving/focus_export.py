"""Export the FOCUS cost-and-usage relation from the DuckDB warehouse to Parquet or CSV.

Pure Python + DuckDB (no dagster imports) so that the CLI, the Dagster asset and the tests can all call it.

Output types
------------
* **Parquet** (default): explicit column types. DECIMAL columns stay DECIMAL (same precision/scale), every
  DATE / TIMESTAMP column becomes ``TIMESTAMP WITH TIME ZONE`` in UTC (Parquet ``isAdjustedToUTC=true``), JSON
  (and STRUCT / MAP / LIST columns of the FOCUS key-value columns) are written as strings. Other types are kept.
* **CSV** (``out_path`` ending in ``.csv`` or ``.csv.gz``): header row, date/times as ISO 8601
  ``YYYY-MM-DDTHH:MM:SSZ`` (UTC), NULL written as an empty field, JSON as its serialized text,
  gzip-compressed for ``.csv.gz``.

The column order of the relation is preserved in both cases. The export uses DuckDB ``COPY ... TO`` and the
warehouse is opened read-only.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from serving.focus_columns import FOCUS_JSON_COLUMNS

__all__ = ["export_focus", "quote_relation", "relation_columns"]

DEFAULT_RELATION = "marts.focus_cost_and_usage"


_DATETIME_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATETIME")
_TZ_TYPES = ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")
_NESTED_PREFIXES = ("STRUCT", "MAP")

_IDENT_RE = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')


def quote_relation(relation: str) -> str:
    """Quote a possibly qualified relation name (``db.schema.table``) part by part.

    Already double-quoted parts are kept as they are; other parts are quoted so that identifiers with capital
    letters or unusual characters are safe to interpolate into SQL.
    """
    relation = relation.strip()
    if not relation:
        raise ValueError("relation must not be empty")
    parts: list[str] = []
    pos = 0
    while pos < len(relation):
        m = _IDENT_RE.match(relation, pos)
        if not m:
            raise ValueError(f"cannot parse relation name {relation!r}")
        name = m.group(1).replace('""', '"') if m.group(1) is not None else m.group(2).strip()
        parts.append('"' + name.replace('"', '""') + '"')
        pos = m.end()
        if pos < len(relation):
            if relation[pos] != ".":
                raise ValueError(f"cannot parse relation name {relation!r}")
            pos += 1
            if pos == len(relation):
                raise ValueError(f"relation name {relation!r} ends with a dot")
    return ".".join(parts)


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(column name, DuckDB type) of ``relation`` in declaration order."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {quote_relation(relation)}").fetchall()
    return [(r[0], str(r[1])) for r in rows]


def _is_datetime(dtype: str) -> bool:
    return dtype.upper() in _DATETIME_TYPES or dtype.upper() in _TZ_TYPES


def _is_json_like(name: str, dtype: str) -> bool:
    up = dtype.upper()
    if up == "JSON":
        return True
    return name in FOCUS_JSON_COLUMNS and (up.startswith(_NESTED_PREFIXES) or up.endswith("[]"))


def _utc_timestamptz(expr: str, dtype: str) -> str:
    """Expression turning a DATE/TIMESTAMP/TIMESTAMPTZ into TIMESTAMPTZ (naive values are taken as UTC)."""
    up = dtype.upper()
    if up in _TZ_TYPES:
        return expr
    if up != "TIMESTAMP":  # DATE, TIMESTAMP_S/_MS/_NS
        expr = f"CAST({expr} AS TIMESTAMP)"
    # AT TIME ZONE on a naive timestamp interprets it in that zone and yields TIMESTAMPTZ.
    return f"({expr} AT TIME ZONE 'UTC')"


def _select_list(columns: list[tuple[str, str]], csv: bool) -> str:
    exprs = []
    for name, dtype in columns:
        col = _qi(name)
        if _is_datetime(dtype):
            expr = _utc_timestamptz(col, dtype)
            if csv:
                # Session TimeZone is UTC, so strftime on TIMESTAMPTZ renders the UTC wall clock.
                expr = f"strftime({expr}, '%Y-%m-%dT%H:%M:%SZ')"
        elif _is_json_like(name, dtype):
            expr = f"CAST({col} AS VARCHAR)" if dtype.upper() == "JSON" else f"CAST(to_json({col}) AS VARCHAR)"
        else:
            expr = col
        exprs.append(f"{expr} AS {col}")
    return ",\n  ".join(exprs)


_PERIOD_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PERIOD_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _billing_period_filter(billing_period: str | None, columns: list[tuple[str, str]]) -> str:
    if billing_period is None:
        return ""
    types = dict(columns)
    if "BillingPeriodStart" not in types:
        raise ValueError("billing_period filter needs a BillingPeriodStart column in the relation")
    start = _utc_timestamptz(_qi("BillingPeriodStart"), types["BillingPeriodStart"])
    bp = billing_period.strip()
    if _PERIOD_MONTH.match(bp):
        return f"\nWHERE strftime({start}, '%Y-%m') = '{bp}'"
    if _PERIOD_DAY.match(bp):
        return f"\nWHERE strftime({start}, '%Y-%m-%d') = '{bp}'"
    raise ValueError(
        f"billing_period must be 'YYYY-MM' (BillingPeriodStart month) or 'YYYY-MM-DD' "
        f"(BillingPeriodStart date), got {billing_period!r}"
    )


def _out_format(out_path: str) -> tuple[bool, str | None]:
    """(is_csv, compression)"""
    low = out_path.lower()
    if low.endswith(".csv.gz"):
        return True, "gzip"
    if low.endswith(".csv"):
        return True, None
    return False, None


def export_focus(
    warehouse_path: str,
    out_path: str,
    relation: str = DEFAULT_RELATION,
    billing_period: str | None = None,
) -> int:
    """Write ``relation`` of the DuckDB file ``warehouse_path`` to ``out_path`` and return the rows written.

    Parquet unless ``out_path`` ends with ``.csv`` / ``.csv.gz``. ``billing_period`` optionally restricts the
    export to one billing period: ``'YYYY-MM'`` (month of BillingPeriodStart, UTC) or ``'YYYY-MM-DD'``
    (exact BillingPeriodStart date, UTC).
    """
    wh = Path(warehouse_path)
    if not wh.exists():
        raise FileNotFoundError(f"warehouse not found: {warehouse_path}")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    is_csv, compression = _out_format(str(out))

    con = duckdb.connect(str(wh), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        columns = relation_columns(con, relation)
        if not columns:
            raise ValueError(f"relation {relation} has no columns")
        names = [c for c, _ in columns]
        dupes = sorted({c for c in names if names.count(c) > 1})
        if dupes:
            raise ValueError(f"relation {relation} has duplicate column names: {dupes}")
        query = (
            f"SELECT\n  {_select_list(columns, csv=is_csv)}\nFROM {quote_relation(relation)}"
            f"{_billing_period_filter(billing_period, columns)}"
        )
        target = str(out).replace("'", "''")
        if is_csv:
            opts = "FORMAT CSV, HEADER true, DELIMITER ',', NULLSTR ''"
            if compression:
                opts += f", COMPRESSION {compression}"
        else:
            opts = "FORMAT PARQUET, COMPRESSION zstd"
        row = con.execute(f"COPY ({query}) TO '{target}' ({opts})").fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    finally:
        con.close()
