"""The raw layer as a Parquet lake (``FINOPS_LAKE``): what Spark (``dbt --target spark``) and any other engine read.

Layout, one folder per raw table, one per replacement key below it::

    <lake>/<schema>/<table>/<export>/<billing period>/part-0.parquet     billing tables (x_export_id, x_billing_period)
    <lake>/<schema>/<table>/all/all/part-0.parquet                       every other raw table, whole
    <lake>/_finops_lake.json                                             what each partition holds (its fingerprint)

``<export>`` is the export id made a safe folder name, with a short hash of it (``aws/cur2/northwind`` ->
``aws_cur2_northwind-1a2b3c4d``: ``%`` or ``/`` in a folder name would be read as URI escapes by Hadoop): a folder
name, not data. The files keep every column of the raw table, the replacement key, the lineage (``x_source_file``,
``x_source_row``, ``x_delivery_id``) and the exact types (DECIMAL(38,10), timestamps in UTC) included, so readers
never parse folder names: Spark reads a table with ``recursiveFileLookup``, DuckDB with
``read_parquet('<table>/*/*/*.parquet')`` (:func:`duckdb_read_sql`).

A partition is written only when its fingerprint changed (billing tables: the rows and the deliveries they came
from; other tables: the rows and a hash of their contents): a re-delivered (export, billing period) replaces
exactly its own folder, a re-run writes nothing, a partition gone from the warehouse is removed. A partition is
written to a temporary folder beside its place and swapped in by renames, so a reader sees the old or the new
files, never a half-written one. The quarantine tables go too (the quarantine marts read them); ``dlt``'s own
bookkeeping tables and its ``*_staging`` schemas do not.

DuckDB stays the system of record: the lake is written from the raw schemas after each load
(``finops lake``, or the Dagster asset ``raw_lake`` when ``FINOPS_LAKE`` is set). Local folders only: an object
store URL (``s3://…``) is refused with a message (DuckDB's httpfs extension is not installed here).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

LAKE_ENV = "FINOPS_LAKE"
MANIFEST = "_finops_lake.json"
ALL = "all"  # the folder names of a table without a replacement key (Spark skips folders named "_*" or ".*")
PART = "part-0.parquet"
KEY = ("x_export_id", "x_billing_period")
# schemas of the warehouse that are not the raw layer
NOT_RAW = ("main", "staging", "intermediate", "marts", "reference", "metrics", "semantic", "dbt_state", "quarantine")


class LakeError(RuntimeError):
    """The lake cannot be written (where, and what to do)."""


@dataclass
class LakeReport:
    lake: str
    written: list[str] = field(default_factory=list)  # "<schema>.<table> <export>/<period>"
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rows_written: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"lake {self.lake}: {len(self.written)} partition(s) written ({self.rows_written:,} rows), "
            f"{len(self.removed)} removed, {self.unchanged} unchanged in {self.seconds:.1f} s"
        )


def lake_root(lake: str | os.PathLike | None = None) -> Path | None:
    """``lake``, else ``$FINOPS_LAKE``, else None (no lake); a local folder, made absolute."""
    value = str(lake) if lake else os.environ.get(LAKE_ENV, "")
    if not value:
        return None
    if "://" in value and not value.startswith("file://"):
        raise LakeError(
            f"FINOPS_LAKE={value!r}: only a local folder is supported here (an object store needs DuckDB's httpfs "
            "extension, not installed). Give a folder path, or mount the bucket and give its mount point."
        )
    return Path(value.removeprefix("file://")).resolve()


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """(schema, table, partitioned by (x_export_id, x_billing_period)) of every raw table, sorted."""
    rows = con.execute(
        """
        select t.schema_name, t.table_name,
               count(c.column_name) filter (where c.column_name in ('x_export_id', 'x_billing_period')) = 2
        from duckdb_tables() as t
        join duckdb_columns() as c
            on c.database_name = t.database_name and c.schema_name = t.schema_name and c.table_name = t.table_name
        where t.database_name = current_database()
          and t.schema_name not in (select unnest(?::varchar[]))
          and t.schema_name not like '%\\_staging' escape '\\'
          and t.table_name not like '\\_dlt\\_%' escape '\\'
        group by all
        order by 1, 2
        """,
        [list(NOT_RAW)],
    ).fetchall()
    return [(s, t, bool(p)) for s, t, p in rows]


def table_dir(lake: Path, schema: str, table: str) -> Path:
    return lake / schema / table


def partition_dir(lake: Path, schema: str, table: str, export_id: str | None, period: str | None) -> Path:
    if export_id is None and period is None:
        return table_dir(lake, schema, table) / ALL / ALL
    return table_dir(lake, schema, table) / _folder_name(export_id) / _folder_name(period, hashed=False)


def _folder_name(value: str | None, hashed: bool = True) -> str:
    if value is None:
        return "none"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("._") or "_"
    if not hashed and safe == value:
        return safe
    return f"{safe}-{hashlib.sha1(value.encode()).hexdigest()[:8]}"


def duckdb_read_sql(lake: Path, schema: str, table: str) -> str:
    """The DuckDB table function that reads one raw table back from the lake (every partition, exact types)."""
    pattern = str(table_dir(lake, schema, table) / "*" / "*" / "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}', hive_partitioning = false, union_by_name = true)"


def _fingerprints(con: duckdb.DuckDBPyConnection, rel: str, partitioned: bool) -> dict[tuple, str]:
    if partitioned:
        rows = con.execute(
            f"""
            select x_export_id, x_billing_period,
                   count(*) || ':' || string_agg(distinct coalesce(x_delivery_id, ''), ',' order by
                   coalesce(x_delivery_id, ''))
            from {rel} group by all
            """
        ).fetchall()
        return {(e, p): f for e, p, f in rows}
    (fp,) = con.execute(f"select count(*) || ':' || coalesce(sum(hash(t)), 0) from {rel} as t").fetchone()
    return {(None, None): fp}


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` with renames: the old folder moved aside first, removed after."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path, stop: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    parent = path.parent  # empty export folders go too
    while parent != stop and parent.exists() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def write_lake(
    warehouse: str | os.PathLike,
    lake: str | os.PathLike | None = None,
    schemas: Iterable[str] | None = None,
    log=None,
) -> LakeReport:
    """Write the raw layer of ``warehouse`` to the lake (see the module docstring); only changed partitions."""
    root = lake_root(lake)
    if root is None:
        raise LakeError(f"No lake given: set {LAKE_ENV} to a folder (or pass --lake).")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LakeError(f"Cannot create the lake folder {root}: {e}. Choose a writable folder.") from None
    started = time.monotonic()
    report = LakeReport(lake=str(root))
    manifest_path = root / MANIFEST
    manifest: dict[str, dict[str, str]] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    wanted = set(schemas) if schemas else None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for t in raw_tables(con) if wanted is None or t[0] in wanted]
        for schema, table, partitioned in tables:
            name = f"{schema}.{table}"
            rel = f'"{schema}"."{table}"'
            now = _fingerprints(con, rel, partitioned)
            if not now:  # an empty table: one empty file keeps its columns readable
                now = {(None, None): "0:"}
            before = manifest.get(name, {})
            kept: dict[str, str] = {}
            for (export_id, period), fp in sorted(now.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
                folder = partition_dir(root, schema, table, export_id, period)
                key = str(folder.relative_to(table_dir(root, schema, table)))
                kept[key] = fp
                if before.get(key) == fp and (folder / PART).exists():
                    report.unchanged += 1
                    continue
                tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
                tmp.mkdir(parents=True)
                where = ""
                params: list = []
                if export_id is not None or period is not None:
                    where = "where x_export_id is not distinct from ? and x_billing_period is not distinct from ?"
                    params = [export_id, period]
                target = str(tmp / PART).replace("'", "''")
                con.execute(
                    f"copy (select * from {rel} {where}) to '{target}' (format parquet, compression zstd)", params
                )
                _swap_in(tmp, folder)
                rows = int(fp.split(":", 1)[0])
                report.written.append(f"{name} {key}")
                report.rows_written += rows
                if log:
                    log(f"lake: {name} {key}: {rows:,} rows")
            for key in sorted(set(before) - set(kept)):
                _remove(table_dir(root, schema, table) / key, table_dir(root, schema, table))
                report.removed.append(f"{name} {key}")
            manifest[name] = kept
    tmp_manifest = manifest_path.with_name(f".{MANIFEST}.tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    tmp_manifest.replace(manifest_path)
    report.seconds = time.monotonic() - started
    return report
