"""The read-only BI copy as an asset: ``bi_publication`` copies the marts, the reference data and the metric tables
into ``<warehouse dir>/published/finops_bi.duckdb`` (logic in :mod:`serving.publish`).

It depends on every dbt model and seed that builds in the ``marts`` and ``reference`` schemas (read from the dbt
manifest) and on the metric tables (``metrics/<name>``, group ``metrics``), so it runs after them, and a failing
*blocking* check on any of them (dbt tests of severity error, the blocking Great Expectations suites of the finance
marts, the FOCUS validator) skips it: BI keeps the last good copy instead of a bad one. It reads the warehouse, so it
runs in the ``warehouse`` pool like every warehouse reader-writer.
"""

import dagster as dg

from orchestration.lib.constants import BI_PUBLICATION, PUBLICATION_GROUP, WAREHOUSE_POOL, metric_table_key
from orchestration.lib.resources import WarehouseResource

BI_SCHEMAS = ("marts", "reference", "metrics")


def bi_relations() -> list[dg.AssetKey]:
    """The asset keys of the dbt models and seeds in the published schemas (``[name]``, as FinopsDbtTranslator
    keys them) and of the metric tables (``[metrics, name]``)."""
    from orchestration.lib.dbt import manifest_node_names
    from serving.metrics import ALL_TABLES

    models = [dg.AssetKey([name]) for name in sorted(manifest_node_names(("model", "seed"), BI_SCHEMAS))]
    return models + [metric_table_key(t.name) for t in ALL_TABLES]


def build_publication_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=BI_PUBLICATION,
        deps=deps,
        pool=WAREHOUSE_POOL,
        group_name=PUBLICATION_GROUP,
        kinds={"duckdb"},
        description="Read-only copy of the marts, reference data and metric tables for BI tools "
        "(<warehouse dir>/published/finops_bi.duckdb), swapped in atomically; skipped when a "
        "blocking check on a mart fails, so BI keeps the last good copy.",
    )
    def bi_publication(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from serving.publish import publish

        report = publish(warehouse.location(), schemas=BI_SCHEMAS)
        context.log.info(report.summary())
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(report.path)),
                "tables": len(report.tables),
                "rows": report.rows,
                "published_at": report.published_at.isoformat(),
            }
        )

    return bi_publication


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_publication_asset(bi_relations())])
