"""Two runs started at once on the same warehouse (real processes, the real CLI): the second waits for the warehouse
run lock (``ingestion/_common/lock.py``) or, with ``FINOPS_LOCK_TIMEOUT=0``, fails at once with a message naming
the run holding it and exit code 75 - never a DuckDB lock traceback, never a corrupted file - and the totals are
exact and not doubled afterwards. The lock is freed by the kernel when its holder dies (even by SIGKILL).

The second run is a process started in advance with everything imported, released by a trigger file the moment the
first one has recorded itself as the holder: so it really starts while the first run is in progress, however slow
the machine."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from finops_demo import generator as demo
from ingestion._common.lock import (
    LOCK_TIMEOUT_ENV,
    LockConfigError,
    WarehouseLockedError,
    holder,
    lock_path,
    lock_timeout,
    warehouse_lock,
)

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python")
FINOPS = str(REPO / ".venv" / "bin" / "finops")
SCALE = Decimal("1e-10")
EXIT_LOCKED = 75
# a CLI process with everything imported, waiting for its trigger file: `python -c PRIMED trigger finops-args...`
PRIMED = """
import sys, time
from pathlib import Path
from finops_cli import main
import ingestion._common.source  # noqa: F401 - imported before the trigger, like a run already under way
trigger = Path(sys.argv[1])
while not trigger.exists():
    time.sleep(0.01)
main(sys.argv[2:], prog_name="finops")
"""


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("concurrent") / "landing"
    demo.generate(root, seed=7, rows=1500, formats=["aws_cur2"], redelivery=False)
    return root


def source_totals(landing: Path) -> tuple[int, Decimal]:
    """Rows and Σ line_item_unblended_cost of the landed CUR 2.0 Parquet files, read with pyarrow (exact: the
    float's shortest repr, at DECIMAL(38,10)'s scale)."""
    n, total = 0, Decimal(0)
    for f in sorted(landing.rglob("*.parquet")):
        for v in pq.read_table(f, columns=["line_item_unblended_cost"]).column(0).to_pylist():
            n += 1
            total += Decimal(repr(v)).quantize(SCALE, ROUND_HALF_UP) if v is not None else 0
    return n, total


def warehouse_totals(warehouse: Path) -> tuple[int, Decimal]:
    """Rows and Σ unblended cost of aws_cur.line_items; the file opens read-write and checkpoints cleanly."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CHECKPOINT")
        assert con.execute("PRAGMA database_size").fetchall()
        return con.execute("select count(*), sum(line_item_unblended_cost) from aws_cur.line_items").fetchone()


@pytest.fixture
def env(tmp_path, landing, monkeypatch) -> dict[str, str]:
    e = dict(
        os.environ,
        FINOPS_WAREHOUSE=str(tmp_path / "wh" / "finops.duckdb"),
        FINOPS_LANDING=str(landing),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        PYTHONUNBUFFERED="1",
    )
    e.pop(LOCK_TIMEOUT_ENV, None)
    return e


def _start(args: list[str], env: dict, tmp_path: Path, name: str) -> subprocess.Popen:
    out = open(tmp_path / f"{name}.out", "w")  # noqa: SIM115 - closed by _finish
    err = open(tmp_path / f"{name}.err", "w")  # noqa: SIM115
    return subprocess.Popen(args, env=env, cwd=REPO, stdout=out, stderr=err)


def _finish(proc: subprocess.Popen, tmp_path: Path, name: str, timeout: float = 180) -> tuple[int, str, str]:
    try:
        code = proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return code, (tmp_path / f"{name}.out").read_text(), (tmp_path / f"{name}.err").read_text()


def _primed(args: list[str], env: dict, tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    trigger = tmp_path / f"{name}.go"
    return _start([PYTHON, "-c", PRIMED, str(trigger), *args], env, tmp_path, name), trigger


def _wait_until_held_by(warehouse: Path, proc: subprocess.Popen, timeout: float = 120) -> dict:
    """The holder record once ``proc`` holds the warehouse lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rec = holder(warehouse)
        if rec and rec.get("pid") == proc.pid:
            return rec
        assert proc.poll() is None, "the first run ended before it was seen holding the lock"
        time.sleep(0.02)
    raise AssertionError("the first run never took the warehouse lock")


def _assert_clean(stderr: str) -> None:
    assert "Traceback" not in stderr and "Could not set lock" not in stderr and "IO Error" not in stderr, stderr


@pytest.mark.slow
def test_a_second_run_with_no_wait_fails_at_once_naming_the_running_finops_run(env, tmp_path, landing):
    warehouse = Path(env["FINOPS_WAREHOUSE"])
    second, go = _primed(["load", str(landing), "--no-transform"], {**env, LOCK_TIMEOUT_ENV: "0"}, tmp_path, "second")
    first = _start([FINOPS, "run", "--select", "aws_cur/line_items"], env, tmp_path, "first")
    rec = _wait_until_held_by(warehouse, first)
    assert rec["command"] == "finops run" and set(rec) == {"pid", "command", "host", "started_at"}
    go.touch()
    code, out, err = _finish(second, tmp_path, "second", timeout=60)
    assert first.poll() is None, "the first run must still be in progress when the second one gave up"
    assert code == EXIT_LOCKED, (code, out, err)
    assert f"in use by pid {first.pid} (finops run, since {rec['started_at']}" in err, err
    assert LOCK_TIMEOUT_ENV in err and "released as soon as it exits" in err
    _assert_clean(err)
    assert "rows loaded" not in out  # it did nothing
    code, out, err = _finish(first, tmp_path, "first")
    assert code == 0, (out, err)
    assert re.search(r"SUCCESS; 1 assets materialized; checks passed (\d+)/\1\b", out), out  # every check passed
    _assert_clean(err)
    assert warehouse_totals(warehouse) == source_totals(landing)
    assert holder(warehouse) is None  # released


@pytest.mark.slow
def test_a_second_run_waits_for_the_first_then_loads_nothing_twice(env, tmp_path, landing):
    warehouse = Path(env["FINOPS_WAREHOUSE"])
    second, go = _primed(["load", str(landing), "--no-transform"], {**env, LOCK_TIMEOUT_ENV: "120"}, tmp_path, "second")
    first = _start([FINOPS, "load", str(landing), "--no-transform"], env, tmp_path, "first")
    rec = _wait_until_held_by(warehouse, first)
    go.touch()
    code1, out1, err1 = _finish(first, tmp_path, "first")
    code2, out2, err2 = _finish(second, tmp_path, "second")
    assert code1 == 0 and code2 == 0, (out1, err1, out2, err2)
    assert "aws_cur: 1 deliveries, 1" in out1 and "rows loaded" in out1, out1
    # the second said what it waited for, then ran and found nothing new
    assert f"waiting for the warehouse lock held by pid {first.pid} (finops load, since {rec['started_at']}" in err2, (
        err2
    )
    assert "aws_cur: 0 deliveries, 0 rows loaded" in out2, out2
    _assert_clean(err1 + err2)
    assert warehouse_totals(warehouse) == source_totals(landing)  # exact, not doubled


HOLD = """
import sys, time
from ingestion._common.lock import warehouse_lock
with warehouse_lock(sys.argv[1], "test holder"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_the_lock_records_its_holder_is_reentrant_and_is_freed_when_the_holder_is_killed(tmp_path, monkeypatch):
    warehouse = tmp_path / "wh" / "finops.duckdb"
    proc = subprocess.Popen([PYTHON, "-c", HOLD, str(warehouse)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        rec = holder(warehouse)
        assert rec["pid"] == proc.pid and rec["command"] == "test holder"
        lines: list[str] = []
        t0 = time.monotonic()
        with (
            pytest.raises(WarehouseLockedError) as info,
            warehouse_lock(warehouse, "second", timeout=1.0, echo=lines.append, poll_s=0.05),
        ):
            pass
        assert time.monotonic() - t0 >= 1.0  # it waited
        assert lines and lines[0].startswith(f"waiting for the warehouse lock held by pid {proc.pid} (test holder")
        assert f"in use by pid {proc.pid} (test holder" in str(info.value) and info.value.holder["pid"] == proc.pid
        monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0")
        with pytest.raises(WarehouseLockedError), warehouse_lock(warehouse, "third"):
            pass
        proc.send_signal(signal.SIGKILL)  # the holder dies without any cleanup
        proc.wait(timeout=30)
        t0 = time.monotonic()
        with warehouse_lock(warehouse, "after the kill") as mine:  # FINOPS_LOCK_TIMEOUT=0: free at once
            assert time.monotonic() - t0 < 1.0
            assert json.loads(lock_path(warehouse).read_text()) == mine and mine["pid"] == os.getpid()
            with warehouse_lock(warehouse, "nested, same process"):  # re-entrant (a Dagster run in process)
                assert holder(warehouse)["command"] == "after the kill"
            assert holder(warehouse)["command"] == "after the kill"
        assert holder(warehouse) is None
    finally:
        if proc.poll() is None:
            proc.kill()
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv(LOCK_TIMEOUT_ENV, bad)
        with pytest.raises(LockConfigError, match=LOCK_TIMEOUT_ENV):
            lock_timeout()


def test_a_deployed_dagster_instance_limits_the_warehouse_pool_to_one():
    """Runs the Dagster daemon launches are serialised by the instance's pool limit, not by the CLI's lock: the
    repository's instance config sets it, and every warehouse asset uses the pool."""
    import yaml

    from orchestration.definitions import defs
    from orchestration.lib.constants import WAREHOUSE_POOL

    cfg = yaml.safe_load((REPO / "dagster_home" / "dagster.yaml").read_text())
    assert cfg["concurrency"]["pools"]["default_limit"] == 1
    graph = defs().resolve_asset_graph()
    pools = {frozenset(graph.get(k).pools or ()) for k in graph.materializable_asset_keys}
    assert pools == {frozenset({WAREHOUSE_POOL})}, pools


if sys.platform == "win32":  # pragma: no cover - fcntl
    pytestmark = pytest.mark.skip("POSIX file locks")
