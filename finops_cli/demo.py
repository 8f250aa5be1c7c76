"""The demo's commands: `finops generate` (the demo enterprise's billing exports, KPI and finance drops) and
`finops demo-vendors` (the local OpenAI and Anthropic admin APIs), and the demo sources `finops run --demo-*` serves
for one run (:func:`demo_sources`). The only module of the CLI that imports ``finops_demo`` (the generator and the
fake servers): production code never does."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click

from orchestration.lib.settings import Settings

from .common import EXIT_NOINPUT, CliError


@click.command()
@click.option("--seed", default=42, show_default=True)
@click.option("--rows", default=60_000, show_default=True, help="Approximate total rows across all sources.")
@click.option("--out", "out", default=None, help="Landing folder to write (default: $FINOPS_LANDING or demo/landing).")
@click.option("--formats", default=None, help="Comma-separated subset, e.g. aws_cur2 or aws_cur_legacy.")
@click.option(
    "--redeliver",
    is_flag=True,
    help="Only land the provider's restated delivery of the re-delivered month (run after a plain generate).",
)
def generate(seed: int, rows: int, out: str | None, formats: str | None, redeliver: bool) -> None:
    """Generate the demo enterprise's exports in each provider's native format and layout."""
    from finops_demo import generator as demo

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


@contextmanager
def demo_sources(vendors: bool = False, kpis: bool = False, finance: bool = False) -> Iterator[None]:
    """For the duration of one `finops run`: the demo business-KPI database (``kpis``), the demo general ledger
    (``finance``) and the local vendor API servers (``vendors``), with the SOURCES__* settings pointing at them."""
    landing = Settings.from_env().landing
    with ExitStack() as stack:

        def demo_database(database: Callable[..., Any], what: str) -> None:
            try:
                stack.enter_context(database(landing))
            except FileNotFoundError as e:
                raise click.ClickException(str(e)) from None
            click.echo(f"{what} under the landing zone (SQLite)")

        if kpis:
            from finops_demo.generator.kpis import demo_kpi_database

            demo_database(demo_kpi_database, "demo business-KPI database: business_kpis/kpis.sqlite")
        if finance:
            from ingestion.finance.runner import demo_ledger_database

            demo_database(demo_ledger_database, "demo general ledger: finance/ledger.sqlite")
        if vendors:
            from finops_demo.vendor_servers.demo import demo_vendor_servers

            served = stack.enter_context(demo_vendor_servers())
            click.echo(f"demo vendor APIs: {served.describe()}")
        yield


@click.command("demo-vendors", context_settings={"ignore_unknown_options": True})
@click.option("--openai-port", default=0, show_default=True, help="Port of the OpenAI server (0 = a free port).")
@click.option("--anthropic-port", default=0, show_default=True, help="Port of the Anthropic server (0 = a free port).")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def demo_vendors(openai_port: int, anthropic_port: int, command: tuple[str, ...]) -> None:
    """Serve the demo OpenAI and Anthropic admin APIs on local ports; with `-- COMMAND...`, run COMMAND with
    SOURCES__OPENAI_USAGE__* / SOURCES__ANTHROPIC_USAGE__* pointing at them (e.g. `finops demo-vendors -- dg dev`),
    then stop. Without a command, serve until interrupted."""
    import shutil

    from finops_demo.vendor_servers.demo import demo_vendor_servers

    from .subprocesses import run_in_own_group

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
        click.echo(
            "serving until interrupted (Ctrl-C); the demo keys are in finops_demo/vendor_servers/demo.py", err=True
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
