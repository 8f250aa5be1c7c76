"""Test support: run the pipeline pieces (ingestion, dbt) in process against a temporary warehouse."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


SAMPLES = REPO / "tests" / "data" / "samples"  # public sample exports, copied with provenance (PROVENANCE.md)
DBT_DIR = REPO / "dbt_project"


def duckdb_pipeline(name: str, warehouse: str | Path, pipelines_dir: str | Path, dataset: str):
    """A dlt pipeline ``name`` loading ``dataset`` into the DuckDB file ``warehouse``, its state under
    ``pipelines_dir``."""
    import dlt

    return dlt.pipeline(
        name,
        destination=dlt.destinations.duckdb(str(warehouse)),
        pipelines_dir=str(pipelines_dir),
        dataset_name=dataset,
    )


def query(warehouse: str | Path, sql: str, *params) -> list[tuple]:
    """The rows of ``sql`` (``?`` parameters) on the DuckDB file ``warehouse``, opened read-only."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (con.execute(sql, list(params)) if params else con.execute(sql)).fetchall()


def column_types(warehouse: str | Path, relation: str) -> dict[str, str]:
    """Column name -> DuckDB data type of the table ``schema.name`` in ``warehouse`` (information_schema)."""
    schema, table = relation.split(".", 1)
    sql = "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?"
    return dict(query(warehouse, sql, schema, table))


def ingest(root: str | Path, warehouse: str | Path, format_id: str | None = None):
    """Discover and load everything under ``root`` (file or folder). Returns {dataset: LoadReport}."""
    from ingestion.catalogue import load_dataset, plan

    p = plan(str(root), format_id)
    return {ds: load_dataset(ds, p, str(warehouse)) for ds in sorted({f.dataset for _, f in p.deliveries})}


_MANIFESTS: dict[tuple, object] = {}  # parsed dbt manifests of this process, see _manifest


def _manifest(args: list[str], flags: list[str]):
    """The project's parsed manifest for this run, parsed once per process and per (database name, target, --vars,
    --empty): what a parse and a compiled node depend on besides the project's files, which the tests never change
    (the project reads no env_var() outside profiles.yml). A full parse costs seconds and dbt cannot reuse its
    partial parse across warehouses (the profile's path is part of its state check), so without this every run_dbt
    parsed the whole project again. dbtRunner(manifest=...) is dbt's documented way to skip the parse; every node's
    compilation is reset first, so that nothing compiled for one run (an ephemeral model's SQL) carries over."""
    from dbt.cli.main import dbtRunner

    vars_ = args[args.index("--vars") + 1] if "--vars" in args else None
    key = (Path(os.environ["FINOPS_WAREHOUSE"]).stem, os.environ.get("FINOPS_DBT_TARGET"), vars_, "--empty" in args)
    if key not in _MANIFESTS:
        res = dbtRunner().invoke(["parse", *(["--vars", vars_] if vars_ else []), *flags])
        if not res.success:
            raise AssertionError(f"dbt parse failed: {res.exception or ''}")
        _MANIFESTS[key] = res.result
    manifest = _MANIFESTS[key]
    for node in manifest.nodes.values():
        if getattr(node, "compiled", False):
            node.compiled, node.compiled_code, node.extra_ctes_injected, node.extra_ctes = False, None, False, []
            node._pre_injected_sql = None
    return manifest


def run_dbt(args: list[str], warehouse: str | Path, tmp: str | Path) -> None:
    """Run dbt in process on the project against ``warehouse``; raise with dbt's message on failure. The project is
    parsed once per process (:func:`_manifest`). The DuckDB database dbt opened is closed afterwards: dbt-duckdb
    keeps it open in the process, with the profile's connect-time options (memory limit, spill directory), and
    DuckDB refuses a second connection to the same file with other options."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager
    from dbt.cli.main import dbtRunner

    os.environ["FINOPS_WAREHOUSE"] = str(Path(warehouse).resolve())
    tmp = Path(tmp)
    flags = [
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(tmp / "dbt_target"),
        "--log-path",
        str(tmp / "dbt_logs"),
        "--quiet",
    ]
    try:
        res = dbtRunner(manifest=_manifest(args, flags)).invoke([*args, *flags])
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
