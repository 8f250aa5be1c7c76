"""Names the Dagster definitions share (one place, so no defs module imports a sibling for them)."""

from __future__ import annotations

import dagster as dg

# Every asset and check that reads or writes the DuckDB warehouse runs in this pool: DuckDB allows one writer per file,
# so the instance limits the pool to one step at a time (dagster.yaml); the run lock (ingestion/_common/lock.py)
# keeps two runs apart.
WAREHOUSE_POOL = "warehouse"

# Groups that are not derived from the dbt project's folders (FinopsDbtTranslator derives those).
INGEST_GROUP_PREFIX = "ingest_"
CLOSE_GROUP = "monthly_close"
PUBLICATION_GROUP = "publication"
METRICS_GROUP = "metrics"

# Jobs
REFRESH_JOB = "refresh_all"
CLOSE_JOB = "monthly_close"
CLOSE_PACK_ONLY_JOB = "monthly_close_pack_only"

# Assets other modules point at (dbt models keyed by name, as FinopsDbtTranslator keys them)
FCT_CHARGES = dg.AssetKey(["fct_charges"])
FCT_COST_ALLOCATED = dg.AssetKey(["fct_cost_allocated"])
FOCUS_EXPORT = dg.AssetKey(["focus_cost_and_usage"])
QUARANTINE_VIEW = dg.AssetKey(["fct_quarantined_records"])
CHARGEBACK_JOURNAL = dg.AssetKey(["fct_chargeback_journal"])
INVOICE_RECONCILIATION = dg.AssetKey(["fct_invoice_reconciliation"])
BUDGET_VS_ACTUAL = dg.AssetKey(["fct_budget_vs_actual"])
COST_ANOMALIES = dg.AssetKey(["fct_cost_anomalies"])
CLOSE_PACK = dg.AssetKey(["close_pack"])
BI_PUBLICATION = dg.AssetKey(["bi_publication"])


def metric_table_key(name: str) -> dg.AssetKey:
    """The asset of the metric table ``metrics.<name>`` (``[metrics, name]``, orchestration/defs/metrics)."""
    return dg.AssetKey([METRICS_GROUP, name])


def ingest_group(dataset: str) -> str:
    """The group of a source's raw tables (and its quarantine table): ``ingest_<dataset>``."""
    return f"{INGEST_GROUP_PREFIX}{dataset}"
