"""Azure cost details exports (Enterprise Agreement and Microsoft Customer Agreement, ActualCost and
AmortizedCost datasets) -> ``azure_cost_details.cost_details``.

Formats ``azure_ea`` (PascalCase columns) and ``azure_mca`` (camelCase columns) share one raw column set; the
dataset a delivery carries is the column ``x_cost_type`` ('ActualCost' | 'AmortizedCost'), decided per delivery
from the export path, else the exports v2 ``manifest.json``, else the rows (see ``helpers.detect_cost_type``).
The FOCUS mapping (actual + amortized combination, commitment amortisation) is the dbt model
``stg_azure_cost_details__cost_details``. Layout, grain, merge key and the cost rule: ``README.md``.

Run on its own: ``python -m ingestion.azure_cost_details PATH --warehouse W``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dlt

from ingestion._common.formats import BillingFormat
from ingestion._common.source import billing_resources

from . import helpers
from .settings import DATASET, EA_REQUIRED, EA_SAMPLE_HEADER, MCA_REQUIRED, MCA_SAMPLE_HEADER, TABLE

FORMATS: tuple[BillingFormat, ...] = (
    BillingFormat(
        id="azure_mca",
        dataset=DATASET,
        table=TABLE,
        label="Azure cost details (Microsoft Customer Agreement)",
        sniff=helpers.sniff_mca,
        build_select=helpers.build_select,
        required_columns=helpers.with_casings(MCA_REQUIRED),
        priority=60,
        sample_header=MCA_SAMPLE_HEADER,
    ),
    BillingFormat(
        id="azure_ea",
        dataset=DATASET,
        table=TABLE,
        label="Azure cost details (Enterprise Agreement)",
        sniff=helpers.sniff_ea,
        build_select=helpers.build_select,
        required_columns=helpers.with_casings(EA_REQUIRED),
        priority=61,
        sample_header=EA_SAMPLE_HEADER,
    ),
)


@dlt.source(name=DATASET, max_table_nesting=0)
def azure_cost_details(
    deliveries: Sequence[Any] = (), quarantined: Sequence[Any] = (), full_refresh: bool = False
) -> Any:
    """The ``azure_cost_details`` dlt source: resources ``cost_details`` (the planned deliveries of :data:`FORMATS`) and
    ``quarantine``; see :func:`ingestion._common.source.billing_resources`."""
    return billing_resources(DATASET, FORMATS, deliveries, quarantined, full_refresh)


__all__ = ["DATASET", "FORMATS", "TABLE", "azure_cost_details"]
