"""Batch transforms in DuckDB (in memory, not the warehouse): each format declares how its source columns
map to the raw table's canonical columns, and this module turns that into one SQL statement run on every
Arrow batch, with row-level validation of numbers and dates.

A value that is present but cannot be parsed raises :class:`BadInputError` naming file, row and field."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .errors import BadInputError

MONEY = "DECIMAL(38,10)"
_local = threading.local()


def _con() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect(":memory:", config={"threads": 1})
        con.execute("SET TimeZone='UTC'")
        _local.con = con
    return con


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class SelectBuilder:
    """Collects output expressions and the validation checks for one format's transform."""

    header: list[str]
    types: dict[str, pa.DataType] = field(default_factory=dict)  # known source types (Parquet); CSV: none
    exprs: list[tuple[str, str]] = field(default_factory=list)
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value_expr, bad_condition)
    native_maps: bool = False  # MAP columns reach the SQL as DuckDB MAPs (read_parquet), not LIST<STRUCT>
    # text that a CSV writer leaves for "no value" (Python's str(None) is 'None'): read as an empty cell in number
    # columns, as the format says (set by a format's build_select before its number() calls; none by default)
    null_words: tuple[str, ...] = ()

    def has(self, col: str) -> bool:
        return col in self.header

    def src(self, *candidates: str) -> str | None:
        """The first of the candidate source columns present in the file."""
        return next((c for c in candidates if c in self.header), None)

    def add(self, out: str, expr: str) -> SelectBuilder:
        self.exprs.append((out, expr))
        return self

    def text(self, out: str, *candidates: str) -> SelectBuilder:
        c = self.src(*candidates)
        return self.add(out, f"NULLIF(TRIM(CAST({q(c)} AS VARCHAR)), '')" if c else "CAST(NULL AS VARCHAR)")

    def number(self, out: str, *candidates: str, sql_type: str = MONEY) -> SelectBuilder:
        """A decimal column; a present value that does not parse is an error."""
        c = self.src(*candidates)
        if not c:
            return self.add(out, f"CAST(NULL AS {sql_type})")
        t = self.types.get(c)
        if t is not None and (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)):
            parsed = f"TRY_CAST({q(c)} AS {sql_type})"  # typed source: no text round trip
            self.checks.append((c, q(c), f"{q(c)} IS NOT NULL AND {parsed} IS NULL"))
            return self.add(out, parsed)
        raw = f"NULLIF(TRIM(CAST({q(c)} AS VARCHAR)), '')"
        if self.null_words:
            raw = f"CASE WHEN lower({raw}) IN ({', '.join(lit(w) for w in self.null_words)}) THEN NULL ELSE {raw} END"
        parsed = decimal_from_text(raw, sql_type)
        self.checks.append((c, raw, f"{raw} IS NOT NULL AND {parsed} IS NULL"))
        return self.add(out, parsed)

    def timestamp(self, out: str, *candidates: str, fmt: str | None = None) -> SelectBuilder:
        """A UTC timestamp (naive, UTC by convention). ``fmt`` is a strptime format for non-ISO text."""
        c = self.src(*candidates)
        if not c:
            return self.add(out, "CAST(NULL AS TIMESTAMP)")
        raw = f"NULLIF(TRIM(CAST({q(c)} AS VARCHAR)), '')"
        if fmt:
            parsed = f"CAST(TRY_STRPTIME({raw}, {lit(fmt)}) AS TIMESTAMP)"
        else:
            # ISO 8601 with or without zone: normalise to UTC then drop the zone
            parsed = f"CAST(TIMEZONE('UTC', TRY_CAST({raw} AS TIMESTAMPTZ)) AS TIMESTAMP)"
        self.checks.append((c, raw, f"{raw} IS NOT NULL AND {parsed} IS NULL"))
        return self.add(out, parsed)

    def require(self, *columns: str) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise KeyError(missing)

    def sql(self, meta: dict[str, str]) -> str:
        """``meta`` maps extra output columns to SQL expressions (constants for the whole file)."""
        cols = [f"{expr} AS {q(out)}" for out, expr in self.exprs]
        cols += [f"{expr} AS {q(k)}" for k, expr in meta.items()]
        cols.append("x_source_row")
        if self.checks:
            field_case = " ".join(f"WHEN {bad} THEN {lit(f)}" for f, _, bad in self.checks)
            cols.append(f"CASE {field_case} END AS _err_field")
        return "SELECT " + ",\n  ".join(cols) + "\nFROM src"


EXAMPLES = 5  # bad rows shown in a value error


def run_transform(batch: pa.RecordBatch, first_row: int, sql: str, file: str) -> pa.Table:
    """Run the format SQL over one batch; raise on invalid values: the first one, with how many rows of the
    batch have one and the first few (:func:`count_bad_rows` adds the rest of the file)."""
    out = _execute(batch, first_row, sql, file)
    if "_err_field" in out.column_names:
        bad = pc.is_valid(out["_err_field"])
        if pc.any(bad).as_py():
            n, examples = _bad_rows(batch, first_row, out, bad)
            row, field_name, value = examples[0]
            raise BadInputError(
                file,
                "value cannot be parsed",
                row=row,
                field=field_name,
                value=value,
                raw_record=_raw_record(batch, row - first_row),
                affected=n,
                rows_read=first_row + batch.num_rows - 1,
                examples=examples,
            )
        out = out.drop_columns(["_err_field"])
    return out


def count_bad_rows(err: BadInputError, batches, sql: str) -> BadInputError:
    """After ``err`` (from :func:`run_transform`), read the file's remaining ``(batch, first_row)`` pairs with the
    same SQL and add their bad rows to ``err.affected`` (``err.rows_read``: all the file's rows). Returns ``err``."""
    for batch, first_row in batches:
        if not batch.num_rows:
            continue
        err.rows_read = first_row + batch.num_rows - 1
        out = _execute(batch, first_row, sql, err.file)
        if "_err_field" not in out.column_names:
            continue
        bad = pc.is_valid(out["_err_field"])
        if pc.any(bad).as_py():
            n, examples = _bad_rows(batch, first_row, out, bad, EXAMPLES - len(err.examples))
            err.affected = (err.affected or 0) + n
            err.examples += examples
    return err


def _execute(batch: pa.RecordBatch, first_row: int, sql: str, file: str) -> pa.Table:
    import numpy as np

    rows = pa.array(np.arange(first_row, first_row + batch.num_rows, dtype=np.int64))
    src = pa.Table.from_batches([batch]).append_column("x_source_row", rows)  # noqa: F841 (DuckDB scans it)
    try:
        return _con().execute(sql).to_arrow_table()
    except duckdb.Error as e:
        raise BadInputError(
            file, f"cannot transform rows {first_row}-{first_row + batch.num_rows - 1} ({e})", row=first_row
        ) from e


def _bad_rows(
    batch: pa.RecordBatch, first_row: int, out: pa.Table, bad: pa.ChunkedArray, limit: int = EXAMPLES
) -> tuple[int, list[tuple[int, str, str | None]]]:
    """(number of bad rows, the first ``limit`` as (row, field, value)) of one transformed batch."""
    n = pc.sum(bad.cast(pa.int64())).as_py()
    examples = []
    if limit > 0:
        picked = out.select(["x_source_row", "_err_field"]).filter(bad).slice(0, limit).to_pylist()
        examples = [
            (r["x_source_row"], r["_err_field"], _source_value(batch, r["_err_field"], r["x_source_row"] - first_row))
            for r in picked
        ]
    return n, examples


def decimal_from_text(raw: str, sql_type: str = MONEY) -> str:
    """Text -> DECIMAL. DuckDB 1.5 parses text into DECIMAL(38,x) (128-bit) about 150x slower than into
    DECIMAL(18,x); values that fit 18 digits (nearly all line-item amounts) take the fast path, the rest the
    exact slow one. Both round half away from zero to the scale."""
    if sql_type != MONEY:
        return f"TRY_CAST({raw} AS {sql_type})"
    return f"COALESCE(TRY_CAST({raw} AS DECIMAL(18,10)), TRY_CAST({raw} AS {MONEY}))"


def _source_value(batch: pa.RecordBatch, field_name: str | None, i: int) -> str | None:
    if field_name is None or field_name not in batch.schema.names:
        return None
    v = batch.column(field_name)[i].as_py()
    return None if v is None else str(v)


def _raw_record(batch: pa.RecordBatch, i: int) -> str:
    import json

    rec = {k: (str(v) if v is not None else None) for k, v in batch.slice(i, 1).to_pylist()[0].items()}
    text = json.dumps(rec, ensure_ascii=False)
    return text[:20_000]


def batch_source_row(batch: pa.RecordBatch, i: int, field_name: str | None) -> tuple[str | None, str]:
    """(the value of ``field_name`` as delivered, the raw record as JSON) of row ``i`` of a source batch."""
    return _source_value(batch, field_name, i), _raw_record(batch, i)
