"""What the ingest assets do with their runner's report: the file-drop and SQL sources (business KPIs, finance) log
it once and turn its quarantined rows into the ``no_quarantined_rows`` check of a table; the API sources (vendor
usage APIs, SaaS invoices) turn it into each table's materialization metadata (:func:`api_load_metadata`). The
loaders that quarantine (billing exports, finance, business KPIs) also materialize their dataset's quarantine table
(:func:`quarantine_spec`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import dagster as dg

from .constants import ingest_group

QUARANTINE_CHECK = "no_quarantined_rows"


def log_load(context: dg.AssetExecutionContext, report: Any) -> None:
    """The report's summary (a warning when nothing is configured) and every row quarantined by this run."""
    (context.log.info if report.configured else context.log.warning)(report.summary())
    for e in report.quarantined:
        context.log.error(f"quarantined: {e}")


def api_load_results(
    context: dg.AssetExecutionContext, report: Any, keys: Mapping[str, dg.AssetKey], extra: Callable[[str], dict]
) -> Iterator[dg.MaterializeResult]:
    """What an API ingest asset yields for its runner's ``report``: the summary logged (a warning when nothing is
    configured), and each selected table of ``keys`` (table -> key) with :func:`api_load_metadata` plus
    ``extra(table)``."""
    (context.log.info if report.configured else context.log.warning)(report.summary())
    for table, key in keys.items():
        if key in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=key, metadata=api_load_metadata(report, table, **extra(table)))


def quarantine_check(key: dg.AssetKey, bad: list, check_name: str = QUARANTINE_CHECK) -> dg.AssetCheckResult:
    """``no_quarantined_rows`` (or ``check_name``) of ``key``: fails (ERROR) with the quarantined rows' messages."""
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=check_name,
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(str(e) for e in bad)[:2000] or None,
        metadata={"quarantined": len(bad)},
    )


def api_load_metadata(report: Any, table: str, **extra: Any) -> dict:
    """Dagster metadata of ``table`` from an API load report (an ``ApiLoadReport`` or ``SaasLoadReport``: rows per
    table, total rows, the one-line ``summary()`` the runner prints as ``load_summary``, the window, what to
    configure when not configured, whether the table was created empty); ``extra`` values are added as JSON."""
    meta = {
        "configured": report.configured,
        "rows_loaded": report.rows.get(table, 0),
        "dataset_rows_loaded": report.total_rows,
        "load_summary": report.summary(),
        **{k: dg.MetadataValue.json(v) for k, v in extra.items()},
        "window": dg.MetadataValue.json(report.window),
    }
    return with_load_state(meta, report, f"{report.dataset}.{table}", report.configured, report.hint)


def with_load_state(meta: dict, report: Any, table: str, configured: bool, hint: str | None) -> dict:
    """``meta`` plus what to configure (``hint``) when the table is not ``configured`` and ``created_empty`` when
    the load created ``table`` (``dataset.table``) empty."""
    if not configured:
        meta["to_configure"] = hint
    if table in report.tables_created:
        meta["created_empty"] = True
    return meta


def drop_load_results(
    context: dg.AssetExecutionContext,
    dataset: str,
    report: Any,
    keys: Mapping[str, dg.AssetKey],
    metadata: Callable[[str], dict],
    quarantined: Callable[[str], list],
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """What a file-drop ingest asset yields for its runner's ``report``, selected ones only: the report logged, each
    table of ``keys`` (table -> key) with its ``metadata(table)``, the dataset's quarantine table, and each table's
    ``no_quarantined_rows`` check of its ``quarantined(table)`` rows."""
    log_load(context, report)
    for table, key in keys.items():
        if key in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=key, metadata=metadata(table))
    if dg.AssetKey([dataset, "quarantine"]) in context.selected_asset_keys:
        yield quarantine_materialization(dataset, len(report.all_quarantined))
    for table, key in keys.items():
        if dg.AssetCheckKey(key, QUARANTINE_CHECK) in context.selected_asset_check_keys:
            yield quarantine_check(key, quarantined(table))


def quarantine_spec(dataset: str) -> dg.AssetSpec:
    """``[dataset, quarantine]``: the records of ``dataset`` its loader could not load, a table the ingest step writes
    beside the raw tables (and materializes, so a run shows it fresh); a source of the quarantine view."""
    return raw_table_spec(
        dg.AssetKey([dataset, "quarantine"]),
        dataset,
        f"{dataset} records that could not be loaded (file, row, field, reason, raw "
        f"record), written by ingest_{dataset}; the current state (a fixed file delivered "
        "again clears its records).",
    )


def raw_table_spec(key: dg.AssetKey, dataset: str, description: str) -> dg.AssetSpec:
    """A raw table dlt loads into DuckDB, in the dataset's ingest group."""
    return dg.AssetSpec(key, group_name=ingest_group(dataset), kinds={"dlt", "duckdb"}, description=description)


def quarantine_materialization(dataset: str, quarantined: int) -> dg.MaterializeResult:
    """The quarantine table's materialization: how many records (deliveries or rows) this load quarantined."""
    return dg.MaterializeResult(
        asset_key=dg.AssetKey([dataset, "quarantine"]), metadata={"quarantined_this_run": quarantined}
    )
