"""One benchmark stage, run in its own child process by ``benchmarks.run``.

    python -m benchmarks.stage STAGE --spec SPEC.json --out RESULT.json [--verbose]

STAGE is one of ``generate``, ``ingest``, ``transform``, ``checks``, ``floor``. SPEC is a JSON object with the
stage's parameters (paths, rows, threads ...); the stage writes its own figures (inner time, rows, per-step
detail) to RESULT. Wall time and peak RSS are measured by the parent (``os.wait4``), so that they cover the
whole process including interpreter start and imports, and nothing of the parent.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DBT_DIR = REPO / "dbt_project"

STAGES: dict[str, Callable[[dict], dict]] = {}


def stage(fn: Callable[[dict], dict]) -> Callable[[dict], dict]:
    STAGES[fn.__name__.removeprefix("stage_")] = fn
    return fn


# --------------------------------------------------------------------------------------------- generate
@stage
def stage_generate(spec: dict) -> dict:
    """Seeded demo export into spec['out'] (CUR 2.0 Parquet or legacy CUR CSV.gz, one month)."""
    from finops_demo.generator import generate

    out = Path(spec["out"])
    summary = generate(
        out, seed=spec["seed"], rows=spec["rows"], formats=[spec["format"]], months=spec.get("months"), redelivery=False
    )
    fmt = summary["formats"][spec["format"]]
    data_files = [f for f in fmt["files"] if not f.endswith(".json")]
    if spec.get("rename_export"):  # the "new day" as a second export: <prefix>/<new-name>/data/...
        data_files = _rename_export(out, spec["format_dir"], spec["rename_export"])
    return {
        "rows": fmt["rows"],
        "files": data_files,
        "bytes": sum(Path(f).stat().st_size for f in data_files),
        "granularity": next((d.get("granularity") for d in summary["deliveries"] if d.get("granularity")), None),
    }


def _rename_export(out: Path, format_dir: str, new_name: str) -> list[str]:
    """Move ``<out>/<format_dir>/<export>`` to ``<out>/<format_dir>/<new_name>``, renaming the files too."""
    base = out / format_dir
    (old,) = [p for p in base.iterdir() if p.is_dir()]
    target = base / new_name
    old.rename(target)
    files = []
    for p in sorted(target.rglob("*")):
        if p.is_file() and p.name.startswith(old.name):
            q = p.with_name(new_name + p.name[len(old.name) :])
            p.rename(q)
            if not q.name.endswith(".json"):
                files.append(str(q))
    return files


# ----------------------------------------------------------------------------------------------- ingest
@stage
def stage_ingest(spec: dict) -> dict:
    """Every dataset through ``load_dataset`` like the Dagster ingest assets do (datasets without deliveries
    only create their empty raw table, which the dbt sources need). Timings per dlt step from the trace."""
    from ingestion import catalogue
    from ingestion._common.source import make_pipeline
    from ingestion.catalogue import load_dataset, plan

    t0 = time.perf_counter()
    planned = plan(spec["landing"])
    plan_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "plan_s": plan_s,
        "datasets": {},
        "deliveries": len(planned.deliveries),
        "unrecognised": planned.unrecognised[:20],
        "errors": [str(e) for e in planned.errors][:20],
    }
    steps_total = {"extract": 0.0, "normalize": 0.0, "load": 0.0}
    rows = 0
    quarantined: list[str] = []
    for ds in catalogue.datasets():
        t = time.perf_counter()
        report = load_dataset(ds, planned, spec["warehouse"])
        took = time.perf_counter() - t
        trace = make_pipeline(ds, spec["warehouse"]).last_trace
        steps = {}
        for s in trace.steps if trace else []:
            if s.step in steps_total and s.started_at and s.finished_at:
                d = (s.finished_at - s.started_at).total_seconds()
                steps[s.step] = steps.get(s.step, 0.0) + d
                steps_total[s.step] += d
        out["datasets"][ds] = {
            "s": took,
            "rows": report.rows,
            "deliveries_loaded": len(report.deliveries_loaded),
            **{f"{k}_s": v for k, v in steps.items()},
        }
        rows += report.rows
        quarantined += [str(e) for e in report.quarantined]
    # the vendor API and business-KPI datasets (not benchmarked: not configured) exist empty, as on the Dagster path
    from ingestion.catalogue import ensure_raw_tables

    ensure_raw_tables(spec["warehouse"])
    out.update({f"{k}_s": v for k, v in steps_total.items()})
    out["rows"] = rows
    out["quarantined"] = quarantined
    if quarantined:
        raise RuntimeError(f"{len(quarantined)} deliveries quarantined: {quarantined[:3]}")
    return out


# -------------------------------------------------------------------------------------------- dbt stages
def _dbt(args: list[str], spec: dict) -> dict:
    from dbt.cli.main import dbtRunner

    os.environ["FINOPS_WAREHOUSE"] = str(Path(spec["warehouse"]).resolve())
    cli = [
        *args,
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        spec["dbt_target"],
        "--log-path",
        spec["dbt_logs"],
    ]
    if not spec.get("verbose"):
        cli.append("--quiet")
    res = dbtRunner().invoke(cli)
    nodes: dict[str, dict] = {}
    failed: list[str] = []
    for r in getattr(res.result, "results", None) or []:
        status = str(getattr(r.status, "value", r.status))
        nodes[r.node.unique_id] = {"s": round(float(r.execution_time or 0.0), 3), "status": status}
        if status not in ("success", "pass", "warn", "skipped", "no-op"):
            failed.append(f"{r.node.unique_id}: {status} {(r.message or '')[:300]}")
    return {
        "success": bool(res.success),
        "exception": str(res.exception) if res.exception else None,
        "nodes": nodes,
        "failed": failed,
    }


@stage
def stage_parse(spec: dict) -> dict:
    """``dbt parse`` into the harness's target path, so the timed runs use dbt's partial parsing as a
    deployed project (manifest kept between runs) would."""
    r = _dbt(["parse"], spec)
    if not r["success"]:
        raise RuntimeError(f"dbt parse failed: {r['exception']}")
    return r


@stage
def stage_transform(spec: dict) -> dict:
    """Seeds and models, no data tests and no unit tests (``dbt build`` = ``dbt seed`` + ``dbt run`` here);
    ``spec['select']`` / ``spec['exclude']``: dbt node selections (the FOCUS record first, then the rest)."""
    import os

    exclude = list(spec.get("exclude") or [])
    if os.environ.get("FINOPS_BENCH_DBT_EXCLUDE"):
        exclude.append(os.environ["FINOPS_BENCH_DBT_EXCLUDE"])
    select = ["--select", *spec["select"]] if spec.get("select") else []
    extra = [*select, *(["--exclude", *exclude] if exclude else [])]
    r = _dbt(["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test", *extra], spec)
    if not r["success"]:
        raise RuntimeError(f"dbt build failed: {r['exception'] or ''} {r['failed'][:5]}")
    models = {k.split(".")[-1]: v for k, v in r["nodes"].items() if k.startswith("model.")}
    seeds_s = sum(v["s"] for k, v in r["nodes"].items() if k.startswith("seed."))
    return {"models": models, "seeds_s": seeds_s}


@stage
def stage_checks(spec: dict) -> dict:
    """``dbt test`` (data tests; unit tests excluded), then the Great Expectations suites when
    ``data_quality.run_all`` exists."""
    out: dict[str, Any] = {}
    t = time.perf_counter()
    import os

    extra = ["--exclude", os.environ["FINOPS_BENCH_DBT_EXCLUDE"]] if os.environ.get("FINOPS_BENCH_DBT_EXCLUDE") else []
    r = _dbt(["test", "--exclude-resource-type", "unit_test", *extra], spec)
    statuses: dict[str, int] = {}
    for v in r["nodes"].values():
        statuses[v["status"]] = statuses.get(v["status"], 0) + 1
    slowest = sorted(r["nodes"].items(), key=lambda kv: -kv[1]["s"])[:8]
    out["dbt_test"] = {
        "s": time.perf_counter() - t,
        "tests": len(r["nodes"]),
        "statuses": statuses,
        "failed": r["failed"][:20],
        "exception": r["exception"],
        "slowest": {k: v["s"] for k, v in slowest},
    }
    out["gx"] = _run_gx(spec)
    return out


def _run_gx(spec: dict) -> dict:
    import importlib
    import inspect

    t = time.perf_counter()
    fn = None
    try:
        mod = importlib.import_module("data_quality")
        fn = getattr(mod, "run_all", None)
        if fn is None:
            try:
                sub = importlib.import_module("data_quality.run_all")
                fn = getattr(sub, "run_all", None) or getattr(sub, "main", None)
            except ModuleNotFoundError:
                fn = None
    except Exception as e:  # noqa: BLE001
        return {"skipped": f"data_quality not importable: {e}"}
    if not callable(fn):
        return {"skipped": "data_quality.run_all does not exist (yet)"}
    try:
        params = inspect.signature(fn).parameters
        kwargs = {"warehouse": spec["warehouse"]} if "warehouse" in params else {}
        result = fn(**kwargs)
        return {"s": time.perf_counter() - t, "result": str(result)[:2000]}
    except Exception as e:  # noqa: BLE001 - the benchmark carries on; the failure is in the results
        return {"s": time.perf_counter() - t, "error": f"{type(e).__name__}: {e}"[:2000]}


# ------------------------------------------------------------------------------------------------ spark
@stage
def stage_lake(spec: dict) -> dict:
    """The warehouse's raw layer written to the Parquet lake (``finops lake``), from scratch."""
    from ingestion._common.lake import write_lake

    report = write_lake(Path(spec["warehouse"]), Path(spec["lake"]))
    return {"partitions_written": len(report.written), "summary": report.summary()}


@stage
def stage_spark(spec: dict) -> dict:
    """The same dbt project on the ``spark`` target over the lake, in one process (one JVM, started by the seeds):
    ``dbt seed``, then the FOCUS record (``spec['record_select']``), then the other models of the ``spark``
    selector; each step's wall time."""
    os.environ.update(FINOPS_DBT_TARGET="spark", FINOPS_LAKE=str(Path(spec["lake"]).resolve()))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    out: dict = {}
    steps = [
        ("seed_s", ["seed"]),
        ("record_s", ["run", "--select", *spec["record_select"]]),
        ("other_s", ["run", "--selector", "spark", "--exclude", *spec["record_select"]]),
    ]
    for key, args in steps:
        t0 = time.perf_counter()
        r = _dbt(args, spec)
        out[key] = round(time.perf_counter() - t0, 2)
        if not r["success"]:
            raise RuntimeError(f"dbt {args[0]} on spark failed: {r['exception'] or ''} {r['failed'][:5]}")
        if key != "seed_s":
            out.setdefault("models", {}).update(
                {k.split(".")[-1]: v for k, v in r["nodes"].items() if k.startswith("model.")}
            )
    return out


# ------------------------------------------------------------------------------------------------ floor
@stage
def stage_floor(spec: dict) -> dict:
    """DuckDB alone: the same files -> a FOCUS-shaped table (CREATE TABLE AS SELECT) in a DuckDB file."""
    import duckdb

    from benchmarks.floor import floor_sql

    db = Path(spec["db"])
    db.parent.mkdir(parents=True, exist_ok=True)
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    if spec.get("threads"):
        con.execute(f"SET threads = {int(spec['threads'])}")
    if spec.get("memory_limit"):
        con.execute(f"SET memory_limit = '{spec['memory_limit']}'")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    t = time.perf_counter()
    sql = floor_sql(con, spec["kind"], spec["files"])
    con.execute(sql)
    con.execute("CHECKPOINT")
    took = time.perf_counter() - t
    rows = con.execute("select count(*) from focus").fetchone()[0]
    cols = len(con.execute("describe focus").fetchall())
    con.close()
    return {"rows": int(rows), "columns": cols, "s": took, "db_bytes": db.stat().st_size}


# ------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.stage")
    ap.add_argument("stage", choices=sorted(STAGES))
    ap.add_argument("--spec", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if a.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    spec = json.loads(Path(a.spec).read_text())
    spec["verbose"] = a.verbose
    t = time.perf_counter()
    result: dict[str, Any]
    code = 0
    try:
        result = STAGES[a.stage](spec)
        result["ok"] = True
    except Exception as e:  # noqa: BLE001 - reported to the parent through the result file
        import traceback

        traceback.print_exc()
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"[:4000]}
        code = 1
    result["work_s"] = time.perf_counter() - t
    Path(a.out).write_text(json.dumps(result, default=str, indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
