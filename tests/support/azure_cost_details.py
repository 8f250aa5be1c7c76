"""The expected sums of an Azure cost details export (EA or MCA, actual or amortized), read straight back from the file
(never from the warehouse): per billing period, total cost, commitment purchases/refunds, covered usage + unused.
Used by the Azure ingestion tests and the end-to-end tests."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ingestion.azure_cost_details import settings as S

TEN = Decimal("1e-10")
COMMIT = S.COMMITMENT_PRICING_MODELS


def dec(v: str | None) -> Decimal:
    v = (v or "").strip()
    return Decimal(v) if v else Decimal(0)


def r10(v: Decimal) -> Decimal:
    return v.quantize(TEN, rounding=ROUND_HALF_UP)


def read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def get(row: dict, *names: str) -> str | None:
    low = {k.lower(): v for k, v in row.items()}
    return next((low[n.lower()] for n in names if n.lower() in low), None)


def norm(v: str | None) -> str:
    return (v or "").replace(" ", "").lower()


def expected(path: Path, cost_type: str) -> dict[str, dict[str, Decimal]]:
    """Per billing period, from the file: total cost, commitment purchases/refunds, covered usage + unused."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in read_csv(path):
        start = get(r, "BillingPeriodStartDate")
        period = f"{start[6:10]}-{start[0:2]}" if "/" in start else start[:7]
        cost = dec(get(r, "CostInBillingCurrency", "Cost"))
        ct, pm = norm(get(r, "ChargeType")), norm(get(r, "PricingModel"))
        e = out[period]
        e["cost"] += cost
        e["cost_r10"] += r10(cost)
        if ct in ("purchase", "refund") and pm in COMMIT:
            e["commitment_purchases"] += r10(cost)
        if ct in S.UNUSED_CHARGE_TYPES or (ct == "usage" and pm in COMMIT):
            e["covered_and_unused"] += r10(cost)
        e["rows"] += 1
    return out
