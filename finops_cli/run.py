"""`finops run`: the whole pipeline through Dagster in process (ingest -> dbt -> checks -> publication), and
`finops close PERIOD`: the monthly close of one billing month (job ``monthly_close``). Both hold the warehouse run
lock and print what ran (:mod:`finops_cli.runner`)."""

from __future__ import annotations

import sys

import click

from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    lock_errors,
    locked_warehouse,
    require_warehouse,
    require_writable,
)


@click.command()
@click.option("--select", "selection", default="*", show_default=True, help="Dagster asset selection.")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental dbt models from scratch.")
@click.option(
    "--demo-vendors",
    is_flag=True,
    help="Serve the demo OpenAI and Anthropic admin APIs locally for this run and load them "
    "(overrides SOURCES__OPENAI_USAGE__* / SOURCES__ANTHROPIC_USAGE__* for the run).",
)
@click.option(
    "--demo-kpis",
    is_flag=True,
    help="Load the demo's business-KPI database (<landing>/business_kpis/kpis.sqlite, written by "
    "`finops generate`) through sql_database (overrides SOURCES__BUSINESS_KPIS__CREDENTIALS for the run).",
)
@click.option(
    "--demo-finance",
    is_flag=True,
    help="Load the demo's general ledger (<landing>/finance/ledger.sqlite, written by `finops generate`) "
    "through sql_database (overrides SOURCES__FINANCE__LEDGER__CREDENTIALS for the run).",
)
@click.option(
    "--verbose",
    is_flag=True,
    help="Stream the whole log (Dagster, dbt, dlt) to the console instead of the log file "
    "<warehouse dir>/logs/finops-run-<run id>.log (also `finops -v run`).",
)
@click.pass_context
def run(
    ctx: click.Context,
    selection: str,
    full_refresh: bool,
    demo_vendors: bool,
    demo_kpis: bool,
    demo_finance: bool,
    verbose: bool,
) -> None:
    """Materialize the pipeline through Dagster (ingest → dbt → checks) and print the summary. The console shows
    one line per finished step, the problems and the summary; the full log goes to
    <warehouse dir>/logs/finops-run-<run id>.log, named at the start and the end (--verbose: to the console)."""
    from contextlib import ExitStack

    from .runner import run_pipeline

    with ExitStack() as stack:
        stack.enter_context(locked_warehouse("finops run"))  # before the demo servers start: a waiting run waits idle
        if demo_vendors or demo_kpis or demo_finance:
            from .demo import demo_sources

            stack.enter_context(demo_sources(vendors=demo_vendors, kpis=demo_kpis, finance=demo_finance))
        verbose = verbose or bool(ctx.find_root().params.get("verbose"))
        ok = run_pipeline(selection, full_refresh=full_refresh, detail_log=not verbose)
    sys.exit(EXIT_OK if ok else EXIT_FAILED)


@click.command()
@click.argument("period")
@click.option(
    "--pack-only", is_flag=True, help="Only write the close pack from the marts as they are (skip the dbt re-build)."
)
def close(period: str, pack_only: bool) -> None:
    """Monthly close of billing month PERIOD (YYYY-MM) through Dagster (job monthly_close, partition PERIOD):
    re-build the finance and governance marts, then write the chargeback journal, the invoice reconciliation and
    the budget vs actual of the month to $FINOPS_CLOSE_DIR/PERIOD/ (default: <warehouse dir>/close/PERIOD/),
    replacing an earlier pack. Exit 1 if a step or an ERROR data-quality check failed; governance findings (a budget
    breach) are reported, not failures."""
    from orchestration.lib.settings import close_root

    from .runner import run_close

    wh = require_warehouse()
    todo = "Make the folder writable, or set FINOPS_WAREHOUSE to a file in a writable folder."
    require_writable(wh, "the warehouse", todo)
    require_writable(wh + ".wal", "the warehouse's write-ahead log", todo)
    require_writable(
        close_root(wh) / period / "pack",
        "the close pack in",
        "Make that folder writable, or set FINOPS_CLOSE_DIR to a writable folder.",
    )
    try:
        with lock_errors():
            ok = run_close(period, pack_only=pack_only, echo=click.echo)
    except ValueError as e:
        raise CliError(f"{e}. Give the month as YYYY-MM, e.g. `finops close 2026-10`.", EXIT_USAGE) from None
    sys.exit(EXIT_OK if ok else EXIT_FAILED)
