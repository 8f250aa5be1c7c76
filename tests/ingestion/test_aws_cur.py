"""AWS CUR formats (CUR 2.0 Parquet, CUR 2.0 gzip CSV, legacy CUR CSV): load, FOCUS staging, conservation.

Expected sums are computed from the source files themselves (pyarrow / csv + Decimal), never from the raw table.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ingestion.aws_cur.helpers import athena_name, legacy_tag_key, legacy_to_cur2
from tests.support import SAMPLES, ingest, run_dbt

LEGACY_SAMPLE = SAMPLES / "aws" / "cur_legacy_sample.csv"
CENT = Decimal("0.01")
DBT_BUILD = ["build", "--select", "+int_aws__focus_charges", "--indirect-selection", "cautious"]



# --------------------------------------------------------------------------------------------------------------
# source files in the providers' layouts
# --------------------------------------------------------------------------------------------------------------
STR, DBL = pa.string(), pa.float64()
TS = pa.timestamp("ms", tz="UTC")
MAP_SS, MAP_SD = pa.map_(STR, STR), pa.map_(STR, DBL)
CUR2_SCHEMA = pa.schema([
    ("identity_line_item_id", STR), ("identity_time_interval", STR),
    ("bill_bill_type", STR), ("bill_billing_entity", STR), ("bill_invoicing_entity", STR), ("bill_invoice_id", STR),
    ("bill_payer_account_id", STR), ("bill_payer_account_name", STR),
    ("bill_billing_period_start_date", TS), ("bill_billing_period_end_date", TS),
    ("line_item_usage_account_id", STR), ("line_item_usage_account_name", STR),
    ("line_item_line_item_type", STR), ("line_item_usage_start_date", TS), ("line_item_usage_end_date", TS),
    ("line_item_product_code", STR), ("line_item_usage_type", STR), ("line_item_operation", STR),
    ("line_item_resource_id", STR), ("line_item_usage_amount", DBL), ("line_item_currency_code", STR),
    ("line_item_unblended_rate", STR), ("line_item_unblended_cost", DBL), ("line_item_net_unblended_cost", DBL),
    ("line_item_line_item_description", STR), ("line_item_legal_entity", STR),
    ("product", MAP_SS), ("product_region_code", STR), ("product_sku", STR), ("product_product_family", STR),
    ("product_instance_type", STR), ("pricing_unit", STR), ("pricing_term", STR), ("pricing_rate_code", STR),
    ("pricing_public_on_demand_rate", STR), ("pricing_public_on_demand_cost", DBL),
    ("discount", MAP_SD),
    ("reservation_reservation_a_r_n", STR), ("reservation_effective_cost", DBL),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", DBL), ("reservation_unused_recurring_fee", DBL),
    ("reservation_unused_quantity", DBL), ("reservation_total_reserved_units", STR),
    ("savings_plan_savings_plan_a_r_n", STR), ("savings_plan_savings_plan_effective_cost", DBL),
    ("savings_plan_total_commitment_to_date", DBL), ("savings_plan_used_commitment", DBL),
    ("savings_plan_offering_type", STR),
    ("resource_tags", MAP_SS), ("cost_category", MAP_SS),
])
MAPS = ("product", "discount", "resource_tags", "cost_category")
SP_ARN = "arn:aws:savingsplans::210987654321:savingsplan/sp-1"
RI_ARN = "arn:aws:ec2:us-east-1:210987654321:reserved-instances/ri-1"
TAGS = {"user_cost_center": "CC-2100", "user_project": "robot-vision", "aws_created_by": "IAMUser:AIDA:ana"}
LEGACY_TAG_COLUMNS = {"user_cost_center": "resourceTags/user:CostCenter", "user_project": "resourceTags/user:project",
                      "aws_created_by": "resourceTags/aws:createdBy"}


def _dt(period: str, day: int = 1, hour: int = 0):
    import datetime as dt

    y, m = int(period[:4]), int(period[5:])
    return dt.datetime(y, m, day, hour, tzinfo=dt.UTC)


def cur2_rows(period: str, scale: float = 1.0) -> list[dict]:
    """One line of every CUR line item type for one billing period (amounts multiplied by ``scale``)."""
    import datetime as dt

    start = _dt(period)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    s = lambda v: round(v * scale, 10)

    def row(i, line_type, cost, **kw):
        r = {
            "identity_line_item_id": f"li-{period}-{i}", "identity_time_interval": f"{start:%Y-%m-%dT%H:%M:%SZ}/x",
            "bill_bill_type": "Anniversary", "bill_billing_entity": "AWS", "bill_invoice_id": f"INV-{period}",
            "bill_invoicing_entity": "Amazon Web Services, Inc.",
            "bill_payer_account_id": "210987654321", "bill_payer_account_name": "northwind-management",
            "bill_billing_period_start_date": start, "bill_billing_period_end_date": end,
            "line_item_usage_account_id": "310000000021", "line_item_usage_account_name": "nw-research",
            "line_item_line_item_type": line_type, "line_item_usage_start_date": _dt(period, 2, 3),
            "line_item_usage_end_date": _dt(period, 2, 4), "line_item_currency_code": "USD",
            "line_item_unblended_cost": cost, "line_item_net_unblended_cost": cost,
            "line_item_legal_entity": "Amazon Web Services, Inc.", "line_item_product_code": "AmazonEC2",
            "product_region_code": "us-east-1", "product": {"product_name": "Amazon Elastic Compute Cloud"},
        }
        r.update(kw)
        return r

    return [
        row(1, "Usage", s(32.7726), line_item_usage_amount=1.0, line_item_unblended_rate="32.7726",
            line_item_usage_type="USE1-BoxUsage:p4d.24xlarge", line_item_operation="RunInstances",
            line_item_resource_id="i-0gpu", product_sku="SKUP4D", product_instance_type="p4d.24xlarge",
            product_product_family="Compute Instance", pricing_unit="Hrs", pricing_term="OnDemand",
            pricing_rate_code="SKUP4D.JRTCKXETXF.6YS6EN2CT7", pricing_public_on_demand_rate="32.7726",
            pricing_public_on_demand_cost=s(32.7726), resource_tags=TAGS,
            cost_category={"BusinessUnit": "research"},
            product={"product_name": "Amazon Elastic Compute Cloud", "gpu": "8", "vcpu": "96"},
            line_item_line_item_description="$32.7726 per On Demand Linux p4d.24xlarge Instance Hour"),
        row(2, "Usage", s(3.6), line_item_product_code="AmazonBedrock", line_item_usage_amount=1200.0,
            line_item_unblended_rate=str(round(0.003 * scale, 10)), line_item_usage_type="USE1-Claude3.5Sonnet-input-tokens",
            line_item_operation="InvokeModelInference", product_sku="SKUBR1", pricing_unit="1K tokens",
            pricing_public_on_demand_rate=str(round(0.003 * scale, 10)), pricing_public_on_demand_cost=s(3.6),
            product={"product_name": "Amazon Bedrock"}, resource_tags={"user_project": "support-copilot"},
            discount={"private_rate_discount": -0.36 * scale}),
        row(3, "SavingsPlanCoveredUsage", s(10.0), line_item_usage_amount=5.0, line_item_unblended_rate="2.0",
            line_item_usage_type="USE1-BoxUsage:m5.xlarge", product_sku="SKUM5", pricing_unit="Hrs",
            pricing_public_on_demand_rate="2.0", pricing_public_on_demand_cost=s(10.0),
            savings_plan_savings_plan_a_r_n=SP_ARN, savings_plan_savings_plan_effective_cost=s(7.1234567891),
            savings_plan_offering_type="ComputeSavingsPlans"),
        row(4, "SavingsPlanNegation", s(-10.0), line_item_usage_amount=5.0, line_item_usage_type="USE1-BoxUsage:m5.xlarge",
            product_sku="SKUM5", savings_plan_savings_plan_a_r_n=SP_ARN),
        row(5, "SavingsPlanRecurringFee", s(100.0), line_item_product_code="ComputeSavingsPlans",
            line_item_usage_amount=720.0, line_item_resource_id=SP_ARN, pricing_unit="Hrs",
            savings_plan_savings_plan_a_r_n=SP_ARN, savings_plan_total_commitment_to_date=s(100.0),
            savings_plan_used_commitment=s(70.5), savings_plan_offering_type="ComputeSavingsPlans",
            product={"product_name": "Savings Plans for AWS Compute usage"}),
        row(6, "DiscountedUsage", 0.0, line_item_usage_amount=24.0, line_item_usage_type="USE1-BoxUsage:c6i.2xlarge",
            product_sku="SKUC6I", pricing_unit="Hrs", pricing_public_on_demand_rate="0.34",
            pricing_public_on_demand_cost=8.16, reservation_reservation_a_r_n=RI_ARN,
            reservation_effective_cost=s(4.25)),
        row(7, "RIFee", s(50.0), line_item_usage_amount=720.0, line_item_unblended_rate=str(round(50.0 * scale / 720, 10)),
            line_item_usage_type="HeavyUsage:c6i.2xlarge", pricing_unit="Hrs", reservation_reservation_a_r_n=RI_ARN,
            reservation_unused_amortized_upfront_fee_for_billing_period=s(5.0),
            reservation_unused_recurring_fee=s(3.333), reservation_unused_quantity=40.0,
            reservation_total_reserved_units="720"),
        row(8, "Tax", s(12.34), line_item_usage_amount=1.0, line_item_line_item_description="Tax for product code AmazonEC2"),
        row(9, "Credit", s(-20.0), line_item_product_code="AmazonBedrock", line_item_usage_amount=0.0,
            product={"product_name": "Amazon Bedrock"}),
        row(10, "Refund", s(-5.0), bill_bill_type="Refund", line_item_product_code="AmazonSageMaker",
            line_item_usage_amount=0.0, product={"product_name": "Amazon SageMaker"}),
        row(11, "EdpDiscount", s(-3.21), line_item_usage_amount=0.0),
        row(12, "Fee", s(100.0), line_item_product_code="AWSSupportBusiness", line_item_usage_amount=1.0,
            line_item_unblended_rate=str(round(100.0 * scale, 10)), product={"product_name": "AWS Support (Business)"}),
        row(13, "Usage", s(17.1234), line_item_product_code="AmazonSageMaker", line_item_usage_amount=17.0,
            line_item_unblended_rate="1.00726", line_item_usage_type="USE1-Host:ml.g5.xlarge", product_sku="SKUSM",
            pricing_unit="Hrs", pricing_public_on_demand_rate="1.00726", pricing_public_on_demand_cost=s(17.1234),
            product={"product_name": "Amazon SageMaker"}),
    ]


def cur2_table(rows: list[dict]) -> pa.Table:
    cols = {}
    for f in CUR2_SCHEMA:
        vals = [r.get(f.name) for r in rows]
        if f.name in MAPS:
            vals = [list(v.items()) if v else None for v in vals]
        cols[f.name] = pa.array(vals, f.type)
    return pa.table(cols, schema=CUR2_SCHEMA)


def write_cur2_parquet(root: Path, export: str, period: str, rows: list[dict], name: str = "part-00001.snappy.parquet") -> Path:
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
    "identity_line_item_id": "identity/LineItemId", "identity_time_interval": "identity/TimeInterval",
    "bill_bill_type": "bill/BillType", "bill_billing_entity": "bill/BillingEntity", "bill_invoice_id": "bill/InvoiceId",
    "bill_invoicing_entity": "bill/InvoicingEntity", "bill_payer_account_id": "bill/PayerAccountId",
    "bill_billing_period_start_date": "bill/BillingPeriodStartDate", "bill_billing_period_end_date": "bill/BillingPeriodEndDate",
    "line_item_usage_account_id": "lineItem/UsageAccountId", "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_usage_start_date": "lineItem/UsageStartDate", "line_item_usage_end_date": "lineItem/UsageEndDate",
    "line_item_product_code": "lineItem/ProductCode", "line_item_usage_type": "lineItem/UsageType",
    "line_item_operation": "lineItem/Operation", "line_item_resource_id": "lineItem/ResourceId",
    "line_item_usage_amount": "lineItem/UsageAmount", "line_item_currency_code": "lineItem/CurrencyCode",
    "line_item_unblended_rate": "lineItem/UnblendedRate", "line_item_unblended_cost": "lineItem/UnblendedCost",
    "line_item_line_item_description": "lineItem/LineItemDescription", "line_item_legal_entity": "lineItem/LegalEntity",
    "product_region_code": "product/regionCode", "product_sku": "product/sku", "product_product_family": "product/productFamily",
    "product_instance_type": "product/instanceType", "pricing_unit": "pricing/unit", "pricing_term": "pricing/term",
    "pricing_rate_code": "pricing/RateCode", "pricing_public_on_demand_rate": "pricing/publicOnDemandRate",
    "pricing_public_on_demand_cost": "pricing/publicOnDemandCost",
    "reservation_reservation_a_r_n": "reservation/ReservationARN", "reservation_effective_cost": "reservation/EffectiveCost",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
    "reservation_unused_recurring_fee": "reservation/UnusedRecurringFee", "reservation_unused_quantity": "reservation/UnusedQuantity",
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
    header = list(LEGACY_NAMES.values()) + ["product/ProductName"] + list(LEGACY_TAG_COLUMNS.values()) \
        + ["costCategory/BusinessUnit"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        out = []
        for cur2 in LEGACY_NAMES:
            v = r.get(cur2)
            out.append(v.strftime("%Y-%m-%dT%H:%M:%S.000Z") if hasattr(v, "strftime") else ("" if v is None else str(v)))
        out.append((r.get("product") or {}).get("product_name", ""))
        out += [(r.get("resource_tags") or {}).get(k, "") for k in LEGACY_TAG_COLUMNS]
        out.append((r.get("cost_category") or {}).get("BusinessUnit", ""))
        w.writerow(out)
    p.write_bytes(gzip.compress(buf.getvalue().encode()))
    (d / f"{report}-Manifest.json").write_text(json.dumps(
        {"assemblyId": assembly, "reportKeys": [f"{report}/{rng}/{assembly}/{p.name}"]}))
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
    g = lambda k: _d(r.get(k))
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


def focus_sums(con, source_file: str) -> dict[str, tuple[Decimal, Decimal]]:
    rows = con.execute(
        "select x_billing_period, sum(billed_cost), sum(effective_cost) from intermediate.int_aws__focus_charges "
        "where x_source_file = ? group by 1", [source_file]).fetchall()
    return {p: (b, e) for p, b, e in rows}


def raw_sums(con) -> list[tuple]:
    return con.execute(
        "select x_export_id, x_billing_period, count(*), sum(line_item_unblended_cost) from aws_cur.line_items "
        "group by all order by all").fetchall()


def assert_conserved(expected: dict, actual: dict, what: str) -> None:
    assert set(expected) == set(actual), (what, expected, actual)
    for period, (billed, effective) in expected.items():
        got_b, got_e = actual[period]
        assert got_b.quantize(CENT) == billed.quantize(CENT), (what, period, "BilledCost", got_b, billed)
        assert got_e.quantize(CENT) == effective.quantize(CENT), (what, period, "EffectiveCost", got_e, effective)
        assert abs(got_b - billed) < Decimal("0.000001") and abs(got_e - effective) < Decimal("0.000001")


# --------------------------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------------------------
def test_legacy_names_follow_cur2():
    assert legacy_to_cur2("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert legacy_to_cur2("bill/BillingPeriodStartDate") == "bill_billing_period_start_date"
    assert legacy_to_cur2("savingsPlan/SavingsPlanARN") == "savings_plan_savings_plan_a_r_n"
    assert legacy_to_cur2("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod") == \
        "reservation_unused_amortized_upfront_fee_for_billing_period"
    assert legacy_to_cur2("pricing/publicOnDemandCost") == "pricing_public_on_demand_cost"
    assert legacy_to_cur2("product/ProductName") == "product_product_name"
    assert legacy_to_cur2("resourceTags/user:CostCenter") is None
    assert legacy_tag_key("resourceTags/user:CostCenter") == "user_cost_center"
    assert legacy_tag_key("resourceTags/aws:createdBy") == "aws_created_by"
    assert athena_name("karpenter.sh/nodepool") == "karpenter_sh_nodepool"


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    files = {
        "cur2_09": write_cur2_parquet(root, "northwind-cur2", "2026-09", cur2_rows("2026-09")),
        "cur2_10": write_cur2_parquet(root, "northwind-cur2", "2026-10", cur2_rows("2026-10", 1.5)),
        "csv_09": write_cur2_csv(root, "northwind-cur2-csv", "2026-09", cur2_rows("2026-09", 0.5)),
        "legacy_09": write_legacy(root, "northwind-canada-cur", "2026-09", cur2_rows("2026-09", 2.0)),
    }
    sample_dir = root / "samples"
    sample_dir.mkdir()
    files["sample"] = Path(shutil.copy(LEGACY_SAMPLE, sample_dir / LEGACY_SAMPLE.name))
    return root, files


@pytest.fixture(scope="module")
def built(landing, tmp_path_factory):
    root, files = landing
    tmp = tmp_path_factory.mktemp("wh")
    wh = tmp / "w.duckdb"
    reports = ingest(root, wh)
    assert set(reports) == {"aws_cur"}
    assert reports["aws_cur"].ok, reports["aws_cur"].quarantined
    run_dbt(DBT_BUILD, wh, tmp)  # seeds, unit tests, the view and its data tests (conservation included)
    return root, files, wh, tmp


def test_every_format_is_conserved_per_file_and_period(built):
    root, files, wh, _ = built
    con = duckdb.connect(str(wh))
    try:
        formats = dict(con.execute("select x_source_file, any_value(x_source_format) from aws_cur.line_items group by 1").fetchall())
        for key, path in files.items():
            rel = path.relative_to(root).as_posix()
            assert_conserved(expected_sums(path), focus_sums(con, rel), key)
        assert sorted(set(formats.values())) == ["aws_cur2", "aws_cur2_csv", "aws_cur_legacy"]
        # the real legacy sample: 1281 lines, 1.6823086974 USD unblended (1.60 usage + 0.08 tax)
        sample = focus_sums(con, files["sample"].relative_to(root).as_posix())
        assert sample == {"2023-11": (Decimal("1.6823086974"), Decimal("1.6823086974"))}
        assert con.execute("select count(*) from aws_cur.line_items where x_source_file like '%cur_legacy_sample.csv'").fetchone()[0] == 1281
    finally:
        con.close()


def test_focus_mapping_of_commitments_ai_services_and_tags(built):
    wh = built[2]
    con = duckdb.connect(str(wh))
    try:
        q = lambda sql, *a: con.execute(sql, list(a)).fetchall()
        # Savings Plan: Used + Unused EffectiveCost = the recurring fee (BilledCost of the Purchase)
        rows = dict(q("""select coalesce(commitment_discount_status, charge_category), sum(effective_cost)
                         from intermediate.int_aws__focus_charges
                         where x_source_format = 'aws_cur2' and x_billing_period = '2026-09'
                           and commitment_discount_id = ? and charge_category in ('Usage', 'Purchase') group by 1""", SP_ARN))
        assert rows == {"Used": Decimal("7.1234567891"), "Unused": Decimal("29.5"), "Purchase": Decimal(0)}
        unused = q("""select billed_cost, consumed_quantity, pricing_quantity, pricing_unit, resource_id, charge_frequency
                      from intermediate.int_aws__focus_charges where x_source_format = 'aws_cur2'
                      and x_billing_period = '2026-09' and commitment_discount_status = 'Unused' order by pricing_unit""")
        assert unused == [(Decimal(0), None, Decimal(40), "Hours", RI_ARN, "Usage-Based"),
                          (Decimal(0), None, Decimal("29.5"), "USD", SP_ARN, "Usage-Based")]
        # AI services and GPU compute
        svc = {s: (c, sc) for s, c, sc in q("select distinct service_name, service_category, service_subcategory "
                                             "from intermediate.int_aws__focus_charges")}
        assert svc["Amazon Bedrock"] == ("AI and Machine Learning", "Generative AI")
        assert svc["Amazon SageMaker"] == ("AI and Machine Learning", "Machine Learning")
        assert svc["Amazon Elastic Compute Cloud"] == ("Compute", "Virtual Machines")
        gpu = q("""select service_category, pricing_unit, sku_price_details, region_name, list_cost
                   from intermediate.int_aws__focus_charges where resource_id = 'i-0gpu' and x_source_format = 'aws_cur2'
                   and x_billing_period = '2026-09'""")
        assert gpu == [("Compute", "Hours", '{"InstanceType":"p4d.24xlarge"}', "US East (N. Virginia)", Decimal("32.7726"))]
        # Bedrock: units in FOCUS UnitFormat, private rate discount in the contracted cost
        br = q("""select pricing_unit, list_cost, contracted_cost, contracted_unit_price from intermediate.int_aws__focus_charges
                  where x_usage_type like '%input-tokens' and x_source_format = 'aws_cur2' and x_billing_period = '2026-09'""")
        assert br == [("1000 Tokens", Decimal("3.6"), Decimal("3.24"), Decimal("0.0027"))]
        # tags: legacy resourceTags/user:CostCenter and CUR 2.0 resource_tags['user_cost_center'] agree
        raw = q("""select x_source_format, resource_tags, cost_category from aws_cur.line_items
                   where line_item_resource_id = 'i-0gpu' and x_billing_period = '2026-09' order by 1""")
        assert {json.dumps(json.loads(r[1]), sort_keys=True) for r in raw} == {json.dumps(TAGS, sort_keys=True)}
        tags = q("""select distinct tags from intermediate.int_aws__focus_charges where resource_id = 'i-0gpu'""")
        expected_tags = ('{"aws_created_by":"IAMUser:AIDA:ana","costCategory/BusinessUnit":"research",'
                         '"cost_center":"CC-2100","project":"robot-vision"}')
        assert tags == [(expected_tags,)]
        assert {r[0] for r in raw} == {"aws_cur2", "aws_cur2_csv", "aws_cur_legacy"}
        # nothing outside FOCUS's allowed values; no placeholder strings
        assert q("""select count(*) from intermediate.int_aws__focus_charges where charge_category not in
                    ('Usage','Purchase','Tax','Credit','Adjustment') or x_operation in ('None','NULL','')""") == [(0,)]
    finally:
        con.close()


def test_second_load_loads_nothing_new(built):
    root, _, wh, _ = built
    con = duckdb.connect(str(wh))
    before = raw_sums(con)
    con.close()
    report = ingest(root, wh)["aws_cur"]
    assert report.rows == 0 and report.ok
    con = duckdb.connect(str(wh))
    try:
        assert raw_sums(con) == before
    finally:
        con.close()


def test_redelivered_period_replaces_the_old_one(tmp_path):
    root = tmp_path / "landing"
    wh = tmp_path / "w.duckdb"
    old_cur2 = write_cur2_parquet(root, "exp", "2026-09", cur2_rows("2026-09"))
    write_cur2_parquet(root, "exp", "2026-10", cur2_rows("2026-10"))
    write_legacy(root, "rep", "2026-09", cur2_rows("2026-09"), assembly="asm-1")
    assert ingest(root, wh)["aws_cur"].ok

    # CUR 2.0: the period is rewritten in place with other amounts; legacy: a new assembly + manifest
    new_cur2 = write_cur2_parquet(root, "exp", "2026-09", cur2_rows("2026-09", 3.0)[:9])
    assert new_cur2 == old_cur2
    new_legacy = write_legacy(root, "rep", "2026-09", cur2_rows("2026-09", 0.25), assembly="asm-2")
    report = ingest(root, wh)["aws_cur"]
    assert report.ok and report.rows == 9 + 13

    con = duckdb.connect(str(wh))
    try:
        got = {(e, p): (n, s) for e, p, n, s in raw_sums(con)}
        exp_cur2 = expected_sums(new_cur2)["2026-09"][0]
        exp_legacy = expected_sums(new_legacy)["2026-09"][0]
        exp_oct = expected_sums(root / "aws/cur2/exp/data/BILLING_PERIOD=2026-10/part-00001.snappy.parquet")["2026-10"][0]
        assert got[("aws/cur2/exp", "2026-09")] == (9, exp_cur2)
        assert got[("aws/cur-legacy/rep", "2026-09")] == (13, exp_legacy)
        assert got[("aws/cur2/exp", "2026-10")] == (13, exp_oct)  # untouched
        files = {r[0] for r in con.execute("select distinct x_source_file from aws_cur.line_items").fetchall()}
        assert not any("asm-1" in f for f in files)
    finally:
        con.close()


def test_bad_files_are_quarantined_and_the_others_load(tmp_path):
    root = tmp_path / "landing"
    wh = tmp_path / "w.duckdb"
    good = write_cur2_parquet(root, "good", "2026-09", cur2_rows("2026-09"))
    # CUR 2.0 without line_item_unblended_cost
    missing = write_cur2_parquet(root, "missing", "2026-09", cur2_rows("2026-09"))
    pq.write_table(pq.read_table(missing).drop_columns(["line_item_unblended_cost"]), missing)
    # legacy CUR with an amount that is not a number on data row 3
    bad = write_legacy(root, "badrep", "2026-09", cur2_rows("2026-09"))
    text = gzip.decompress(bad.read_bytes()).decode().splitlines()
    hdr = next(csv.reader([text[0]]))
    row3 = next(csv.reader([text[3]]))
    row3[hdr.index("lineItem/UnblendedCost")] = "12,34 USD"
    buf = io.StringIO()
    csv.writer(buf).writerow(row3)
    text[3] = buf.getvalue().rstrip("\r\n")
    bad.write_bytes(gzip.compress(("\n".join(text) + "\n").encode()))
    # CUR 2.0 CSV whose resource_tags is not JSON on data row 2
    badjson = write_cur2_csv(root, "badjson", "2026-09", cur2_rows("2026-09"))
    t = pacsv.read_csv(badjson, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in CUR2_SCHEMA.names}))
    tags = t.column("resource_tags").to_pylist()
    tags[1] = "{user_project: oops"
    t = t.set_column(t.schema.get_field_index("resource_tags"), "resource_tags", pa.array(tags, pa.string()))
    buf = io.BytesIO()
    pacsv.write_csv(t, buf)
    badjson.write_bytes(gzip.compress(buf.getvalue()))

    report = ingest(root, wh)["aws_cur"]
    errs = {Path(e.file).parts[2]: e for e in report.quarantined}
    assert set(errs) == {"missing", "badrep", "badjson"}, [str(e) for e in report.quarantined]
    assert errs["missing"].field == "line_item_unblended_cost" and errs["missing"].row == 0
    assert (errs["badrep"].row, errs["badrep"].field, errs["badrep"].value) == (3, "lineItem/UnblendedCost", "12,34 USD")
    assert (errs["badjson"].row, errs["badjson"].field) == (2, "resource_tags")
    for e in report.quarantined:
        assert e.file in str(e)  # the message names the file (and row/field where known)

    con = duckdb.connect(str(wh))
    try:
        assert con.execute("select distinct x_export_id from aws_cur.line_items").fetchall() == [("aws/cur2/good",)]
        (n, s), = con.execute("select count(*), sum(line_item_unblended_cost) from aws_cur.line_items").fetchall()
        assert (n, s) == (13, expected_sums(good)["2026-09"][0])
        q = con.execute("select source_file, row_number, field from aws_cur.quarantine order by 1").fetchall()
        assert {(Path(f).parts[2], r, fld) for f, r, fld in q} == {
            ("missing", 0, "line_item_unblended_cost"), ("badrep", 3, "lineItem/UnblendedCost"), ("badjson", 2, "resource_tags")}
    finally:
        con.close()


def test_legacy_cur_parquet_flavour_packs_flat_columns(tmp_path):
    """The legacy CUR's Parquet flavour (Athena names, flat resource_tags_user_x / product_x columns) loads
    into the same JSON columns as CUR 2.0."""
    rows = cur2_rows("2026-09")[:2]
    t = cur2_table(rows).drop_columns(list(MAPS))
    t = t.append_column("resource_tags_user_cost_center", pa.array(["CC-2100", None]))
    t = t.append_column("resource_tags_aws_created_by", pa.array(["IAMUser:AIDA:ana", ""]))
    t = t.append_column("cost_category_BusinessUnit", pa.array(["research", None]))
    t = t.append_column("product_product_name", pa.array(["Amazon Elastic Compute Cloud", "Amazon Bedrock"]))
    t = t.append_column("product_vcpu", pa.array(["96", None]))
    p = tmp_path / "landing" / "legacy-parquet" / "rep" / "20260901-20261001" / "asm" / "rep-1.snappy.parquet"
    p.parent.mkdir(parents=True)
    pq.write_table(t, p)
    wh = tmp_path / "w.duckdb"
    assert ingest(tmp_path / "landing", wh)["aws_cur"].ok
    con = duckdb.connect(str(wh))
    try:
        got = con.execute("select resource_tags, cost_category, product, product_product_name, x_source_format "
                          "from aws_cur.line_items order by x_source_row").fetchall()
    finally:
        con.close()
    assert got == [
        ('{"user_cost_center":"CC-2100","aws_created_by":"IAMUser:AIDA:ana"}', '{"BusinessUnit":"research"}',
         '{"product_name":"Amazon Elastic Compute Cloud","vcpu":"96"}', "Amazon Elastic Compute Cloud", "aws_cur2"),
        (None, None, '{"product_name":"Amazon Bedrock"}', "Amazon Bedrock", "aws_cur2"),
    ]
