"""FOCUS exports as the clouds produce them today (AWS Data Exports FOCUS 1.0/1.2, Azure FOCUS 1.0/1.2-preview,
Google Cloud's FOCUS view, OCI FOCUS reports, SaaS vendors), CSV, CSV.gz or Parquet, into
``focus_exports.focus_rows``; normalised to FOCUS 1.2 by ``stg_focus_exports__focus_rows``.

Formats: ``focus_1_2`` (any FOCUS 1.1/1.2 column in the header) and ``focus_1_0`` (FOCUS 1.0, and the
1.0-preview/0.5 column names). Load a folder or a file with
``python -m ingestion.focus_exports PATH --warehouse W``. See README.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dlt

from ingestion._common.formats import BillingFormat
from ingestion._common.source import billing_resources

from . import helpers
from .settings import DATASET, SAMPLE_HEADER, TABLE

FORMATS: tuple[BillingFormat, ...] = (
    BillingFormat(
        id="focus_1_2",
        dataset=DATASET,
        table=TABLE,
        label="FOCUS 1.1/1.2 export",
        sniff=helpers.sniff_focus_1_2,
        build_select=helpers.build_select,
        priority=10,
        sample_header=SAMPLE_HEADER,
    ),
    BillingFormat(
        id="focus_1_0",
        dataset=DATASET,
        table=TABLE,
        label="FOCUS 1.0 export (1.0-preview/0.5 column names accepted)",
        sniff=helpers.sniff_focus_1_0,
        build_select=helpers.build_select,
        priority=11,
        sample_header=SAMPLE_HEADER,
    ),
)


@dlt.source(name=DATASET, max_table_nesting=0)
def focus_exports(deliveries: Sequence[Any] = (), quarantined: Sequence[Any] = (), full_refresh: bool = False) -> Any:
    """The ``focus_exports`` dlt source: resources ``focus_rows`` (the planned deliveries of :data:`FORMATS`) and
    ``quarantine``; see :func:`ingestion._common.source.billing_resources`."""
    return billing_resources(DATASET, FORMATS, deliveries, quarantined, full_refresh)


__all__ = ["DATASET", "FORMATS", "TABLE", "focus_exports"]
