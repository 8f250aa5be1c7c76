"""The read-only copy of the warehouse that BI tools open: ``<warehouse dir>/published/finops_bi.duckdb``.

Why a copy: DuckDB lets one process write a database file, and a process that opens the file (even read-only)
holds a lock that stops the pipeline's next writer; a BI tool connected to ``warehouse/finops.duckdb`` all day
would make every run fail. So the pipeline publishes: :func:`publish` copies the schemas BI reads
(:data:`DEFAULT_SCHEMAS`: ``marts`` (views materialized as tables), ``reference`` and the metric tables
``metrics`` (:mod:`serving.metrics`)) into a new DuckDB file,
built under a temporary name, checkpointed, flushed to disk, made read-only (mode 0444), then swapped in with
``os.replace`` (atomic): a BI session never sees a half-written file, and a session open during the swap keeps
reading the previous copy until it reconnects. The table ``main.publication`` lists what was copied (schema,
table, rows) and when.

BI tools connect read-only, so they never take the write lock of the published file either (see README "BI access
(read-only)"): ``duckdb -readonly warehouse/published/finops_bi.duckdb``, ``duckdb.connect(path,
read_only=True)``, JDBC ``jdbc:duckdb:/path/finops_bi.duckdb?access_mode=read_only`` (ODBC:
``access_mode=read_only``).

In Dagster the asset ``bi_publication`` (``orchestration/defs/quality/publish.py``) runs it after the marts, so a
failing blocking check on a mart (dbt tests of severity error, the Great Expectations suites of the finance marts)
skips the publication and BI keeps the last good copy; ``finops publish`` runs it by hand. No Dagster here.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_DIR = "published"
PUBLISHED_NAME = "finops_bi.duckdb"
DEFAULT_SCHEMAS = ("marts", "reference", "metrics")
INFO_TABLE = "publication"  # in the published file's main schema


class PublishError(RuntimeError):
    """The publication could not be built; the previous published copy is untouched."""


@dataclass
class PublishReport:
    path: Path
    published_at: datetime
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def summary(self) -> str:
        return (
            f"published {len(self.tables)} tables ({self.rows:,} rows) of "
            f"{', '.join(sorted({t.split('.')[0] for t in self.tables}))} to {self.path} (read-only copy for BI)"
        )


def published_path(warehouse: str | os.PathLike) -> Path:
    """``<warehouse dir>/published/finops_bi.duckdb``."""
    return Path(warehouse).expanduser().resolve().parent / PUBLISHED_DIR / PUBLISHED_NAME


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_comments(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> None:
    """The tables' and columns' comments (dbt's persisted docs, the metric definitions) onto the copies, so a BI
    tool shows what each column means."""
    placeholders = ", ".join("?" for _ in schemas)
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where database_name = ? "
        f"and schema_name in ({placeholders}) and comment is not null and comment <> ''",
        [catalog, *schemas],
    ).fetchall()
    for schema, table, comment in tables:
        con.execute(f"comment on table {_ident(schema)}.{_ident(table)} is {_literal(comment)}")
    columns = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() where database_name = ? "
        f"and schema_name in ({placeholders}) and comment is not null and comment <> ''",
        [catalog, *schemas],
    ).fetchall()
    for schema, table, column, comment in columns:
        con.execute(f"comment on column {_ident(schema)}.{_ident(table)}.{_ident(column)} is {_literal(comment)}")


def publish(
    warehouse: str | os.PathLike, out: str | os.PathLike | None = None, schemas: Iterable[str] = DEFAULT_SCHEMAS
) -> PublishReport:
    """Copy ``schemas`` of ``warehouse`` into the published file (default :func:`published_path`) and swap it in
    atomically; see the module doc. The caller must not hold a read-write connection to ``warehouse`` in this
    process (the CLI and the Dagster asset run under the warehouse run lock, no other writer runs)."""
    src = Path(warehouse).expanduser().resolve()
    if not src.exists():
        raise PublishError(f"no warehouse at {src}: run the pipeline first (finops run)")
    target = Path(out).expanduser().resolve() if out else published_path(src)
    if target == src:
        raise PublishError("the published copy cannot be the warehouse itself")
    schemas = tuple(schemas)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    catalog = src.stem  # the warehouse's own catalog name: its views (dbt) name their relations with it
    now = datetime.now(UTC)
    report = PublishReport(target, now)
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(f"ATTACH '{str(src).replace(chr(39), chr(39) * 2)}' AS {_ident(catalog)} (READ_ONLY)")
            placeholders = ", ".join("?" for _ in schemas)
            relations = con.execute(
                "select table_schema, table_name from information_schema.tables where table_catalog = ? "
                f"and table_schema in ({placeholders}) order by 1, 2",
                [catalog, *schemas],
            ).fetchall()
            if not relations:
                raise PublishError(f"{src} has no table in {', '.join(schemas)}: build the models first (finops run)")
            for schema in sorted({s for s, _ in relations}):
                con.execute(f"create schema if not exists {_ident(schema)}")
            for schema, table in relations:
                con.execute(
                    f"create table {_ident(schema)}.{_ident(table)} as "
                    f"select * from {_ident(catalog)}.{_ident(schema)}.{_ident(table)}"
                )
                report.tables[f"{schema}.{table}"] = con.execute(
                    f"select count(*) from {_ident(schema)}.{_ident(table)}"
                ).fetchone()[0]
            _copy_comments(con, catalog, schemas)
            con.execute(f"DETACH {_ident(catalog)}")
            con.execute(
                f"create table main.{INFO_TABLE} (published_at timestamptz, table_schema varchar, "
                "table_name varchar, row_count bigint)"
            )
            con.executemany(
                f"insert into main.{INFO_TABLE} values (?, ?, ?, ?)",
                [(now, *name.split(".", 1), rows) for name, rows in report.tables.items()],
            )
            con.execute("CHECKPOINT")
        _fsync(tmp)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0444: nobody writes the published copy
        os.replace(tmp, target)  # atomic: readers see the old copy or the new one, never a partial file
        _fsync(target.parent)
    except duckdb.Error as e:
        raise PublishError(f"publishing {src} to {target} failed, the previous copy is untouched: {e}") from e
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return report
