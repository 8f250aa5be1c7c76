"""The catalogue: every source the warehouse loads, listed once, above the sources.

The shared machinery in :mod:`ingestion._common` never imports a dataset package; this module does, and hands the
machinery what it needs (the formats to sniff with, a dataset's ``@dlt.source``, the landing folders of the file
drops, the table makers). Orchestration, the CLI, the benchmarks and the tests import the sources through it.

* **Billing exports** (:data:`BILLING_DATASETS`): one :class:`~ingestion._common.formats.BillingDataset` per dataset
  package (``aws_cur``, ``azure_cost_details``, ``focus_exports``, ``gcp_billing``): its raw table, its ``FORMATS``
  and its ``@dlt.source``. Adding a billing format or a dataset is one line here (``docs/adding-a-dataset.md``).
  :func:`plan` finds and sniffs deliveries, :func:`load_dataset` loads one dataset's deliveries.
* **Vendor APIs** (:func:`api_sources`): ``openai_usage``, ``anthropic_usage``, as
  :class:`~ingestion._common.api_sources.ApiSource`; :func:`load_api_dataset` loads one.
* **File drops and SQL sources** with their own runner (``business_kpis``, ``finance``, ``saas_invoices``):
  :data:`FILE_DROPS` (the landing folders a billing plan leaves to them) and :data:`TABLE_MAKERS` (their raw tables,
  created empty by :func:`ensure_raw_tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ingestion import (
    anthropic_usage,
    aws_cur,
    azure_cost_details,
    business_kpis,
    finance,
    focus_exports,
    gcp_billing,
    openai_usage,
)
from ingestion._common import api_sources as _api
from ingestion._common import cli as _cli
from ingestion._common import source as _billing
from ingestion._common.api_sources import ApiLoadReport, ApiSource
from ingestion._common.formats import BillingDataset, BillingFormat, by_priority, detect_format, format_by_id
from ingestion._common.inventory import ensure_inventory_table
from ingestion._common.source import QUARANTINE_TABLE, LoadReport, Plan, quarantine_hints
from ingestion._common.tables import ensure_tables, existing_tables
from ingestion.anthropic_usage import helpers as anthropic_helpers
from ingestion.anthropic_usage import settings as anthropic_settings
from ingestion.business_kpis.runner import ensure_kpi_tables
from ingestion.finance.runner import ensure_finance_tables
from ingestion.openai_usage import helpers as openai_helpers
from ingestion.openai_usage import settings as openai_settings
from ingestion.saas_invoices.runner import ensure_saas_tables

# ----------------------------------------------------------------------------------------------------------------------
# billing exports: one line per dataset package (its DATASET, TABLE, FORMATS and @dlt.source)
# ----------------------------------------------------------------------------------------------------------------------
BILLING_DATASETS: tuple[BillingDataset, ...] = (
    BillingDataset(aws_cur.DATASET, aws_cur.TABLE, aws_cur.FORMATS, aws_cur.aws_cur),
    BillingDataset(
        azure_cost_details.DATASET,
        azure_cost_details.TABLE,
        azure_cost_details.FORMATS,
        azure_cost_details.azure_cost_details,
    ),
    BillingDataset(focus_exports.DATASET, focus_exports.TABLE, focus_exports.FORMATS, focus_exports.focus_exports),
    BillingDataset(gcp_billing.DATASET, gcp_billing.TABLE, gcp_billing.FORMATS, gcp_billing.gcp_billing),
)

# ----------------------------------------------------------------------------------------------------------------------
# file drops loaded by their own source: landing folder -> dataset (a billing plan lists their files apart)
# ----------------------------------------------------------------------------------------------------------------------
FILE_DROPS: dict[str, str] = {
    business_kpis.settings.LANDING_PREFIX: business_kpis.DATASET,
    finance.settings.LANDING_PREFIX: finance.settings.DATASET,
}

# the raw tables of the sources with their own runner, created empty by ensure_raw_tables: (warehouse, existing=)
TABLE_MAKERS: tuple[Callable[..., list[str]], ...] = (ensure_kpi_tables, ensure_saas_tables, ensure_finance_tables)


def billing_datasets() -> tuple[BillingDataset, ...]:
    """:data:`BILLING_DATASETS`, read at call time (a test may add a dataset to it)."""
    return tuple(BILLING_DATASETS)


def billing_dataset(dataset: str) -> BillingDataset:
    for b in billing_datasets():
        if b.name == dataset:
            return b
    known = ", ".join(b.name for b in billing_datasets())
    raise ValueError(f"Unknown billing dataset {dataset!r}. Known datasets: {known}.")


def formats() -> tuple[BillingFormat, ...]:
    """Every billing export format the warehouse understands, in the order they sniff."""
    return by_priority(f for b in billing_datasets() for f in b.formats)


def by_id(format_id: str) -> BillingFormat:
    return format_by_id(formats(), format_id)


def datasets() -> list[str]:
    return sorted(b.name for b in billing_datasets())


def raw_tables() -> dict[str, str]:
    """dataset -> its raw table (every format of a dataset loads into the same table)."""
    return {b.name: b.table for b in billing_datasets()}


def detect(header: list[str], rel_path: str) -> BillingFormat | None:
    return detect_format(formats(), header, rel_path)


def plan(root: str, format_id: str | None = None) -> Plan:
    """Discover the billing deliveries under ``root`` and sniff each one's format (``format_id`` forces one)."""
    return _billing.plan_deliveries(root, formats(), format_id, FILE_DROPS)


def load_dataset(dataset: str, planned: Plan, warehouse: str, full_refresh: bool = False) -> LoadReport:
    """Load one billing dataset's planned deliveries with its own ``@dlt.source``; see
    :func:`ingestion._common.source.load_billing_dataset`."""
    return _billing.load_billing_dataset(billing_dataset(dataset), planned, warehouse, full_refresh)


def main(dataset: str, argv: list[str] | None = None) -> int:
    """``python -m ingestion.<dataset> PATH --warehouse W`` of a billing dataset."""
    return _cli.main(
        dataset, argv, format_ids=[f.id for f in formats() if f.dataset == dataset], plan=plan, load=load_dataset
    )


# ----------------------------------------------------------------------------------------------------------------------
# vendor APIs
# ----------------------------------------------------------------------------------------------------------------------
API_SOURCES: tuple[ApiSource, ...] = (
    ApiSource(
        openai_settings.DATASET,
        "OpenAI",
        openai_settings.SECRET_ENV,
        openai_settings.ORGS_SECRET_ENV,
        openai_settings.DEFAULT_BASE_URL,
        openai_usage.openai_usage,
        openai_usage.table_hints,
        openai_helpers.parse_organizations,
    ),
    ApiSource(
        anthropic_settings.DATASET,
        "Anthropic",
        anthropic_settings.ENV_API_KEY,
        anthropic_settings.ENV_ORGANIZATIONS,
        anthropic_settings.DEFAULT_BASE_URL,
        anthropic_usage.anthropic_usage,
        anthropic_usage.table_hints,
        anthropic_helpers.parse_organizations,
    ),
)


def api_sources() -> dict[str, ApiSource]:
    """dataset -> :class:`~ingestion._common.api_sources.ApiSource`, for every vendor API the warehouse loads."""
    return {s.dataset: s for s in API_SOURCES}


def api_tables() -> dict[str, tuple[str, ...]]:
    """dataset -> its raw tables (the dbt source tables), for every vendor API."""
    return {ds: s.tables for ds, s in api_sources().items()}


def load_api_dataset(dataset: str, warehouse: str) -> ApiLoadReport:
    """Load one vendor API dataset with the configuration found now; see
    :func:`ingestion._common.api_sources.load_api_source`."""
    return _api.load_api_source(api_sources()[dataset], warehouse)


def organization_names(dataset: str, args: dict[str, Any]) -> list[str]:
    """The organisations configured for a vendor API dataset (validated by its source's own parser)."""
    return _api.organization_names(api_sources()[dataset], args)


def ensure_api_tables(
    warehouse: str, datasets: Iterable[str] | None = None, existing: set[tuple[str, str]] | None = None
) -> list[str]:
    """Create, empty, every vendor API table (of ``datasets``, default all) that does not exist yet."""
    sources = api_sources()
    return _api.ensure_api_tables(warehouse, [sources[ds] for ds in sorted(datasets or sources)], existing)


# ----------------------------------------------------------------------------------------------------------------------
# every raw table
# ----------------------------------------------------------------------------------------------------------------------
def ensure_raw_tables(warehouse: str) -> list[str]:
    """Create, empty, every dataset's raw table that does not exist yet (so that dbt finds all its sources when
    only some providers have delivered): the billing exports' raw tables and their ``quarantine`` tables (created by
    a load only once something was quarantined), the landing inventory ``landing_zone.files``
    (:func:`~ingestion._common.inventory.ensure_inventory_table`), every table of the vendor API datasets
    (:func:`ensure_api_tables`) and those of the sources with their own runner (:data:`TABLE_MAKERS`: business
    KPIs, SaaS invoices, finance, each with its ``quarantine`` table). Returns the datasets created."""
    existing = existing_tables(warehouse)
    created = []
    for ds, table in sorted(raw_tables().items()):
        if (ds, table) not in existing:
            load_dataset(ds, Plan(), warehouse)
            created.append(ds)
        if ensure_tables(warehouse, ds, {QUARANTINE_TABLE: quarantine_hints()}, existing) and ds not in created:
            created.append(ds)
    made = ensure_inventory_table(warehouse, existing=existing) + ensure_api_tables(warehouse, existing=existing)
    for make in TABLE_MAKERS:
        made += make(warehouse, existing=existing)
    created += sorted({t.split(".")[0] for t in made})
    return created
