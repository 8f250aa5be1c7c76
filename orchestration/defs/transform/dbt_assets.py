"""dbt models as assets, dbt tests as asset checks. Unit tests run in CI, not in production runs."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.lib.constants import WAREHOUSE_POOL
from orchestration.lib.dbt import FinopsDbtTranslator, dbt_project, prepare_dbt_project
from orchestration.lib.resources import WarehouseResource


class DbtRunConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from scratch (after a change of model logic; deliveries are otherwise
    reprocessed only when they are re-delivered)."""


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    """Production dbt invocation: build models, seeds and data tests; unit tests belong to CI."""
    return ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else [])]


@dg.definitions
def defs() -> dg.Definitions:
    prepare_dbt_project()  # dbt parse when the project changed since the manifest was written

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=FinopsDbtTranslator(),
        pool=WAREHOUSE_POOL,
        name="finops_dbt",
    )
    def finops_dbt(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtRunConfig
    ):
        from ingestion.catalogue import ensure_raw_tables

        location = warehouse.export()  # dbt's profiles.yml reads FINOPS_WAREHOUSE
        # every dbt source exists, empty if nothing was loaded yet (also when the ingest assets are not selected)
        created = ensure_raw_tables(location)
        if created:
            context.log.info(f"created empty raw tables of {', '.join(created)}")
        yield from dbt.cli(dbt_build_args(config.full_refresh), context=context).stream()

    return dg.Definitions(assets=[finops_dbt])
