"""AWS legacy CUR (CUR 1.0) writer: gzip CSV with `lineItem/UnblendedCost` style headers, for the
subsidiary payer (Northwind Robotics Canada), with a Reserved Instance instead of a Savings Plan.

Layout (as AWS delivers it)::

    aws/cur-legacy/<report>/<YYYYMMDD-YYYYMMDD>/<assemblyId>/<report>-1.csv.gz
    aws/cur-legacy/<report>/<YYYYMMDD-YYYYMMDD>/<report>-Manifest.json   (points at the current assembly)

A re-delivery writes a new assembly folder and rewrites the top-level manifest; the old
assembly folder stays in place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .aws import AWS_SKUS, CUR2_COLUMNS, AwsGenerator, product_map
from .enterprise import AWS_SUBSIDIARY, Month, py_uuid
from .writers import GzipCsvWriter, write_json

REPORT = "northwind-canada-cur"

# the columns of a legacy CUR export's header (its order), then the columns this report adds
SAMPLE_COLUMNS = (
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/InvoiceId",
    "bill/InvoicingEntity",
    "bill/BillingEntity",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/UsageAmount",
    "lineItem/NormalizationFactor",
    "lineItem/NormalizedUsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/BlendedRate",
    "lineItem/BlendedCost",
    "lineItem/LineItemDescription",
    "lineItem/TaxType",
    "lineItem/LegalEntity",
    "product/ProductName",
    "product/availability",
    "product/durability",
    "product/eventType",
    "product/feeCode",
    "product/feeDescription",
    "product/fromLocation",
    "product/fromLocationType",
    "product/fromRegionCode",
    "product/group",
    "product/groupDescription",
    "product/location",
    "product/locationType",
    "product/messageDeliveryFrequency",
    "product/messageDeliveryOrder",
    "product/operation",
    "product/overhead",
    "product/productFamily",
    "product/productType",
    "product/queueType",
    "product/region",
    "product/regionCode",
    "product/servicecode",
    "product/servicename",
    "product/sku",
    "product/storageClass",
    "product/storageMedia",
    "product/toLocation",
    "product/toLocationType",
    "product/toRegionCode",
    "product/transferType",
    "product/usagetype",
    "product/version",
    "product/volumeType",
    "pricing/RateCode",
    "pricing/RateId",
    "pricing/currency",
    "pricing/publicOnDemandCost",
    "pricing/publicOnDemandRate",
    "pricing/term",
    "pricing/unit",
    "reservation/AmortizedUpfrontCostForUsage",
    "reservation/AmortizedUpfrontFeeForBillingPeriod",
    "reservation/EffectiveCost",
    "reservation/EndTime",
    "reservation/ModificationStatus",
    "reservation/NormalizedUnitsPerReservation",
    "reservation/NumberOfReservations",
    "reservation/RecurringFeeForUsage",
    "reservation/StartTime",
    "reservation/SubscriptionId",
    "reservation/TotalReservedNormalizedUnits",
    "reservation/TotalReservedUnits",
    "reservation/UnitsPerReservation",
    "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation/UnusedNormalizedUnitQuantity",
    "reservation/UnusedQuantity",
    "reservation/UnusedRecurringFee",
    "reservation/UpfrontValue",
    "savingsPlan/TotalCommitmentToDate",
    "savingsPlan/SavingsPlanARN",
    "savingsPlan/SavingsPlanRate",
    "savingsPlan/UsedCommitment",
    "savingsPlan/SavingsPlanEffectiveCost",
    "savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod",
    "savingsPlan/RecurringCommitmentForBillingPeriod",
)
EXTRA_PRODUCT = (
    "product/instanceType",
    "product/instanceFamily",
    "product/vcpu",
    "product/memory",
    "product/gpu",
    "product/model",
    "product/provider",
)
TAG_KEYS = ("business_unit", "cost_center", "environment", "owner", "project")
TAG_COLUMNS = tuple(f"resourceTags/user:{k}" for k in TAG_KEYS)
COST_CATEGORY_COLUMNS = ("costCategory/BusinessUnit", "costCategory/Environment")
LEGACY_COLUMNS = SAMPLE_COLUMNS + EXTRA_PRODUCT + COST_CATEGORY_COLUMNS + TAG_COLUMNS

_CUR2 = set(CUR2_COLUMNS)


def _snake(s: str) -> str:
    s = s.replace("lineItem", "line_item").replace("savingsPlan", "savings_plan")
    return re.sub(r"(?<!^)(?<!_)([A-Z])", r"_\1", s).lower()


def source_of(col: str) -> tuple[str, str]:
    """('cur2', name) | ('product', key) | ('tag', key) | ('cc', key)"""
    cat, name = col.split("/", 1)
    if cat == "resourceTags":
        return "tag", name.split(":", 1)[1]
    if cat == "costCategory":
        return "cc", name
    snake = _snake(cat) + "_" + _snake(name)
    if snake in _CUR2:
        return "cur2", snake
    if cat == "product":
        key = {"ProductName": "product_name"}.get(name, _snake(name))
        return "product", key
    return "none", snake


SOURCES = {c: source_of(c) for c in LEGACY_COLUMNS}
_TS_COLS = {
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
}


def _product_lookup() -> dict[str, pa.Array]:
    keys = {k for c, (kind, k) in SOURCES.items() if kind == "product"}
    out = {}
    for k in keys:
        vals = []
        for s in AWS_SKUS:
            d = dict(product_map(s))
            if k == "instance_type":
                d[k] = s.instance_type
            vals.append(d.get(k))
        out[k] = pa.array(vals, pa.string())
    return out


class LegacyLookups:
    """The legacy CUR's own columns of one generator: product attributes per SKU, the clean user tags and the cost
    categories per resource (built from the generator's resource lookups)."""

    def __init__(self, gen: AwsGenerator):
        self.product = _product_lookup()
        self.tags = {k: pa.array([d.get(k) for d in gen.tag_dicts], pa.string()) for k in TAG_KEYS}
        self.cc = {
            "BusinessUnit": pa.array([gen.accounts[r.account].business_unit for r in gen.resources], pa.string()),
            "Environment": pa.array([gen.accounts[r.account].env for r in gen.resources], pa.string()),
        }


def to_legacy(table: pa.Table, aux: dict, lookups: LegacyLookups) -> pa.Table:
    """A CUR 2.0 batch of the generator as legacy CUR columns (``aux``: the batch's resource and SKU indexes, None
    for the tail rows)."""
    n = table.num_rows
    res, sku = aux.get("res"), aux.get("sku")
    cols = []
    products = None
    for c in LEGACY_COLUMNS:
        kind, key = SOURCES[c]
        if kind == "cur2":
            col = table.column(key).combine_chunks()
            cols.append(pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ") if key in _TS_COLS else col)
        elif kind == "product" and sku is not None:
            cols.append(lookups.product[key].take(pa.array(sku)))
        elif kind == "product":  # tail rows: from their product map
            if products is None:
                products = [dict(p or []) for p in table.column("product").to_pylist()]
            cols.append(pa.array([p.get(key) for p in products], pa.string()))
        elif kind in ("tag", "cc") and res is not None:
            cols.append((lookups.tags if kind == "tag" else lookups.cc)[key].take(pa.array(res)))
        else:
            cols.append(pa.nulls(n, pa.string()))
    return pa.Table.from_arrays(cols, names=list(LEGACY_COLUMNS))


def write_legacy(out_dir: Path, month: Month, rows: int, seed: int, version: int, restate: bool, progress=None) -> dict:
    gen = AwsGenerator(
        AWS_SUBSIDIARY,
        month,
        rows,
        seed,
        commitment="ri",
        version=version,
        restate=restate,
        teams=("robot-vision", "support-copilot", "website", "data-lake"),
    )
    period_dir = Path(out_dir) / "aws" / "cur-legacy" / REPORT / month.range_folder
    assembly = py_uuid(seed, 70, month.index * 10 + version)
    path = period_dir / assembly / f"{REPORT}-1.csv.gz"
    w = GzipCsvWriter(path)
    lookups = None
    for table, aux in gen.iter_batches():
        lookups = lookups or LegacyLookups(gen)
        w.write(to_legacy(table, aux, lookups))
        if progress:
            progress(table.num_rows)
    if w.rows == 0:
        empty = [pa.array([], pa.string()) for _ in LEGACY_COLUMNS]
        w.write(pa.Table.from_arrays(empty, names=list(LEGACY_COLUMNS)))
    w.close()
    key = f"cur/{REPORT}/{month.range_folder}/{assembly}/{REPORT}-1.csv.gz"
    manifest = {
        "assemblyId": assembly,
        "account": AWS_SUBSIDIARY.payer_id,
        "columns": [
            {
                "category": c.split("/", 1)[0],
                "name": c.split("/", 1)[1],
                "type": "OptionalBigDecimal" if _is_num(c) else "String",
            }
            for c in LEGACY_COLUMNS
        ],
        "charset": "UTF-8",
        "compression": "GZIP",
        "contentType": "text/csv",
        "reportId": py_uuid(seed, 71, 1).replace("-", ""),
        "reportName": REPORT,
        "billingPeriod": {"start": f"{month.start:%Y%m%dT%H%M%S.000Z}", "end": f"{month.end:%Y%m%dT%H%M%S.000Z}"},
        "bucket": "northwind-canada-billing",
        "reportKeys": [key],
        "additionalArtifactKeys": [],
    }
    man = write_json(period_dir / f"{REPORT}-Manifest.json", manifest)
    return {"files": [str(path), str(man)], "rows": w.rows, "period": month.ym, "assembly_id": assembly}


def _is_num(c: str) -> bool:
    kind, key = SOURCES[c]
    numeric = ("cost", "amount", "fee", "quantity", "factor", "value", "commitment", "rate")
    return kind == "cur2" and any(x in key for x in numeric) and not key.endswith(("rate_code", "rate_id"))
