"""FOCUS exports as the clouds produce them today (AWS Data Exports FOCUS 1.0/1.2, Azure FOCUS 1.0/1.2-preview,
Google Cloud's FOCUS view, OCI FOCUS reports, SaaS vendors), CSV, CSV.gz or Parquet, into
``focus_exports.focus_rows``; normalised to FOCUS 1.2 by ``stg_focus_exports__focus_rows``.

Formats: ``focus_1_2`` (any FOCUS 1.1/1.2 column in the header) and ``focus_1_0`` (FOCUS 1.0, and the
1.0-preview/0.5 column names). Load a folder or a file with
``python -m ingestion.focus_exports PATH --warehouse W``. See README.md.
"""
from .settings import FORMATS

__all__ = ["FORMATS"]
