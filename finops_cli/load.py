"""`finops load PATH`: load one billing export file or folder into the raw tables, then build its FOCUS record (the
models upstream of it, the quarantine view and their data tests, :func:`orchestration.lib.dbt_cli.load_nodes`) and
print the spend summary. No Dagster import here: `finops load` starts in a fraction of the time `finops run` needs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from orchestration.lib.dbt_cli import load_build_args, run_dbt
from orchestration.lib.settings import Settings

from .common import EXIT_DATAERR, EXIT_NOINPUT, EXIT_QUARANTINED, CliError, locked_warehouse


def build_loaded_record(warehouse: str, echo=print, datasets: set[str] | None = None) -> None:
    """After `finops load` has loaded the raw tables: build the FOCUS record, the quarantine view and their data
    tests (not every mart: `finops run` does that; with ``datasets``, only what those datasets changed:
    :func:`~orchestration.lib.dbt_cli.load_nodes`), then print the spend summary of the record. The marts downstream
    of the record (allocation, AI model costs, finance, governance) are not rebuilt, so the summary leaves them out
    and says so rather than show figures that do not include this load."""
    from .summary import spend_summary

    run_dbt(load_build_args(warehouse, datasets))
    echo(spend_summary(warehouse, marts=False))


def _format_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--format``: a known format id (exit 64 listing them otherwise)."""
    if value is None:
        return None
    from ingestion import catalogue

    known = [f.id for f in catalogue.formats()]
    if value not in known:
        raise click.BadParameter(
            f"unknown format {value!r}; the known formats are {', '.join(known)} (or leave "
            "--format out to detect the format from each file's header)"
        )
    return value


@click.command()
@click.argument("path")
@click.option(
    "--format",
    "format_id",
    default=None,
    callback=_format_id,
    help="Force the export format instead of detecting it (e.g. aws_cur2, azure_ea, focus_1_2).",
)
@click.option("--no-transform", is_flag=True, help="Only load the raw tables; skip dbt.")
def load(path: str, format_id: str | None, no_transform: bool) -> None:
    """Load one export file or folder and show it in FOCUS at once. Exit 2 when some of it was quarantined (the
    rest loaded), 65 when none of it could be loaded."""
    if "://" not in path and not Path(path).expanduser().exists():
        raise CliError(
            f"No such file or folder: {path}. Give the path of a billing export file (CSV, CSV.GZ, "
            "Parquet, JSON lines) or of a folder of them.",
            EXIT_NOINPUT,
        )
    with locked_warehouse("finops load"):
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
        click.echo(
            f"{ds}: {len(report.deliveries_loaded)} deliveries, {report.rows:,} rows loaded"
            + (f" ({report.deliveries_skipped} unchanged, already loaded)" if report.deliveries_skipped else "")
        )
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
        click.echo(
            f"  NOT A KNOWN EXPORT {f}: no known billing export format has its columns. Pass --format F "
            "to force one, or leave it out of the load.",
            err=True,
        )
    # the files nothing loaded or quarantined are listed by `finops quarantine` (landing_zone.load_rejects)
    forced = catalogue.by_id(format_id) if format_id else None
    record_load_rejects(
        planned, settings.warehouse, {f for _, f in reported}, format_id, forced.dataset if forced else None
    )
    if not loaded:
        if not bad:
            raise CliError(
                f"No billing export under {path}: it holds no .csv, .csv.gz, .parquet or .json(l) file. "
                "Spreadsheets (XLSX) and PDFs cannot be loaded: save the billing sheet as CSV.",
                EXIT_DATAERR,
            )
        raise CliError(
            f"Nothing loaded from {path}: {bad} file(s) could not be loaded (above; listed by `finops "
            "quarantine`). Fix them and load again; no model was rebuilt.",
            EXIT_DATAERR,
        )
    if not no_transform:
        ensure_raw_tables(settings.warehouse)
        # the FOCUS record and the checks on what this load changed, then the summary
        build_loaded_record(settings.warehouse, echo=click.echo, datasets=set(datasets))
    if bad:
        click.echo(
            f"{bad} file(s) quarantined or not loaded: `finops quarantine` lists them with what to do.", err=True
        )
        sys.exit(EXIT_QUARANTINED)
