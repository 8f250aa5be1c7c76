"""Tests for `finops export-marts DIR` (serving/marts_export.py): the published copy's marts and metric tables as
Parquet, one file per table, with schema.json. On the FOCUS fixture warehouse (tests/focus_fixture.py) plus a
metric table, published by serving.publish as `finops run` does; and, when there is one, on the demo's published
copy."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from finops_cli import EXIT_CANTCREAT, EXIT_NOINPUT, main
from serving.marts_export import export_marts
from serving.publish import publish, published_path
from tests.focus_fixture import build_fixture_warehouse
from tests.support import REPO

DEMO_PUBLISHED = REPO / "warehouse" / "published" / "finops_bi.duckdb"
CENT = Decimal("0.01")


@pytest.fixture()
def published(tmp_path, monkeypatch) -> Path:
    """A warehouse with a mart (the FOCUS fixture), a metric table (a HUGEINT count among its columns) and a reference
    table, published as `finops run` publishes it; FINOPS_WAREHOUSE points at it."""
    (tmp_path / "warehouse").mkdir()
    wh = build_fixture_warehouse(tmp_path / "warehouse" / "finops.duckdb")
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema metrics; create schema reference")
        con.execute(
            "create table metrics.effective_cost_monthly as select strftime(ChargePeriodStart, '%Y-%m') as month, "
            'BillingCurrency as currency, sum("EffectiveCost")::decimal(38,10) as effective_cost, '
            "count(*)::hugeint as charges from marts.focus_cost_and_usage group by all"
        )
        con.execute("create table reference.ai_vendor_catalogue as select 'OpenAI' as vendor")
    publish(wh, schemas=("marts", "metrics", "reference"))
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(wh))
    return published_path(wh)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def round_trip(published_copy: Path, out: Path) -> dict:
    """Every table of the export equals its table in the published copy: same rows, same columns, same money to the
    cent (every DECIMAL column summed), DECIMAL still DECIMAL in the Parquet file. Returns schema.json."""
    schema = json.loads((out / "schema.json").read_text())
    with duckdb.connect(str(published_copy), read_only=True) as con:
        (published_at,) = con.execute("select max(published_at) from main.publication").fetchone()
        assert schema["published_at"] == published_at.isoformat()
        expected = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'metrics') order by 1"
        ).fetchall()
        assert [f"{t['schema']}.{t['table']}" for t in schema["tables"]] == [t for (t,) in expected]
        for t in schema["tables"]:
            relation = f'{t["schema"]}."{t["table"]}"'
            path = out / t["file"]
            assert path == out / t["schema"] / f"{t['table']}.parquet" and path.exists()
            (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
            assert t["rows"] == rows == pq.read_metadata(path).num_rows
            arrow = pq.read_schema(path)
            assert arrow.names == [c["name"] for c in t["columns"]]
            money = [c for c in t["columns"] if c["type"].startswith("DECIMAL")]
            for c in money:
                assert pa.types.is_decimal(arrow.field(c["name"]).type), (t["table"], c)
                assert c["parquet_type"] == str(arrow.field(c["name"]).type)
                q = f'select sum("{c["name"]}") from '
                (want,) = con.execute(q + relation).fetchone()
                (got,) = con.execute(q + f"read_parquet('{path}')").fetchone()
                assert (got or 0) == (want or 0) and isinstance(got or Decimal(0), Decimal), (t["table"], c, got)
                assert (got or Decimal(0)).quantize(CENT) == (want or Decimal(0)).quantize(CENT)
    return schema


def test_export_marts_round_trips_rows_and_money_and_keeps_decimal(published, tmp_path):
    out = tmp_path / "bi" / "parquet"
    result = run("export-marts", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 2 tables" in result.output and "of marts, metrics as Parquet" in result.output
    assert "marts.focus_cost_and_usage: 6 rows" in result.output  # progress per table (stderr)
    schema = round_trip(published, out)
    assert sorted(p.name for p in out.iterdir()) == ["marts", "metrics", "schema.json"]  # reference is not a mart
    tables = {t["table"]: t for t in schema["tables"]}
    focus = {c["name"]: c for c in tables["focus_cost_and_usage"]["columns"]}
    assert (
        focus["BilledCost"]["type"] == "DECIMAL(38,10)" and focus["BilledCost"]["parquet_type"] == "decimal128(38, 10)"
    )
    # descriptions from the dbt YAML (dbt_project/models/marts/finops/_finops__models.yml)
    assert "FOCUS" in tables["focus_cost_and_usage"]["description"]
    metric = {c["name"]: c for c in tables["effective_cost_monthly"]["columns"]}
    assert metric["charges"]["type"] == "HUGEINT" and metric["charges"]["parquet_type"] == "decimal128(38, 0)"
    with duckdb.connect() as con:  # the HUGEINT count stays exact (DuckDB would write a DOUBLE)
        counts = con.execute(f"select sum(charges) from read_parquet('{out}/metrics/*.parquet')").fetchone()[0]
    assert counts == 6


def test_export_marts_is_idempotent_and_replaces_the_folder_whole(published, tmp_path):
    out = tmp_path / "parquet"
    assert run("export-marts", str(out)).exit_code == 0
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")}
    (out / "marts" / "dropped_table.parquet").write_bytes(b"left by an older export")
    again = run("export-marts", str(out))
    assert again.exit_code == 0, again.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")} == first  # same data, same files
    assert not list(tmp_path.glob(".parquet.*"))  # no staging or old folder left behind
    round_trip(published, out)


def test_export_marts_errors_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "nowhere" / "finops.duckdb"))
    missing = run("export-marts", str(tmp_path / "out"))
    assert missing.exit_code == EXIT_NOINPUT
    assert "There is no published copy at" in missing.output and "`finops run`" in missing.output
    assert "Traceback" not in missing.output and not (tmp_path / "out").exists()


def test_export_marts_never_wipes_a_folder_that_is_no_export(published, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine")
    refused = run("export-marts", str(home))
    assert refused.exit_code == EXIT_CANTCREAT
    assert "is not empty and holds no earlier export (schema.json)" in refused.output
    assert [p.name for p in home.iterdir()] == ["notes.txt"]
    inside = run("export-marts", str(published.parent))
    assert inside.exit_code == EXIT_CANTCREAT and published.exists()
    a_file = run("export-marts", str(home / "notes.txt"))
    assert a_file.exit_code == EXIT_CANTCREAT and "it is a file, not a folder" in a_file.output


@pytest.mark.skipif(not DEMO_PUBLISHED.exists(), reason="needs the demo's published copy (make demo)")
def test_export_marts_of_the_demo(tmp_path):
    out = tmp_path / "demo"
    report = export_marts(DEMO_PUBLISHED, out)
    schema = round_trip(DEMO_PUBLISHED, out)
    assert report.tables["marts.fct_charges"] > 0
    charges = next(t for t in schema["tables"] if t["table"] == "fct_charges")
    cols = {c["name"]: c for c in charges["columns"]}
    assert charges["description"] and cols["effective_cost"]["description"]
    assert cols["effective_cost"]["parquet_type"].startswith("decimal128(")
