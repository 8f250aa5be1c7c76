"""The one reader of what a DuckDB warehouse holds (ingestion._common.relations)."""

from __future__ import annotations

import duckdb

from ingestion._common.relations import relation_columns, relation_exists, relations, warehouse_relations


def _warehouse(path) -> str:
    wh = str(path / "w.duckdb")
    with duckdb.connect(wh) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_x (b varchar, a decimal(38, 10), c timestamp with time zone)")
        con.execute("create view marts.v_x as select a from marts.fct_x")
    return wh


def test_tables_and_views_with_their_columns_in_declaration_order(tmp_path):
    wh = _warehouse(tmp_path)
    with duckdb.connect(wh, read_only=True) as con:
        assert {"marts.fct_x", "marts.v_x"} <= relations(con)
        assert relation_exists(con, "marts.fct_x") and relation_exists(con, "marts.v_x")
        assert not relation_exists(con, "marts.fct_y") and not relation_exists(con, "staging.fct_x")
        assert relation_columns(con, "marts.fct_x") == {
            "b": "VARCHAR",
            "a": "DECIMAL(38,10)",
            "c": "TIMESTAMP WITH TIME ZONE",
        }
        assert list(relation_columns(con, "marts.fct_x")) == ["b", "a", "c"]
        assert relation_columns(con, "marts.fct_y") == {}
        found = relations(con)
    assert warehouse_relations(wh) == found


def test_a_warehouse_not_created_yet_holds_nothing_and_is_not_created(tmp_path):
    missing = tmp_path / "none" / "w.duckdb"
    assert warehouse_relations(missing) == set()
    assert not missing.exists()
