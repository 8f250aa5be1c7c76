"""A month larger than DuckDB's memory limit never fails the dbt build: DuckDB spills to its temporary directory,
and every later model and test still runs. dbt-duckdb re-ran the profile's ``settings`` as SET statements on every
new cursor, and DuckDB refuses ``SET temp_directory`` once the directory has been used ("Cannot switch temporary
directory after the current one has been used"), so every model after the first spill failed; the profile now gives
the database-wide options at connect time (``config_options``).

The whole project (seeds, every model, every data test) is built on a small demo warehouse with a memory limit
small enough to force spilling, watched: the test fails if DuckDB never wrote a temporary file, so it cannot pass
without exercising the spill."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from tests.support import ingest, run_dbt

pytestmark = pytest.mark.slow

# small enough that the demo month below spills (sorts, joins, window functions), large enough that no operator
# that cannot spill runs out of memory (64MB does: "failed to pin block")
SPILL_MEMORY_LIMIT = "320MB"
DEMO_ROWS = 20_000


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory) -> Path:
    """A demo warehouse with every raw table loaded (no dbt yet); the test builds dbt on a copy of it."""
    from finops_demo import generator as demo
    from ingestion.catalogue import ensure_raw_tables

    tmp = tmp_path_factory.mktemp("spill-demo")
    demo.generate(tmp / "landing", seed=7, rows=DEMO_ROWS, redelivery=False)
    wh = tmp / "raw.duckdb"
    reports = ingest(tmp / "landing", wh)
    assert sum(r.rows for r in reports.values()) > DEMO_ROWS / 2
    ensure_raw_tables(str(wh))
    return wh


@contextmanager
def watch_spill(directory: Path) -> Iterator[set[str]]:
    """The names of the files that appear in ``directory`` while the block runs (DuckDB removes its temporary
    files when the query that spilled ends, and the directory when the database closes)."""
    seen: set[str] = set()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                seen.update(os.listdir(directory))
            except FileNotFoundError:
                pass
            time.sleep(0.01)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    try:
        yield seen
    finally:
        done.set()
        t.join()


def build_spilling(demo_warehouse: Path, tmp_path: Path, monkeypatch, threads: int) -> set[str]:
    """``dbt build`` of the whole project (unit tests aside: they do not touch the warehouse) on a copy of the demo
    warehouse under the spilling memory limit, with ``threads`` dbt threads; the temporary files DuckDB wrote."""
    wh = tmp_path / "finops.duckdb"
    wh.write_bytes(demo_warehouse.read_bytes())
    spill_dir = tmp_path / "spill"
    monkeypatch.setenv("FINOPS_DUCKDB_MEMORY_LIMIT", SPILL_MEMORY_LIMIT)
    monkeypatch.setenv("FINOPS_DUCKDB_TEMP_DIRECTORY", str(spill_dir))
    monkeypatch.setenv("FINOPS_DBT_THREADS", str(threads))
    with watch_spill(spill_dir) as spilled:
        run_dbt(["build", "--exclude-resource-type", "unit_test"], wh, tmp_path)
    assert any(f.startswith("duckdb_temp") for f in spilled), (
        f"DuckDB never spilled under memory_limit={SPILL_MEMORY_LIMIT}: the test proves nothing (saw {spilled})"
    )
    # the FOCUS record is complete after the spills: every charge of the raw exports is in it
    with duckdb.connect(str(wh), read_only=True) as con:
        charges = con.execute("select count(*) from marts.fct_charges").fetchone()[0]
        unioned = con.execute("select count(*) from intermediate.int_charges_unioned").fetchone()[0]
    assert charges == unioned > 0
    return spilled


def test_a_build_that_spills_runs_every_model_and_test(demo_warehouse, tmp_path, monkeypatch):
    # one dbt thread: dbt-duckdb still opens a new cursor for every model and test, and each must leave the spill
    # directory alone (the failure was per new cursor after the first spill, whatever the thread count; two threads
    # share this small memory limit two ways and may run out of memory in operators that cannot spill)
    build_spilling(demo_warehouse, tmp_path, monkeypatch, threads=1)
