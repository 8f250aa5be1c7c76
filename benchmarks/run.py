"""`make bench`: the scale benchmark of the warehouse against the DuckDB floor and FinOps Foundation's
focus_converter.

    python -m benchmarks.run [--sizes 1M,10M,legacy:256k] [--skip-peer] [--threads N] [--memory-limit 4GB]
                             [--results PATH] [--data-dir DIR] [--seed 42] [--verbose]

For each input (a seeded CUR 2.0 Parquet month per size, and a legacy CUR CSV.gz), in a fresh warehouse:

* ingest     dlt, every dataset as the Dagster ingest assets do (extract / normalize / load from dlt's trace)
* transform  dbt seeds + models, no tests (``dbt build --exclude-resource-type unit_test test``)
* checks     ``dbt test`` (data tests) and the Great Expectations suites when ``data_quality.run_all`` exists
* floor      DuckDB alone: the same files -> a FOCUS-shaped table with CREATE TABLE AS SELECT
* peer       focus_converter (own venv, ``benchmarks/.venv-peer``) on the legacy CUR CSV
* incremental (largest CUR 2.0 month) one more day delivered, then ingest + transform again
* load       ``finops load`` of a 1,000-row CUR 2.0 file as a person runs it (the CLI in a child process, its own
             warehouse): a first file (fresh warehouse: seeds, full dbt parse) then a second one (warm: the timed
             figure, ``load_s``), each ingest + the FOCUS record and its checks

Every stage runs in its own child process; its wall time is measured around the child and its peak RSS is
the child's ``ru_maxrss`` from ``os.wait4`` (KiB on Linux; includes the child's own waited-for children).
Writes ``benchmarks/results/latest.json``. ``ours_s`` = ingest + every model (the "record" stage: the FOCUS record
and what it needs; then the "transform" stage: every other model), ``record_s`` = ingest + the record (what the
peer is compared with: it converts to FOCUS and no further); the floor and the peer do no checks either, so checks
are reported beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
PEER_VENV = BENCH / ".venv-peer"
PEER_REQUIREMENTS = ["focus-converter==1.0.0", "multimethod<1.11", "click<8.2"]
DEFAULT_SIZES = "1M,10M,legacy:256k"
MONTH = "2026-10"
CUR2_EXPORT_DIR = "aws/cur2"
DAY_EXPORT = "northwind-cur2-day"
PEER_TIMEOUT_S = 1800
# the FOCUS record and what it needs (seeds, staging, mappings, the union): the "record" stage; every other model
# is the "transform" stage (together: every model, each built once)
RECORD_SELECT = ["+fct_charges", "+focus_cost_and_usage"]
TARGETS = {
    "ours_over_floor": 3.0,
    "record_over_floor": 2.0,
    "ours_over_floor_1M": 4.0,
    "peak_rss_mb": 2048,
    "incremental_over_full": 0.10,
    "ours_over_peer": 1.0,
    "load_s": 15.0,
}
LOAD_ROWS = 1_000


# ------------------------------------------------------------------------------------------------ inputs
def parse_rows(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r}: use e.g. 20k, 256k, 1M, 10M or 12345")
    mult = {"": 1, "k": 1_000, "m": 1_000_000}[m[2].lower()]
    return round(float(m[1]) * mult)


def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass
class Input:
    name: str  # e.g. cur2_10M, legacy_256k
    kind: str  # cur2 | legacy
    format: str  # aws_cur2 | aws_cur_legacy
    rows: int

    @property
    def format_dir(self) -> str:
        return CUR2_EXPORT_DIR if self.kind == "cur2" else "aws/cur-legacy"


def parse_sizes(text: str) -> list[Input]:
    out = []
    for tok in [t.strip() for t in text.split(",") if t.strip()]:
        kind, _, size = tok.rpartition(":")
        kind = (kind or "cur2").lower()
        if kind not in ("cur2", "legacy"):
            raise argparse.ArgumentTypeError(f"bad input kind {kind!r} in {tok!r}: cur2 (default) or legacy")
        rows = parse_rows(size)
        fmt = "aws_cur2" if kind == "cur2" else "aws_cur_legacy"
        out.append(Input(f"{kind}_{human(rows)}", kind, fmt, rows))
    if not out:
        raise argparse.ArgumentTypeError("no sizes given")
    return out


# ------------------------------------------------------------------------------------------ child runner
@dataclass
class StageRun:
    ok: bool
    wall_s: float
    peak_rss_mb: float
    exit_code: int
    result: dict
    log: str | None

    def figures(self, rows: int | None = None) -> dict:
        d = {
            "ok": self.ok,
            "wall_s": round(self.wall_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "exit_code": self.exit_code,
        }
        if "work_s" in self.result:
            d["work_s"] = round(self.result["work_s"], 3)
        if rows:
            d["rows"] = rows
            d["rows_per_s"] = round(rows / self.wall_s) if self.wall_s > 0 else None
        if not self.ok:
            d["error"] = self.result.get("error") or f"exit code {self.exit_code}"
        if self.log:
            d["log"] = self.log
        detail = {k: v for k, v in self.result.items() if k not in ("ok", "error", "work_s")}
        if detail:
            d["detail"] = detail
        return d


class Runner:
    def __init__(self, env: dict, log_dir: Path, verbose: bool, progress):
        self.env = env
        self.log_dir = log_dir
        self.verbose = verbose
        self.progress = progress

    def _task(self, label: str):
        if self.progress is None:
            return None
        return self.progress.add_task(label, total=1)

    def _done(self, task, label: str, run: StageRun) -> None:
        if self.progress is None:
            if self.verbose:
                print(
                    f"  {label}: {'ok' if run.ok else 'FAILED'} {run.wall_s:.1f}s {run.peak_rss_mb:.0f} MB",
                    file=sys.stderr,
                )
            return
        status = "[green]ok[/]" if run.ok else "[red]FAILED[/]"
        self.progress.update(
            task, completed=1, description=f"{label} {status} {run.wall_s:7.1f}s {run.peak_rss_mb:6.0f} MB"
        )

    def run_cmd(
        self,
        label: str,
        cmd: list[str],
        log_name: str,
        result_path: Path | None = None,
        timeout: float | None = None,
        cwd: Path = REPO,
    ) -> StageRun:
        """Run ``cmd`` as a child, time it, read its peak RSS with os.wait4."""
        task = self._task(label)
        log_path = self.log_dir / f"{log_name}.log"
        log_fh = None if self.verbose else open(log_path, "wb")  # noqa: SIM115 - closed after wait4
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log_fh,
            stderr=subprocess.STDOUT if log_fh else None,
            start_new_session=True,
        )
        status, rusage, timed_out = _wait4(proc, timeout)
        wall = time.perf_counter() - t0
        if log_fh:
            log_fh.close()
        code = os.waitstatus_to_exitcode(status) if status is not None else -9
        result: dict = {}
        if result_path and result_path.exists():
            try:
                result = json.loads(result_path.read_text())
            except ValueError:
                result = {}
        if timed_out:
            result["error"] = f"timed out after {timeout:.0f}s (killed)"
        ok = code == 0 and not timed_out and result.get("ok", True)
        run = StageRun(
            ok,
            wall,
            rusage.ru_maxrss / 1024.0 if rusage else 0.0,
            code,
            result,
            None if self.verbose else str(log_path),
        )
        self._done(task, label, run)
        if not ok and not self.verbose:
            tail = log_path.read_text(errors="replace")[-3000:]
            _echo(f"\n--- {label} failed (exit {code}); last lines of {log_path}:\n{tail}\n")
        return run

    def stage(self, label: str, stage: str, spec: dict, name: str, timeout: float | None = None) -> StageRun:
        spec_path = self.log_dir / f"{name}.spec.json"
        out_path = self.log_dir / f"{name}.result.json"
        out_path.unlink(missing_ok=True)
        spec_path.write_text(json.dumps(spec, indent=1))
        cmd = [sys.executable, "-m", "benchmarks.stage", stage, "--spec", str(spec_path), "--out", str(out_path)]
        if self.verbose:
            cmd.append("--verbose")
        return self.run_cmd(label, cmd, name, out_path, timeout)


def _wait4(proc: subprocess.Popen, timeout: float | None):
    """os.wait4 on the child (blocking, or polling when a timeout is set); kill its process group on timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        if deadline is None:
            _, status, rusage = os.wait4(proc.pid, 0)
            break
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
            _, status, rusage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return status, rusage, True
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting on a reaped pid
    return status, rusage, False


def _echo(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ data
def generate_cached(
    runner: Runner,
    data_dir: Path,
    inp: Input,
    seed: int,
    rows: int | None = None,
    rename_export: str | None = None,
    tag: str | None = None,
) -> dict:
    """The input's landing root under data_dir, generated once per (format, seed, rows[, variant])."""
    rows = rows or inp.rows
    key = f"{inp.format}-seed{seed}-rows{rows}" + (f"-{tag}" if tag else "")
    root = data_dir / key
    marker = root / ".bench-complete.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        if all(Path(f).exists() for f in info["files"]):
            info["cached"] = True
            return info
    if root.exists():
        shutil.rmtree(root)
    spec = {
        "out": str(root),
        "seed": seed,
        "rows": rows,
        "format": inp.format,
        "months": [MONTH],
        "format_dir": inp.format_dir,
        "rename_export": rename_export,
    }
    run = runner.stage(f"{inp.name:<12} generate {human(rows)}", "generate", spec, f"{key}.generate")
    if not run.ok:
        raise RuntimeError(f"generating {key} failed: {run.result.get('error')}")
    info = {k: run.result[k] for k in ("rows", "files", "bytes", "granularity")}
    info.update(
        {
            "root": str(root),
            "seed": seed,
            "generate_s": round(run.wall_s, 2),
            "generate_peak_rss_mb": round(run.peak_rss_mb, 1),
        }
    )
    marker.write_text(json.dumps(info, indent=1))
    info["cached"] = False
    return info


def link_tree(src: Path, dst: Path) -> None:
    """Hard-link (copy across devices) every file of src under dst; the cache stays untouched."""
    for p in src.rglob("*"):
        if p.is_file() and not p.name.startswith(".bench"):
            q = dst / p.relative_to(src)
            q.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(p, q)
            except OSError:
                shutil.copy2(p, q)


# ------------------------------------------------------------------------------------------------ peer
def ensure_peer_venv(runner: Runner) -> tuple[Path | None, str | None, str | None]:
    """(python of the peer venv, focus-converter version, reason it is unavailable)."""
    py = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".bench-ready"
    if not (marker.exists() and py.exists()):
        base = shutil.which("python3.11") or shutil.which("python3.12") or sys.executable
        if PEER_VENV.exists():
            shutil.rmtree(PEER_VENV)
        r = runner.run_cmd("peer venv (focus-converter)", [base, "-m", "venv", str(PEER_VENV)], "peer-venv")
        if r.ok:
            r = runner.run_cmd(
                "peer pip install",
                [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEER_REQUIREMENTS],
                "peer-pip",
                timeout=900,
            )
        if not r.ok:
            return None, None, f"could not create the focus-converter venv: {r.result.get('error') or r.exit_code}"
        marker.write_text(" ".join(PEER_REQUIREMENTS))
    try:
        version = (
            subprocess.run(
                [str(py), "-c", "import importlib.metadata as m; print(m.version('focus-converter'))"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        version = None
    return py, version, None


def run_peer(runner: Runner, inp: Input, files: list[str], run_dir: Path) -> dict:
    py, version, why = ensure_peer_venv(runner)
    if py is None:
        return {"ok": False, "skipped": why, "version": version}
    if len(files) != 1:
        return {"ok": False, "skipped": f"focus-converter reads one CSV file; the input has {len(files)}"}
    export = run_dir / "peer-out"
    if export.exists():
        shutil.rmtree(export)
    cmd = [
        str(py),
        str(BENCH / "peer_main.py"),
        "convert",
        "--provider",
        "aws-cur",
        "--data-format",
        "csv",
        "--data-path",
        files[0],
        "--export-path",
        str(export) + "/",
        "--export-format",
        "parquet",
    ]
    run = runner.run_cmd(f"{inp.name:<12} peer focus_converter", cmd, f"{inp.name}.peer", timeout=PEER_TIMEOUT_S)
    d = run.figures(inp.rows)
    d.update({"version": version, "command": " ".join(cmd)})
    if run.ok:
        rows = _count_parquet_rows(export)
        d["rows_out"] = rows
        if rows != inp.rows:
            d["ok"] = False
            d["error"] = f"focus-converter wrote {rows} rows for {inp.rows} input rows"
    return d


def _count_parquet_rows(path: Path) -> int | None:
    try:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(p).metadata.num_rows for p in path.rglob("*.parquet"))
    except Exception:  # noqa: BLE001
        return None


# ------------------------------------------------------------------------------------------- one input
def pipeline_specs(args, run_dir: Path, landing: Path) -> dict:
    return {
        "landing": str(landing),
        "warehouse": str(run_dir / "warehouse.duckdb"),
        "dbt_target": str(args.dbt_target),
        "dbt_logs": str(args.log_dir / "dbt_logs"),
    }


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def bench_input(args, runner: Runner, inp: Input, incremental: bool) -> dict:
    data = generate_cached(runner, args.data_dir, inp, args.seed)
    # one run folder reused by every input (same warehouse path, so dbt keeps partial parsing), emptied first
    run_dir = fresh_dir(args.data_dir / "run")
    landing = run_dir / "landing"
    link_tree(Path(data["root"]), landing)
    spec = pipeline_specs(args, run_dir, landing)
    out: dict[str, Any] = {
        "kind": inp.kind,
        "format": inp.format,
        "rows": data["rows"],
        "files": len(data["files"]),
        "input_bytes": data["bytes"],
        "granularity": data.get("granularity"),
        "generate": {"cached": data["cached"], "s": data.get("generate_s")},
        "stages": {},
    }
    rows = data["rows"]
    st = out["stages"]
    ing = runner.stage(f"{inp.name:<12} ingest (dlt)", "ingest", spec, f"{inp.name}.ingest")
    st["ingest"] = ing.figures(rows)
    if ing.ok:
        rec = runner.stage(
            f"{inp.name:<12} FOCUS record (dbt)", "transform", {**spec, "select": RECORD_SELECT}, f"{inp.name}.record"
        )
        st["record"] = rec.figures(rows)
        tr = (
            runner.stage(
                f"{inp.name:<12} other models (dbt)",
                "transform",
                {**spec, "exclude": RECORD_SELECT},
                f"{inp.name}.transform",
            )
            if rec.ok
            else rec
        )
        st["transform"] = tr.figures(rows)
        if tr.ok:
            st["transform"].setdefault("detail", {})["rows_out"] = count_rows(spec["warehouse"])
        if tr.ok and not args.skip_checks:
            ch = runner.stage(f"{inp.name:<12} checks (dbt test)", "checks", spec, f"{inp.name}.checks")
            st["checks"] = ch.figures(rows)
    fl = runner.stage(
        f"{inp.name:<12} floor (duckdb)",
        "floor",
        {
            "kind": inp.kind,
            "files": data["files"],
            "db": str(run_dir / "floor.duckdb"),
            "threads": args.threads,
            "memory_limit": args.memory_limit,
        },
        f"{inp.name}.floor",
    )
    st["floor"] = fl.figures(rows)
    if inp.kind == "legacy" and not args.skip_peer:
        st["peer"] = run_peer(runner, inp, data["files"], run_dir)

    ours_ok = st["ingest"]["ok"] and st.get("record", {}).get("ok", False) and st.get("transform", {}).get("ok", False)
    record_s = st["ingest"]["wall_s"] + st["record"]["wall_s"] if ours_ok else None
    ours_s = record_s + st["transform"]["wall_s"] if ours_ok else None
    out["ours_s"] = _r(ours_s)
    out["record_s"] = _r(record_s)
    out["ours_with_checks_s"] = _r(ours_s + st["checks"]["wall_s"]) if ours_ok and "checks" in st else None
    out["floor_s"] = _r(st["floor"]["wall_s"]) if st["floor"]["ok"] else None
    out["floor_work_s"] = _r(st["floor"].get("work_s")) if st["floor"]["ok"] else None
    out["ours_over_floor"] = _ratio(out["ours_s"], out["floor_s"])
    out["record_over_floor"] = _ratio(out["record_s"], out["floor_s"])
    peer = st.get("peer")
    out["peer_s"] = _r(peer["wall_s"]) if peer and peer.get("ok") else None
    # the peer converts to the FOCUS record and no further: compared with ingest + the FOCUS record
    out["ours_over_peer"] = _ratio(out["record_s"], out["peer_s"])
    ours_stages = [st[k] for k in ("ingest", "record", "transform", "checks") if k in st]
    out["peak_rss_mb"] = max((s["peak_rss_mb"] for s in ours_stages), default=None)
    out["rows_per_s"] = round(rows / ours_s) if ours_s else None
    if args.spark and ours_ok:
        out["spark"] = bench_spark(runner, inp, spec, run_dir, st)
    if incremental and ours_ok:
        out["incremental"] = bench_incremental(args, runner, inp, spec, landing, ours_s)
        out["incremental_over_full"] = out["incremental"].get("incremental_over_full")
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return out


def bench_spark(runner: Runner, inp: Input, spec: dict, run_dir: Path, st: dict) -> dict:
    """The same month on local Spark (``--spark``): the DuckDB warehouse's raw layer written to a fresh Parquet lake,
    then dbt on the ``spark`` target (seeds, the FOCUS record, the other models of the ``spark`` selector) in one
    child process. Adds the stages ``spark lake`` and ``spark dbt`` to ``st``; returns the Spark figures beside
    DuckDB's (its transform = the record and the other models; the ingest is shared: the lake is written from it)."""
    lake = fresh_dir(run_dir / "lake")
    lk = runner.stage(f"{inp.name:<12} lake (parquet)", "lake", {**spec, "lake": str(lake)}, f"{inp.name}.lake")
    st["spark lake"] = lk.figures(inp.rows)
    if not lk.ok:
        return {"ok": False, "error": st["spark lake"].get("error")}
    sp = runner.stage(
        f"{inp.name:<12} spark (dbt-spark)",
        "spark",
        {
            **spec,
            "lake": str(lake),
            "record_select": RECORD_SELECT,
            "dbt_target": str(Path(spec["dbt_target"]).with_name("dbt-target-spark")),
        },
        f"{inp.name}.spark",
    )
    st["spark dbt"] = sp.figures(inp.rows)
    if not sp.ok:
        return {"ok": False, "error": st["spark dbt"].get("error")}
    r, cores = sp.result, os.cpu_count() or 1
    duckdb_s = st["record"]["wall_s"] + st["transform"]["wall_s"]
    spark_s = lk.wall_s + sp.wall_s
    return {
        "ok": True,
        "cores": cores,
        "lake_s": _r(lk.wall_s),
        "seed_s": _r(r.get("seed_s")),
        "record_s": _r(r.get("record_s")),
        "other_s": _r(r.get("other_s")),
        "total_s": _r(spark_s),
        "duckdb_transform_s": _r(duckdb_s),
        "spark_over_duckdb": _ratio(spark_s, duckdb_s),
        "record_rows_per_s_per_core": round(inp.rows / r["record_s"] / cores) if r.get("record_s") else None,
        "peak_rss_mb_dbt_process": _r(sp.peak_rss_mb, 1),
    }


def count_rows(warehouse: str, relation: str = "intermediate.int_charges_unioned") -> int | None:
    """Rows of the FOCUS charge table after the transform (read here: dbt-duckdb in the stage process keeps
    its own connection open with settings a second connection may not mix)."""
    import duckdb

    try:
        con = duckdb.connect(warehouse, read_only=True)
        try:
            return int(con.execute(f"select count(*) from {relation}").fetchone()[0])
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - a figure for the report only
        return None


def bench_incremental(args, runner: Runner, inp: Input, spec: dict, landing: Path, full_s: float) -> dict:
    """One more day of the month lands as a second CUR 2.0 export (a new (export, period) delivery of about
    1/30 of the month's rows); ingest + transform run again on the same warehouse."""
    day_rows = max(1, round(inp.rows / 30))
    day = generate_cached(runner, args.data_dir, inp, args.seed + 1, rows=day_rows, rename_export=DAY_EXPORT, tag="day")
    link_tree(Path(day["root"]), landing)
    d: dict[str, Any] = {
        "rows": day["rows"],
        "export": f"{CUR2_EXPORT_DIR}/{DAY_EXPORT}",
        "period": MONTH,
        "how": "second export (new (export, period) delivery) of ~1/30 of the month's rows, "
        "landed beside the full month; the unchanged month is skipped by its fingerprint",
        "stages": {},
    }
    ing = runner.stage(f"{inp.name:<12} +1 day ingest", "ingest", spec, f"{inp.name}.incr.ingest")
    d["stages"]["ingest"] = ing.figures(day["rows"])
    if ing.ok:  # every model, in one dbt build
        tr = runner.stage(f"{inp.name:<12} +1 day transform", "transform", spec, f"{inp.name}.incr.transform")
        d["stages"]["transform"] = tr.figures(day["rows"])
        if tr.ok:
            d["s"] = round(ing.wall_s + tr.wall_s, 3)
            d["full_s"] = round(full_s, 3)
            d["incremental_over_full"] = _ratio(d["s"], full_s)
            d["peak_rss_mb"] = max(ing.peak_rss_mb, tr.peak_rss_mb)
    return d


# ------------------------------------------------------------------------------------------- finops load
def bench_load(args, runner: Runner) -> dict:
    """`finops load` of a small file as a person runs it: the CLI in a child process on its own warehouse (dbt's
    default target path, as the CLI uses it). A first 1,000-row CUR 2.0 file into a fresh warehouse (seeds loaded,
    dbt parses the project for this warehouse), then a second one, a new export of the same month: ``load_s`` is the
    second's wall time (warm: the venv, the parsed project and the seeds in place). Each checks the FOCUS record
    holds every row loaded so far."""
    inp = Input(f"load_{human(LOAD_ROWS)}", "cur2", "aws_cur2", LOAD_ROWS)
    first = generate_cached(runner, args.data_dir, inp, args.seed, tag="load")
    second = generate_cached(
        runner, args.data_dir, inp, args.seed + 1, rename_export="northwind-cur2-load2", tag="load2"
    )
    run_dir = fresh_dir(args.data_dir / "load")
    warehouse = run_dir / "warehouse.duckdb"
    finops = Path(sys.executable).parent / "finops"
    cli = [str(finops)] if finops.exists() else [sys.executable, "-m", "finops_cli"]
    load_runner = Runner(
        {**runner.env, "FINOPS_WAREHOUSE": str(warehouse), "FINOPS_LANDING": str(run_dir / "landing")},
        runner.log_dir,
        runner.verbose,
        runner.progress,
    )
    out: dict[str, Any] = {"rows": LOAD_ROWS, "command": " ".join([*cli, "load", "<file's folder>"]), "stages": {}}
    rows, before = 0, 0
    for step, data in (("first", first), ("warm", second)):
        run = load_runner.run_cmd(
            f"{inp.name:<12} finops load ({step})", [*cli, "load", data["root"]], f"{inp.name}.{step}", timeout=1800
        )
        d = run.figures(data["rows"])
        rows += data["rows"]
        # the record holds every line of the file and maybe more (a CUR line can make several FOCUS charges)
        got = count_rows(str(warehouse)) if run.ok else None
        d["record_rows"] = got
        if run.ok and (got is None or got < rows or got - before < data["rows"]):
            d["ok"] = False
            d["error"] = f"the FOCUS record holds {got} rows after loading {rows} (before this file: {before})"
        before = got or 0
        out["stages"][step] = d
    warm = out["stages"]["warm"]
    out["load_s"] = warm["wall_s"] if warm["ok"] else None
    out["first_load_s"] = out["stages"]["first"]["wall_s"] if out["stages"]["first"]["ok"] else None
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return out


def bench_dashboard(args, env: dict) -> dict:
    """benchmarks/dashboard.py in a child process on ``args.dashboard``: per-page time to the last chart drawn (cold
    and warm) and 20 concurrent browser sessions; its own JSON beside ours."""
    out = args.results.parent / "dashboard.json"
    _echo(f"dashboard: page timings on {args.dashboard} (browser)")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.dashboard", "--published", str(args.dashboard), "--results", str(out)],
        env=env,
        cwd=REPO,
        check=False,
    )
    if not out.exists():
        return {"error": f"benchmarks.dashboard exited {proc.returncode} without results"}
    result = json.loads(out.read_text())
    if proc.returncode:
        result["error"] = f"benchmarks.dashboard exited {proc.returncode}"
    return result


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


# ------------------------------------------------------------------------------------------ environment
def machine_info() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = None
    try:
        cpu = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")
            ),
            None,
        )
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cores": os.cpu_count(),
        "ram_gb": mem,
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_at_start": load,
    }


def versions() -> dict:
    import importlib.metadata as md

    out = {}
    for pkg in ("dlt", "dbt-core", "dbt-duckdb", "duckdb", "pyarrow", "great-expectations", "finops-ai-warehouse"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = None
    return out


def git_info() -> dict:
    def git(*a: str) -> str | None:
        try:
            return subprocess.run(
                ["git", *a], cwd=REPO, capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


# ------------------------------------------------------------------------------------------------ report
def headline(results: dict) -> dict:
    """Top-level figures: the largest CUR 2.0 month (rows, ours/floor, incremental) and the legacy CSV (peer)."""
    inputs = results["inputs"]
    cur2 = [v for v in inputs.values() if v["kind"] == "cur2"]
    legacy = [v for v in inputs.values() if v["kind"] == "legacy"]
    main = max(cur2 or legacy or [{}], key=lambda v: v.get("rows", 0))
    peer_in = max(legacy, key=lambda v: v["rows"]) if legacy else {}
    h = {
        "headline_input": next((k for k, v in inputs.items() if v is main), None),
        "rows": main.get("rows"),
        "ours_s": main.get("ours_s"),
        "floor_s": main.get("floor_s"),
        "ours_over_floor": main.get("ours_over_floor"),
        "record_s": main.get("record_s"),
        "record_over_floor": main.get("record_over_floor"),
        "ours_over_floor_1M": next((v.get("ours_over_floor") for v in cur2 if v.get("rows") == 1_000_000), None),
        "incremental_over_full": main.get("incremental_over_full"),
        "peer_input": next((k for k, v in inputs.items() if v is peer_in), None),
        "peer_s": peer_in.get("peer_s"),
        "ours_over_peer": peer_in.get("ours_over_peer"),
        "peak_rss_mb": max((v["peak_rss_mb"] for v in inputs.values() if v.get("peak_rss_mb")), default=None),
        "load_s": results.get("load", {}).get("load_s"),
        "spark_s": main.get("spark", {}).get("total_s"),
        "spark_over_duckdb": main.get("spark", {}).get("spark_over_duckdb"),
        "spark_record_rows_per_s_per_core": main.get("spark", {}).get("record_rows_per_s_per_core"),
    }
    h["targets"] = {
        "ours_over_floor<=3": _meets(h["ours_over_floor"], TARGETS["ours_over_floor"]),
        "record_over_floor<=2": _meets(h["record_over_floor"], TARGETS["record_over_floor"]),
        "ours_over_floor_1M<=4": _meets(h["ours_over_floor_1M"], TARGETS["ours_over_floor_1M"]),
        "peak_rss_mb<=2048": _meets(h["peak_rss_mb"], TARGETS["peak_rss_mb"]),
        "incremental_over_full<=0.10": _meets(h["incremental_over_full"], TARGETS["incremental_over_full"]),
        "ours_over_peer<1": None if h["ours_over_peer"] is None else h["ours_over_peer"] < 1.0,
        "load_s<=15": _meets(h["load_s"], TARGETS["load_s"]),
    }
    return h


def _meets(v: float | None, limit: float) -> bool | None:
    return None if v is None else v <= limit


def print_report(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(stderr=False)
    con.width = max(con.width, 150)
    for name, inp in results["inputs"].items():
        t = Table(
            title=f"{name}: {inp['rows']:,} rows ({inp['format']}, {inp['files']} file(s), "
            f"{inp['input_bytes'] / 1e6:,.0f} MB)",
            title_justify="left",
        )
        for col in ("stage", "wall s", "rows/s", "peak RSS MB", "detail"):
            t.add_column(col, justify="left" if col in ("stage", "detail") else "right")
        rows: list[tuple[str, dict]] = list(inp["stages"].items())
        rows += [(f"+1 day {k}", v) for k, v in inp.get("incremental", {}).get("stages", {}).items()]
        for stage, s in rows:
            if s.get("skipped"):
                t.add_row(stage, "-", "-", "-", f"skipped: {s['skipped']}")
                continue
            t.add_row(
                stage,
                f"{s['wall_s']:.1f}",
                f"{s.get('rows_per_s') or 0:,}",
                f"{s['peak_rss_mb']:.0f}",
                _detail(stage, s),
            )
        con.print(t)
        ratios = [
            f"ours {inp['ours_s']}s" if inp.get("ours_s") else "ours FAILED",
            f"floor {inp['floor_s']}s",
            f"ours_over_floor {inp.get('ours_over_floor')}",
            f"record {inp.get('record_s')}s",
            f"record_over_floor {inp.get('record_over_floor')}",
        ]
        if inp["kind"] == "legacy":
            ratios += [f"peer {inp.get('peer_s')}s", f"ours_over_peer {inp.get('ours_over_peer')}"]
        if "incremental_over_full" in inp:
            ratios.append(f"incremental_over_full {inp['incremental_over_full']}")
        ratios.append(f"peak_rss_mb {inp.get('peak_rss_mb')}")
        if inp.get("spark", {}).get("ok"):
            sp = inp["spark"]
            ratios.append(
                f"spark {sp['total_s']}s (lake + dbt) vs duckdb {sp['duckdb_transform_s']}s, "
                f"record {sp['record_rows_per_s_per_core']:,} rows/s per core"
            )
        con.print("  " + " · ".join(ratios) + "\n")
    load = results.get("load")
    if load:
        t = Table(title=f"finops load of a {load['rows']:,}-row file ({load['command']})", title_justify="left")
        for col in ("load", "wall s", "peak RSS MB", "detail"):
            t.add_column(col, justify="left" if col in ("load", "detail") else "right")
        for step, s in load["stages"].items():
            t.add_row(
                step,
                f"{s['wall_s']:.1f}",
                f"{s['peak_rss_mb']:.0f}",
                f"{s.get('record_rows')} rows in the record" if s["ok"] else f"[red]{(s.get('error') or '')[:120]}[/]",
            )
        con.print(t)
    h = results["summary"]
    con.print("[bold]summary[/] " + json.dumps(dict(h.items()), default=str))


def _detail(stage: str, s: dict) -> str:
    if not s.get("ok"):
        return f"[red]{(s.get('error') or '')[:120]}[/]"
    d = s.get("detail", {})
    if stage.endswith("ingest"):
        return (
            f"extract {d.get('extract_s', 0):.1f}s · normalize {d.get('normalize_s', 0):.1f}s · "
            f"load {d.get('load_s', 0):.1f}s"
        )
    if stage.endswith(("transform", "record")):
        models = d.get("models", {})
        top = sorted(models.items(), key=lambda kv: -kv[1]["s"])[:2]
        return " · ".join(f"{k} {v['s']:.1f}s" for k, v in top)
    if stage == "checks":
        t = d.get("dbt_test", {})
        gx = d.get("gx", {})
        return (
            f"{t.get('tests', 0)} dbt tests {t.get('statuses', {})} · "
            f"GX: {gx.get('skipped') or gx.get('error') or 'ran'}"
        )
    if stage == "floor":
        return f"CTAS {d.get('s', 0):.1f}s, {d.get('columns')} columns"
    if stage == "spark dbt":
        return (
            f"seed {d.get('seed_s', 0):.1f}s · FOCUS record {d.get('record_s', 0):.1f}s · "
            f"other {d.get('other_s', 0):.1f}s"
        )
    if stage == "spark lake":
        return str(d.get("summary", ""))[:120]
    if stage == "peer":
        return f"focus-converter {s.get('version')}, {s.get('rows_out')} rows out"
    return ""


# -------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes(DEFAULT_SIZES),
        help=f"comma list of inputs: N (CUR 2.0 Parquet month of N rows) or legacy:N (legacy CUR "
        f"CSV.gz); k/M suffixes. Default: {DEFAULT_SIZES}",
    )
    ap.add_argument("--skip-peer", action="store_true", help="do not run focus_converter")
    ap.add_argument(
        "--spark",
        action="store_true",
        help="also build each month on local Spark from a Parquet lake (dbt-spark; needs Java 17; docs/scale-out.md)",
    )
    ap.add_argument("--skip-checks", action="store_true", help="do not run dbt test / GX suites")
    ap.add_argument("--no-incremental", action="store_true", help="skip the +1 day incremental scenario")
    ap.add_argument("--skip-load", action="store_true", help="do not time `finops load` of a small file")
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="dbt threads (FINOPS_DBT_THREADS) and DuckDB threads of the floor (default: cores)",
    )
    ap.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB memory limit for dbt (FINOPS_DUCKDB_MEMORY_LIMIT) and the floor, e.g. 2GB",
    )
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data-dir", type=Path, default=BENCH / "data", help="generated inputs (cached) and run dirs")
    ap.add_argument("--results", type=Path, default=BENCH / "results" / "latest.json")
    ap.add_argument("--keep", action="store_true", help="keep the last run's warehouse under DATA_DIR/run")
    ap.add_argument("--verbose", "-v", action="store_true", help="stream the stages' logs instead of progress bars")
    ap.add_argument(
        "--dashboard",
        type=Path,
        default=None,
        metavar="PUBLISHED",
        help="also time the dashboard's pages in a browser on this published copy (benchmarks/dashboard.py)",
    )
    args = ap.parse_args(argv)

    args.data_dir = args.data_dir.resolve()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    args.results = args.results.resolve()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    log_dir = args.results.parent / "logs"
    fresh_dir(log_dir)
    args.log_dir = log_dir
    args.dbt_target = args.data_dir / "dbt_target"

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env.setdefault("PYTHONUNBUFFERED", "1")
    if args.threads:
        env["FINOPS_DBT_THREADS"] = str(args.threads)
    if args.memory_limit:
        env["FINOPS_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    env.pop("FINOPS_DBT_TARGET", None)
    env["DO_NOT_TRACK"] = "1"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["RUNTIME__DLTHUB_TELEMETRY"] = "false"

    inputs: list[Input] = args.sizes
    cur2 = [i for i in inputs if i.kind == "cur2"]
    incr_input = None if args.no_incremental or not cur2 else max(cur2, key=lambda i: i.rows).name

    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(
            [Path(sys.executable).name, "-m", "benchmarks.run", *(argv if argv is not None else sys.argv[1:])]
        ),
        "options": {
            "sizes": [i.name for i in inputs],
            "seed": args.seed,
            "threads": args.threads,
            "memory_limit": args.memory_limit
            or os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT")
            or "1536MB (profile default)",
            "dbt_threads": env.get("FINOPS_DBT_THREADS", "2 (default)"),
            "skip_peer": args.skip_peer,
        },
        "machine": machine_info(),
        "versions": versions(),
        "git": git_info(),
        "inputs": {},
        "method": {
            "ours_s": "ingest + FOCUS record + other models wall time (child processes, incl. interpreter start; "
            "every model built once); checks separate",
            "record_s": "ingest + the FOCUS record and the models it needs (dbt build --select "
            + " ".join(RECORD_SELECT)
            + "): compared with the peer, which converts to FOCUS and no further",
            "peak_rss_mb": "max ru_maxrss (os.wait4) over the input's pipeline stages; per stage in stages.*",
            "floor": "DuckDB CREATE TABLE AS SELECT of a ~25-column FOCUS-shaped table over the same files",
            "peer": "focus-converter convert --provider aws-cur --data-format csv (spawn start method, see "
            "benchmarks/peer_main.py)",
            "incremental": "second export of ~1/30 of the month's rows for the same period (a new daily "
            "delivery), then ingest + transform; incremental_over_full = that / full run",
            "load_s": f"wall time of `finops load` (CLI child process) of a second {LOAD_ROWS:,}-row CUR 2.0 file "
            "into a warehouse that holds a first one: load + the FOCUS record and its dbt tests",
        },
    }

    progress = None
    if not args.verbose:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            TimeElapsedColumn(),
            transient=False,
        )
    runner = Runner(env, log_dir, args.verbose, progress)
    code = 0
    with progress or nullcontext():
        parse = runner.stage(
            "dbt parse (setup, not timed)",
            "parse",
            {
                "warehouse": str(args.data_dir / "run" / "warehouse.duckdb"),
                "dbt_target": str(args.dbt_target),
                "dbt_logs": str(log_dir / "dbt_logs"),
            },
            "dbt-parse",
        )
        results["setup"] = {"dbt_parse_s": round(parse.wall_s, 2), "ok": parse.ok}
        for inp in inputs:
            try:
                results["inputs"][inp.name] = bench_input(args, runner, inp, inp.name == incr_input)
            except Exception as e:  # noqa: BLE001 - one input's failure must not lose the others
                results["inputs"][inp.name] = {
                    "kind": inp.kind,
                    "format": inp.format,
                    "rows": inp.rows,
                    "files": 0,
                    "input_bytes": 0,
                    "stages": {},
                    "error": f"{type(e).__name__}: {e}",
                }
                code = 1
            st = results["inputs"][inp.name].get("stages", {})
            if any(not s.get("ok", False) and k != "peer" for k, s in st.items()):
                code = 1
        if not args.skip_load:
            try:
                results["load"] = bench_load(args, runner)
            except Exception as e:  # noqa: BLE001 - reported, the other figures stay
                results["load"] = {"rows": LOAD_ROWS, "stages": {}, "load_s": None, "error": f"{type(e).__name__}: {e}"}
            if not all(s.get("ok") for s in results["load"]["stages"].values()) or results["load"].get("error"):
                code = 1
    if args.dashboard:
        results["dashboard"] = bench_dashboard(args, env)
        if results["dashboard"].get("error"):
            code = 1
    results["summary"] = headline(results)
    results.update({k: v for k, v in results["summary"].items() if k != "targets"})
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.results.write_text(json.dumps(results, indent=1, default=str))
    print_report(results)
    _echo(f"results: {args.results}")
    return code


if __name__ == "__main__":
    sys.exit(main())
