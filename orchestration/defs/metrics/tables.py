"""The metric tables as assets (group ``metrics``): one asset ``metrics/<name>`` per table of
:data:`serving.metrics.ALL_TABLES` (the MetricFlow metric tables and the data-health SQL tables), all materialised by
one step (``metric_tables``), which asks MetricFlow for each table's SQL from the dbt project's semantic models and
metrics (``dbt_project/models/semantic/``) and writes ``metrics.<name>`` into the warehouse (logic in
:mod:`serving.metrics`; reference: docs/metrics.md).

Each table depends on the dbt models its metrics read (their semantic models and the time spine, from the semantic
manifest; an SQL table: the marts it reads), so it runs after the marts, and the publication (``bi_publication``)
runs after it and copies the schema ``metrics`` to the read-only BI copy. Selecting some of the tables materialises
only those.
"""

import dagster as dg

from orchestration.lib.constants import METRICS_GROUP, WAREHOUSE_POOL, metric_table_key
from orchestration.lib.resources import WarehouseResource


def metric_table_specs() -> list[dg.AssetSpec]:
    from orchestration.lib.dbt import prepare_dbt_project
    from serving.metrics import ALL_TABLES, SemanticLayer

    prepare_dbt_project()  # the semantic manifest is written by dbt parse
    layer = SemanticLayer()
    return [
        dg.AssetSpec(
            key=metric_table_key(table.name),
            deps=[dg.AssetKey([model]) for model in sorted(layer.models_of(table))],
            group_name=METRICS_GROUP,
            kinds={"duckdb"},
            description=f"metrics.{table.name}: {table.description}"
            + (f" Metrics: {', '.join(table.metrics)}." if hasattr(table, "metrics") else ""),
            metadata={"columns": dg.MetadataValue.json(list(table.columns))},
            skippable=True,
        )
        for table in ALL_TABLES
    ]


def build_metric_tables_asset() -> dg.AssetsDefinition:
    @dg.multi_asset(name="metric_tables", specs=metric_table_specs(), can_subset=True, pool=WAREHOUSE_POOL)
    def metric_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        from serving.metrics import ALL_TABLES, materialise

        selected = {key.path[-1] for key in context.selected_asset_keys}
        report = materialise(warehouse.location(), [t for t in ALL_TABLES if t.name in selected])
        context.log.info(report.summary())
        for relation, rows in report.tables.items():
            yield dg.MaterializeResult(asset_key=metric_table_key(relation.split(".", 1)[1]), metadata={"rows": rows})

    return metric_tables


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_metric_tables_asset()])
