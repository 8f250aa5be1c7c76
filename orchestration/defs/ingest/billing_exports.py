"""One Dagster asset per billing-export dataset: dlt loads the landing zone's deliveries into the raw
table [dataset, table], which is also the dbt source key, so lineage needs no glue; the deliveries it could not load
go to [dataset, quarantine], materialized by the same step."""

import dagster as dg

from ingestion import catalogue
from orchestration.lib.constants import WAREHOUSE_POOL, ingest_group
from orchestration.lib.ingest_reports import (
    quarantine_check,
    quarantine_materialization,
    quarantine_spec,
    raw_table_spec,
)
from orchestration.lib.resources import LandingResource, WarehouseResource


def build_ingest_asset(dataset: str, table: str) -> dg.AssetsDefinition:
    key = dg.AssetKey([dataset, table])
    quarantine = quarantine_spec(dataset)

    @dg.multi_asset(
        name=f"ingest_{dataset}",
        specs=[
            raw_table_spec(
                key,
                dataset,
                f"Raw {dataset} export rows loaded by dlt from the landing zone "
                "(re-delivered billing periods replace earlier deliveries).",
            ),
            quarantine,
        ],
        check_specs=[
            dg.AssetCheckSpec(
                "no_quarantined_deliveries", asset=key, description="Every landed delivery loaded; none quarantined."
            )
        ],
        pool=WAREHOUSE_POOL,
        can_subset=True,  # one load fills both tables; a subset run reports only the selected ones
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource):
        from ingestion.catalogue import load_dataset, plan

        planned = plan(landing.location())
        report = load_dataset(dataset, planned, warehouse.location())
        context.log.info(f"{dataset}: {len(report.deliveries_loaded)} deliveries, {report.rows} rows loaded")
        for e in report.quarantined:
            context.log.error(f"quarantined: {e}")
        if key in context.selected_asset_keys:
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "rows_loaded": report.rows,
                    "deliveries": len(report.deliveries_loaded),
                    "quarantined": len(report.quarantined),
                    "unrecognised_files": dg.MetadataValue.json(planned.unrecognised[:50]),
                },
            )
        if quarantine.key in context.selected_asset_keys:
            yield quarantine_materialization(dataset, len(report.quarantined))
        if dg.AssetCheckKey(key, "no_quarantined_deliveries") in context.selected_asset_check_keys:
            yield quarantine_check(key, report.quarantined, "no_quarantined_deliveries")

    return _ingest


LANDING_FILES = dg.AssetKey(["landing_zone", "files"])


@dg.multi_asset(
    name="landing_zone_inventory",
    specs=[
        dg.AssetSpec(
            LANDING_FILES,
            group_name=ingest_group("landing_zone"),
            kinds={"dlt", "duckdb"},
            description="Every file under the landing root and what became of it "
            "(recognised, unrecognised, unreadable).",
        )
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "every_file_recognised",
            asset=LANDING_FILES,
            description="No landed file is unreadable or of an unknown format.",
        )
    ],
    pool=WAREHOUSE_POOL,
)
def landing_zone_inventory(context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource):
    from ingestion._common.inventory import load_inventory
    from ingestion.catalogue import plan

    rows = load_inventory(plan(landing.location()), warehouse.location())
    problems = [r for r in rows if r["status"] != "recognised"]
    yield dg.MaterializeResult(
        asset_key=LANDING_FILES,
        metadata={
            "files": len(rows),
            "unrecognised": sum(r["status"] == "unrecognised" for r in rows),
            "unreadable": sum(r["status"] == "unreadable" for r in rows),
        },
    )
    yield dg.AssetCheckResult(
        asset_key=LANDING_FILES,
        check_name="every_file_recognised",
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR
        if any(r["status"] == "unreadable" for r in problems)
        else dg.AssetCheckSeverity.WARN,
        description="; ".join(f"{r['path']}: {r['status']} ({r['reason']})" for r in problems)[:2000] or None,
    )


# written by `finops load` (outside Dagster): the files of a load that nothing loaded or quarantined
LOAD_REJECTS = dg.AssetSpec(
    dg.AssetKey(["landing_zone", "load_rejects"]),
    group_name=ingest_group("landing_zone"),
    kinds={"duckdb"},
    description="Files given to `finops load` that no dataset loaded or quarantined "
    "(unreadable, or of no known format), written by `finops load`.",
)


@dg.definitions
def defs() -> dg.Definitions:
    ingest = [build_ingest_asset(ds, tbl) for ds, tbl in sorted(catalogue.raw_tables().items())]
    return dg.Definitions(assets=[landing_zone_inventory, LOAD_REJECTS, *ingest])
