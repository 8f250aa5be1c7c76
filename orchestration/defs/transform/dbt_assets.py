"""dbt models as assets, dbt tests as asset checks. Unit tests run in CI, not in production runs."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.ingest.billing_exports import WAREHOUSE_POOL
from orchestration.lib.dbt import FinopsDbtTranslator, dbt_project, prepare_manifest
from orchestration.lib.settings import Settings


class DbtRunConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from scratch (after a change of model logic; deliveries are otherwise
    reprocessed only when they are re-delivered)."""


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    """Production dbt invocation: build models, seeds and data tests; unit tests belong to CI."""
    return ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else [])]


@dg.definitions
def defs() -> dg.Definitions:
    project = dbt_project()

    @dbt_assets(manifest=prepare_manifest(), project=project, dagster_dbt_translator=FinopsDbtTranslator(),
                pool=WAREHOUSE_POOL, name="finops_dbt")
    def finops_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtRunConfig):
        from ingestion.catalogue import ensure_raw_tables

        settings = Settings.from_env()
        settings.export()
        # every dbt source exists, empty if nothing was loaded yet (also when the ingest assets are not selected)
        created = ensure_raw_tables(settings.warehouse)
        if created:
            context.log.info(f"created empty raw tables of {', '.join(created)}")
        yield from dbt.cli(dbt_build_args(config.full_refresh), context=context).stream()

    return dg.Definitions(assets=[finops_dbt])
