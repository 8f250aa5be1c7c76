"""FOCUS exports from sources we do not ingest natively:

* Oracle Cloud (OCI) FOCUS 1.0 CSV gzip for one small tenancy: ``focus/oci-tenancy/YYYY/MM/<file>.csv.gz``
* AWS Data Exports "FOCUS 1.2 with AWS columns" Parquet for a third AWS account:
  ``aws/focus/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet``

Amounts are exact decimals: unit prices have <= 6 decimals and quantities <= 4, so
price x quantity == cost holds exactly (ListCost, ContractedCost, EffectiveCost, BilledCost).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from .enterprise import AWS_FOCUS_ACCOUNT, TEAM_BY_PROJECT, Month, py_hex, tag_style, tags_for, urand
from .writers import GzipCsvWriter, ParquetPartWriter, write_json

FOCUS10_COLUMNS = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)
OCI_EXTRA = (
    "oci_ReferenceNumber",
    "oci_CompartmentId",
    "oci_CompartmentName",
    "oci_OverageFlag",
    "oci_UnitPriceOverage",
    "oci_BilledQuantityOverage",
    "oci_CostOverage",
    "oci_AttributedUsage",
    "oci_AttributedCost",
    "oci_BackReferenceNumber",
)
FOCUS12_COLUMNS = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
)
AWS_X = ("x_CostCategories", "x_Discounts", "x_Operation", "x_ServiceCode", "x_UsageType")
# AWS Data Exports "FOCUS 1.0 with AWS columns": the FOCUS 1.0 columns, then AWS's x_ columns (the tests' CSV header)
AWS_FOCUS10_COLUMNS = FOCUS10_COLUMNS + AWS_X
DEC = pa.decimal128(38, 10)
_DEC_COLS = {
    "BilledCost",
    "CommitmentDiscountQuantity",
    "ConsumedQuantity",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
}
_TS_COLS = {"BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"}
FOCUS12_SCHEMA = pa.schema(
    [
        (c, DEC if c in _DEC_COLS else (pa.timestamp("s", tz="UTC") if c in _TS_COLS else pa.string()))
        for c in FOCUS12_COLUMNS + AWS_X
    ]
)

# (key, service, category, subcategory, sku meter, pricing unit, price, qty lo/hi per day, resource type, teams,
#  consumed unit, sku details, x_usage_type, x_operation, servicecode)
AWS_ITEMS = (
    (
        "g5",
        "Amazon Elastic Compute Cloud",
        "Compute",
        "Virtual Machines",
        "BoxUsage",
        "Hours",
        "1.006",
        24,
        24,
        "Instance",
        ("support-copilot", "doc-search"),
        "Hours",
        {"InstanceType": "g5.xlarge", "CoreCount": 4, "GpuCount": 1, "MemorySize": 16, "OperatingSystem": "Linux"},
        "BoxUsage:g5.xlarge",
        "RunInstances",
        "AmazonEC2",
    ),
    (
        "s3",
        "Amazon Simple Storage Service",
        "Storage",
        "Object Storage",
        "TimedStorage",
        "GB-Mo",
        "0.023",
        3,
        900,
        "Bucket",
        ("doc-search", "website"),
        "GB-Mo",
        {"StorageClass": "Standard"},
        "TimedStorage-ByteHrs",
        "StandardStorage",
        "AmazonS3",
    ),
    (
        "bedrock",
        "Amazon Bedrock",
        "AI and Machine Learning",
        "Generative AI",
        "Claude3.5Sonnet-input-tokens",
        "1000 Tokens",
        "0.003",
        500,
        60000,
        "Inference Profile",
        ("support-copilot",),
        "1000 Tokens",
        None,
        "USE1-Claude3.5Sonnet-input-tokens",
        "InvokeModelInference",
        "AmazonBedrock",
    ),
    (
        "bedrock-out",
        "Amazon Bedrock",
        "AI and Machine Learning",
        "Generative AI",
        "Claude3.5Sonnet-output-tokens",
        "1000 Tokens",
        "0.015",
        100,
        12000,
        "Inference Profile",
        ("support-copilot",),
        "1000 Tokens",
        None,
        "USE1-Claude3.5Sonnet-output-tokens",
        "InvokeModelInference",
        "AmazonBedrock",
    ),
)
OCI_ITEMS = (
    (
        "e4-ocpu",
        "Compute",
        "Compute",
        "Virtual Machines",
        "Standard - E4 - OCPU",
        "OCPU Hours",
        "0.025",
        48,
        192,
        "Instance",
        ("website", "forecasting"),
        "OCPU Hours",
        None,
        "B93113",
        "",
        "",
    ),
    (
        "e4-mem",
        "Compute",
        "Compute",
        "Virtual Machines",
        "Standard - E4 - Memory",
        "Gigabyte Hours",
        "0.0015",
        384,
        1536,
        "Instance",
        ("website", "forecasting"),
        "Gigabyte Hours",
        None,
        "B93114",
        "",
        "",
    ),
    (
        "a10",
        "Compute",
        "Compute",
        "Virtual Machines",
        "GPU Standard - A10",
        "GPU Hours",
        "2",
        24,
        96,
        "Instance",
        ("robot-vision",),
        "GPU Hours",
        None,
        "B95909",
        "",
        "",
    ),
    (
        "obj",
        "Object Storage",
        "Storage",
        "Object Storage",
        "Object Storage - Storage",
        "Gigabyte Months",
        "0.0255",
        10,
        400,
        "Bucket",
        ("data-lake",),
        "Gigabyte Months",
        None,
        "B91628",
        "",
        "",
    ),
    (
        "genai",
        "Generative AI",
        "AI and Machine Learning",
        "Generative AI",
        "Generative AI - Large Cohere - Chat",
        "10,000 Transactions",
        "0.0218",
        5,
        400,
        "Endpoint",
        ("support-copilot",),
        "Transactions",
        None,
        "B108077",
        "",
        "",
    ),
)


def _d(x) -> Decimal:
    return Decimal(str(x))


class FocusMonth:
    def __init__(self, kind: str, month: Month, rows: int, seed: int):
        self.kind, self.m, self.seed = kind, month, seed
        self.items = AWS_ITEMS if kind == "aws" else OCI_ITEMS
        days = month.days
        per = max(1, -(-max(rows - 2, 1) // days))
        self.usage_rows = min(max(rows - 2, 0), per * days) if rows > 2 else rows
        n = per
        idx = np.arange(n)
        u = [urand(seed, 5000 + (kind == "oci") * 50 + k, idx) for k in range(5)]
        self.res = []
        for i in range(n):
            it = self.items[int(u[0][i] * len(self.items))]
            team = TEAM_BY_PROJECT[it[10][int(u[1][i] * len(it[10]))]]
            env = "prod" if u[2][i] < 0.7 else "dev"
            qty = float(it[7]) + (float(it[8]) - float(it[7])) * u[3][i] ** 2
            if self.kind == "aws":
                acct = AWS_FOCUS_ACCOUNT.id
                profile = f"arn:aws:bedrock:us-east-1:{acct}:application-inference-profile/{py_hex(seed, 5101, i, 12)}"
                rid = {
                    "g5": f"arn:aws:ec2:us-east-1:{acct}:instance/i-0{py_hex(seed, 5100, i)}",
                    "s3": f"arn:aws:s3:::nw-edge-{team.project}-{i:03d}",
                }.get(it[0], profile)
            else:
                rid = f"ocid1.{'instance' if it[2] == 'Compute' else 'bucket'}.oc1.iad.{py_hex(seed, 5102, i, 40)}"
            self.res.append({"it": it, "team": team, "env": env, "qty": qty, "rid": rid, "style": tag_style(u[4][i])})
        self.total = Decimal(0)
        self.invoice = (
            f"EUS26-{self.m.compact}-{int(urand(seed, 5200, np.array([self.m.index]))[0] * 1e6):06d}"
            if kind == "aws"
            else None
        )

    def _common(self, start, end):
        m = self.m
        if self.kind == "aws":
            return {
                "BillingAccountId": AWS_FOCUS_ACCOUNT.id,
                "BillingAccountName": AWS_FOCUS_ACCOUNT.name,
                "BillingAccountType": "Billing Account",
                "BillingCurrency": "USD",
                "BillingPeriodStart": m.start,
                "BillingPeriodEnd": m.end,
                "ChargePeriodStart": start,
                "ChargePeriodEnd": end,
                "InvoiceIssuerName": "Amazon Web Services, Inc.",
                "ProviderName": "AWS",
                "PublisherName": "AWS",
                "SubAccountId": AWS_FOCUS_ACCOUNT.id,
                "SubAccountName": AWS_FOCUS_ACCOUNT.name,
                "SubAccountType": "Account",
                "InvoiceId": self.invoice,
                "PricingCurrency": "USD",
                "x_CostCategories": "{}",
                "x_Discounts": "{}",
            }
        return {
            "BillingAccountId": "ocid1.tenancy.oc1..aaaaaaaanorthwindroboticsoci7q2",
            "BillingAccountName": "northwind-oci",
            "BillingCurrency": "USD",
            "BillingPeriodStart": m.start,
            "BillingPeriodEnd": m.end,
            "ChargePeriodStart": start,
            "ChargePeriodEnd": end,
            "InvoiceIssuerName": "Oracle",
            "ProviderName": "Oracle",
            "PublisherName": "Oracle",
            "SubAccountId": "ocid1.compartment.oc1..aaaaaaaanorthwindml",
            "SubAccountName": "northwind-ml",
        }

    def usage(self, lo, hi):
        n = len(self.res)
        out = []
        for g in range(lo, hi):
            day, ri = divmod(g, n)
            r = self.res[ri]
            it = r["it"]
            u = float(urand(self.seed, 5300, np.array([ri * 1000 + day]))[0])
            base = r["qty"] if it[7] == it[8] or it[2] in ("Storage",) else r["qty"] * (0.5 + u)
            if it[2] == "Storage":
                base = r["qty"] / 30 * 30 / self.m.days
            q = _d(round(base, 4))
            price = _d(it[6])
            cost = price * q
            self.total += cost
            start = self.m.start + dt.timedelta(days=day)
            row = self._common(start, start + dt.timedelta(days=1))
            tags = tags_for(r["team"], r["env"], r["style"])
            if self.kind == "aws":
                tags = {f"user:{k}": v for k, v in tags.items()}
            row.update(
                {
                    "AvailabilityZone": "us-east-1a" if (self.kind == "aws" and it[0] == "g5") else None,
                    "BilledCost": cost,
                    "EffectiveCost": cost,
                    "ListCost": cost,
                    "ContractedCost": cost,
                    "ListUnitPrice": price,
                    "ContractedUnitPrice": price,
                    "PricingQuantity": q,
                    "PricingUnit": it[5],
                    "ConsumedQuantity": q,
                    "ConsumedUnit": it[11],
                    "ChargeCategory": "Usage",
                    "ChargeClass": None,
                    "ChargeFrequency": "Usage-Based",
                    "ChargeDescription": f"{it[1]} {it[4]}",
                    "PricingCategory": "Standard",
                    "RegionId": "us-east-1" if self.kind == "aws" else "us-ashburn-1",
                    "RegionName": "US East (N. Virginia)" if self.kind == "aws" else "US East (Ashburn)",
                    "ResourceId": r["rid"],
                    "ResourceName": r["rid"].rsplit("/", 1)[-1][:64],
                    "ResourceType": it[9],
                    "ServiceCategory": it[2],
                    "ServiceSubcategory": it[3],
                    "ServiceName": it[1],
                    "SkuId": it[13]
                    if self.kind == "oci"
                    else f"{py_hex(7, 5400, ord(it[0][0]) + len(it[0]), 14).upper()}",
                    "SkuMeter": it[4],
                    "SkuPriceDetails": json.dumps(it[12], separators=(",", ":")) if it[12] else None,
                    "Tags": json.dumps(tags, separators=(",", ":"), sort_keys=True) if tags else None,
                    "PricingCurrencyListUnitPrice": price,
                    "PricingCurrencyContractedUnitPrice": price,
                    "PricingCurrencyEffectiveCost": cost,
                    "x_Operation": it[14],
                    "x_ServiceCode": it[15],
                    "x_UsageType": it[13],
                    "oci_ReferenceNumber": f"{py_hex(self.seed, 5500, g, 12)}",
                    "oci_CompartmentId": "ocid1.compartment.oc1..aaaaaaaanorthwindml",
                    "oci_CompartmentName": "northwind-ml",
                    "oci_OverageFlag": "N",
                    "oci_AttributedUsage": None,
                    "oci_AttributedCost": None,
                }
            )
            row["SkuPriceId"] = f"{row['SkuId']}.OnDemand" if self.kind == "aws" else row["SkuId"]
            out.append(row)
        return out

    def tail(self):
        m = self.m
        tax = (self.total * Decimal("0.0625")).quantize(Decimal("0.01"))
        credit = -min((self.total * Decimal("0.1")).quantize(Decimal("0.01")), Decimal("1000.00"))
        rows = []
        for cat, amt, desc in (("Tax", tax, "Sales tax"), ("Credit", credit, "Promotional credit: startup program")):
            if self.kind == "oci" and cat == "Tax":
                continue
            r = self._common(m.start, m.end)
            r.update(
                {
                    "BilledCost": amt,
                    "EffectiveCost": amt,
                    "ListCost": amt,
                    "ContractedCost": amt,
                    "ChargeCategory": cat,
                    "ChargeFrequency": "One-Time",
                    "ChargeDescription": desc,
                    "ServiceCategory": "Other",
                    "ServiceSubcategory": "Other (Other)",
                    "ServiceName": "Tax" if cat == "Tax" else "Credits",
                    "PricingCurrencyEffectiveCost": amt,
                }
            )
            rows.append(r)
        return rows


def _iso(v):
    return v.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(v, dt.datetime) else v


def write_focus(out_dir: Path, kind: str, month: Month, rows: int, seed: int, batch: int = 20_000) -> dict:
    gen = FocusMonth(kind, month, rows, seed)
    if kind == "aws":
        export = "northwind-edge-focus"
        w = ParquetPartWriter(
            Path(out_dir) / "aws" / "focus" / export / "data" / f"BILLING_PERIOD={month.ym}", export, FOCUS12_SCHEMA
        )

        def conv(rs):
            return pa.Table.from_pylist(
                [{c: r.get(c) for c in FOCUS12_SCHEMA.names} for r in rs], schema=FOCUS12_SCHEMA
            )

    else:
        cols = FOCUS10_COLUMNS + OCI_EXTRA
        path = (
            Path(out_dir)
            / "focus"
            / "oci-tenancy"
            / f"{month.year:04d}"
            / f"{month.month:02d}"
            / f"0001000001{month.compact}-00001.csv.gz"
        )
        w = GzipCsvWriter(path)

        def conv(rs):
            return pa.Table.from_pylist(
                [
                    {
                        c: (str(v) if isinstance(v, Decimal) else _iso(v)) if v is not None else None
                        for c, v in ((c, r.get(c)) for c in cols)
                    }
                    for r in rs
                ],
                schema=pa.schema([(c, pa.string()) for c in cols]),
            )

    for lo in range(0, gen.usage_rows, batch):
        w.write(conv(gen.usage(lo, min(gen.usage_rows, lo + batch))))
    if rows > 2:
        w.write(conv(gen.tail()))
    files = w.close()
    files = files if isinstance(files, list) else [files]
    out = [str(f) for f in files]
    if kind == "aws":
        man = write_json(
            Path(out_dir)
            / "aws"
            / "focus"
            / "northwind-edge-focus"
            / "metadata"
            / f"BILLING_PERIOD={month.ym}"
            / "northwind-edge-focus-Manifest.json",
            {
                "exportName": "northwind-edge-focus",
                "billingPeriod": {
                    "start": f"{month.start:%Y-%m-%dT%H:%M:%S.000Z}",
                    "end": f"{month.end:%Y-%m-%dT%H:%M:%S.000Z}",
                },
                "table": "FOCUS_1_2_AWS",
                "dataFiles": [Path(f).name for f in out],
                "focusVersion": "1.2",
            },
        )
        out.append(str(man))
    return {"files": out, "rows": w.rows}
