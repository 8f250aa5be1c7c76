"""AWS Cost and Usage Reports -> raw dataset ``aws_cur``, table ``line_items``.

Three formats load into the same table with identical columns (CUR 2.0 snake_case names):

* ``aws_cur2`` - AWS Data Exports CUR 2.0, Parquet (``<export>/data/BILLING_PERIOD=YYYY-MM/...parquet``),
  MAP columns ``resource_tags``, ``cost_category``, ``product``, ``discount`` serialised to JSON text;
* ``aws_cur2_csv`` - the same export as gzip CSV (maps already JSON text);
* ``aws_cur_legacy`` - the legacy CUR CSV/CSV.gz (``<report>/YYYYMMDD-YYYYMMDD/<assembly>/...csv.gz``) with
  ``lineItem/UnblendedCost`` style headers, translated to the CUR 2.0 names.

Cost rule (see README.md): BilledCost = ``line_item_unblended_cost``; EffectiveCost = the CUR amortised cost
(Savings Plan / RI effective cost on covered usage, unused commitment on the fee rows, 0 for negations and
upfront fees, unblended cost otherwise).

Run: ``python -m ingestion.aws_cur PATH --warehouse warehouse/finops.duckdb``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dlt

from ingestion._common.formats import BillingFormat
from ingestion._common.source import billing_resources

from . import helpers
from .settings import DATASET, REQUIRED_CUR2, REQUIRED_LEGACY, SAMPLE_HEADER_CUR2, TABLE

FORMATS: tuple[BillingFormat, ...] = (
    BillingFormat(
        id="aws_cur2",
        dataset=DATASET,
        table=TABLE,
        label="AWS Data Exports CUR 2.0 (Parquet)",
        sniff=helpers.sniff_cur2_parquet,
        build_select=helpers.build_select_cur2,
        required_columns=REQUIRED_CUR2,
        read_columns=helpers.read_columns_cur2,
        reader=helpers.read_cur2_parquet,
        duckdb_parquet=True,
        priority=20,
        sample_header=SAMPLE_HEADER_CUR2,
    ),
    BillingFormat(
        id="aws_cur2_csv",
        dataset=DATASET,
        table=TABLE,
        label="AWS Data Exports CUR 2.0 (gzip CSV)",
        sniff=helpers.sniff_cur2_csv,
        build_select=helpers.build_select_cur2,
        required_columns=REQUIRED_CUR2,
        priority=21,
        sample_header=SAMPLE_HEADER_CUR2,
    ),
    BillingFormat(
        id="aws_cur_legacy",
        dataset=DATASET,
        table=TABLE,
        label="AWS legacy Cost and Usage Report (CSV)",
        sniff=helpers.sniff_legacy,
        build_select=helpers.build_select_legacy,
        required_columns=REQUIRED_LEGACY,
        read_columns=helpers.read_columns_legacy,
        priority=22,
    ),
)


@dlt.source(name=DATASET, max_table_nesting=0)
def aws_cur(deliveries: Sequence[Any] = (), quarantined: Sequence[Any] = (), full_refresh: bool = False) -> Any:
    """The ``aws_cur`` dlt source: resources ``line_items`` (the planned deliveries of :data:`FORMATS`) and
    ``quarantine``; see :func:`ingestion._common.source.billing_resources`."""
    return billing_resources(DATASET, FORMATS, deliveries, quarantined, full_refresh)


__all__ = ["DATASET", "FORMATS", "TABLE", "aws_cur"]
