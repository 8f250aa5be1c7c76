"""Read-only looks at the warehouse: `finops summary` (spend by provider, service category and period, the AI share)
and `finops quarantine` (every quarantined delivery, row and file, with what to do)."""

from __future__ import annotations

import click

from .common import duckdb_errors, require_warehouse


@click.command()
def summary() -> None:
    """Print spend by provider, service category and period, and the AI share."""
    from .summary import spend_summary

    wh = require_warehouse(built="marts.fct_charges")
    with duckdb_errors(wh):
        click.echo(spend_summary(wh))


@click.command()
@click.option(
    "--dataset",
    default=None,
    help="Only this dataset (aws_cur, azure_cost_details, gcp_billing, focus_exports, finance, "
    "business_kpis, landing_zone).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON (raw records whole).")
@click.option("--raw-chars", default=200, show_default=True, help="Cut the raw record to this many characters.")
def quarantine(dataset: str | None, as_json: bool, raw_chars: int) -> None:
    """List quarantined deliveries, rows and files (file, row, field, reason, value, raw record); read-only."""
    from data_quality.quarantine import DATASETS, LANDING, WHAT_TO_DO, to_json, truncate

    from .summary import quarantine_rows

    if dataset and dataset not in (*DATASETS, LANDING):
        raise click.BadParameter(
            f"unknown dataset {dataset!r}; one of {', '.join((*DATASETS, LANDING))}", param_hint="--dataset"
        )
    wh = require_warehouse()
    with duckdb_errors(wh):
        report = quarantine_rows(wh, dataset)
    if as_json:
        click.echo(to_json(report))
        return
    if report.empty:
        click.echo("Quarantine is empty." if not dataset else f"Quarantine is empty for {dataset}.")
        return
    for r in report.records:
        at = r.quarantined_at.strftime("%Y-%m-%d %H:%M:%S") if r.quarantined_at else "-"
        click.echo(
            f"{at} {r.dataset}: {r.source_file} row {r.row_number} field {r.field or '-'}: {r.reason}"
            + (f" (value {r.value!r})" if r.value is not None else "")
        )
        if r.raw_record:
            click.echo(f"    raw record: {truncate(r.raw_record, raw_chars)}")
    counts = ", ".join(f"{ds} {n}" for ds, n in report.by_dataset().items())
    click.echo(f"\n{len(report.records)} record(s) in {report.files()} file(s) ({counts}). {WHAT_TO_DO}")
