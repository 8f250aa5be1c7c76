"""Parquet straight into DuckDB: ``read_parquet`` + the format SQL in one multi-threaded query per file,
streamed out as Arrow batches, instead of pyarrow batch -> per-batch single-threaded DuckDB transform.

Row numbers come from ``file_row_number`` (1-based data rows, as the pyarrow path), and a value that cannot be
parsed is reported with file, row, field, value and raw record exactly like :func:`transform.run_transform`
(the raw record is re-read from the file, on the error path only). MAP columns are handed to the format SQL as
LIST<STRUCT<key, value>> (``map_entries``), the representation the pyarrow path gives it, or as DuckDB MAPs
when the format's SQL was built with ``SelectBuilder.native_maps`` (faster: ``to_json`` of a MAP). Local files only:
remote URLs (fsspec) keep the pyarrow path."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .errors import BadInputError
from .landing import FileRef
from .transform import EXAMPLES, lit, q

_local = threading.local()


def _con() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        # rows may stream out of order: x_source_row carries each row's number
        # temp_directory at connect time (a SET after a spill fails), one per connection: an in-memory database
        # would spill into ./.tmp of whatever directory the process runs in, and two databases must not share one
        spill = os.path.join(
            os.environ.get("FINOPS_DUCKDB_TEMP_DIRECTORY") or tempfile.gettempdir(),
            f"finops-extract-{os.getpid()}-{threading.get_ident()}",
        )
        cfg = {
            "memory_limit": os.environ.get("FINOPS_DUCKDB_EXTRACT_MEMORY_LIMIT", "512MB"),
            "preserve_insertion_order": False,
            "temp_directory": spill,
        }
        threads = os.environ.get("FINOPS_DUCKDB_THREADS")
        if threads:
            cfg["threads"] = int(threads)
        con = duckdb.connect(":memory:", config=cfg)
        con.execute("SET TimeZone='UTC'")
        _local.con = con
    return con


def local_path(ref: FileRef) -> str | None:
    url = ref.url
    url = url.removeprefix("file://")
    if "://" in url or not url.lower().endswith(".parquet") or not os.path.isfile(url):
        return None
    return url


def transform_parquet(
    path: str,
    ref: FileRef,
    columns: list[str],
    types: dict[str, pa.DataType],
    sql: str,
    native_maps: bool = False,
    batch_rows: int = 65_536,
) -> Iterator[pa.Table]:
    """Yield the format SQL's output for the file in Arrow tables of about ``batch_rows`` rows. With
    ``native_maps`` the SQL takes MAP columns as DuckDB MAPs, else as LIST<STRUCT<key, value>>."""
    full = _full_sql(path, columns, types, sql, native_maps)
    con = _con().cursor()
    try:
        try:
            reader = con.execute(full).to_arrow_reader(batch_rows)
        except duckdb.Error as e:
            raise BadInputError(ref.rel, f"cannot read or transform the Parquet file ({e})", row=0) from e
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except duckdb.Error as e:
                raise BadInputError(ref.rel, f"corrupt Parquet file or untransformable rows ({e})", row=None) from e
            if not batch.num_rows:
                continue
            out = pa.Table.from_batches([batch])
            if "_err_field" in out.column_names:
                bad = pc.is_valid(out["_err_field"])
                if pc.any(bad).as_py():
                    # report the file's first bad rows and how many there are (rows stream out of order): one
                    # more pass, error path only
                    bad = (
                        _con()
                        .execute(
                            f"SELECT x_source_row, _err_field, count(*) OVER (), "
                            f"(SELECT count(*) FROM read_parquet({lit(path)})) "
                            f"FROM ({full}) AS t WHERE _err_field IS NOT NULL "
                            f"ORDER BY x_source_row LIMIT {EXAMPLES}"
                        )
                        .fetchall()
                    )
                    row, field_name, affected, total = bad[0]
                    value, raw = source_row(ref, columns, row, field_name)
                    examples = [(r, f, source_row(ref, columns, r, f)[0]) for r, f, _, _ in bad]
                    raise BadInputError(
                        ref.rel,
                        "value cannot be parsed",
                        row=row,
                        field=field_name,
                        value=value,
                        raw_record=raw,
                        affected=affected,
                        rows_read=total,
                        examples=examples,
                    )
                out = out.drop_columns(["_err_field"])
            yield out
    finally:
        con.close()


def _full_sql(path: str, columns: list[str], types: dict[str, pa.DataType], sql: str, native_maps: bool) -> str:
    """The format SQL over ``read_parquet`` of the file, with each row's 1-based ``x_source_row``."""
    cols = []
    for c in columns:
        t = types.get(c)
        is_map = t is not None and pa.types.is_map(t) and not native_maps
        cols.append(f"map_entries({q(c)}) AS {q(c)}" if is_map else q(c))
    src = (
        f"SELECT {', '.join(cols) + ', ' if cols else ''}CAST(file_row_number + 1 AS BIGINT) AS x_source_row "
        f"FROM read_parquet({lit(path)}, file_row_number = true)"
    )
    assert sql.rstrip().endswith("FROM src")
    return f"WITH src AS ({src})\n{sql}"


GUARD_TRIPPED = "finops: a row breaks a value rule"


def insert_parquet_sql(
    table: str,
    path: str,
    columns: list[str],
    types: dict[str, pa.DataType],
    sql: str,
    violation: str | None = None,
) -> str:
    """One ``INSERT INTO table BY NAME`` of the format SQL's output over the file (DuckDB reads, transforms and
    writes the rows once, on every thread, straight into the warehouse table). A row whose value cannot be parsed
    (``_err_field``) or that matches ``violation`` (the value rules, :func:`~ingestion._common.values.violation_sql`)
    aborts the statement with :data:`GUARD_TRIPPED`: nothing of the file is written, and the caller reads the file
    again on the streaming path, which names the file, row, field and value (:func:`transform_parquet`)."""
    full = _full_sql(path, columns, types, sql, native_maps=True)
    checks = (["_err_field IS NOT NULL"] if " AS _err_field" in sql else []) + ([violation] if violation else [])
    select = "SELECT * EXCLUDE (_err_field)" if " AS _err_field" in sql else "SELECT *"
    where = f"\nWHERE CASE WHEN {' OR '.join(checks)} THEN error({lit(GUARD_TRIPPED)}) ELSE true END" if checks else ""
    return f"INSERT INTO {table} BY NAME\n{select} FROM ({full}) AS t{where}"


def source_row(ref: FileRef, columns: list[str], row: int, field_name: str | None) -> tuple[str | None, str]:
    """(value of the field, raw record as JSON) of a 1-based data row, read again from the file."""
    import json

    import pyarrow.parquet as pq

    pf = pq.ParquetFile(ref.url)
    start = 1
    for rg in range(pf.num_row_groups):
        n = pf.metadata.row_group(rg).num_rows
        if row < start + n:
            rec = pf.read_row_group(rg, columns=columns or None).slice(row - start, 1).to_pylist()[0]
            break
        start += n
    else:  # pragma: no cover - the row came from the file
        rec = {}
    value = None
    if field_name in rec and rec[field_name] is not None:
        value = str(rec[field_name])
    text = json.dumps({k: (str(v) if v is not None else None) for k, v in rec.items()}, ensure_ascii=False)
    return value, text[:20_000]
