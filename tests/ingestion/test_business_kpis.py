"""Business-KPI source (ingestion/business_kpis): a CSV drop and a SQL table (SQLite; Postgres when one is available)
through dlt into a temporary DuckDB warehouse, as the warehouse runs it (runner.load_business_kpis): one table, merge
on (kpi_date, product, kpi_name, source_system), a second run loads nothing, a corrected value replaces, bad rows
are quarantined with file/row/field while the rest loads, the database password never shows. Plus the demo's KPI
data and the Dagster asset."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from ingestion.business_kpis import helpers as H
from ingestion.business_kpis import settings as S
from ingestion.business_kpis.runner import ensure_kpi_tables, load_business_kpis
from tests.support import column_types, query

HEADER = ["kpi_date", "product", "kpi_name", "kpi_value", "kpi_unit"]
PASSWORD = "s3cr3t-Pa55word-9f8e7d"


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """Nothing configured; a landing folder (without a KPI drop) and a temporary warehouse."""
    for k in list(os.environ):
        if k.startswith("SOURCES__BUSINESS_KPIS"):
            monkeypatch.delenv(k)
    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "wh" / "finops.duckdb"))
    monkeypatch.setenv("FINOPS_LANDING", str(tmp_path / "landing"))
    return tmp_path


def _warehouse(env: Path) -> str:
    return str(env / "wh" / "finops.duckdb")


def _load(env: Path, **kw):
    return load_business_kpis(_warehouse(env), str(env / "landing"), **kw)


def _sql(env: Path, q: str, *args):
    return query(_warehouse(env), q, *args)


def _write_csv(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    st = path.stat()  # a rewrite within the same second still changes the fingerprint (size or mtime)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000))
    return path


def _drop(env: Path, name: str = "volumes.csv") -> Path:
    return env / "landing" / S.LANDING_PREFIX / name


def _sqlite(path: Path, rows: list[tuple]) -> str:
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "create table if not exists daily_volumes (kpi_date date, product text, kpi_name text, "
            "kpi_value numeric(38, 10), kpi_unit text, updated_at timestamp, comment text)"
        )
        con.executemany(
            "insert into daily_volumes (kpi_date, product, kpi_name, kpi_value, kpi_unit, updated_at) "
            "values (?, ?, ?, ?, ?, ?)",
            rows,
        )
    con.close()
    return f"sqlite:///{path}"


CSV_ROWS = [
    ["2026-09-01", "support-copilot", "tickets_resolved", "410", "tickets"],
    ["2026-09-01", "doc-search", "documents_processed", "1234.5678901234", ""],
    ["2026-09-02", "robot-vision", "images_processed", "0", "Images"],
    ["2026-09-01", "fraud-model", "transactions", "905", "Transactions"],
]
SQL_ROWS = [
    ("2026-09-01", "fraud-model", "transactions", 900, "Transactions", "2026-09-02 02:00:00"),
    ("2026-09-01", "support-copilot", "active_users", 612, None, "2026-09-02 02:00:00"),
    ("2026-09-02", "support-copilot", "active_users", 640, "Users", "2026-09-03 02:00:00"),
]


@pytest.fixture()
def both(env, monkeypatch):
    """A CSV drop and a SQLite KPI table, both configured."""
    _write_csv(_drop(env), CSV_ROWS)
    url = _sqlite(env / "kpis.sqlite", SQL_ROWS)
    monkeypatch.setenv(S.CREDENTIALS_ENV, url)
    return env


# ------------------------------------------------------------------------------------------------------------- load
def test_csv_and_sqlite_load_into_one_table_with_declared_types(both):
    report = _load(both)
    assert report.configured and report.csv_configured and report.sql_configured
    assert report.rows_loaded == 7 and report.rows_by_source == {"csv_drop": 4, "sql_database": 3}
    assert report.files_loaded == ["business_kpis/volumes.csv"] and report.ok
    types = column_types(_warehouse(both), "business_kpis.daily_volumes")
    assert types["kpi_date"] == "DATE" and types["kpi_value"] == "DECIMAL(38,10)"
    assert types["source_updated_at"] == "TIMESTAMP WITH TIME ZONE" and "comment" not in types
    rows = {
        (str(d), p, k, s): (v, u, ref, r, upd)
        for d, p, k, s, v, u, ref, r, upd in _sql(
            both,
            "select kpi_date, product, kpi_name, source_system, kpi_value, kpi_unit, source_ref, source_row, "
            "source_updated_at from business_kpis.daily_volumes",
        )
    }
    assert len(rows) == 7
    # exact decimals, canonical units (given in any case, or the KPI's default), lineage to file row / table
    assert rows[("2026-09-01", "doc-search", "documents_processed", "csv_drop")][:4] == (
        Decimal("1234.5678901234"),
        "Documents",
        "business_kpis/volumes.csv",
        2,
    )
    assert rows[("2026-09-01", "support-copilot", "tickets_resolved", "csv_drop")][1] == "Tickets"
    assert rows[("2026-09-02", "robot-vision", "images_processed", "csv_drop")][0] == 0
    sql_row = rows[("2026-09-01", "support-copilot", "active_users", "sql_database")]
    assert sql_row[:4] == (Decimal(612), "Users", "daily_volumes", None)
    assert sql_row[4] == dt.datetime(2026, 9, 2, 2, tzinfo=dt.UTC)
    # both sources report fraud-model's transactions: both rows are kept raw (staging picks one)
    assert rows[("2026-09-01", "fraud-model", "transactions", "csv_drop")][0] == 905
    assert rows[("2026-09-01", "fraud-model", "transactions", "sql_database")][0] == 900


def test_second_run_loads_nothing(both):
    _load(both)
    before = _sql(both, "select * from business_kpis.daily_volumes order by all")
    report = _load(both)
    # dlt's own row count of the run: nothing written, the CSV file skipped by fingerprint, the SQL cursor unchanged
    assert report.rows_loaded == 0 and report.rows_by_source == {"csv_drop": 0, "sql_database": 0}
    assert report.files_loaded == [] and report.files_skipped == ["business_kpis/volumes.csv"]
    assert _sql(both, "select * from business_kpis.daily_volumes order by all") == before
    assert _sql(both, "select count(distinct _dlt_load_id) from business_kpis.daily_volumes") == [(1,)]


def test_corrected_values_replace_the_old_ones(both):
    _load(both)
    # the database corrects a value (and its updated_at): only that row is read and it replaces the old one
    con = sqlite3.connect(both / "kpis.sqlite")
    with con:
        con.execute(
            "update daily_volumes set kpi_value = 915, updated_at = '2026-09-05 09:00:00' where product = 'fraud-model'"
        )
    con.close()
    report = _load(both)
    assert report.rows_loaded == 1 and report.rows_by_source == {"csv_drop": 0, "sql_database": 1}
    assert _sql(
        both,
        "select kpi_value from business_kpis.daily_volumes where product = 'fraud-model' "
        "and source_system = 'sql_database'",
    ) == [(Decimal(915),)]
    # the drop's file is rewritten with a corrected value: the file is read again, its values replace
    rows = [r[:] for r in CSV_ROWS]
    rows[0][3] = "415"
    _write_csv(_drop(both), rows)
    report = _load(both)
    assert report.files_loaded == ["business_kpis/volumes.csv"] and report.rows_by_source["csv_drop"] == 4
    assert _sql(both, "select kpi_value from business_kpis.daily_volumes where kpi_name = 'tickets_resolved'") == [
        (Decimal(415),)
    ]
    # a correction dropped as a new file replaces the key too; a later file wins over an earlier one in one run
    _write_csv(_drop(both, "volumes_fix.csv"), [["2026-09-02", "robot-vision", "images_processed", "12", ""]])
    report = _load(both)
    assert report.files_loaded == ["business_kpis/volumes_fix.csv"] and report.rows_loaded == 1
    assert _sql(
        both, "select kpi_value, source_ref from business_kpis.daily_volumes where product = 'robot-vision'"
    ) == [(Decimal(12), "business_kpis/volumes_fix.csv")]
    assert _sql(both, "select count(*) from business_kpis.daily_volumes") == [(7,)]
    assert _load(both).rows_loaded == 0


def test_bad_rows_are_quarantined_with_file_row_and_field_and_the_rest_loads(env, caplog):
    _write_csv(
        _drop(env),
        [
            ["2026-09-01", "support-copilot", "transactions", "100", ""],  # row 1: good
            ["2026-09-31", "support-copilot", "transactions", "101", ""],  # row 2: no such date
            ["2026-09-03", "support-copilot", "transactions", "1,000", ""],  # row 3: not a plain number
            ["2026-09-04", "", "transactions", "7", ""],  # row 4: no product
            ["2026-09-05", "doc-search", "mystery_kpi", "7", ""],  # row 5: unknown KPI without a unit
            ["2026-09-06", "doc-search", "transactions", "-3", ""],  # row 6: negative
            ["2026-09-01", "support-copilot", "transactions", "100", ""],  # row 7: duplicate of row 1
            ["2026-09-07", "doc-search", "queries", "55", "Queries"],  # row 8: good
        ],
    )
    caplog.set_level(logging.WARNING, logger="finops.ingestion")
    report = _load(env)
    assert not report.ok and report.rows_loaded == 2
    got = {(e.row, e.field): str(e) for e in report.quarantined}
    assert set(got) == {
        (2, "kpi_date"),
        (3, "kpi_value"),
        (4, "product"),
        (5, "kpi_unit"),
        (6, "kpi_value"),
        (7, "kpi_name"),
    }
    msg = got[(2, "kpi_date")]
    assert (
        msg.startswith("business_kpis/volumes.csv, row 2, field 'kpi_date': unparseable date") and "'2026-09-31'" in msg
    )
    assert "negative volume" in got[(6, "kpi_value")] and "duplicate of row 1" in got[(7, "kpi_name")]
    assert "business_kpis/volumes.csv, row 3, field 'kpi_value'" in caplog.text  # logged, not silently dropped
    q = _sql(env, "select source_file, row_number, field, value, reason from business_kpis.quarantine order by 2, 3")
    assert [(f, r, fld) for f, r, fld, _, _ in q] == [("business_kpis/volumes.csv", r, f) for r, f in sorted(got)]
    assert q[1][3] == "1,000"
    assert _sql(env, "select product, kpi_name, kpi_value from business_kpis.daily_volumes order by 1") == [
        ("doc-search", "queries", Decimal(55)),
        ("support-copilot", "transactions", Decimal(100)),
    ]

    # unchanged file: nothing read or loaded again, but the rows are still reported until the file is fixed
    again = _load(env)
    assert again.rows_loaded == 0 and again.quarantined == [] and len(again.still_quarantined) == 6 and not again.ok
    _write_csv(
        _drop(env),
        [
            ["2026-09-01", "support-copilot", "transactions", "100", ""],
            ["2026-09-03", "support-copilot", "transactions", "1000", ""],
        ],
    )
    fixed = _load(env)
    assert fixed.ok and fixed.rows_by_source["csv_drop"] == 2


def test_a_file_without_a_required_column_is_quarantined_whole(env):
    _write_csv(_drop(env, "a.csv"), [["2026-09-01", "doc-search", "7"]], header=["kpi_date", "product", "kpi_value"])
    _write_csv(_drop(env, "b.csv"), [["2026-09-01", "doc-search", "queries", "7", "Queries"]])
    report = _load(env)
    (e,) = report.quarantined
    assert (e.file, e.row, e.field) == ("business_kpis/a.csv", 0, "kpi_name")
    assert "missing required column(s) kpi_name" in str(e) and report.rows_loaded == 1


def test_bad_sql_rows_are_quarantined_and_the_rest_loads(env, monkeypatch):
    url = _sqlite(
        env / "kpis.sqlite",
        [
            ("2026-09-01", "doc-search", "queries", 5, "Queries", "2026-09-02 00:00:00"),
            ("2026-09-01", None, "queries", 6, "Queries", "2026-09-02 00:00:00"),
            ("2026-09-02", "doc-search", "queries", "n/a", "Queries", "2026-09-03"),
        ],
    )
    monkeypatch.setenv(S.CREDENTIALS_ENV, url)
    report = _load(env)
    assert report.rows_loaded == 1 and {(e.file, e.field) for e in report.quarantined} == {
        ("daily_volumes", "product"),
        ("daily_volumes", "kpi_value"),
    }
    assert "daily_volumes, row 2, field 'product': missing product" in str(report.quarantined[0])
    assert _sql(env, "select count(*) from business_kpis.quarantine") == [(2,)]


def test_a_table_without_the_kpi_columns_fails_clearly(env, monkeypatch):
    db = env / "other.sqlite"
    con = sqlite3.connect(db)
    con.execute("create table daily_volumes (day date, product text, value numeric)")
    con.close()
    monkeypatch.setenv(S.CREDENTIALS_ENV, f"sqlite:///{db}")
    with pytest.raises(H.BusinessKpiError, match=r"has no column\(s\) kpi_date, kpi_name, kpi_value, updated_at"):
        _load(env)
    monkeypatch.setenv(S.TABLE_NAME_ENV, "no_such_table")
    with pytest.raises(H.BusinessKpiError, match="cannot read table no_such_table"):
        _load(env)


def test_not_configured_creates_the_tables_empty(env):
    report = _load(env)
    assert not report.configured and report.rows_loaded == 0
    assert S.CREDENTIALS_ENV in report.hint and "business_kpis/" in report.hint
    assert sorted(report.tables_created) == ["business_kpis.daily_volumes", "business_kpis.quarantine"]
    types = column_types(_warehouse(env), "business_kpis.daily_volumes")
    assert types["kpi_value"] == "DECIMAL(38,10)" and types["kpi_date"] == "DATE" and "_dlt_load_id" in types
    assert _sql(env, "select count(*) from business_kpis.daily_volumes") == [(0,)]
    assert ensure_kpi_tables(_warehouse(env)) == []  # exists now: nothing to create
    # an empty drop folder counts as configured (it is the place where files will land)
    _drop(env).parent.mkdir(parents=True)
    assert _load(env).configured


# ------------------------------------------------------------------------------------------------------ credentials
def _files_containing(root: Path, needle: str) -> list[str]:
    hits = []
    for p in root.rglob("*"):
        if p.is_file() and needle.encode() in p.read_bytes():
            hits.append(str(p))
    return hits


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://kpi_reader:{PASSWORD}@127.0.0.1:1/kpis",  # unreachable (or no driver installed)
        f"postgresql+psycopg2://kpi_reader:{PASSWORD}@127.0.0.1:1/kpis",
        f"postgresql+psycopg2://kpi_reader:{PASSWORD}@127.0.0.1:notaport/kpis",  # malformed port
        f"no-such-dialect://kpi_reader:{PASSWORD}@127.0.0.1/kpis",
        f"mysql://kpi_reader:{PASSWORD}@[unclosed/kpis",
    ],
)
def test_credentials_never_appear_in_errors_logs_or_files(env, monkeypatch, caplog, url):
    monkeypatch.setenv(S.CREDENTIALS_ENV, url)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(H.BusinessKpiError) as e:
        _load(env)
    text = str(e.value)
    assert PASSWORD not in text and PASSWORD not in repr(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__  # no chained driver message
    assert PASSWORD not in caplog.text
    assert _files_containing(env, PASSWORD) == []  # not in the warehouse, dlt's state or its traces


def test_sql_database_shows_the_url_without_password():
    db = H.SqlDatabase(f"postgresql://kpi_reader:{PASSWORD}@db.internal:5432/analytics", "daily_volumes", "kpi")
    assert db.safe_url == "postgresql://kpi_reader:***@db.internal:5432/analytics"
    assert PASSWORD not in repr(db) and db.qualified_table == "kpi.daily_volumes"
    assert db.scrub(f"could not connect with {PASSWORD}") == "could not connect with ***"
    assert H.redact_url("not a url") == "<unparseable SQLAlchemy URL>"


# ------------------------------------------------------------------------------------------------------ Postgres
def _postgres_url() -> str | None:
    return os.environ.get("FINOPS_TEST_POSTGRES_URL")


@pytest.mark.skipif(not _postgres_url(), reason="set FINOPS_TEST_POSTGRES_URL to a PostgreSQL database to run")
def test_postgres_table_loads_incrementally(env, monkeypatch):
    import sqlalchemy as sa

    pytest.importorskip("psycopg")
    url = _postgres_url()
    schema = f"finops_kpi_test_{os.getpid()}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as con:
            con.execute(sa.text(f"create schema {schema}"))
            con.execute(
                sa.text(
                    f"create table {schema}.daily_volumes (id serial primary key, kpi_date date, "
                    "product text, kpi_name text, kpi_value numeric(38, 10), kpi_unit text, "
                    "updated_at timestamptz)"
                )
            )
            con.execute(
                sa.text(
                    f"insert into {schema}.daily_volumes (kpi_date, product, kpi_name, kpi_value, "
                    "kpi_unit, updated_at) values ('2026-10-01', 'doc-search', 'queries', 12.5, "
                    "'Queries', '2026-10-02 02:00+00'), ('2026-10-02', 'doc-search', 'queries', 13, "
                    "'Queries', '2026-10-03 02:00+00')"
                )
            )
        monkeypatch.setenv(S.CREDENTIALS_ENV, url)
        monkeypatch.setenv(S.SCHEMA_ENV, schema)
        report = _load(env)
        assert report.rows_loaded == 2 and report.sql_source.endswith(f"table {schema}.daily_volumes")
        assert _load(env).rows_loaded == 0
        with engine.begin() as con:
            con.execute(
                sa.text(
                    f"update {schema}.daily_volumes set kpi_value = 14, updated_at = now() "
                    "where kpi_date = '2026-10-02'"
                )
            )
        assert _load(env).rows_loaded == 1
        assert _sql(env, "select kpi_value from business_kpis.daily_volumes order by kpi_date") == [
            (Decimal("12.5"),),
            (Decimal(14),),
        ]
        password = sa.engine.make_url(url).password
        if password:
            assert password not in report.summary() and _files_containing(env, password) == []
            # a wrong password: the server's refusal is reported, neither password is
            wrong = f"{password}-{PASSWORD}"
            monkeypatch.setenv(
                S.CREDENTIALS_ENV, sa.engine.make_url(url).set(password=wrong).render_as_string(hide_password=False)
            )
            with pytest.raises(H.BusinessKpiError, match="cannot read table") as e:
                _load(env)
            assert wrong not in str(e.value) and password not in str(e.value)
    finally:
        with engine.begin() as con:
            con.execute(sa.text(f"drop schema if exists {schema} cascade"))
        engine.dispose()


# ------------------------------------------------------------------------------------------------------ the demo
def test_demo_kpis_are_deterministic_proportional_and_have_a_zero_day(tmp_path):
    from finops_demo.generator import kpis as K

    a = K.write_kpis(tmp_path / "a", seed=42)
    b = K.write_kpis(tmp_path / "b", seed=42)
    c = K.write_kpis(tmp_path / "c", seed=43)
    for name in (K.CSV_NAME, K.SQLITE_NAME):
        rel = Path(K.FOLDER) / name
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert (tmp_path / "a" / K.FOLDER / K.CSV_NAME).read_bytes() != (
        tmp_path / "c" / K.FOLDER / K.CSV_NAME
    ).read_bytes()
    assert a["days"] == 61 and a["rows"] == b["rows"] == c["rows"]
    assert a["products"] == ["doc-search", "fraud-model", "ml-platform", "robot-vision", "support-copilot"]
    rows = K.daily_volumes(42)
    tx = {}
    for r in rows:
        if r["kpi_name"] == "transactions" and r["source"] == "sql_database":
            tx[r["product"]] = tx.get(r["product"], 0) + r["kpi_value"]
    # transactions follow the products' AI usage
    assert sorted(tx, key=tx.get) == sorted(K.DAILY_AI_TOKENS, key=K.DAILY_AI_TOKENS.get)
    zero = [r for r in rows if (r["product"], r["kpi_date"]) == K.ZERO_DAY]
    assert zero and all(r["kpi_value"] == 0 for r in zero)


def test_demo_landing_loads_both_sources_and_the_restatement_reads_two_rows(env, monkeypatch):
    from finops_demo.generator import kpis as K
    from ingestion._common.inventory import inventory_rows
    from ingestion.catalogue import plan

    landing = env / "landing"
    summary = K.write_kpis(landing, seed=42)
    with K.demo_kpi_database(landing) as url:
        assert os.environ[S.CREDENTIALS_ENV] == url == f"sqlite:///{landing.resolve()}/business_kpis/kpis.sqlite"
        first = _load(env)
        assert first.ok and first.rows_by_source == summary["rows"]
        assert first.rows_loaded == sum(summary["rows"].values())
        assert _load(env).rows_loaded == 0
        restated = K.restate_kpis(landing)
        again = _load(env)
    assert S.CREDENTIALS_ENV not in os.environ
    assert again.rows_loaded == 2 and again.rows_by_source == {"csv_drop": 0, "sql_database": 2}
    got = dict(
        _sql(
            env,
            "select cast(kpi_date as varchar), kpi_value from business_kpis.daily_volumes where "
            "product = 'support-copilot' and kpi_name = 'transactions' and kpi_date >= '2026-09-29' "
            "and kpi_date <= '2026-09-30'",
        )
    )
    assert got == {d: Decimal(v) for d, v in restated["after"].items()} and restated["after"] != restated["before"]
    # the drop is part of the landing zone: recognised by the inventory, not a billing export
    planned = plan(str(landing))
    assert planned.deliveries == [] and planned.unrecognised == []
    assert planned.other_sources == [("business_kpis/daily_volumes.csv", "business_kpis")]
    assert [r["status"] for r in inventory_rows(planned)] == ["recognised"]
    with pytest.raises(FileNotFoundError, match="finops generate"), K.demo_kpi_database(env / "elsewhere"):
        pass


# ------------------------------------------------------------------------------------------------------ Dagster
def _materialize():
    from orchestration.defs.ingest.business_kpis import DAILY_VOLUMES, ingest_business_kpis
    from orchestration.lib.resources import finops_resources

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [ingest_business_kpis], instance=instance, raise_on_error=False, resources=finops_resources()
    )
    mat, quarantine = sorted(
        result.asset_materializations_for_node("ingest_business_kpis"), key=lambda m: m.asset_key != DAILY_VOLUMES
    )
    assert quarantine.metadata["quarantined_this_run"].value == mat.metadata["quarantined"].value
    meta = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    return result, meta, checks


def test_asset_not_configured_materializes_empty_with_configured_false(env):
    result, meta, checks = _materialize()
    assert result.success and meta["configured"] is False and meta["rows_loaded"] == 0
    assert S.CREDENTIALS_ENV in meta["to_configure"] and meta["created_empty"] is True
    assert checks["no_quarantined_rows"].passed
    assert _sql(env, "select count(*) from business_kpis.daily_volumes") == [(0,)]


def test_asset_loads_reports_and_fails_its_check_on_quarantined_rows(both, monkeypatch):
    monkeypatch.setenv(S.CREDENTIALS_ENV, f"sqlite:///{both / 'kpis.sqlite'}")
    result, meta, checks = _materialize()
    assert result.success and meta["configured"] is True and meta["rows_loaded"] == 7
    assert meta["rows_by_source"] == {"csv_drop": 4, "sql_database": 3}
    assert meta["sql_database"].endswith("table daily_volumes") and checks["no_quarantined_rows"].passed
    _write_csv(_drop(both, "bad.csv"), [["2026-09-01", "doc-search", "queries", "x", ""]])
    result, meta, checks = _materialize()
    assert result.success and meta["rows_loaded"] == 0 and meta["quarantined"] == 1
    check = checks["no_quarantined_rows"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "business_kpis/bad.csv, row 1, field 'kpi_value'" in check.description
