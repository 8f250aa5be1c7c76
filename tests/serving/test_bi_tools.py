"""What docs/bi-tools.md promises and runs offline here: Superset's way into the published copy, SQLAlchemy with the
duckdb-engine dialect, read-only (the URL ``duckdb:////path?access_mode=read_only``, or ``connect_args``), lists the
marts and queries one; a write through it is refused. (Metabase, Evidence, Power BI and Tableau need a JVM driver,
a Node project or Windows: documented, not tested; docs/bi-tools.md says why.)"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from tests.serving.test_marts_export import published  # noqa: F401 - the fixture: a published copy with a mart

DEMO_PUBLISHED = Path(__file__).resolve().parents[2] / "warehouse" / "published" / "finops_bi.duckdb"


def sa_version() -> tuple[int, ...]:
    return tuple(int(p) for p in sa.__version__.split(".")[:3] if p.isdigit())


def superset_url(path: Path) -> str:
    """The SQLAlchemy URI to paste into Superset (Settings > Database connections > DuckDB): an absolute path after
    ``duckdb:///`` (hence four slashes), read-only through DuckDB's ``access_mode`` setting in the query string."""
    return f"duckdb:///{path.resolve()}?access_mode=read_only"


@pytest.mark.parametrize("how", ["url", "connect_args"])
def test_superset_reads_the_published_copy_read_only(published, how):  # noqa: F811
    engine = (
        sa.create_engine(superset_url(published))
        if how == "url"
        else sa.create_engine(f"duckdb:///{published}", connect_args={"read_only": True})
    )
    try:
        with engine.connect() as con:
            # what Superset lists when a database is added: its schemas (catalog.schema) and their tables
            inspector = sa.inspect(con)
            assert {"finops_bi.marts", "finops_bi.metrics"} <= set(inspector.get_schema_names())
            assert "focus_cost_and_usage" in inspector.get_table_names(schema="marts")
            # a physical dataset reflects the table's columns: broken upstream with SQLAlchemy >= 2.0.45 (its
            # PostgreSQL reflection queries pg_collation.collnamespace, which DuckDB 1.5 lacks; duckdb/duckdb#22069,
            # Mause/duckdb_engine#1391). Superset pins SQLAlchemy < 2, where it works; docs/bi-tools.md says so.
            try:
                columns = {c["name"]: c["type"] for c in inspector.get_columns("focus_cost_and_usage", schema="marts")}
            except sa.exc.ProgrammingError as e:
                assert "pg_collation" in str(e) and sa_version() >= (2, 0, 45), e
            else:
                assert isinstance(columns["BilledCost"], sa.Numeric) and columns["BilledCost"].scale == 10
            # a virtual dataset (SQL): its columns come from the cursor, which works on every version
            result = con.execute(sa.text("select * from marts.focus_cost_and_usage limit 0"))
            assert "BilledCost" in list(result.keys())
            # a chart's query: money per currency, DECIMAL to the cent as in DuckDB itself
            rows = con.execute(
                sa.text(
                    'select "BillingCurrency", sum("BilledCost") from marts.focus_cost_and_usage group by 1 order by 1'
                )
            ).fetchall()
            assert rows and all(isinstance(total, Decimal) for _, total in rows)
            (setting,) = con.execute(sa.text("select current_setting('access_mode')")).one()
            assert setting.lower() == "read_only"
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text("create table marts.scratch as select 1 as x"))
    finally:
        engine.dispose()
    with duckdb.connect(str(published), read_only=True) as direct:
        assert (
            rows
            == direct.execute(
                'select "BillingCurrency", sum("BilledCost") from marts.focus_cost_and_usage group by 1 order by 1'
            ).fetchall()
        )
        assert not direct.execute("select * from information_schema.tables where table_name = 'scratch'").fetchall()


@pytest.mark.skipif(not DEMO_PUBLISHED.exists(), reason="needs the demo's published copy (make demo)")
def test_superset_reads_the_demo_marts():
    engine = sa.create_engine(superset_url(DEMO_PUBLISHED))
    try:
        with engine.connect() as con:
            (share,) = con.execute(
                sa.text(
                    "select sum(x_reporting_effective_cost) filter (where service_category = 'AI and Machine "
                    "Learning') / sum(x_reporting_effective_cost) from marts.fct_charges"
                )
            ).one()
    finally:
        engine.dispose()
    assert 0 < share < 1
