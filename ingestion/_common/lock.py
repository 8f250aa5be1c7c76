"""The warehouse run lock: one pipeline run at a time per DuckDB warehouse file.

DuckDB allows one writing process per database file; a second process opening it fails with an ``IO Error: Could
not set lock on file`` traceback in the middle of its run. So every command that writes the warehouse (``finops
run``, ``finops load``, ``finops close``, ``finops publish``; ``finops_cli.runner.run_pipeline`` and
``run_close``) first takes :func:`warehouse_lock`: an exclusive OS file lock (``fcntl.flock``) on
``<warehouse>.lock`` next to the warehouse (``warehouse/finops.duckdb.lock``).

* The kernel releases the lock when the holding process exits, however it exits (SIGKILL, OOM kill, power loss of
  a container): a crashed run never blocks the next one, there is no stale lock to delete by hand.
* While holding it, the process records who it is in the file (pid, command, start time, host; never arguments or
  environment), so that a second run can say what it is waiting for.
* The second run waits up to ``FINOPS_LOCK_TIMEOUT`` seconds (read when the lock is taken; default
  :data:`DEFAULT_TIMEOUT_S`), printing ``waiting for the warehouse lock held by pid N (finops run, since ...)`` at
  once and every :data:`PROGRESS_EVERY_S` seconds, then runs. ``FINOPS_LOCK_TIMEOUT=0`` fails at once. When the
  wait times out it raises :class:`WarehouseLockedError` naming the holder and what to do; the CLI prints it and
  exits with :data:`EXIT_LOCKED` (75, ``EX_TEMPFAIL``: try again later), never a DuckDB traceback.
* Re-entrant within a process: the Dagster run that ``finops run`` executes in process, and everything it calls,
  run under the lock the command took.

Dagster: runs launched by a deployed Dagster instance (the daily schedule, the landing-zone and alert sensors, the
UI) do not go through these commands; they are serialised by the instance's concurrency pool instead. Every asset
and check that touches the warehouse is in the pool ``warehouse`` (``WAREHOUSE_POOL``), and the instance limits
every pool to one op at a time in its ``dagster.yaml`` (``dagster_home/dagster.yaml``, the ``DAGSTER_HOME`` of
``make dev``)::

    concurrency:
      pools:
        default_limit: 1        # the "warehouse" pool: one writer at a time across all runs
        # granularity: run      # optional: a run holds the slot from its first to its last warehouse op

(or ``dagster instance concurrency set warehouse 1``). Keep one way of running per warehouse in production: the
Dagster deployment, or the CLI (cron), not both at once on the same file.
"""

from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_TIMEOUT_ENV = "FINOPS_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_S = 1800.0  # 30 minutes: a scheduled run waits for a manual one (a demo run takes ~6)
PROGRESS_EVERY_S = 30.0
EXIT_LOCKED = 75  # EX_TEMPFAIL (sysexits.h): temporary failure, retry later


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse lock and the wait timed out (or ``FINOPS_LOCK_TIMEOUT`` is 0)."""

    def __init__(self, message: str, holder: dict | None, lock_file: str) -> None:
        super().__init__(message)
        self.holder = holder
        self.lock_file = lock_file


class LockConfigError(ValueError):
    """``FINOPS_LOCK_TIMEOUT`` is not a number of seconds."""


def lock_path(warehouse: str | os.PathLike) -> Path:
    """``<warehouse>.lock`` (absolute)."""
    wh = Path(warehouse).expanduser().resolve()
    return wh.with_name(wh.name + ".lock")


def lock_timeout() -> float:
    """Seconds to wait for the lock: ``FINOPS_LOCK_TIMEOUT`` (read now), default :data:`DEFAULT_TIMEOUT_S`."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise LockConfigError(
            f"{LOCK_TIMEOUT_ENV} must be a number of seconds to wait for the warehouse lock "
            f"(0 = fail at once), got {raw!r}"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise LockConfigError(f"{LOCK_TIMEOUT_ENV} must be >= 0 seconds, got {raw!r}")
    return value


def holder(warehouse: str | os.PathLike) -> dict | None:
    """The record of the process holding the lock now, or None when it is free (or was never taken)."""
    path = lock_path(warehouse)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_record(path) or {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_record(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8")
        record = json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def describe(record: dict | None) -> str:
    """``pid 123 (finops run, since 2026-11-28 06:00:01 UTC, host h)`` or a neutral text when unknown."""
    if not record:
        return "another process (it has not recorded itself yet)"
    parts = [str(record.get("command") or "unknown command")]
    if record.get("started_at"):
        parts.append(f"since {record['started_at']}")
    if record.get("host") and record.get("host") != socket.gethostname():
        parts.append(f"on host {record['host']}")
    return f"pid {record.get('pid', '?')} ({', '.join(parts)})"


@dataclass
class _Held:
    fd: int
    pid: int
    depth: int
    record: dict


_HELD: dict[str, _Held] = {}
_GUARD = threading.Lock()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def warehouse_lock(
    warehouse: str | os.PathLike,
    command: str,
    *,
    timeout: float | None = None,
    echo: Callable[[str], None] | None = None,
    poll_s: float = 0.2,
) -> Iterator[dict]:
    """Hold the warehouse's run lock for the block; see the module doc.

    ``command`` describes the run for others waiting (``"finops run"``; no secrets, no arguments that could hold
    any). ``timeout`` overrides ``FINOPS_LOCK_TIMEOUT``; ``echo`` receives the progress lines (default: stderr).
    Yields the record written to the lock file. Raises :class:`WarehouseLockedError` when the wait times out.
    """
    path = lock_path(warehouse)
    key = str(path)
    with _GUARD:
        held = _HELD.get(key)
        if held is not None and held.pid == os.getpid():
            held.depth += 1
            reentered = held
        else:
            reentered = None
    if reentered is not None:
        try:
            yield reentered.record
        finally:
            with _GUARD:
                reentered.depth -= 1
        return

    wait = lock_timeout() if timeout is None else float(timeout)
    echo = echo or _stderr
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, warehouse, wait, echo, poll_s)
    except BaseException:
        os.close(fd)
        raise
    record = {
        "pid": os.getpid(),
        "command": command,
        "host": socket.gethostname(),
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)
    with _GUARD:
        _HELD[key] = _Held(fd, os.getpid(), 1, record)
    try:
        yield record
    finally:
        with _GUARD:
            _HELD.pop(key, None)
        try:
            os.ftruncate(fd, 0)  # the next holder records itself; a reader never sees a finished run as holder
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _acquire(
    fd: int, path: Path, warehouse: str | os.PathLike, wait: float, echo: Callable[[str], None], poll_s: float
) -> None:
    start = time.monotonic()
    next_progress = start
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        now = time.monotonic()
        who = describe(_read_record(path))
        if now - start >= wait:
            waited = f" after waiting {now - start:.0f} s" if wait > 0 else ""
            raise WarehouseLockedError(
                f"The warehouse {Path(warehouse)} is in use by {who}{waited}. DuckDB allows one writer at a time. "
                f"Wait for that run to finish and run this again (its lock is released as soon as it exits, even "
                f"if it crashes), or set {LOCK_TIMEOUT_ENV} to the seconds to wait (now {wait:g}). BI tools "
                f"should read the published copy (finops publish), never the live file.",
                _read_record(path),
                str(path),
            )
        if now >= next_progress:
            left = wait - (now - start)
            echo(f"waiting for the warehouse lock held by {who}: up to {left:.0f} s more ({LOCK_TIMEOUT_ENV})")
            next_progress = now + PROGRESS_EVERY_S
        time.sleep(min(poll_s, max(0.01, wait - (now - start))))
