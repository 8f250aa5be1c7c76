"""One Dagster asset per billing-export dataset: dlt loads the landing zone's deliveries into the raw
table [dataset, table], which is also the dbt source key, so lineage needs no glue."""

import dagster as dg

from ingestion import catalogue
from orchestration.lib.settings import Settings

WAREHOUSE_POOL = "warehouse"


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
        from ingestion.catalogue import load_dataset, plan

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


LANDING_FILES = dg.AssetKey(["landing_zone", "files"])


@dg.multi_asset(
    name="landing_zone_inventory",
    specs=[dg.AssetSpec(LANDING_FILES, group_name="ingest_landing_zone", kinds={"dlt", "duckdb"},
                        description="Every file under the landing root and what became of it "
                                    "(recognised, unrecognised, unreadable).")],
    check_specs=[dg.AssetCheckSpec("every_file_recognised", asset=LANDING_FILES,
                                   description="No landed file is unreadable or of an unknown format.")],
    pool=WAREHOUSE_POOL,
)
def landing_zone_inventory(context: dg.AssetExecutionContext):
    from ingestion._common.inventory import load_inventory
    from ingestion.catalogue import plan

    settings = Settings.from_env()
    rows = load_inventory(plan(settings.landing), settings.warehouse)
    problems = [r for r in rows if r["status"] != "recognised"]
    yield dg.MaterializeResult(asset_key=LANDING_FILES, metadata={
        "files": len(rows), "unrecognised": sum(r["status"] == "unrecognised" for r in rows),
        "unreadable": sum(r["status"] == "unreadable" for r in rows)})
    yield dg.AssetCheckResult(
        asset_key=LANDING_FILES, check_name="every_file_recognised", passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR if any(r["status"] == "unreadable" for r in problems)
        else dg.AssetCheckSeverity.WARN,
        description="; ".join(f"{r['path']}: {r['status']} ({r['reason']})" for r in problems)[:2000] or None,
    )


@dg.definitions
def defs() -> dg.Definitions:
    ingest = [build_ingest_asset(ds, tbl) for ds, tbl in sorted(catalogue.raw_tables().items())]
    return dg.Definitions(assets=[landing_zone_inventory, *ingest])
