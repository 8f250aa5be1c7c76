"""`finops`: the command line for people. Every command is a thin wrapper: loading lives in `ingestion/`,
checks in `data_quality/`, and the full pipeline runs through Dagster (`finops run`)."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from orchestration.lib.dbt_cli import build_loaded_record
from orchestration.lib.settings import Settings


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("finops").setLevel(logging.INFO)


class WarehouseBusy(click.ClickException):
    """Another run holds the warehouse lock: exit 75 (EX_TEMPFAIL, retry later)."""

    exit_code = 75


@contextmanager
def _lock_errors() -> Iterator[None]:
    """The warehouse run lock's errors as clean CLI errors (no traceback): busy -> exit 75, bad
    FINOPS_LOCK_TIMEOUT -> exit 1."""
    from ingestion._common.lock import LockConfigError, WarehouseLockedError

    try:
        yield
    except WarehouseLockedError as e:
        raise WarehouseBusy(str(e)) from None
    except LockConfigError as e:
        raise click.ClickException(str(e)) from None


@contextmanager
def _warehouse_lock(command: str) -> Iterator[None]:
    """Hold the warehouse run lock (ingestion/_common/lock.py) for a command that writes the warehouse: waits up
    to FINOPS_LOCK_TIMEOUT seconds for a run in progress, printing who holds it, then fails cleanly."""
    from ingestion._common.lock import warehouse_lock

    with _lock_errors(), warehouse_lock(Settings.from_env().warehouse, command,
                                        echo=lambda m: click.echo(m, err=True)):
        yield


@click.group()
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


@main.command()
@click.argument("path")
@click.option("--format", "format_id", default=None, help="Force the export format instead of detecting it.")
@click.option("--no-transform", is_flag=True, help="Only load the raw tables; skip dbt.")
def load(path: str, format_id: str | None, no_transform: bool) -> None:
    """Load one export file or folder and show it in FOCUS at once."""
    with _warehouse_lock("finops load"):
        _load(path, format_id, no_transform)


def _load(path: str, format_id: str | None, no_transform: bool) -> None:
    from ingestion._common.source import ensure_raw_tables, load_dataset, plan

    settings = Settings.from_env()
    settings.export()
    planned = plan(path, format_id)
    if not planned.deliveries and not planned.errors:
        raise click.ClickException(f"No known billing export found under {path}. "
                                   f"Unrecognised files: {planned.unrecognised[:10]}. Pass --format to force one.")
    bad = 0
    reported: set[tuple] = set()  # an unreadable file its dataset quarantined is reported once, as QUARANTINED
    for ds in sorted({f.dataset for _, f in planned.deliveries}):
        report = load_dataset(ds, planned, settings.warehouse)
        click.echo(f"{ds}: {len(report.deliveries_loaded)} deliveries, {report.rows:,} rows loaded")
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
        click.echo(f"  skipped (not a known export format): {f}", err=True)
    if not no_transform:
        ensure_raw_tables(settings.warehouse)
        build_loaded_record(settings.warehouse, echo=click.echo)  # the FOCUS record and its checks, then the summary
    if bad:
        sys.exit(2)


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
            from ingestion.demo.kpis import demo_kpi_database

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
            from ingestion.vendor_servers.demo import demo_vendor_servers

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
    from orchestration.lib.runner import run_close

    try:
        with _lock_errors():
            ok = run_close(period, pack_only=pack_only, echo=click.echo)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    sys.exit(0 if ok else 1)


@main.command("demo-vendors", context_settings={"ignore_unknown_options": True})
@click.option("--openai-port", default=0, show_default=True, help="Port of the OpenAI server (0 = a free port).")
@click.option("--anthropic-port", default=0, show_default=True, help="Port of the Anthropic server (0 = a free port).")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def demo_vendors(openai_port: int, anthropic_port: int, command: tuple[str, ...]) -> None:
    """Serve the demo OpenAI and Anthropic admin APIs on local ports; with `-- COMMAND...`, run COMMAND with
    SOURCES__OPENAI_USAGE__* / SOURCES__ANTHROPIC_USAGE__* pointing at them (e.g. `finops demo-vendors -- dg dev`),
    then stop. Without a command, serve until interrupted."""
    import subprocess

    from ingestion.vendor_servers.demo import demo_vendor_servers

    with demo_vendor_servers(openai_port=openai_port, anthropic_port=anthropic_port) as vendors:
        click.echo(f"demo vendor APIs: {vendors.describe()}", err=True)
        if command:
            click.echo(f"running {' '.join(command)} with {', '.join(vendors.variables)} set", err=True)
            try:
                code = subprocess.call(list(command))
            except KeyboardInterrupt:
                code = 130
            sys.exit(code)
        click.echo("serving until interrupted (Ctrl-C); the demo keys are in ingestion/vendor_servers/demo.py",
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

    click.echo(spend_summary(Settings.from_env().warehouse))


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
    report = quarantine_rows(Settings.from_env().warehouse, dataset)
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
    """Run the FinOps Foundation's focus-validator 2.2.1 (own venv) on focus_cost_and_usage."""
    from data_quality import focus_conformance

    Settings.from_env().export()
    sys.exit(focus_conformance.main(ctx.args))


@main.command("export-focus")
@click.argument("path")
@click.option("--period", default=None, help="Only this billing period (YYYY-MM).")
def export_focus(path: str, period: str | None) -> None:
    """Write the FOCUS dataset as Parquet (or CSV when PATH ends in .csv / .csv.gz)."""
    from data_quality.focus_export import export_focus as do_export

    n = do_export(Settings.from_env().warehouse, path, billing_period=period)
    click.echo(f"wrote {n:,} FOCUS rows to {path}")


@main.command()
@click.option("--out", "out", default=None,
              help="Published file (default: <warehouse dir>/published/finops_bi.duckdb).")
def publish(out: str | None) -> None:
    """Publish the read-only copy of the marts and reference data for BI tools (swapped in atomically; open it
    with `duckdb -readonly`, or access_mode=read_only). `finops run` publishes it too, unless a blocking check on
    a mart failed."""
    from data_quality.publish import PublishError
    from data_quality.publish import publish as do_publish

    with _warehouse_lock("finops publish"):
        try:
            report = do_publish(Settings.from_env().warehouse, out)
        except PublishError as e:
            raise click.ClickException(str(e)) from None
    click.echo(report.summary())


@main.command("export-journal")
@click.argument("period")
@click.option("--out", "out", required=True, help="CSV file to write (ledger layout: data_quality/journal_export.py).")
def export_journal(period: str, out: str) -> None:
    """Write billing month PERIOD (YYYY-MM) of the chargeback journal as a balanced, ledger-ready CSV."""
    from data_quality.journal_export import UnbalancedJournalError
    from data_quality.journal_export import export_journal as do_export

    try:
        res = do_export(Settings.from_env().warehouse, period, out)
    except (UnbalancedJournalError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    for j in res["journals"]:
        click.echo(f"{j}: debits = credits = {res['debits'][j]:,.2f}")
    click.echo(f"wrote {res['lines']:,} journal lines to {out}")


if __name__ == "__main__":  # pragma: no cover
    main()
