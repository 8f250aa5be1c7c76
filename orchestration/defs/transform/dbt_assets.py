"""dbt models as assets, dbt tests as asset checks. Unit tests run in CI, not in production runs."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.ingest.billing_exports import WAREHOUSE_POOL
from orchestration.lib.dbt import FinopsDbtTranslator, dbt_project, prepare_manifest
from orchestration.lib.settings import Settings


def dbt_build_args() -> list[str]:
    """Production dbt invocation: build models, seeds and data tests; unit tests belong to CI."""
    return ["build", "--exclude-resource-type", "unit_test"]


@dg.definitions
def defs() -> dg.Definitions:
    project = dbt_project()

    @dbt_assets(manifest=prepare_manifest(), project=project, dagster_dbt_translator=FinopsDbtTranslator(),
                pool=WAREHOUSE_POOL, name="finops_dbt")
    def finops_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        Settings.from_env().export()
        yield from dbt.cli(dbt_build_args(), context=context).stream()

    return dg.Definitions(assets=[finops_dbt])
