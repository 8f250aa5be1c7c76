"""Run a command as a child in its own process group, forwarding the signals that stop us, and wait for everything it
started: ``finops demo-vendors -- dg dev`` (``make dev``) must not leave Dagster's webserver, daemon or code
servers running when it is stopped with Ctrl-C or ``kill``.

Why a process group of its own: ``subprocess.call`` kills only the child (SIGKILL) when the parent is interrupted, so
its own children (``dg dev`` -> ``dagster-webserver``, ``dagster-daemon``, code servers) are orphaned and keep their
ports. Here the child leads a new process group (same session: it keeps the terminal); SIGINT, SIGTERM and SIGHUP sent
to us are forwarded to that whole group once (a terminal's Ctrl-C reaches only the foreground group, ours, so nothing
receives it twice); we then wait for the child, and for every other process of its group to end, for up to
``grace_s`` seconds, then send the group SIGTERM, and SIGKILL ``kill_after_s`` seconds later."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_GRACE_S = 20.0  # time for dg dev to stop its webserver, daemon and code servers after a Ctrl-C
KILL_AFTER_S = 5.0


def group_alive(pgid: int) -> bool:
    """Whether any process of process group ``pgid`` still exists."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a member we may not signal still exists
        return True
    return True


def _wait_group(pgid: int, seconds: float, poll_s: float = 0.05) -> bool:
    """Wait up to ``seconds`` for process group ``pgid`` to be empty; True if it is."""
    deadline = time.monotonic() + seconds
    while group_alive(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll_s)
    return True


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def run_in_own_group(
    command: Sequence[str],
    grace_s: float = STOP_GRACE_S,
    kill_after_s: float = KILL_AFTER_S,
    echo: Callable[[str], None] | None = None,
    env: dict | None = None,
) -> int:
    """Run ``command`` in a new process group; forward SIGINT / SIGTERM / SIGHUP to the group; return its exit code
    once the child and every process of its group have ended (``128 + N`` when stopped by signal N, also when the
    child exits cleanly after a forwarded signal). Raises FileNotFoundError when the command does not exist."""
    proc = subprocess.Popen(list(command), process_group=0, env=env)
    pgid = proc.pid
    received: list[int] = []

    def forward(signum, _frame) -> None:
        if not received and echo:
            echo(f"stopping {command[0]} (pid {pgid}) and the processes it started...")
        received.append(signum)
        _signal_group(pgid, signum)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - the handler above replaces the default one
                forward(signal.SIGINT, None)
        if group_alive(pgid) and not _wait_group(pgid, grace_s):
            if echo:
                echo(f"processes started by {command[0]} are still running after {grace_s:g} s: terminating them")
            _signal_group(pgid, signal.SIGTERM)
            if not _wait_group(pgid, kill_after_s):
                _signal_group(pgid, signal.SIGKILL)
                _wait_group(pgid, kill_after_s)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if received:
        return 128 + int(received[0])
    return 128 - code if code < 0 else code
