"""The expected sums of a GCP Cloud Billing BigQuery JSON export, read straight back from the file (never from the
warehouse). Used by the demo-data tests and the end-to-end tests."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from decimal import Decimal


def jsonl_month_totals(path: str) -> dict[str, Decimal]:
    """Σ cost + Σ credits.amount per invoice month (``YYYY-MM``) of a gzip BigQuery JSON export."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    with gzip.open(path, "rt") as fh:
        for line in fh:
            r = json.loads(line, parse_float=Decimal)
            month = r["invoice"]["month"]
            out[f"{month[:4]}-{month[4:]}"] += Decimal(r["cost"]) + sum(
                (Decimal(c["amount"]) for c in r.get("credits") or []), Decimal(0)
            )
    return out
