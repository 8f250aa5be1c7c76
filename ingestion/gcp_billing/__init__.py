"""GCP Cloud Billing standard usage cost export -> ``gcp_billing.billing_export_rows``.

Formats: ``gcp_billing_jsonl`` (BigQuery extract, newline-delimited JSON, optionally gzip),
``gcp_billing_parquet`` (BigQuery extract, Parquet) and ``gcp_billing_csv`` (flattened, dot-named CSV).
Layout: ``<export>/invoice_month=YYYYMM/<files>``; one delivery per export and invoice month, merged on
``(x_export_id, x_billing_period)`` so a re-delivered month replaces that month. See README.md.

Run one load: ``python -m ingestion.gcp_billing PATH --warehouse W``.
"""
from .settings import DATASET, FORMATS, TABLE

__all__ = ["DATASET", "FORMATS", "TABLE"]
