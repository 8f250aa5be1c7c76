"""Test support: run the pipeline pieces (ingestion, dbt) in process against a temporary warehouse."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


SAMPLES = REPO / "tests" / "data" / "samples"  # public sample exports, copied with provenance (PROVENANCE.md)
DBT_DIR = REPO / "dbt_project"


def ingest(root: str | Path, warehouse: str | Path, format_id: str | None = None):
    """Discover and load everything under ``root`` (file or folder). Returns {dataset: LoadReport}."""
    from ingestion._common.source import load_dataset, plan

    p = plan(str(root), format_id)
    return {ds: load_dataset(ds, p, str(warehouse)) for ds in sorted({f.dataset for _, f in p.deliveries})}


def run_dbt(args: list[str], warehouse: str | Path, tmp: str | Path) -> None:
    """Run dbt in process on the project against ``warehouse``; raise with dbt's message on failure. The DuckDB
    database dbt opened is closed afterwards: dbt-duckdb keeps it open in the process, with the profile's
    connect-time options (memory limit, spill directory), and DuckDB refuses a second connection to the same file
    with other options."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager
    from dbt.cli.main import dbtRunner

    os.environ["FINOPS_WAREHOUSE"] = str(Path(warehouse).resolve())
    tmp = Path(tmp)
    try:
        res = dbtRunner().invoke([
            *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(tmp / "dbt_target"), "--log-path", str(tmp / "dbt_logs"), "--quiet",
        ])
    finally:
        with manager._LOCK:
            if manager._ENV is not None:
                manager._ENV.close()
                manager._ENV = None
    if not res.success:
        msgs = []
        for r in getattr(res.result, "results", None) or []:
            if str(getattr(r, "status", "")) not in ("success", "pass"):
                msgs.append(f"{r.node.unique_id}: {r.status} {r.message}")
        raise AssertionError(f"dbt {' '.join(args)} failed: {res.exception or ''} {msgs}")
