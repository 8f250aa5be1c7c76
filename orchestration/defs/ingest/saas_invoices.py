"""The SaaS invoices ingest asset: dlt's declarative ``rest_api`` source loads the invoices and invoice lines of
every AI SaaS vendor that bills through a Stripe-style invoices API (Cursor, ElevenLabs, Mistral AI, ...) into
[saas_invoices, invoices] and [saas_invoices, invoice_lines], which are also the dbt source keys, so lineage needs
no glue. All logic is in :mod:`ingestion.saas_invoices.runner`; this module only wires it.

Vendors and keys come from ``SOURCES__SAAS_INVOICES__VENDORS`` (JSON list of ``{"name", "base_url", "api_key"}``)
or ``.dlt/secrets.toml`` when the asset runs (never at import). No vendor configured does not fail: both tables are
created empty and materialize with ``configured=false``.
"""

import dagster as dg

from orchestration.lib.constants import WAREHOUSE_POOL
from orchestration.lib.ingest_reports import api_load_results, raw_table_spec
from orchestration.lib.resources import WarehouseResource

DATASET = "saas_invoices"
TABLES = ("invoices", "invoice_lines")
KEYS = {table: dg.AssetKey([DATASET, table]) for table in TABLES}
_DESCRIPTIONS = {
    "invoices": "Raw SaaS vendor invoices (Stripe-style invoices API, one row per invoice, amounts DECIMAL in major "
    "units) loaded by dlt's rest_api source; merged on id, recent invoices re-read (look-back).",
    "invoice_lines": "Raw SaaS vendor invoice lines (seats, usage, overage, credits, discounts; quantity with its "
    "unit and virtual pricing currency) loaded by dlt's rest_api source; merged on (invoice_id, id).",
}


@dg.multi_asset(
    name=f"ingest_{DATASET}",
    specs=[raw_table_spec(key, DATASET, _DESCRIPTIONS[t]) for t, key in KEYS.items()],
    pool=WAREHOUSE_POOL,
    can_subset=True,  # one load fills both tables; a subset run reports only the selected one
)
def ingest_saas_invoices(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    from ingestion.saas_invoices.runner import load_saas_invoices

    report = load_saas_invoices(warehouse.location())
    yield from api_load_results(
        context,
        report,
        KEYS,
        lambda table: {
            "vendors": report.vendors,
            "rows_by_vendor": {v: rows.get(table, 0) for v, rows in report.rows_by_vendor.items()},
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[ingest_saas_invoices])
