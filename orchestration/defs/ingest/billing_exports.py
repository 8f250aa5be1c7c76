"""One Dagster asset per billing-export dataset: dlt loads the landing zone's deliveries into the raw
table [dataset, table], which is also the dbt source key, so lineage needs no glue."""
from __future__ import annotations

import dagster as dg

from ingestion import registry
from orchestration.lib.settings import Settings

WAREHOUSE_POOL = "warehouse"


def _raw_tables() -> dict[str, str]:
    return {f.dataset: f.table for f in registry.formats()}


def build_ingest_asset(dataset: str, table: str) -> dg.AssetsDefinition:
    key = dg.AssetKey([dataset, table])

    @dg.multi_asset(
        name=f"ingest_{dataset}",
        specs=[dg.AssetSpec(key, group_name=f"ingest_{dataset}", kinds={"dlt", "duckdb"},
                            description=f"Raw {dataset} export rows loaded by dlt from the landing zone "
                                        "(re-delivered billing periods replace earlier deliveries).")],
        check_specs=[dg.AssetCheckSpec("no_quarantined_deliveries", asset=key,
                                       description="Every landed delivery loaded; none quarantined.")],
        pool=WAREHOUSE_POOL,
    )
    def _ingest(context: dg.AssetExecutionContext):
        from ingestion._common.source import load_dataset, plan

        settings = Settings.from_env()
        planned = plan(settings.landing)
        report = load_dataset(dataset, planned, settings.warehouse)
        context.log.info(f"{dataset}: {len(report.deliveries_loaded)} deliveries, {report.rows} rows loaded")
        for e in report.quarantined:
            context.log.error(f"quarantined: {e}")
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={"rows_loaded": report.rows, "deliveries": len(report.deliveries_loaded),
                      "quarantined": len(report.quarantined),
                      "unrecognised_files": dg.MetadataValue.json(planned.unrecognised[:50])},
        )
        yield dg.AssetCheckResult(
            asset_key=key, check_name="no_quarantined_deliveries", passed=report.ok,
            severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(str(e) for e in report.quarantined)[:2000] or None,
            metadata={"quarantined": len(report.quarantined)},
        )

    return _ingest


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_ingest_asset(ds, tbl) for ds, tbl in sorted(_raw_tables().items())])
