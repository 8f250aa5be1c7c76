"""All billing export formats the warehouse understands, and the dlt datasets they load into."""
from __future__ import annotations

from functools import cache

from ingestion._common.formats import BillingFormat


@cache
def formats() -> tuple[BillingFormat, ...]:
    from ingestion.aws_cur.settings import FORMATS as AWS
    from ingestion.azure_cost_details.settings import FORMATS as AZURE
    from ingestion.focus_exports.settings import FORMATS as FOCUS
    from ingestion.gcp_billing.settings import FORMATS as GCP

    return tuple(sorted([*AWS, *AZURE, *GCP, *FOCUS], key=lambda f: f.priority))


def by_id(format_id: str) -> BillingFormat:
    for f in formats():
        if f.id == format_id:
            return f
    known = ", ".join(f.id for f in formats())
    raise ValueError(f"Unknown format {format_id!r}. Known formats: {known}.")


def datasets() -> list[str]:
    return sorted({f.dataset for f in formats()})


def raw_tables() -> dict[str, str]:
    """dataset -> its raw table (every format of a dataset loads into the same table)."""
    return {f.dataset: f.table for f in formats()}


def detect(header: list[str], rel_path: str) -> BillingFormat | None:
    for f in formats():
        if f.sniff(header, rel_path):
            return f
    return None
