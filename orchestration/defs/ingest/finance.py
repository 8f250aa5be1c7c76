"""The finance ingest asset: dlt loads the ERP's AP invoice lines, card and expense transactions, FX rates (file
drops under ``<FINOPS_LANDING>/finance/``) and the general-ledger journal lines (``SOURCES__FINANCE__LEDGER__
CREDENTIALS``) into [finance, <table>], which are also the dbt source keys, so lineage needs no glue. All logic is
in :mod:`ingestion.finance.runner`; this module only wires it.

Configuration is read when the asset runs (never at import). Nothing configured does not fail: the tables are
created empty and every table materializes with ``configured=false``. Quarantined rows fail the table's check
``no_quarantined_rows`` (the rest of the data is loaded).
"""

import dagster as dg

from orchestration.lib.constants import WAREHOUSE_POOL
from orchestration.lib.ingest_reports import (
    QUARANTINE_CHECK,
    drop_load_results,
    quarantine_spec,
    raw_table_spec,
    with_load_state,
)
from orchestration.lib.resources import LandingResource, WarehouseResource

DATASET = "finance"
TABLES = {
    "ap_invoice_lines": "Accounts-payable invoice lines from the ERP's CSV/XLSX exports (finance/ap/), merged on "
    "(supplier_id, invoice_number, line_number); a re-exported invoice replaces all its lines.",
    "card_transactions": "Corporate card statement lines (finance/cards/) and expense-report lines "
    "(finance/expenses/), merged on (channel, transaction_id).",
    "fx_rates": "Treasury's daily FX rates (finance/fx_rates/), merged on (rate_date, base_currency, "
    "quote_currency, rate_source).",
    "gl_journal_lines": "General-ledger journal lines read incrementally (updated_at) from the ledger database by "
    "dlt sql_database, merged on (journal_id, line_number).",
}
KEYS = {t: dg.AssetKey([DATASET, t]) for t in TABLES}
QUARANTINE = quarantine_spec(DATASET)


def materialize_metadata(report, table: str) -> dict:
    """Dagster metadata of one table from a :class:`~ingestion.finance.runner.FinanceLoadReport` (no secret: the
    ledger is shown without its password)."""
    from ingestion.finance.runner import LEDGER_PART, PART_TABLES

    sources = {
        part: (
            (report.ledger_source if part == LEDGER_PART else report.paths.get(part))
            if report.parts[part]
            else "not configured"
        )
        for part, t in PART_TABLES.items()
        if t == table
    }
    meta = {
        "configured": report.configured_for(table),
        "rows_loaded": report.rows.get(table, 0),
        "sources": dg.MetadataValue.json(sources),
        "quarantined": len(report.quarantined_for(table)),
    }
    if table != "gl_journal_lines":
        meta["files_loaded"] = dg.MetadataValue.json(report.files_for(table, report.files_loaded)[:50])
        meta["files_unchanged"] = len(report.files_for(table, report.files_skipped))
    hint = report.hint or "see ingestion/finance/README.md"
    return with_load_state(meta, report, f"{DATASET}.{table}", report.configured_for(table), hint)


@dg.multi_asset(
    name=f"ingest_{DATASET}",
    specs=[
        *(raw_table_spec(key, DATASET, TABLES[t]) for t, key in KEYS.items()),
        QUARANTINE,
    ],
    check_specs=[
        dg.AssetCheckSpec(
            QUARANTINE_CHECK, asset=key, description=f"Every {t} row loaded; none quarantined (finops quarantine)."
        )
        for t, key in KEYS.items()
    ],
    pool=WAREHOUSE_POOL,
    can_subset=True,  # one load fills every table; a subset run reports only the selected ones
)
def ingest_finance(context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource):
    from ingestion.finance.runner import load_finance

    report = load_finance(warehouse.location(), landing.location())
    yield from drop_load_results(
        context, DATASET, report, KEYS, lambda table: materialize_metadata(report, table), report.quarantined_for
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[ingest_finance])
