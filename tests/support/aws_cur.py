"""Test files in the AWS CUR layouts (CUR 2.0 Parquet and CSV, legacy CUR CSV with its Manifest), one line of every
line item type, and the expected sums read straight back from a source file (never from the warehouse). Used by the
AWS CUR ingestion tests, the fault-injection suite, the CLI and the end-to-end tests."""

from __future__ import annotations

import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.aws_cur.helpers import legacy_to_cur2

# --------------------------------------------------------------------------------------------------------------
# source files in the providers' layouts
# --------------------------------------------------------------------------------------------------------------
STR, DBL = pa.string(), pa.float64()
TS = pa.timestamp("ms", tz="UTC")
MAP_SS, MAP_SD = pa.map_(STR, STR), pa.map_(STR, DBL)
CUR2_SCHEMA = pa.schema(
    [
        ("identity_line_item_id", STR),
        ("identity_time_interval", STR),
        ("bill_bill_type", STR),
        ("bill_billing_entity", STR),
        ("bill_invoicing_entity", STR),
        ("bill_invoice_id", STR),
        ("bill_payer_account_id", STR),
        ("bill_payer_account_name", STR),
        ("bill_billing_period_start_date", TS),
        ("bill_billing_period_end_date", TS),
        ("line_item_usage_account_id", STR),
        ("line_item_usage_account_name", STR),
        ("line_item_line_item_type", STR),
        ("line_item_usage_start_date", TS),
        ("line_item_usage_end_date", TS),
        ("line_item_product_code", STR),
        ("line_item_usage_type", STR),
        ("line_item_operation", STR),
        ("line_item_resource_id", STR),
        ("line_item_usage_amount", DBL),
        ("line_item_currency_code", STR),
        ("line_item_unblended_rate", STR),
        ("line_item_unblended_cost", DBL),
        ("line_item_net_unblended_cost", DBL),
        ("line_item_line_item_description", STR),
        ("line_item_legal_entity", STR),
        ("product", MAP_SS),
        ("product_region_code", STR),
        ("product_sku", STR),
        ("product_product_family", STR),
        ("product_instance_type", STR),
        ("pricing_unit", STR),
        ("pricing_term", STR),
        ("pricing_rate_code", STR),
        ("pricing_public_on_demand_rate", STR),
        ("pricing_public_on_demand_cost", DBL),
        ("discount", MAP_SD),
        ("reservation_reservation_a_r_n", STR),
        ("reservation_effective_cost", DBL),
        ("reservation_unused_amortized_upfront_fee_for_billing_period", DBL),
        ("reservation_unused_recurring_fee", DBL),
        ("reservation_unused_quantity", DBL),
        ("reservation_total_reserved_units", STR),
        ("savings_plan_savings_plan_a_r_n", STR),
        ("savings_plan_savings_plan_effective_cost", DBL),
        ("savings_plan_total_commitment_to_date", DBL),
        ("savings_plan_used_commitment", DBL),
        ("savings_plan_offering_type", STR),
        ("resource_tags", MAP_SS),
        ("cost_category", MAP_SS),
    ]
)
MAPS = ("product", "discount", "resource_tags", "cost_category")
SP_ARN = "arn:aws:savingsplans::210987654321:savingsplan/sp-1"
RI_ARN = "arn:aws:ec2:us-east-1:210987654321:reserved-instances/ri-1"
TAGS = {"user_cost_center": "CC-2100", "user_project": "robot-vision", "aws_created_by": "IAMUser:AIDA:ana"}
LEGACY_TAG_COLUMNS = {
    "user_cost_center": "resourceTags/user:CostCenter",
    "user_project": "resourceTags/user:project",
    "aws_created_by": "resourceTags/aws:createdBy",
}


def _dt(period: str, day: int = 1, hour: int = 0):
    import datetime as dt

    y, m = int(period[:4]), int(period[5:])
    return dt.datetime(y, m, day, hour, tzinfo=dt.UTC)


def cur2_rows(period: str, scale: float = 1.0) -> list[dict]:
    """One line of every CUR line item type for one billing period (amounts multiplied by ``scale``)."""
    import datetime as dt

    start = _dt(period)
    end = (start + dt.timedelta(days=32)).replace(day=1)

    def s(v):
        return round(v * scale, 10)

    def row(i, line_type, cost, **kw):
        r = {
            "identity_line_item_id": f"li-{period}-{i}",
            "identity_time_interval": f"{start:%Y-%m-%dT%H:%M:%SZ}/x",
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": "AWS",
            "bill_invoice_id": f"INV-{period}",
            "bill_invoicing_entity": "Amazon Web Services, Inc.",
            "bill_payer_account_id": "210987654321",
            "bill_payer_account_name": "northwind-management",
            "bill_billing_period_start_date": start,
            "bill_billing_period_end_date": end,
            "line_item_usage_account_id": "310000000021",
            "line_item_usage_account_name": "nw-research",
            "line_item_line_item_type": line_type,
            "line_item_usage_start_date": _dt(period, 2, 3),
            "line_item_usage_end_date": _dt(period, 2, 4),
            "line_item_currency_code": "USD",
            "line_item_unblended_cost": cost,
            "line_item_net_unblended_cost": cost,
            "line_item_legal_entity": "Amazon Web Services, Inc.",
            "line_item_product_code": "AmazonEC2",
            "product_region_code": "us-east-1",
            "product": {"product_name": "Amazon Elastic Compute Cloud"},
        }
        r.update(kw)
        return r

    return [
        row(
            1,
            "Usage",
            s(32.7726),
            line_item_usage_amount=1.0,
            line_item_unblended_rate="32.7726",
            line_item_usage_type="USE1-BoxUsage:p4d.24xlarge",
            line_item_operation="RunInstances",
            line_item_resource_id="i-0gpu",
            product_sku="SKUP4D",
            product_instance_type="p4d.24xlarge",
            product_product_family="Compute Instance",
            pricing_unit="Hrs",
            pricing_term="OnDemand",
            pricing_rate_code="SKUP4D.JRTCKXETXF.6YS6EN2CT7",
            pricing_public_on_demand_rate="32.7726",
            pricing_public_on_demand_cost=s(32.7726),
            resource_tags=TAGS,
            cost_category={"BusinessUnit": "research"},
            product={"product_name": "Amazon Elastic Compute Cloud", "gpu": "8", "vcpu": "96"},
            line_item_line_item_description="$32.7726 per On Demand Linux p4d.24xlarge Instance Hour",
        ),
        row(
            2,
            "Usage",
            s(3.6),
            line_item_product_code="AmazonBedrock",
            line_item_usage_amount=1200.0,
            line_item_unblended_rate=str(round(0.003 * scale, 10)),
            line_item_usage_type="USE1-Claude3.5Sonnet-input-tokens",
            line_item_operation="InvokeModelInference",
            product_sku="SKUBR1",
            pricing_unit="1K tokens",
            pricing_public_on_demand_rate=str(round(0.003 * scale, 10)),
            pricing_public_on_demand_cost=s(3.6),
            product={"product_name": "Amazon Bedrock"},
            resource_tags={"user_project": "support-copilot"},
            discount={"private_rate_discount": -0.36 * scale},
        ),
        row(
            3,
            "SavingsPlanCoveredUsage",
            s(10.0),
            line_item_usage_amount=5.0,
            line_item_unblended_rate="2.0",
            line_item_usage_type="USE1-BoxUsage:m5.xlarge",
            product_sku="SKUM5",
            pricing_unit="Hrs",
            pricing_public_on_demand_rate="2.0",
            pricing_public_on_demand_cost=s(10.0),
            savings_plan_savings_plan_a_r_n=SP_ARN,
            savings_plan_savings_plan_effective_cost=s(7.1234567891),
            savings_plan_offering_type="ComputeSavingsPlans",
        ),
        row(
            4,
            "SavingsPlanNegation",
            s(-10.0),
            line_item_usage_amount=5.0,
            line_item_usage_type="USE1-BoxUsage:m5.xlarge",
            product_sku="SKUM5",
            savings_plan_savings_plan_a_r_n=SP_ARN,
        ),
        row(
            5,
            "SavingsPlanRecurringFee",
            s(100.0),
            line_item_product_code="ComputeSavingsPlans",
            line_item_usage_amount=720.0,
            line_item_resource_id=SP_ARN,
            pricing_unit="Hrs",
            savings_plan_savings_plan_a_r_n=SP_ARN,
            savings_plan_total_commitment_to_date=s(100.0),
            savings_plan_used_commitment=s(70.5),
            savings_plan_offering_type="ComputeSavingsPlans",
            product={"product_name": "Savings Plans for AWS Compute usage"},
        ),
        row(
            6,
            "DiscountedUsage",
            0.0,
            line_item_usage_amount=24.0,
            line_item_usage_type="USE1-BoxUsage:c6i.2xlarge",
            product_sku="SKUC6I",
            pricing_unit="Hrs",
            pricing_public_on_demand_rate="0.34",
            pricing_public_on_demand_cost=8.16,
            reservation_reservation_a_r_n=RI_ARN,
            reservation_effective_cost=s(4.25),
        ),
        row(
            7,
            "RIFee",
            s(50.0),
            line_item_usage_amount=720.0,
            line_item_unblended_rate=str(round(50.0 * scale / 720, 10)),
            line_item_usage_type="HeavyUsage:c6i.2xlarge",
            pricing_unit="Hrs",
            reservation_reservation_a_r_n=RI_ARN,
            reservation_unused_amortized_upfront_fee_for_billing_period=s(5.0),
            reservation_unused_recurring_fee=s(3.333),
            reservation_unused_quantity=40.0,
            reservation_total_reserved_units="720",
        ),
        row(
            8,
            "Tax",
            s(12.34),
            line_item_usage_amount=1.0,
            line_item_line_item_description="Tax for product code AmazonEC2",
        ),
        row(
            9,
            "Credit",
            s(-20.0),
            line_item_product_code="AmazonBedrock",
            line_item_usage_amount=0.0,
            product={"product_name": "Amazon Bedrock"},
        ),
        row(
            10,
            "Refund",
            s(-5.0),
            bill_bill_type="Refund",
            line_item_product_code="AmazonSageMaker",
            line_item_usage_amount=0.0,
            product={"product_name": "Amazon SageMaker"},
        ),
        row(11, "EdpDiscount", s(-3.21), line_item_usage_amount=0.0),
        row(
            12,
            "Fee",
            s(100.0),
            line_item_product_code="AWSSupportBusiness",
            line_item_usage_amount=1.0,
            line_item_unblended_rate=str(round(100.0 * scale, 10)),
            product={"product_name": "AWS Support (Business)"},
        ),
        row(
            13,
            "Usage",
            s(17.1234),
            line_item_product_code="AmazonSageMaker",
            line_item_usage_amount=17.0,
            line_item_unblended_rate="1.00726",
            line_item_usage_type="USE1-Host:ml.g5.xlarge",
            product_sku="SKUSM",
            pricing_unit="Hrs",
            pricing_public_on_demand_rate="1.00726",
            pricing_public_on_demand_cost=s(17.1234),
            product={"product_name": "Amazon SageMaker"},
        ),
    ]


def cur2_table(rows: list[dict]) -> pa.Table:
    cols = {}
    for f in CUR2_SCHEMA:
        vals = [r.get(f.name) for r in rows]
        if f.name in MAPS:
            vals = [list(v.items()) if v else None for v in vals]
        cols[f.name] = pa.array(vals, f.type)
    return pa.table(cols, schema=CUR2_SCHEMA)


def write_cur2_parquet(
    root: Path, export: str, period: str, rows: list[dict], name: str = "part-00001.snappy.parquet"
) -> Path:
    p = root / "aws" / "cur2" / export / "data" / f"BILLING_PERIOD={period}" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(cur2_table(rows), p)
    return p


def cur2_csv_rows(rows: list[dict]) -> list[dict]:
    """CUR 2.0 rows (:func:`cur2_rows`) as CSV text: maps as JSON, timestamps ISO, None empty."""
    out = []
    for r in rows:
        d = {}
        for f in CUR2_SCHEMA:
            v = r.get(f.name)
            if f.name in MAPS:
                v = json.dumps(v, separators=(", ", ": ")) if v else ""
            elif hasattr(v, "strftime"):
                v = v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            d[f.name] = "" if v is None else str(v)
        out.append(d)
    return out


def write_cur2_csv(root: Path, export: str, period: str, rows: list[dict]) -> Path:
    """CUR 2.0 gzip CSV: same columns, maps as JSON text, ISO timestamps."""
    p = root / "aws" / "cur2-csv" / export / "data" / f"BILLING_PERIOD={period}" / "part-00001.csv.gz"
    p.parent.mkdir(parents=True, exist_ok=True)
    out = cur2_csv_rows(rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CUR2_SCHEMA.names)
    w.writeheader()
    w.writerows(out)
    p.write_bytes(gzip.compress(buf.getvalue().encode()))
    return p


LEGACY_NAMES = {  # CUR 2.0 name -> legacy header, for the columns the test rows use
    "identity_line_item_id": "identity/LineItemId",
    "identity_time_interval": "identity/TimeInterval",
    "bill_bill_type": "bill/BillType",
    "bill_billing_entity": "bill/BillingEntity",
    "bill_invoice_id": "bill/InvoiceId",
    "bill_invoicing_entity": "bill/InvoicingEntity",
    "bill_payer_account_id": "bill/PayerAccountId",
    "bill_billing_period_start_date": "bill/BillingPeriodStartDate",
    "bill_billing_period_end_date": "bill/BillingPeriodEndDate",
    "line_item_usage_account_id": "lineItem/UsageAccountId",
    "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_usage_start_date": "lineItem/UsageStartDate",
    "line_item_usage_end_date": "lineItem/UsageEndDate",
    "line_item_product_code": "lineItem/ProductCode",
    "line_item_usage_type": "lineItem/UsageType",
    "line_item_operation": "lineItem/Operation",
    "line_item_resource_id": "lineItem/ResourceId",
    "line_item_usage_amount": "lineItem/UsageAmount",
    "line_item_currency_code": "lineItem/CurrencyCode",
    "line_item_unblended_rate": "lineItem/UnblendedRate",
    "line_item_unblended_cost": "lineItem/UnblendedCost",
    "line_item_line_item_description": "lineItem/LineItemDescription",
    "line_item_legal_entity": "lineItem/LegalEntity",
    "product_region_code": "product/regionCode",
    "product_sku": "product/sku",
    "product_product_family": "product/productFamily",
    "product_instance_type": "product/instanceType",
    "pricing_unit": "pricing/unit",
    "pricing_term": "pricing/term",
    "pricing_rate_code": "pricing/RateCode",
    "pricing_public_on_demand_rate": "pricing/publicOnDemandRate",
    "pricing_public_on_demand_cost": "pricing/publicOnDemandCost",
    "reservation_reservation_a_r_n": "reservation/ReservationARN",
    "reservation_effective_cost": "reservation/EffectiveCost",
    "reservation_unused_amortized_upfront_fee_for_billing_period": (
        "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"
    ),
    "reservation_unused_recurring_fee": "reservation/UnusedRecurringFee",
    "reservation_unused_quantity": "reservation/UnusedQuantity",
    "savings_plan_savings_plan_a_r_n": "savingsPlan/SavingsPlanARN",
    "savings_plan_savings_plan_effective_cost": "savingsPlan/SavingsPlanEffectiveCost",
    "savings_plan_total_commitment_to_date": "savingsPlan/TotalCommitmentToDate",
    "savings_plan_used_commitment": "savingsPlan/UsedCommitment",
}


def write_legacy(root: Path, report: str, period: str, rows: list[dict], assembly: str = "asm-1") -> Path:
    """Legacy CUR gzip CSV in <report>/<YYYYMMDD-YYYYMMDD>/<assembly>/ with a Manifest naming the assembly."""
    start = _dt(period)
    import datetime as dt

    end = (start + dt.timedelta(days=32)).replace(day=1)
    rng = f"{start:%Y%m%d}-{end:%Y%m%d}"
    d = root / "aws" / "cur-legacy" / report / rng
    p = d / assembly / f"{report}-1.csv.gz"
    p.parent.mkdir(parents=True, exist_ok=True)
    header = (
        list(LEGACY_NAMES.values())
        + ["product/ProductName"]
        + list(LEGACY_TAG_COLUMNS.values())
        + ["costCategory/BusinessUnit"]
    )
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        out = []
        for cur2 in LEGACY_NAMES:
            v = r.get(cur2)
            out.append(
                v.strftime("%Y-%m-%dT%H:%M:%S.000Z") if hasattr(v, "strftime") else ("" if v is None else str(v))
            )
        out.append((r.get("product") or {}).get("product_name", ""))
        out += [(r.get("resource_tags") or {}).get(k, "") for k in LEGACY_TAG_COLUMNS]
        out.append((r.get("cost_category") or {}).get("BusinessUnit", ""))
        w.writerow(out)
    p.write_bytes(gzip.compress(buf.getvalue().encode()))
    (d / f"{report}-Manifest.json").write_text(
        json.dumps({"assemblyId": assembly, "reportKeys": [f"{report}/{rng}/{assembly}/{p.name}"]})
    )
    return p


# --------------------------------------------------------------------------------------------------------------
# expected sums, straight from the source files
# --------------------------------------------------------------------------------------------------------------
def _d(v) -> Decimal:
    if v is None or (isinstance(v, str) and not v.strip()):
        return Decimal(0)
    return Decimal(str(v).strip())


def amortised(r: dict) -> Decimal:
    """The CUR amortised cost of one line (CUR 2.0 names)."""
    t = r.get("line_item_line_item_type")

    def g(k):
        return _d(r.get(k))

    if t == "SavingsPlanCoveredUsage":
        return g("savings_plan_savings_plan_effective_cost")
    if t == "SavingsPlanRecurringFee":
        return g("savings_plan_total_commitment_to_date") - g("savings_plan_used_commitment")
    if t in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
        return Decimal(0)
    if t == "DiscountedUsage":
        return g("reservation_effective_cost")
    if t == "RIFee":
        return g("reservation_unused_amortized_upfront_fee_for_billing_period") + g("reservation_unused_recurring_fee")
    if t == "Fee" and (r.get("reservation_reservation_a_r_n") or "").strip():
        return Decimal(0)
    return g("line_item_unblended_cost")


def expected_sums(path: Path) -> dict[str, tuple[Decimal, Decimal]]:
    """{billing period: (sum unblended, sum amortised)} read from a source file (Parquet, CSV, legacy CSV)."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    else:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and "lineItem/UnblendedCost" in rows[0]:
            rows = [{legacy_to_cur2(k) or k: v for k, v in r.items()} for r in rows]
    out: dict[str, list[Decimal]] = {}
    for r in rows:
        start = r["bill_billing_period_start_date"]
        period = start.strftime("%Y-%m") if hasattr(start, "strftime") else str(start)[:7]
        acc = out.setdefault(period, [Decimal(0), Decimal(0)])
        acc[0] += _d(r.get("line_item_unblended_cost"))
        acc[1] += amortised(r)
    return {k: (v[0], v[1]) for k, v in out.items()}
