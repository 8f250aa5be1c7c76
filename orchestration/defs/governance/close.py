"""Monthly close: the job ``monthly_close``, partitioned by billing month, re-builds the month's finance and governance
models (``CLOSE_DBT_SELECTION``: the finance and governance marts, the governance seeds (budgets, annotations) and
the intermediate models between those marts and the FOCUS record / the allocation (daily cost series, forecast,
anomaly detection), with their dbt tests and the governance checks), then writes the month's close pack (asset
``close_pack``, logic in :mod:`serving.close_pack`): the chargeback journal, the invoice reconciliation of the
billing period and the budget-vs-actual of the month, as CSV files and a formatted workbook, under
``$FINOPS_CLOSE_DIR/<YYYY-MM>/`` (default ``<warehouse dir>/close/<YYYY-MM>/``). Re-running a month replaces its
pack.

The dbt models are not partitioned: a close re-builds them whole on top of the FOCUS record and the allocation
(``fct_charges``, ``fct_cost_allocated``) of the last full run (``finops run``, or the daily refresh), then cuts the
month. Partitions are billing months ``YYYY-MM`` from ``CLOSE_START`` to the last complete month. ``finops close
YYYY-MM`` runs one; the schedule ``monthly_close_schedule`` (stopped by default) closes the previous month on the 5th
at 08:00 UTC, after the daily refresh.

``close_pack`` is excluded from ``refresh_all`` (the daily and sensor-started runs, and ``finops run``): it needs a
partition.
"""

from pathlib import Path

import dagster as dg

from orchestration.lib.constants import (
    BUDGET_VS_ACTUAL,
    CHARGEBACK_JOURNAL,
    CLOSE_GROUP,
    CLOSE_JOB,
    CLOSE_PACK,
    CLOSE_PACK_ONLY_JOB,
    FCT_CHARGES,
    FCT_COST_ALLOCATED,
    INVOICE_RECONCILIATION,
    WAREHOUSE_POOL,
)
from orchestration.lib.dbt import DOMAIN_TAG, REFERENCE_DATA_GROUP
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.settings import close_root

__all__ = [
    "CLOSE_DBT_SELECTION",
    "CLOSE_PACK",
    "CLOSE_START",
    "billing_months",
    "close_pack",
    "monthly_close",
    "monthly_close_pack_only",
    "monthly_close_schedule",
]

CLOSE_START = "2026-01"

billing_months = dg.MonthlyPartitionsDefinition(start_date=CLOSE_START, fmt="%Y-%m", end_offset=0)


@dg.asset(
    key=CLOSE_PACK,
    partitions_def=billing_months,
    group_name=CLOSE_GROUP,
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "csv"},
    deps=[CHARGEBACK_JOURNAL, INVOICE_RECONCILIATION, BUDGET_VS_ACTUAL],
    description="The billing month's close pack: chargeback journal (balanced, ledger layout), invoice "
    "reconciliation and budget vs actual as CSV, the same in a formatted workbook (XLSX), and a manifest, under "
    "<FINOPS_CLOSE_DIR or warehouse dir/close>/<YYYY-MM>/ (replaced on re-run).",
)
def close_pack(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from serving.close_pack import JOURNAL_FILE, write_close_pack

    period = context.partition_key
    location = warehouse.location()
    out = close_root(location) / period
    pack = write_close_pack(location, period, out)
    if not pack.period_complete:
        context.log.warning(
            f"{period} is not complete in the warehouse (data as of {pack.as_of_date}): this pack is provisional"
        )
    for journal in pack.journals:
        context.log.info(f"{journal}: debits = credits = {pack.journal_debits[journal]}")
    return dg.MaterializeResult(
        metadata={
            "close_dir": dg.MetadataValue.path(str(out)),
            "files": dg.MetadataValue.json({name: Path(p).name for name, p in pack.files.items()}),
            "rows": dg.MetadataValue.json(pack.rows),
            "journal_lines": pack.rows[JOURNAL_FILE],
            "journal_debits_eq_credits": dg.MetadataValue.json(pack.journal_debits),
            "reconciliation_status": dg.MetadataValue.json(pack.reconciliation_status),
            "unexplained_variance": dg.MetadataValue.json(pack.unexplained_variance),
            "budget_status": dg.MetadataValue.json(pack.budget_status),
            "as_of_date": pack.as_of_date or "-",
            "period_complete": pack.period_complete,
        }
    )


# The dbt models the close re-builds: the finance and governance marts, the governance seeds, and the intermediate
# models between them and the FOCUS record / the allocation (daily cost series, forecast, anomaly detection), but
# nothing the record or the allocation is built from. Groups, the domain tag and stable keys
# (orchestration/lib/dbt.py), so models added later are included.
_MARTS = dg.AssetSelection.groups("marts_finance", "marts_governance")
_RECORD = dg.AssetSelection.assets(FCT_CHARGES, FCT_COST_ALLOCATED)
CLOSE_DBT_SELECTION = (
    _MARTS
    | (dg.AssetSelection.groups(REFERENCE_DATA_GROUP) & dg.AssetSelection.tag(DOMAIN_TAG, "governance"))
    | (
        (_MARTS.upstream() & _RECORD.downstream() & dg.AssetSelection.groups("intermediate"))
        - dg.AssetSelection.assets(FCT_COST_ALLOCATED).upstream()
    )
)

monthly_close = dg.define_asset_job(
    CLOSE_JOB,
    selection=CLOSE_DBT_SELECTION | dg.AssetSelection.assets(CLOSE_PACK),
    description="Monthly close of one billing month (partition YYYY-MM): re-build the finance and governance models "
    "(dbt, with their tests and the governance checks), then write the month's close pack.",
)

monthly_close_pack_only = dg.define_asset_job(
    CLOSE_PACK_ONLY_JOB,
    selection=dg.AssetSelection.assets(CLOSE_PACK),
    description="Write one billing month's close pack from the marts as they are (no dbt).",
)

monthly_close_schedule = dg.build_schedule_from_partitioned_job(
    monthly_close,
    name="monthly_close_schedule",
    day_of_month=5,
    hour_of_day=8,
    minute_of_hour=0,
    description="Close the previous billing month on the 5th at 08:00 UTC (stopped by default: finance switches "
    "it on).",
)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[close_pack], jobs=[monthly_close, monthly_close_pack_only], schedules=[monthly_close_schedule]
    )
