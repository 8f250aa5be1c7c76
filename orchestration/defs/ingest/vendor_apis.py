"""One Dagster multi-asset per AI vendor API dataset (``openai_usage``, ``anthropic_usage``): dlt loads the vendor's
usage and cost APIs into the raw tables [dataset, table], which are also the dbt source keys, so lineage needs no
glue. All logic is in :mod:`ingestion._common.api_sources`; this module only wires it.

Organisations, keys and the window come from the environment / dlt config when the asset runs (never at import):
``SOURCES__OPENAI_USAGE__ORGANIZATIONS`` / ``..._API_KEY``, ``SOURCES__ANTHROPIC_USAGE__...``, ``..._START_DATE`` etc.
A vendor without a key does not fail: its tables are created empty and materialize with ``configured=false``.
"""

import dagster as dg

from ingestion.catalogue import api_sources
from orchestration.lib.constants import WAREHOUSE_POOL
from orchestration.lib.ingest_reports import api_load_results, raw_table_spec
from orchestration.lib.resources import WarehouseResource


def build_vendor_api_asset(dataset: str) -> dg.AssetsDefinition:
    source = api_sources()[dataset]
    keys = {table: dg.AssetKey([dataset, table]) for table in source.tables}

    @dg.multi_asset(
        name=f"ingest_{dataset}",
        specs=[
            raw_table_spec(
                key,
                dataset,
                f"Raw {source.vendor} {table} rows loaded by dlt from the {source.vendor} "
                "admin API (merged on natural keys; recent days re-fetched and replaced).",
            )
            for table, key in keys.items()
        ],
        pool=WAREHOUSE_POOL,
        can_subset=True,  # one API load fills every table; a subset run reports only the selected ones
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        from ingestion.catalogue import load_api_dataset

        report = load_api_dataset(dataset, warehouse.location())
        yield from api_load_results(context, report, keys, lambda _: {"organizations": report.organizations})

    return _ingest


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_vendor_api_asset(ds) for ds in sorted(api_sources())])
