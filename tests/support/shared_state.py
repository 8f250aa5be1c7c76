"""Expensive built states shared by every test of a session, across pytest-xdist workers: built once by the first
worker that asks (the others wait on a file lock, then reuse the result), as pytest-xdist documents for session
fixtures (a ``FileLock`` in the session's common temporary folder, ``tmp_path_factory.getbasetemp().parent``).

The states are read-only for the tests: open the warehouse with ``duckdb.connect(path, read_only=True)`` (any number
of workers may read it at once); a test that writes takes a copy (:func:`writable_copy`). Tests run as root here, so
file permissions cannot enforce that: the fixture checks at the end of the session that the shared warehouse was
left unchanged, and fails the session's last test of the worker otherwise."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

# the small demo enterprise run once through Dagster: as `make demo` (exports, vendor APIs from the local servers,
# business KPIs, finance), with fewer rows; enough for every AI vendor, allocation method and finance finding the
# end-to-end test checks (tests/e2e/test_demo_pipeline.py: its first run is this one)
DEMO_SEED, DEMO_ROWS = 7, 8_000


def session_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every worker of this session shares (the basetemp itself without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], dict]) -> dict:
    """Run ``build(folder)`` once per session, whatever the number of workers, and return what it returned (JSON).
    ``folder`` is ``<session root>/<name>``; the first worker builds it while holding ``<name>.lock``, the others
    wait and read ``<name>/state.json``. A build that failed is not retried by the next worker: it fails at once
    with the first worker's error."""
    root = session_root(tmp_path_factory)
    folder, state, error = root / name, root / name / "state.json", root / f"{name}.error"
    with FileLock(str(root / f"{name}.lock")):
        if error.exists():
            pytest.fail(f"building the shared {name} failed in another worker: {error.read_text()}", pytrace=False)
        if not state.exists():
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            try:
                result = build(folder)
            except BaseException as e:
                error.write_text(f"{type(e).__name__}: {e}"[:5000])
                raise
            state.write_text(json.dumps(result))
    return json.loads(state.read_text())


def build_demo_pipeline(folder: Path) -> dict:
    """Generate the small demo (seed 7, 8,000 rows a format) and run job refresh_all in process (as `finops run
    --demo-vendors --demo-kpis --demo-finance`). Returns the paths, the run's asset check evaluations (serialised
    with Dagster's serdes) and ``generated``: a pickle of the generator's own account of what it wrote (files per
    format, the planted finance findings; dates and Decimals, hence not JSON)."""
    import dagster as dg

    from finops_cli.runner import PIPELINE_JOB
    from finops_demo import generator as demo
    from finops_demo.generator.kpis import sqlite_url
    from finops_demo.vendor_servers.demo import demo_vendor_servers
    from ingestion.finance.runner import demo_ledger_database
    from orchestration.definitions import defs as load_defs

    landing, warehouse = folder / "landing", folder / "warehouse" / "finops.duckdb"
    generated = demo.generate(landing, seed=DEMO_SEED, rows=DEMO_ROWS, redelivery=False)
    (folder / "generated.pickle").write_bytes(pickle.dumps(generated))
    env = {
        "FINOPS_WAREHOUSE": str(warehouse),
        "FINOPS_LANDING": str(landing),
        "DAGSTER_HOME": str(folder / "dagster_home"),
        "SOURCES__BUSINESS_KPIS__CREDENTIALS": sqlite_url(landing),
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        with demo_vendor_servers(), demo_ledger_database(landing):
            result = (
                load_defs()
                .resolve_job_def(PIPELINE_JOB)
                .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
            )
    evaluations = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    release_duckdb()  # the other workers open the warehouse: nothing of this process may hold it
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        raise AssertionError(f"the demo pipeline run failed (steps {failed})")
    return {
        "root": str(folder),
        "landing": str(landing),
        "warehouse": str(warehouse),
        "published": str(warehouse.parent / "published" / "finops_bi.duckdb"),
        "evaluations": dg.serialize_value(evaluations),
        "generated": str(folder / "generated.pickle"),
    }


def release_duckdb() -> None:
    """Close what this process may still hold open on a warehouse: dlt's pipelines and their DuckDB connections
    (garbage once the run is over) and the database dbt-duckdb keeps open in process."""
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    gc.collect()
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def writable_copy_of_state(state: dict, dest_dir: Path) -> dict[str, Path]:
    """A copy of a whole shared state a test may run the pipeline on again: the landing zone and the warehouse folder
    (the warehouse, its dlt pipelines' state, the published copy) under ``dest_dir``, keeping their names. Returns
    ``landing`` and ``warehouse`` of the copy."""
    dest_dir = Path(dest_dir)
    landing, warehouse = Path(state["landing"]), Path(state["warehouse"])
    shutil.copytree(landing, dest_dir / "landing", symlinks=True)
    shutil.copytree(warehouse.parent, dest_dir / "warehouse", symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    return {"landing": dest_dir / "landing", "warehouse": dest_dir / "warehouse" / warehouse.name}


def fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def writable_copy(warehouse: str | Path, dest_dir: Path) -> Path:
    """A copy of a shared warehouse a test may write: ``dest_dir/finops.duckdb`` (the same file name: the dbt views
    name their catalog, which is the file's stem)."""
    dest = Path(dest_dir) / "finops.duckdb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, dest)
    return dest
