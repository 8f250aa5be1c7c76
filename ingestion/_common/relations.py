"""What a DuckDB warehouse holds (``information_schema``), read through an open connection: which relations exist and
their columns. One reader for the loaders, the checks, the serving outputs, the orchestration and the CLI. DuckDB
only (no dlt, no Dagster). A relation is named ``schema.name``."""

from __future__ import annotations

from pathlib import Path

import duckdb


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """``schema.name`` of every table and view."""
    return {
        f"{s}.{t}" for s, t in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    }


def warehouse_relations(warehouse: str | Path) -> set[str]:
    """:func:`relations` of the warehouse file, opened read-only; none when it does not exist yet."""
    if not Path(warehouse).exists():
        return set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return relations(con)


def relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Whether the table or view ``schema.name`` exists."""
    schema, table = relation.split(".", 1)
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
        ).fetchone()[0]
    )


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> DuckDB data type of ``schema.name``, in declaration order (empty when it does not exist)."""
    schema, table = relation.split(".", 1)
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
    )
