"""A process killed (SIGKILL: no cleanup, no ``finally``) in the middle of a load, then run again.

* A billing-export load (``finops load <landing> --no-transform``, an 80,000-row CUR 2.0 month) is killed while dlt
  extracts, once its load package is normalized and ready, and while DuckDB writes the Parquet file straight into
  the raw table; the same month as a legacy CUR CSV (whose rows dlt's load step carries) while the package is being
  loaded into DuckDB (some jobs committed, the raw table's job started). Afterwards the DuckDB file opens
  read-write, replays its WAL and checkpoints; the warehouse lock is free at once; the re-run finishes or redoes the
  interrupted load and the raw table equals the source file to the cent (nothing lost, nothing doubled); a third run
  loads nothing.
* A vendor API load (OpenAI usage and costs; the SaaS invoices) killed in the middle of its pagination, then run
  again: the totals equal the server's truth exactly, and a further run changes nothing.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import subprocess
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from finops_demo import generator as demo
from finops_demo.vendor_servers._base import Faults
from finops_demo.vendor_servers.openai import OpenAIServer
from finops_demo.vendor_servers.stripe import DEMO_SAAS_VENDORS, StripeServer, demo_vendors_config, to_major
from ingestion._common.lock import holder
from ingestion.catalogue import load_api_dataset
from ingestion.saas_invoices.runner import load_saas_invoices

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python")
FINOPS = str(REPO / ".venv" / "bin" / "finops")
SCALE = Decimal("1e-10")
ROWS = 80_000


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crash") / "landing"
    demo.generate(root, seed=11, rows=ROWS, formats=["aws_cur2"], redelivery=False)
    return root


@pytest.fixture(scope="module")
def legacy_landing(tmp_path_factory) -> Path:
    """The same month as a legacy CUR CSV: the streaming path, whose rows dlt loads in its load step."""
    root = tmp_path_factory.mktemp("crash-legacy") / "landing"
    demo.generate(root, seed=11, rows=ROWS, formats=["aws_cur_legacy"], redelivery=False)
    return root


@pytest.fixture(scope="module")
def legacy_totals(legacy_landing) -> dict[str, tuple[int, Decimal]]:
    """{billing period: (rows, Σ lineItem/UnblendedCost)} of the landed CSV files, read with the csv module."""
    out: dict[str, list] = {}
    for f in sorted(legacy_landing.rglob("*.csv.gz")):
        with gzip.open(f, "rt", newline="") as fh:
            for r in csv.DictReader(fh):
                acc = out.setdefault(r["bill/BillingPeriodStartDate"][:7], [0, Decimal(0)])
                acc[0] += 1
                acc[1] += Decimal(r["lineItem/UnblendedCost"]).quantize(SCALE, ROUND_HALF_UP)
    return {p: (n, s) for p, (n, s) in out.items()}


@pytest.fixture(scope="module")
def source_totals(landing) -> dict[str, tuple[int, Decimal]]:
    """{billing period: (rows, Σ line_item_unblended_cost)} of the landed Parquet files, read with pyarrow (the
    float's shortest repr at DECIMAL(38,10)'s scale), never from the warehouse."""
    out: dict[str, list] = {}
    for f in sorted(landing.rglob("*.parquet")):
        t = pq.read_table(f, columns=["bill_billing_period_start_date", "line_item_unblended_cost"])
        for start, v in zip(*(c.to_pylist() for c in t.columns), strict=True):
            acc = out.setdefault(start.strftime("%Y-%m"), [0, Decimal(0)])
            acc[0] += 1
            acc[1] += Decimal(repr(v)).quantize(SCALE, ROUND_HALF_UP)
    assert sum(n for n, _ in out.values()) == ROWS
    return {p: (n, s) for p, (n, s) in out.items()}


def warehouse_totals(warehouse: Path) -> dict[str, tuple[int, Decimal]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            p: (n, s)
            for p, n, s in con.execute(
                "select x_billing_period, count(*), sum(line_item_unblended_cost) from aws_cur.line_items group by all"
            ).fetchall()
        }


def assert_opens_and_checkpoints(warehouse: Path) -> None:
    """The file a killed process left opens read-write (DuckDB replays its WAL), every table reads, CHECKPOINT
    succeeds (nothing left in the WAL)."""
    if not warehouse.exists():
        return
    with duckdb.connect(str(warehouse)) as con:
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall():
            con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
        con.execute("CHECKPOINT")
        assert con.execute("PRAGMA database_size").fetchall()
    wal = warehouse.with_name(warehouse.name + ".wal")
    assert not wal.exists() or wal.stat().st_size == 0


def _package_files(pipelines: Path, pattern: str) -> list[Path]:
    return [p for p in pipelines.glob(pattern) if p.is_file()]


# where to kill: dlt's working folders under <warehouse dir>/.<stem>.dlt/<dataset>/
KILL_POINTS = {
    # extracting: Parquet jobs being written into the run's own, not yet committed, extract folder
    "extract": lambda d: [p for p in _package_files(d, "normalize/*/*/new_jobs/*") if "/extracted/" not in str(p)],
    # the package is normalized and ready to load, nothing loaded yet
    "package_ready": lambda d: _package_files(d, "load/normalized/*/new_jobs/line_items.*"),
    # a Parquet file being written by DuckDB straight into the raw table: the run that created the table has
    # completed, the run that writes the file has not (killed mid-INSERT, or just before or after it)
    "write": lambda d: len(_package_files(d, "load/loaded/*/package_completed.json")) == 1,
    # loading (the legacy CSV, whose rows dlt loads): dlt's state/log jobs committed, the raw table's job started
    "load": lambda d: (
        _package_files(d, "load/normalized/*/completed_jobs/*")
        and _package_files(d, "load/normalized/*/started_jobs/line_items.*")
    ),
}


def _load(env: dict, landing: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [FINOPS, "load", str(landing), "--no-transform"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_billing_load_killed_mid_load_is_finished_by_the_rerun_to_the_cent(point, request, tmp_path):
    # the CUR 2.0 Parquet month everywhere (written by DuckDB straight into the raw table), except where dlt's load
    # step carries the rows: the legacy CSV
    landing, source_totals = (
        (request.getfixturevalue("legacy_landing"), request.getfixturevalue("legacy_totals"))
        if point == "load"
        else (request.getfixturevalue("landing"), request.getfixturevalue("source_totals"))
    )
    warehouse = tmp_path / "wh" / "finops.duckdb"
    pipelines = warehouse.parent / ".finops.dlt" / "aws_cur"
    env = dict(os.environ, FINOPS_WAREHOUSE=str(warehouse), FINOPS_LANDING=str(landing), FINOPS_LOCK_TIMEOUT="0")
    proc = subprocess.Popen(
        [FINOPS, "load", str(landing), "--no-transform"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not KILL_POINTS[point](pipelines):
            assert proc.poll() is None, f"the load ended before reaching the kill point {point!r}"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    assert holder(warehouse) is None  # the kernel released the run lock with the process
    assert_opens_and_checkpoints(warehouse)

    rerun = _load(env, landing)  # FINOPS_LOCK_TIMEOUT=0: it would fail if the dead process still held the lock
    assert rerun.returncode == 0, rerun.stderr
    assert "Traceback" not in rerun.stderr
    loaded_again = f"aws_cur: 1 deliveries, {ROWS:,} rows loaded" in rerun.stdout
    finished = "an earlier run was interrupted before its load finished; finishing that load first" in rerun.stderr
    if point == "extract":  # nothing was committed: the delivery is simply loaded again
        assert loaded_again, rerun.stdout
    elif point == "write":  # rows written but the run's state not committed: written again in their place
        assert loaded_again or finished, rerun.stdout + rerun.stderr
    else:  # the committed package is finished first
        assert "an earlier run was interrupted before its load finished; finishing that load first" in rerun.stderr
    assert_opens_and_checkpoints(warehouse)
    assert warehouse_totals(warehouse) == source_totals  # nothing lost, nothing doubled

    with duckdb.connect(str(warehouse), read_only=True) as con:
        loads = con.execute("select count(*) from aws_cur._dlt_loads").fetchone()
    third = _load(env, landing)
    assert third.returncode == 0 and "aws_cur: 0 deliveries, 0 rows loaded" in third.stdout, third.stdout
    assert warehouse_totals(warehouse) == source_totals
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from aws_cur._dlt_loads").fetchone() == loads  # no load at all


# ----------------------------------------------------------------------------------------------------------------------
# vendor APIs killed mid-pagination
# ----------------------------------------------------------------------------------------------------------------------
OPENAI_KEY = "sk-admin-crash-test-9a8b7c"
KILLED_LOAD = """
import sys
from ingestion.catalogue import load_api_dataset
from ingestion.saas_invoices.runner import load_saas_invoices
dataset, warehouse = sys.argv[1], sys.argv[2]
load_saas_invoices(warehouse) if dataset == "saas_invoices" else load_api_dataset(dataset, warehouse)
"""


def _openai_env(srv: OpenAIServer) -> dict[str, str]:
    return {
        "SOURCES__OPENAI_USAGE__ORGANIZATIONS": json.dumps(
            [{"name": "northwind", "api_key": OPENAI_KEY, "base_url": srv.base_url}]
        ),
        "SOURCES__OPENAI_USAGE__START_DATE": "2026-10-01",
        "SOURCES__OPENAI_USAGE__END_DATE": "2026-11-01",
        "SOURCES__OPENAI_USAGE__PAGE_LIMIT": "4",
    }


def _saas_env(srv: StripeServer) -> dict[str, str]:
    return {
        "SOURCES__SAAS_INVOICES__VENDORS": json.dumps(demo_vendors_config(srv)),
        "SOURCES__SAAS_INVOICES__PAGE_LIMIT": "1",
    }


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["openai_usage", "saas_invoices"])
def test_a_vendor_api_load_killed_mid_pagination_is_exact_after_the_rerun(dataset, tmp_path, monkeypatch):
    import datetime as dt

    warehouse = tmp_path / "wh" / "finops.duckdb"
    for k in list(os.environ):
        if k.startswith(("SOURCES__OPENAI_USAGE", "SOURCES__ANTHROPIC_USAGE", "SOURCES__SAAS_INVOICES")):
            monkeypatch.delenv(k)
    if dataset == "openai_usage":
        srv = OpenAIServer({OPENAI_KEY: "northwind"}, seed=7)
        start, end = dt.datetime(2026, 10, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

        def truth() -> dict:
            return {"northwind": srv.total_cost("northwind", start, end)}

        def loaded() -> dict:
            with duckdb.connect(str(warehouse), read_only=True) as con:
                return dict(
                    con.execute("select organization, sum(amount) from openai_usage.costs group by all").fetchall()
                )

        env_of, later = _openai_env, "/organization/costs"
    else:
        srv = StripeServer.demo(seed=7)

        def truth() -> dict:
            return {
                name: sum((to_major(i["total"], i["currency"]) for i in srv.invoices[slug]), Decimal(0))
                for name, slug in DEMO_SAAS_VENDORS.items()
            }

        def loaded() -> dict:
            with duckdb.connect(str(warehouse), read_only=True) as con:
                return dict(
                    con.execute("select vendor, sum(total) from saas_invoices.invoices group by all").fetchall()
                )

        env_of, later = _saas_env, "/mistral-ai/"
    with srv:
        env = env_of(srv)
        # slow pages so that the kill lands mid-pagination: every request of the later endpoint / vendor takes 0.3 s
        srv.faults = Faults(delay_s=0.3, path_contains=later)
        proc = subprocess.Popen(
            [PYTHON, "-c", KILLED_LOAD, dataset, str(warehouse)],
            env={**os.environ, **env},
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while sum(later in r.path for r in srv.requests_seen) < 2:  # page 2 of the later endpoint asked for
                assert proc.poll() is None, "the load ended before it was killed"
                assert time.monotonic() < deadline
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert any(later not in r.path for r in srv.requests_seen)  # other pages were fetched before the kill
        assert_opens_and_checkpoints(warehouse)

        srv.faults = Faults()
        for k, v in env.items():
            monkeypatch.setenv(k, v)

        def load() -> int:
            r = (
                load_saas_invoices(str(warehouse))
                if dataset == "saas_invoices"
                else load_api_dataset(dataset, str(warehouse))
            )
            return r.total_rows

        assert load() > 0
        assert truth() and all(v > 0 for v in truth().values())
        assert loaded() == truth()  # exact: nothing lost, nothing doubled
        rows = load()
        assert loaded() == truth()
        if dataset == "openai_usage":
            assert rows == 0  # unchanged buckets are not loaded again
