"""GCP Cloud Billing standard usage cost export -> ``gcp_billing.billing_export_rows``.

Formats: ``gcp_billing_jsonl`` (BigQuery extract, newline-delimited JSON, optionally gzip),
``gcp_billing_parquet`` (BigQuery extract, Parquet) and ``gcp_billing_csv`` (flattened, dot-named CSV).
Layout: ``<export>/invoice_month=YYYYMM/<files>``; one delivery per export and invoice month, merged on
``(x_export_id, x_billing_period)`` so a re-delivered month replaces that month. See README.md.

Run one load: ``python -m ingestion.gcp_billing PATH --warehouse W``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dlt

from ingestion._common.formats import BillingFormat
from ingestion._common.source import billing_resources

from . import helpers
from .settings import CSV_HEADER, DATASET, TABLE

REQUIRED = ("billing_account_id", "cost", "currency", "usage_start_time", "usage_end_time", "invoice")

FORMATS: tuple[BillingFormat, ...] = (
    BillingFormat(
        id="gcp_billing_jsonl",
        dataset=DATASET,
        table=TABLE,
        label="GCP Cloud Billing export (newline-delimited JSON)",
        sniff=helpers.sniff_jsonl,
        build_select=helpers.build_select_jsonl,
        reader=helpers.read_jsonl,
        required_columns=REQUIRED,
        priority=40,
    ),
    BillingFormat(
        id="gcp_billing_parquet",
        dataset=DATASET,
        table=TABLE,
        label="GCP Cloud Billing export (Parquet)",
        sniff=helpers.sniff_parquet,
        build_select=helpers.build_select_parquet,
        reader=helpers.iter_parquet,
        required_columns=REQUIRED,
        read_columns=helpers.parquet_read_columns,
        priority=40,
    ),
    BillingFormat(
        id="gcp_billing_csv",
        dataset=DATASET,
        table=TABLE,
        label="GCP Cloud Billing export (flattened CSV)",
        sniff=helpers.sniff_csv,
        build_select=helpers.build_select_csv,
        reader=helpers.read_csv,
        required_columns=(*REQUIRED[:-1], "invoice.month"),
        priority=40,
        sample_header=CSV_HEADER,
    ),
)


@dlt.source(name=DATASET, max_table_nesting=0)
def gcp_billing(deliveries: Sequence[Any] = (), quarantined: Sequence[Any] = (), full_refresh: bool = False) -> Any:
    """The ``gcp_billing`` dlt source: resources ``billing_export_rows`` (the planned deliveries of :data:`FORMATS`) and
    ``quarantine``; see :func:`ingestion._common.source.billing_resources`."""
    return billing_resources(DATASET, FORMATS, deliveries, quarantined, full_refresh)


__all__ = ["DATASET", "FORMATS", "TABLE", "gcp_billing"]
