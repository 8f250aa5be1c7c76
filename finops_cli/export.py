"""The outputs on demand: `finops export-focus` (the FOCUS dataset as Parquet or CSV), `finops publish` (the
read-only BI copy), `finops export-marts` (the published marts and metric tables as Parquet, with a schema file),
`finops export-journal` (a month of the chargeback journal, ledger-ready) and `finops lake` (the raw layer as a
Parquet lake for Spark and other engines)."""

from __future__ import annotations

import click

from .common import (
    EXIT_CANTCREAT,
    EXIT_NOINPUT,
    EXIT_USAGE,
    CliError,
    duckdb_errors,
    locked_warehouse,
    require_warehouse,
    require_writable,
)


@click.command("export-focus")
@click.argument("path")
@click.option("--period", default=None, help="Only this billing period (YYYY-MM).")
def export_focus(path: str, period: str | None) -> None:
    """Write the FOCUS dataset as Parquet (or CSV when PATH ends in .csv / .csv.gz)."""
    from serving.focus_export import DEFAULT_RELATION
    from serving.focus_export import export_focus as do_export

    wh = require_warehouse(built=DEFAULT_RELATION)
    require_writable(path, "the export", "Choose a PATH in a writable folder.")
    try:
        with duckdb_errors(wh):
            n = do_export(wh, path, billing_period=period)
    except ValueError as e:
        raise CliError(f"{e}.", EXIT_USAGE) from None
    click.echo(f"wrote {n:,} FOCUS rows to {path}")


@click.command()
@click.option(
    "--out", "out", default=None, help="Published file (default: <warehouse dir>/published/finops_bi.duckdb)."
)
def publish(out: str | None) -> None:
    """Publish the read-only copy of the marts and reference data for BI tools (swapped in atomically; open it
    with `duckdb -readonly`, or access_mode=read_only). `finops run` publishes it too, unless a blocking check on
    a mart failed."""
    from serving.publish import PublishError
    from serving.publish import publish as do_publish

    wh = require_warehouse()
    if out:
        require_writable(out, "the published copy", "Choose an --out in a writable folder.")
    with locked_warehouse("finops publish"):
        try:
            report = do_publish(wh, out)
        except PublishError as e:
            raise CliError(str(e)) from None
    click.echo(report.summary())


@click.command("export-journal")
@click.argument("period")
@click.option("--out", "out", required=True, help="CSV file to write (ledger layout: serving/journal_export.py).")
def export_journal(period: str, out: str) -> None:
    """Write billing month PERIOD (YYYY-MM) of the chargeback journal as a balanced, ledger-ready CSV."""
    from serving.journal_export import UnbalancedJournalError
    from serving.journal_export import export_journal as do_export

    wh = require_warehouse()
    require_writable(out, "the journal", "Choose an --out in a writable folder.")
    try:
        with duckdb_errors(wh):
            res = do_export(wh, period, out)
    except ValueError as e:
        raise CliError(f"{e}. Give the month as YYYY-MM, e.g. 2026-10.", EXIT_USAGE) from None
    except UnbalancedJournalError as e:
        raise CliError(str(e)) from None
    for j in res["journals"]:
        click.echo(f"{j}: debits = credits = {res['debits'][j]:,.2f}")
    click.echo(f"wrote {res['lines']:,} journal lines to {out}")


@click.command("export-marts")
@click.argument("directory", metavar="DIR")
@click.option(
    "--published",
    default=None,
    help="Published copy to read (default: <warehouse dir>/published/finops_bi.duckdb, written by `finops run` "
    "or `finops publish`).",
)
def export_marts(directory: str, published: str | None) -> None:
    """Write every mart (and metric table) of the published copy as Parquet to DIR, one file per table
    (DIR/<schema>/<table>.parquet), with DIR/schema.json (tables, columns, types, descriptions, rows, published_at).
    DIR is replaced whole (an earlier export's files are rewritten); a folder that is not empty and holds no earlier
    export is refused. Reads only the read-only published copy, never the warehouse."""
    from pathlib import Path

    from orchestration.lib.settings import Settings
    from serving.marts_export import ExportFolderError, MartsExportError
    from serving.marts_export import export_marts as do_export
    from serving.publish import published_path

    if Path(directory).is_file():
        raise CliError(
            f"Cannot write the export to {directory}: it is a file, not a folder. Choose a DIR.", EXIT_CANTCREAT
        )
    require_writable(directory, "the export", "Choose a DIR in a writable folder.")
    source = Path(published).expanduser() if published else published_path(Settings.from_env().warehouse)
    if not source.exists():
        raise CliError(
            f"There is no published copy at {source}: run `finops run` (it publishes the marts after their checks) "
            "or `finops publish`" + ("" if published else " (FINOPS_WAREHOUSE says where the warehouse is)") + ".",
            EXIT_NOINPUT,
        )
    try:
        report = do_export(
            source, directory, progress=lambda table, rows: click.echo(f"  {table}: {rows:,} rows", err=True)
        )
    except ExportFolderError as e:
        raise CliError(f"Cannot write the export to {directory}: {e}.", EXIT_CANTCREAT) from None
    except MartsExportError as e:
        raise CliError(f"{str(e)[:1].upper()}{str(e)[1:]}.") from None
    click.echo(report.summary())


@click.command("lake")
@click.option("--lake", "lake_dir", default=None, help="The lake folder (default: $FINOPS_LAKE).")
def lake(lake_dir: str | None) -> None:
    """Write the raw layer to the Parquet lake: one folder per raw table and (export, billing period), only the
    partitions that changed (a re-delivered period replaces its own folder; a re-run writes nothing). Spark
    (`FINOPS_DBT_TARGET=spark`) and DuckDB read it: docs/scale-out.md."""
    from ingestion._common.lake import LakeError, write_lake

    wh = require_warehouse()
    try:
        with duckdb_errors(wh):
            report = write_lake(wh, lake_dir)
    except LakeError as e:
        raise CliError(str(e), EXIT_USAGE) from None
    click.echo(report.summary())
