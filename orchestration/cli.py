"""`finops`: the command line for people. Every command is a thin wrapper: loading lives in `ingestion/`,
checks in `data_quality/`, and the full pipeline runs through Dagster (`finops run`)."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from orchestration.lib.dbt_cli import build_loaded_record
from orchestration.lib.settings import Settings


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("finops").setLevel(logging.INFO)


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

NO_WAREHOUSE_HINT = ("Run `make demo` to build the demo warehouse, or `finops load FILE` to load a billing export "
                     "(FINOPS_WAREHOUSE says where the warehouse is).")


class CliError(click.ClickException):
    """A user's mistake or a state of the warehouse, told in one line (``Error: ...``), with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class WarehouseBusy(CliError):
    """Another run holds the warehouse lock: exit 75 (EX_TEMPFAIL, retry later)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_BUSY)


def _not_writable(path: Path) -> Path | None:
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


def _require_writable(path: str | Path, what: str, todo: str) -> None:
    """Exit 73 with one line when ``path`` (``what``: "the warehouse", "the export") cannot be written."""
    blocked = _not_writable(Path(path))
    if blocked is None:
        return
    if blocked.is_dir():
        raise CliError(f"Cannot write {what} {path}: the folder {blocked} is not writable. {todo}", EXIT_CANTCREAT)
    raise CliError(f"Cannot write {what} {path}: the file is read-only. Make it writable (chmod u+w), or: {todo}",
                   EXIT_CANTCREAT)


def _require_warehouse(built: str | None = None) -> str:
    """The warehouse path; exit 66 when there is no warehouse there yet (or, with ``built``, a relation such as
    ``marts.fct_charges`` it does not have yet)."""
    wh = Settings.from_env().warehouse
    if not Path(wh).exists():
        raise CliError(f"There is no warehouse at {wh}: nothing has been loaded yet. {NO_WAREHOUSE_HINT}",
                       EXIT_NOINPUT)
    if built:
        import duckdb

        schema, table = built.split(".")
        with _duckdb_errors(wh), duckdb.connect(wh, read_only=True) as con:
            found = con.execute("select count(*) from information_schema.tables where table_schema = ? and "
                                "table_name = ?", [schema, table]).fetchone()[0]
        if not found:
            raise CliError(f"The warehouse at {wh} has no {built} yet: its models were never built. Run `finops "
                           "run` (or `finops load FILE` without --no-transform).", EXIT_NOINPUT)
    return wh


@contextmanager
def _duckdb_errors(warehouse: str) -> Iterator[None]:
    """DuckDB's errors on opening the warehouse as one line: held by another process (75), a missing relation (66)."""
    import duckdb

    try:
        yield
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise WarehouseBusy(f"The warehouse {warehouse} is in use by another process (a run writing it). Try "
                                "again when it has finished; BI tools should read the published copy (finops "
                                "publish).") from None
        raise
    except duckdb.CatalogException as e:
        first = str(e).splitlines()[0]
        raise CliError(f"The warehouse at {warehouse} is not built far enough for this ({first}). Run `finops run` "
                       "first.", EXIT_NOINPUT) from None


@contextmanager
def _lock_errors() -> Iterator[None]:
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
def _warehouse_lock(command: str) -> Iterator[None]:
    """Hold the warehouse run lock (ingestion/_common/lock.py) for a command that writes the warehouse: waits up
    to FINOPS_LOCK_TIMEOUT seconds for a run in progress, printing who holds it, then fails cleanly. The warehouse's
    folder must be writable (exit 73 otherwise: the lock file and DuckDB's write-ahead log live there)."""
    from ingestion._common.lock import warehouse_lock

    wh = Settings.from_env().warehouse
    todo = "Make the folder writable, or set FINOPS_WAREHOUSE to a file in a writable folder."
    _require_writable(wh, "the warehouse", todo)
    _require_writable(wh + ".wal", "the warehouse's write-ahead log", todo)
    with _lock_errors(), warehouse_lock(wh, command, echo=lambda m: click.echo(m, err=True)):
        yield


class FinopsGroup(click.Group):
    """Command-line mistakes exit 64 (EX_USAGE), not click's 2, which `finops load` uses for quarantined input;
    Ctrl-C exits 130."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as e:
            e.exit_code = EXIT_USAGE
            raise

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            e.exit_code = EXIT_USAGE
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as e:  # a folder the checks above did not foresee (read-only mount, a file made read-only)
            import errno

            if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            raise CliError(f"Cannot write or read {e.filename or 'a file'}: {e.strerror}. Make it (and its folder) "
                           "writable, or point FINOPS_WAREHOUSE / the output path elsewhere.", EXIT_CANTCREAT) from None


@click.group(cls=FinopsGroup, epilog=EXIT_CODES_HELP)
@click.option("-v", "--verbose", is_flag=True, help="Show progress of every step.")
def main(verbose: bool) -> None:
    """FinOps-for-AI warehouse: cloud bills, model APIs and AI SaaS in one FOCUS 1.2 cost record."""
    _setup_logging(verbose)


@main.command()
@click.option("--seed", default=42, show_default=True)
@click.option("--rows", default=60_000, show_default=True, help="Approximate total rows across all sources.")
@click.option("--out", "out", default=None, help="Landing folder to write (default: $FINOPS_LANDING or demo/landing).")
@click.option("--formats", default=None, help="Comma-separated subset, e.g. aws_cur2 or aws_cur_legacy.")
@click.option("--redeliver", is_flag=True,
              help="Only land the provider's restated delivery of the re-delivered month (run after a plain generate).")
def generate(seed: int, rows: int, out: str | None, formats: str | None, redeliver: bool) -> None:
    """Generate the demo enterprise's exports in each provider's native format and layout."""
    from ingestion import demo

    out = out or Settings.from_env().landing
    t0 = time.perf_counter()
    fmts = formats.split(",") if formats else None
    if redeliver:
        summary = demo.write_redelivery(out, seed=seed, rows=rows, formats=fmts, progress=True)
    else:
        summary = demo.generate(out, seed=seed, rows=rows, formats=fmts, progress=True, redelivery=False)
    click.echo(f"wrote demo exports to {out} in {time.perf_counter() - t0:.1f}s")
    for fmt, info in ((summary or {}).get("formats") or {}).items():
        per = ", ".join(f"{p}: {n:,}" for p, n in (info.get("rows_per_period") or {}).items())
        click.echo(f"  {fmt:<22} {info.get('rows', 0):>10,} rows  ({per})")


def _format_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--format``: a known format id (exit 64 listing them otherwise)."""
    if value is None:
        return None
    from ingestion import catalogue

    known = [f.id for f in catalogue.formats()]
    if value not in known:
        raise click.BadParameter(f"unknown format {value!r}; the known formats are {', '.join(known)} (or leave "
                                 "--format out to detect the format from each file's header)")
    return value


@main.command()
@click.argument("path")
@click.option("--format", "format_id", default=None, callback=_format_id,
              help="Force the export format instead of detecting it (e.g. aws_cur2, azure_ea, focus_1_2).")
@click.option("--no-transform", is_flag=True, help="Only load the raw tables; skip dbt.")
def load(path: str, format_id: str | None, no_transform: bool) -> None:
    """Load one export file or folder and show it in FOCUS at once. Exit 2 when some of it was quarantined (the
    rest loaded), 65 when none of it could be loaded."""
    if "://" not in path and not Path(path).expanduser().exists():
        raise CliError(f"No such file or folder: {path}. Give the path of a billing export file (CSV, CSV.GZ, "
                       "Parquet, JSON lines) or of a folder of them.", EXIT_NOINPUT)
    with _warehouse_lock("finops load"):
        _load(path, format_id, no_transform)


def _load(path: str, format_id: str | None, no_transform: bool) -> None:
    from ingestion import catalogue
    from ingestion._common.inventory import record_load_rejects
    from ingestion.catalogue import ensure_raw_tables, load_dataset, plan

    settings = Settings.from_env()
    settings.export()
    try:
        planned = plan(path, format_id)
    except FileNotFoundError:
        raise CliError(f"Nothing found at {path}: check the path or URL.", EXIT_NOINPUT) from None
    bad = 0
    loaded = 0
    reported: set[tuple] = set()  # an unreadable file its dataset quarantined is reported once, as QUARANTINED
    datasets = sorted({f.dataset for _, f in planned.deliveries})
    for ds in datasets:
        report = load_dataset(ds, planned, settings.warehouse)
        loaded += len(report.deliveries_loaded) + report.deliveries_skipped
        click.echo(f"{ds}: {len(report.deliveries_loaded)} deliveries, {report.rows:,} rows loaded"
                   + (f" ({report.deliveries_skipped} unchanged, already loaded)" if report.deliveries_skipped else ""))
        for e in report.quarantined:
            bad += 1
            reported.add((e.delivery_id, e.file))
            click.echo(f"  QUARANTINED {e}", err=True)
    for e in planned.errors:
        if (e.delivery_id, e.file) in reported:
            continue
        bad += 1
        click.echo(f"  UNREADABLE {e}", err=True)
    for f in planned.unrecognised:
        bad += 1
        click.echo(f"  NOT A KNOWN EXPORT {f}: no known billing export format has its columns. Pass --format F "
                   "to force one, or leave it out of the load.", err=True)
    # the files nothing loaded or quarantined are listed by `finops quarantine` (landing_zone.load_rejects)
    forced = catalogue.by_id(format_id) if format_id else None
    record_load_rejects(planned, settings.warehouse, {f for _, f in reported}, format_id,
                        forced.dataset if forced else None)
    if not loaded:
        if not bad:
            raise CliError(f"No billing export under {path}: it holds no .csv, .csv.gz, .parquet or .json(l) file. "
                           "Spreadsheets (XLSX) and PDFs cannot be loaded: save the billing sheet as CSV.",
                           EXIT_DATAERR)
        raise CliError(f"Nothing loaded from {path}: {bad} file(s) could not be loaded (above; listed by `finops "
                       "quarantine`). Fix them and load again; no model was rebuilt.", EXIT_DATAERR)
    if not no_transform:
        ensure_raw_tables(settings.warehouse)
        # the FOCUS record and the checks on what this load changed, then the summary
        build_loaded_record(settings.warehouse, echo=click.echo, datasets=set(datasets))
    if bad:
        click.echo(f"{bad} file(s) quarantined or not loaded: `finops quarantine` lists them with what to do.",
                   err=True)
        sys.exit(EXIT_QUARANTINED)


@main.command()
@click.option("--select", "selection", default="*", show_default=True, help="Dagster asset selection.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental dbt models from scratch.")
@click.option("--demo-vendors", is_flag=True,
              help="Serve the demo OpenAI and Anthropic admin APIs locally for this run and load them "
                   "(overrides SOURCES__OPENAI_USAGE__* / SOURCES__ANTHROPIC_USAGE__* for the run).")
@click.option("--demo-kpis", is_flag=True,
              help="Load the demo's business-KPI database (<landing>/business_kpis/kpis.sqlite, written by "
                   "`finops generate`) through sql_database (overrides SOURCES__BUSINESS_KPIS__CREDENTIALS for the run).")
@click.option("--demo-finance", is_flag=True,
              help="Load the demo's general ledger (<landing>/finance/ledger.sqlite, written by `finops generate`) "
                   "through sql_database (overrides SOURCES__FINANCE__LEDGER__CREDENTIALS for the run).")
def run(selection: str, full_refresh: bool, demo_vendors: bool, demo_kpis: bool, demo_finance: bool) -> None:
    """Materialize the pipeline through Dagster (ingest → dbt → checks) and print the summary."""
    from contextlib import ExitStack

    from orchestration.lib.runner import run_pipeline

    with ExitStack() as stack:
        stack.enter_context(_warehouse_lock("finops run"))  # before the demo servers start: a waiting run waits idle
        if demo_kpis:
            from finops_demo.generator.kpis import demo_kpi_database

            try:
                stack.enter_context(demo_kpi_database(Settings.from_env().landing))
            except FileNotFoundError as e:
                raise click.ClickException(str(e)) from None
            click.echo("demo business-KPI database: business_kpis/kpis.sqlite under the landing zone (SQLite)")
        if demo_finance:
            from ingestion.finance.runner import demo_ledger_database

            try:
                stack.enter_context(demo_ledger_database(Settings.from_env().landing))
            except FileNotFoundError as e:
                raise click.ClickException(str(e)) from None
            click.echo("demo general ledger: finance/ledger.sqlite under the landing zone (SQLite)")
        if demo_vendors:
            from finops_demo.vendor_servers.demo import demo_vendor_servers

            vendors = stack.enter_context(demo_vendor_servers())
            click.echo(f"demo vendor APIs: {vendors.describe()}")
        ok = run_pipeline(selection, full_refresh=full_refresh)
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("period")
@click.option("--pack-only", is_flag=True,
              help="Only write the close pack from the marts as they are (skip the dbt re-build).")
def close(period: str, pack_only: bool) -> None:
    """Monthly close of billing month PERIOD (YYYY-MM) through Dagster (job monthly_close, partition PERIOD):
    re-build the finance and governance marts, then write the chargeback journal, the invoice reconciliation and
    the budget vs actual of the month to $FINOPS_CLOSE_DIR/PERIOD/ (default: <warehouse dir>/close/PERIOD/),
    replacing an earlier pack. Exit 1 if a step or an ERROR data-quality check failed; governance findings (a budget
    breach) are reported, not failures."""
    from orchestration.defs.quality.closed_months import close_root
    from orchestration.lib.runner import run_close

    wh = _require_warehouse()
    todo = "Make the folder writable, or set FINOPS_WAREHOUSE to a file in a writable folder."
    _require_writable(wh, "the warehouse", todo)
    _require_writable(wh + ".wal", "the warehouse's write-ahead log", todo)
    _require_writable(close_root(wh) / period / "pack", "the close pack in",
                      "Make that folder writable, or set FINOPS_CLOSE_DIR to a writable folder.")
    try:
        with _lock_errors():
            ok = run_close(period, pack_only=pack_only, echo=click.echo)
    except ValueError as e:
        raise CliError(f"{e}. Give the month as YYYY-MM, e.g. `finops close 2026-10`.", EXIT_USAGE) from None
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


@main.command("demo-vendors", context_settings={"ignore_unknown_options": True})
@click.option("--openai-port", default=0, show_default=True, help="Port of the OpenAI server (0 = a free port).")
@click.option("--anthropic-port", default=0, show_default=True, help="Port of the Anthropic server (0 = a free port).")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def demo_vendors(openai_port: int, anthropic_port: int, command: tuple[str, ...]) -> None:
    """Serve the demo OpenAI and Anthropic admin APIs on local ports; with `-- COMMAND...`, run COMMAND with
    SOURCES__OPENAI_USAGE__* / SOURCES__ANTHROPIC_USAGE__* pointing at them (e.g. `finops demo-vendors -- dg dev`),
    then stop. Without a command, serve until interrupted."""
    import shutil

    from finops_demo.vendor_servers.demo import demo_vendor_servers
    from orchestration.lib.subprocesses import run_in_own_group

    if command and shutil.which(command[0]) is None:
        raise CliError(f"No command {command[0]!r} found on PATH (is the virtualenv active?).", EXIT_NOINPUT)
    with demo_vendor_servers(openai_port=openai_port, anthropic_port=anthropic_port) as vendors:
        click.echo(f"demo vendor APIs: {vendors.describe()}", err=True)
        if command:
            click.echo(f"running {' '.join(command)} with {', '.join(vendors.variables)} set", err=True)
            # its own process group: a Ctrl-C or kill is forwarded to it and everything it started (dg dev's
            # webserver, daemon and code servers), and we wait for them all before the demo servers stop
            code = run_in_own_group(command, echo=lambda m: click.echo(m, err=True))
            sys.exit(code)
        click.echo("serving until interrupted (Ctrl-C); the demo keys are in finops_demo/vendor_servers/demo.py",
                   err=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@main.command()
def summary() -> None:
    """Print spend by provider, service category and period, and the AI share."""
    from orchestration.lib.summary import spend_summary

    wh = _require_warehouse(built="marts.fct_charges")
    with _duckdb_errors(wh):
        click.echo(spend_summary(wh))


@main.command()
@click.option("--dataset", default=None,
              help="Only this dataset (aws_cur, azure_cost_details, gcp_billing, focus_exports, finance, "
                   "business_kpis, landing_zone).")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON (raw records whole).")
@click.option("--raw-chars", default=200, show_default=True, help="Cut the raw record to this many characters.")
def quarantine(dataset: str | None, as_json: bool, raw_chars: int) -> None:
    """List quarantined deliveries, rows and files (file, row, field, reason, value, raw record); read-only."""
    from data_quality.quarantine import DATASETS, LANDING, WHAT_TO_DO, to_json, truncate
    from orchestration.lib.summary import quarantine_rows

    if dataset and dataset not in (*DATASETS, LANDING):
        raise click.BadParameter(f"unknown dataset {dataset!r}; one of {', '.join((*DATASETS, LANDING))}",
                                 param_hint="--dataset")
    wh = _require_warehouse()
    with _duckdb_errors(wh):
        report = quarantine_rows(wh, dataset)
    if as_json:
        click.echo(to_json(report))
        return
    if report.empty:
        click.echo("Quarantine is empty." if not dataset else f"Quarantine is empty for {dataset}.")
        return
    for r in report.records:
        at = r.quarantined_at.strftime("%Y-%m-%d %H:%M:%S") if r.quarantined_at else "-"
        click.echo(f"{at} {r.dataset}: {r.source_file} row {r.row_number} field {r.field or '-'}: {r.reason}"
                   + (f" (value {r.value!r})" if r.value is not None else ""))
        if r.raw_record:
            click.echo(f"    raw record: {truncate(r.raw_record, raw_chars)}")
    counts = ", ".join(f"{ds} {n}" for ds, n in report.by_dataset().items())
    click.echo(f"\n{len(report.records)} record(s) in {report.files()} file(s) ({counts}). {WHAT_TO_DO}")


@main.command("validate-focus", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def validate_focus(ctx: click.Context) -> None:
    """Run the FinOps Foundation's focus-validator 2.2.1 (own venv) on focus_cost_and_usage.

    \b
    Options (passed through): --warehouse PATH, --relation R, --applicability A, --work-dir DIR, --venv DIR,
    --verbose.
    \b
    Exit codes:
      0  conformant (no conformance failure, project checks pass)
      1  conformance failures or project-check violations (listed)
      3  no rows in focus_cost_and_usage: nothing to validate (load billing data with
         `finops load PATH` or `finops run` first)
     66  no warehouse yet
     69  the validator could not run (no Python 3.12 for its virtualenv, install failed, ...)
    """
    from data_quality.focus import cli as focus_cli

    if not any(a == "--warehouse" or a.startswith("--warehouse=") for a in ctx.args):
        _require_warehouse()
    Settings.from_env().export()
    sys.exit(focus_cli.main(ctx.args))


@main.command("export-focus")
@click.argument("path")
@click.option("--period", default=None, help="Only this billing period (YYYY-MM).")
def export_focus(path: str, period: str | None) -> None:
    """Write the FOCUS dataset as Parquet (or CSV when PATH ends in .csv / .csv.gz)."""
    from serving.focus_export import DEFAULT_RELATION
    from serving.focus_export import export_focus as do_export

    wh = _require_warehouse(built=DEFAULT_RELATION)
    _require_writable(path, "the export", "Choose a PATH in a writable folder.")
    try:
        with _duckdb_errors(wh):
            n = do_export(wh, path, billing_period=period)
    except ValueError as e:
        raise CliError(f"{e}.", EXIT_USAGE) from None
    click.echo(f"wrote {n:,} FOCUS rows to {path}")


@main.command()
@click.option("--out", "out", default=None,
              help="Published file (default: <warehouse dir>/published/finops_bi.duckdb).")
def publish(out: str | None) -> None:
    """Publish the read-only copy of the marts and reference data for BI tools (swapped in atomically; open it
    with `duckdb -readonly`, or access_mode=read_only). `finops run` publishes it too, unless a blocking check on
    a mart failed."""
    from serving.publish import PublishError
    from serving.publish import publish as do_publish

    wh = _require_warehouse()
    if out:
        _require_writable(out, "the published copy", "Choose an --out in a writable folder.")
    with _warehouse_lock("finops publish"):
        try:
            report = do_publish(wh, out)
        except PublishError as e:
            raise CliError(str(e)) from None
    click.echo(report.summary())


@main.command("export-journal")
@click.argument("period")
@click.option("--out", "out", required=True, help="CSV file to write (ledger layout: serving/journal_export.py).")
def export_journal(period: str, out: str) -> None:
    """Write billing month PERIOD (YYYY-MM) of the chargeback journal as a balanced, ledger-ready CSV."""
    from serving.journal_export import UnbalancedJournalError
    from serving.journal_export import export_journal as do_export

    wh = _require_warehouse()
    _require_writable(out, "the journal", "Choose an --out in a writable folder.")
    try:
        with _duckdb_errors(wh):
            res = do_export(wh, period, out)
    except ValueError as e:
        raise CliError(f"{e}. Give the month as YYYY-MM, e.g. 2026-10.", EXIT_USAGE) from None
    except UnbalancedJournalError as e:
        raise CliError(str(e)) from None
    for j in res["journals"]:
        click.echo(f"{j}: debits = credits = {res['debits'][j]:,.2f}")
    click.echo(f"wrote {res['lines']:,} journal lines to {out}")


if __name__ == "__main__":  # pragma: no cover
    main()
