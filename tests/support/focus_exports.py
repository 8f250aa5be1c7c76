"""AWS Data Exports FOCUS 1.0 test rows (with AWS's known 1.0 gaps) and the expected totals read straight back from
a FOCUS file (CSV or Parquet, never from the warehouse). Used by the FOCUS export ingestion tests, the fault-injection
suite and the end-to-end tests."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

from finops_demo.generator.focus import AWS_FOCUS10_COLUMNS

CENT = Decimal("0.01")
AWS_EXPORT = "aws/focus/northwind-focus"  # AWS Data Exports FOCUS 1.0 (CSV) layout


# ------------------------------------------------------------------------------------------- source files
AWS10_HEADER = list(AWS_FOCUS10_COLUMNS)
SP_ARN = "arn:aws:savingsplans::210987654321:savingsplan/7d3c0f7e-0000-4000-8000-000000000001"


def aws10_rows(period: str, scale: str = "1") -> list[dict]:
    """AWS FOCUS 1.0 rows with AWS's known 1.0 gaps (null ListUnitPrice/SkuPriceId/PublisherName), a Tax row,
    a Credit, a Savings Plan fee and covered usage. ``scale`` changes the amounts (re-delivery)."""
    y, m = map(int, period.split("-"))
    nxt = f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
    start, end = f"{period}-01T00:00:00Z", f"{nxt}-01T00:00:00Z"
    k = Decimal(scale)
    base = {
        "BillingAccountId": "210987654321",
        "BillingAccountName": "northwind-management",
        "BillingCurrency": "USD",
        "BillingPeriodStart": start,
        "BillingPeriodEnd": end,
        "ProviderName": "AWS",
        "PublisherName": "AWS",
        "InvoiceIssuerName": "AWS",
        "SubAccountId": "530000000001",
        "SubAccountName": "northwind-edge",
        "ChargePeriodStart": f"{period}-03T00:00:00Z",
        "ChargePeriodEnd": f"{period}-03T01:00:00Z",
    }

    def row(**kw):
        r = dict.fromkeys(AWS10_HEADER, "")
        r.update(base)
        r.update({key: (str(v) if not isinstance(v, str) else v) for key, v in kw.items()})
        return r

    return [
        row(
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription="m5.large on demand",
            BilledCost=k * Decimal("12.3456789012345"),
            EffectiveCost=k * Decimal("12.3456789012345"),
            ListCost=k * Decimal("12.3456789012345"),
            ListUnitPrice="0.096",
            ContractedCost=k * Decimal("12.3456789012345"),
            ContractedUnitPrice="0.096",
            PricingQuantity=k * Decimal("128.60082188786"),
            PricingUnit="Hours",
            ConsumedQuantity=k * Decimal("128.60082188786"),
            ConsumedUnit="Hours",
            PricingCategory="Standard",
            RegionId="us-east-1",
            RegionName="US East (N. Virginia)",
            AvailabilityZone="us-east-1a",
            ResourceId="arn:aws:ec2:us-east-1:530000000001:instance/i-0abc",
            ResourceType="Instance",
            ServiceCategory="Compute",
            ServiceName="Amazon Elastic Compute Cloud",
            SkuId="8VCNEHQMSCQS4P39",
            SkuPriceId="8VCNEHQMSCQS4P39.JRTCKXETXF.6YS6EN2CT7",
            Tags='{"user:team":"ml","user:env":"prod"}',
            x_ServiceCode="AmazonEC2",
            x_UsageType="BoxUsage:m5.large",
            x_Operation="RunInstances",
            x_CostCategories='{"cc-team":"ml"}',
            x_Discounts="",
        ),
        row(
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription="covered by savings plan",
            BilledCost="0",
            EffectiveCost=k * Decimal("5.2"),
            ListCost=k * Decimal("7.68"),
            ListUnitPrice="0.096",
            ContractedCost=k * Decimal("7.68"),
            ContractedUnitPrice="0.096",
            PricingQuantity=k * 80,
            PricingUnit="Hours",
            ConsumedQuantity=k * 80,
            ConsumedUnit="Hours",
            PricingCategory="Committed",
            CommitmentDiscountCategory="Spend",
            CommitmentDiscountId=SP_ARN,
            CommitmentDiscountName="compute-sp",
            CommitmentDiscountStatus="Used",
            CommitmentDiscountType="Compute Savings Plans",
            RegionId="us-east-1",
            RegionName="US East (N. Virginia)",
            ServiceCategory="Compute",
            ServiceName="Amazon Elastic Compute Cloud",
            SkuId="8VCNEHQMSCQS4P39",
            SkuPriceId="8VCNEHQMSCQS4P39.SP",
            x_ServiceCode="AmazonEC2",
            x_UsageType="BoxUsage:m5.large",
            x_Operation="RunInstances",
        ),
        # AWS 1.0 wrote 'Usage-Based' on some Purchase rows; 1.2 forbids it
        row(
            ChargeCategory="Purchase",
            ChargeFrequency="Usage-Based",
            ChargeDescription="savings plan recurring fee",
            BilledCost=k * Decimal("5.2"),
            EffectiveCost="0",
            ListCost=k * Decimal("5.2"),
            ContractedCost=k * Decimal("5.2"),
            PricingQuantity=k * Decimal("5.2"),
            PricingUnit="USD",
            PricingCategory="Committed",
            CommitmentDiscountCategory="Spend",
            CommitmentDiscountId=SP_ARN,
            CommitmentDiscountName="compute-sp",
            CommitmentDiscountType="Compute Savings Plans",
            ResourceId=SP_ARN,
            ResourceType="Savings Plan",
            ServiceCategory="Compute",
            ServiceName="Savings Plans for AWS Compute usage",
            SkuId="SP-COMPUTE",
            SkuPriceId="",
            x_ServiceCode="ComputeSavingsPlans",
            x_UsageType="ComputeSP:1yrNoUpfront",
            x_Operation="",
        ),
        # S3: AWS's gap, no ListUnitPrice / ContractedUnitPrice; dollar amounts with 14 decimals
        row(
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription="S3 standard storage",
            BilledCost=k * Decimal("23.00000000000001"),
            EffectiveCost=k * Decimal("23.00000000000001"),
            ListCost=k * Decimal(23),
            ContractedCost=k * Decimal(23),
            ListUnitPrice="",
            ContractedUnitPrice="",
            PricingQuantity=k * 1000,
            PricingUnit="GB-Months",
            ConsumedQuantity="",
            ConsumedUnit="",
            PricingCategory="Standard",
            RegionId="us-east-1",
            RegionName="US East (N. Virginia)",
            ServiceCategory="Storage",
            ServiceName="Amazon Simple Storage Service",
            SkuId="WP9ANXZGBYYSGJEA",
            SkuPriceId="",
            PublisherName="",
            x_ServiceCode="AmazonS3",
            x_UsageType="TimedStorage-ByteHrs",
            x_Operation="StandardStorage",
        ),
        # Bedrock tokens with a price in a non-terminating ratio (cost / quantity)
        row(
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeDescription="Claude input tokens",
            BilledCost=k * Decimal("1.00"),
            EffectiveCost=k * Decimal("1.00"),
            ListCost=k * Decimal("1.00"),
            ContractedCost=k * Decimal("1.00"),
            ListUnitPrice="",
            ContractedUnitPrice="",
            PricingQuantity=k * 3,
            PricingUnit="1000 Tokens",
            ConsumedQuantity=k * 3000,
            ConsumedUnit="Tokens",
            PricingCategory="Standard",
            RegionId="us-east-1",
            RegionName="US East (N. Virginia)",
            ServiceCategory="AI and Machine Learning",
            ServiceName="Amazon Bedrock",
            SkuId="BEDROCK-IN",
            x_ServiceCode="AmazonBedrock",
            x_UsageType="USE1-InputTokenCount",
            x_Operation="InvokeModel",
        ),
        row(
            ChargeCategory="Tax",
            ChargeFrequency="Recurring",
            ChargeDescription="Sales tax",
            BilledCost=k * Decimal("2.15"),
            EffectiveCost=k * Decimal("2.15"),
            ListCost=k * Decimal("2.15"),
            ContractedCost=k * Decimal("2.15"),
            ListUnitPrice="0",
            PricingQuantity="",
            ServiceCategory="Other",
            ServiceName="Tax",
            SkuPriceId="",
            x_ServiceCode="AWSTax",
        ),
        row(
            ChargeCategory="Credit",
            ChargeFrequency="One-Time",
            ChargeDescription="Promotional credit",
            BilledCost=k * Decimal("-1.50"),
            EffectiveCost=k * Decimal("-1.50"),
            ListCost=k * Decimal("-1.50"),
            ContractedCost=k * Decimal("-1.50"),
            ChargeClass="",
            ServiceCategory="Compute",
            ServiceName="Amazon Elastic Compute Cloud",
            ChargePeriodStart=f"{period}-01 00:00:00.000",
            ChargePeriodEnd=f"{nxt}-01 00:00:00.000",
            x_ServiceCode="AmazonEC2",
        ),
    ]


# --------------------------------------------------------------------------- independent expected totals
def _money(text) -> Decimal:
    t = ("" if text is None else str(text)).strip()
    if t.lower() in ("", "null"):
        return Decimal(0)
    return Decimal(t.replace("$", "").replace(",", ""))


def _period(text: str) -> str:
    t = text.strip()
    if "/" in t:  # M/D/YY (FOCUS spec SaaS samples)
        mo, _, yr = t.split(" ")[0].split("/")
        yr = int(yr) + (2000 if len(yr) == 2 else 0)
        return f"{yr:04d}-{int(mo):02d}"
    return t[:7]


def expected_csv(path: Path) -> dict[str, tuple[Decimal, Decimal]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    out: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            r = {k.strip().lower(): v for k, v in row.items() if k}
            eff = r["effectivecost"] if "effectivecost" in r else r["amortizedcost"]
            acc = out[_period(r["billingperiodstart"])]
            acc[0] += _money(r["billedcost"])
            acc[1] += _money(eff)
    return {p: (b.quantize(CENT), e.quantize(CENT)) for p, (b, e) in out.items()}


def _dec(v) -> Decimal:
    """A Parquet value as the decimal it stands for (doubles by their shortest repr, as the provider wrote them)."""
    return v if isinstance(v, Decimal) else Decimal(repr(v)) if v is not None else Decimal(0)


def expected_parquet(path: Path) -> dict[str, tuple[Decimal, Decimal]]:
    t = pq.read_table(path).to_pylist()
    out: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in t:
        acc = out[r["BillingPeriodStart"].strftime("%Y-%m")]
        acc[0] += _dec(r["BilledCost"])
        acc[1] += _dec(r["EffectiveCost"])
    return {p: (b.quantize(CENT), e.quantize(CENT)) for p, (b, e) in out.items()}
