"""The business-KPI ingest asset: dlt loads the daily volumes per product from the CSV drop
(``<FINOPS_LANDING>/business_kpis/*.csv``) and the SQL table (``SOURCES__BUSINESS_KPIS__CREDENTIALS``) into
[business_kpis, daily_volumes], which is also the dbt source key, so lineage needs no glue. All logic is in
:mod:`ingestion.business_kpis.runner`; this module only wires it.

Configuration is read when the asset runs (never at import). Nothing configured (no drop folder, no credentials)
does not fail: the tables are created empty and the asset materializes with ``configured=false``. Quarantined rows
fail the check ``no_quarantined_rows`` (the rest of the data is loaded).
"""

import dagster as dg

from orchestration.lib.constants import WAREHOUSE_POOL
from orchestration.lib.ingest_reports import (
    QUARANTINE_CHECK,
    drop_load_results,
    quarantine_spec,
    raw_table_spec,
    with_load_state,
)
from orchestration.lib.resources import LandingResource, WarehouseResource

DATASET = "business_kpis"
DAILY_VOLUMES = dg.AssetKey([DATASET, "daily_volumes"])
QUARANTINE = quarantine_spec(DATASET)


def materialize_metadata(report) -> dict:
    """Dagster metadata from a :class:`~ingestion.business_kpis.runner.KpiLoadReport` (no secret: the SQL source
    is shown without its password)."""
    meta = {
        "configured": report.configured,
        "rows_loaded": report.rows_loaded,
        "rows_by_source": dg.MetadataValue.json(report.rows_by_source),
        "csv_drop": report.csv_path if report.csv_configured else "not configured",
        "sql_database": report.sql_source or "not configured",
        "files_loaded": dg.MetadataValue.json(report.files_loaded[:50]),
        "files_unchanged": len(report.files_skipped),
        "quarantined": len(report.all_quarantined),
    }
    return with_load_state(meta, report, f"{DATASET}.daily_volumes", report.configured, report.hint)


@dg.multi_asset(
    name=f"ingest_{DATASET}",
    specs=[
        raw_table_spec(
            DAILY_VOLUMES,
            DATASET,
            "Daily business volumes per product (transactions, documents processed, active "
            "users, ...) loaded by dlt from the CSV drop and the KPI SQL table (merged on "
            "kpi_date, product, kpi_name, source_system: a corrected value replaces).",
        ),
        QUARANTINE,
    ],
    check_specs=[
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=DAILY_VOLUMES,
            description="Every KPI row loaded; none quarantined (finops quarantine).",
        )
    ],
    pool=WAREHOUSE_POOL,
    can_subset=True,  # one load fills both tables; a subset run reports only the selected ones
)
def ingest_business_kpis(context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource):
    from ingestion.business_kpis.runner import load_business_kpis

    report = load_business_kpis(warehouse.location(), landing.location())
    yield from drop_load_results(
        context,
        DATASET,
        report,
        {"daily_volumes": DAILY_VOLUMES},
        lambda _: materialize_metadata(report),
        lambda _: report.all_quarantined,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[ingest_business_kpis])
