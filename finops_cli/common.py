"""What every `finops` command shares: the exit codes `finops --help` lists, the one-line errors, and the guards on
the warehouse (it exists, is built far enough, is writable, is not held by another run)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from orchestration.lib.settings import Settings

# Exit codes (sysexits.h where one fits), listed in `finops --help`: scripts and schedulers branch on them.
EXIT_OK = 0
EXIT_FAILED = 1  # a pipeline step, the dbt build or an ERROR data-quality check failed
EXIT_QUARANTINED = 2  # some input was quarantined (`finops quarantine`); everything else loaded
EXIT_USAGE = 64  # EX_USAGE: a mistake on the command line (unknown command, option, --format, --dataset, month)
EXIT_DATAERR = 65  # EX_DATAERR: nothing in the input could be loaded (not a billing export, unreadable, empty)
EXIT_NOINPUT = 66  # EX_NOINPUT: no such file or folder to load, no warehouse yet, or not built yet
EXIT_CANTCREAT = 73  # EX_CANTCREAT: a folder or file to write is not writable
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the warehouse; try again later (ingestion/_common/lock.py)
EXIT_CONFIG = 78  # EX_CONFIG: a setting is wrong (FINOPS_LOCK_TIMEOUT)
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C (128 + SIGINT)

EXIT_CODES_HELP = f"""Exit codes:

\b
  {EXIT_OK:>3}  success
  {EXIT_FAILED:>3}  a pipeline step, the dbt build or an ERROR data-quality check failed
  {EXIT_QUARANTINED:>3}  some input was quarantined (see `finops quarantine`); the rest loaded
  {EXIT_USAGE:>3}  command-line mistake (unknown command, option, --format, --dataset, month)
  {EXIT_DATAERR:>3}  nothing in the input could be loaded (not a billing export, unreadable)
  {EXIT_NOINPUT:>3}  no such file or folder, or no warehouse (built) yet
  {EXIT_CANTCREAT:>3}  a folder or file to write is not writable
  {EXIT_BUSY:>3}  the warehouse is in use by another run: try again later
  {EXIT_CONFIG:>3}  a setting is wrong (e.g. FINOPS_LOCK_TIMEOUT)
  {EXIT_INTERRUPTED:>3}  interrupted (Ctrl-C)

Environment: FINOPS_WAREHOUSE (default warehouse/finops.duckdb), FINOPS_LANDING (default demo/landing),
FINOPS_LOCK_TIMEOUT (seconds to wait for a busy warehouse)."""

NO_WAREHOUSE_HINT = (
    "Run `make demo` to build the demo warehouse, or `finops load FILE` to load a billing export "
    "(FINOPS_WAREHOUSE says where the warehouse is)."
)


class CliError(click.ClickException):
    """A user's mistake or a state of the warehouse, told in one line (``Error: ...``), with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class WarehouseBusy(CliError):
    """Another run holds the warehouse lock: exit 75 (EX_TEMPFAIL, retry later)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_BUSY)


def not_writable(path: Path) -> Path | None:
    """What stops ``path`` (a file to create or replace) from being written, or None: its nearest existing folder
    when that is not writable (a read-only folder or mount), else ``path`` itself when it exists read-only."""
    import os

    path = Path(path).expanduser().resolve()
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return folder
    if path.exists() and not os.access(path, os.W_OK):
        return path
    return None


def require_writable(path: str | Path, what: str, todo: str) -> None:
    """Exit 73 with one line when ``path`` (``what``: "the warehouse", "the export") cannot be written."""
    blocked = not_writable(Path(path))
    if blocked is None:
        return
    if blocked.is_dir():
        raise CliError(f"Cannot write {what} {path}: the folder {blocked} is not writable. {todo}", EXIT_CANTCREAT)
    raise CliError(
        f"Cannot write {what} {path}: the file is read-only. Make it writable (chmod u+w), or: {todo}", EXIT_CANTCREAT
    )


def require_warehouse(built: str | None = None) -> str:
    """The warehouse path; exit 66 when there is no warehouse there yet (or, with ``built``, a relation such as
    ``marts.fct_charges`` it does not have yet)."""
    wh = Settings.from_env().warehouse
    if not Path(wh).exists():
        raise CliError(f"There is no warehouse at {wh}: nothing has been loaded yet. {NO_WAREHOUSE_HINT}", EXIT_NOINPUT)
    if built:
        import duckdb

        from ingestion._common.relations import relation_exists

        with duckdb_errors(wh), duckdb.connect(wh, read_only=True) as con:
            found = relation_exists(con, built)
        if not found:
            raise CliError(
                f"The warehouse at {wh} has no {built} yet: its models were never built. Run `finops "
                "run` (or `finops load FILE` without --no-transform).",
                EXIT_NOINPUT,
            )
    return wh


@contextmanager
def duckdb_errors(warehouse: str) -> Iterator[None]:
    """DuckDB's errors on opening the warehouse as one line: held by another process (75), a missing relation (66)."""
    import duckdb

    try:
        yield
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise WarehouseBusy(
                f"The warehouse {warehouse} is in use by another process (a run writing it). Try "
                "again when it has finished; BI tools should read the published copy (finops "
                "publish)."
            ) from None
        raise
    except duckdb.CatalogException as e:
        first = str(e).splitlines()[0]
        raise CliError(
            f"The warehouse at {warehouse} is not built far enough for this ({first}). Run `finops run` first.",
            EXIT_NOINPUT,
        ) from None


@contextmanager
def lock_errors() -> Iterator[None]:
    """The warehouse run lock's errors as clean CLI errors (no traceback): busy -> exit 75, bad
    FINOPS_LOCK_TIMEOUT -> exit 78."""
    from ingestion._common.lock import LockConfigError, WarehouseLockedError

    try:
        yield
    except WarehouseLockedError as e:
        raise WarehouseBusy(str(e)) from None
    except LockConfigError as e:
        raise CliError(str(e), EXIT_CONFIG) from None


@contextmanager
def locked_warehouse(command: str) -> Iterator[None]:
    """Hold the warehouse run lock (ingestion/_common/lock.py) for a command that writes the warehouse: waits up
    to FINOPS_LOCK_TIMEOUT seconds for a run in progress, printing who holds it, then fails cleanly. The warehouse's
    folder must be writable (exit 73 otherwise: the lock file and DuckDB's write-ahead log live there)."""
    from ingestion._common.lock import warehouse_lock

    wh = Settings.from_env().warehouse
    todo = "Make the folder writable, or set FINOPS_WAREHOUSE to a file in a writable folder."
    require_writable(wh, "the warehouse", todo)
    require_writable(wh + ".wal", "the warehouse's write-ahead log", todo)
    with lock_errors(), warehouse_lock(wh, command, echo=lambda m: click.echo(m, err=True)):
        yield
