"""FOCUS exports (focus_1_0, focus_1_2) -> focus_exports.focus_rows -> int_focus_exports__focus_charges.

Expected totals are computed here, independently, from the source files (csv + Decimal, pyarrow for Parquet),
never from the raw table. Conservation rule: BilledCost and EffectiveCost summed per billing period of each
source file equal the FOCUS record's, to the cent.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import time
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion import catalogue
from ingestion.focus_exports.settings import DATASET, TABLE
from tests.support import SAMPLES, ingest, run_dbt
from tests.support.focus_exports import AWS10_HEADER, AWS_EXPORT, aws10_rows, expected_csv, expected_parquet

SPEC_DIR = SAMPLES / "focus_spec"
SPEC_FILES = sorted(SPEC_DIR.rglob("*.csv"))
MODEL = "int_focus_exports__focus_charges"
BUILD = ["build", "--select", f"+{MODEL}", "--indirect-selection", "cautious"]
CENT = Decimal("0.01")

AWS10PQ_EXPORT = "aws/focus10pq/northwind-focus10"  # AWS Data Exports FOCUS 1.0 (Parquet) layout
AWS12_EXPORT = "aws/focus12/northwind-focus12"  # AWS Data Exports FOCUS 1.2 (Parquet) layout
OCI_EXPORT = "focus/oci-tenancy"  # OCI FOCUS report, YYYY/MM layout, 1.0-preview names


# ------------------------------------------------------------------------------------------- source files
def write_csv(path: Path, header: list[str], rows: list[dict], gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    data = buf.getvalue().encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_aws10(landing: Path, period: str, scale: str = "1", name: str | None = None) -> Path:
    export = AWS_EXPORT.rsplit("/", 1)[1]
    folder = landing / AWS_EXPORT / "data" / f"BILLING_PERIOD={period}"
    gz = period.endswith("01")  # one period gzip, the other plain CSV
    fname = name or f"{export}-00001.csv{'.gz' if gz else ''}"
    return write_csv(folder / fname, AWS10_HEADER, aws10_rows(period, scale), gz=fname.endswith(".gz"))


AWS10_MONEY = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ListUnitPrice",
    "ContractedCost",
    "ContractedUnitPrice",
    "PricingQuantity",
    "ConsumedQuantity",
)
AWS10_DATES = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")


def write_aws10_parquet(landing: Path, period: str) -> Path:
    """The same AWS FOCUS 1.0 rows as Parquet, typed as Data Exports writes them (double, timestamp_ms, MAP)."""
    from datetime import UTC, datetime

    rows = aws10_rows(period)
    cols = {}
    for c in AWS10_HEADER:
        vals = [r[c] if r[c] != "" else None for r in rows]
        if c in AWS10_MONEY:
            cols[c] = pa.array([float(v) if v is not None else None for v in vals], pa.float64())
        elif c in AWS10_DATES:
            cols[c] = pa.array(
                [datetime.fromisoformat(v.replace("Z", "").replace(" ", "T")).replace(tzinfo=UTC) for v in vals],
                pa.timestamp("ms", tz="UTC"),
            )
        elif c in ("Tags", "x_CostCategories"):
            cols[c] = pa.array(
                [list(json.loads(v).items()) if v else None for v in vals], pa.map_(pa.string(), pa.string())
            )
        else:
            cols[c] = pa.array(vals, pa.string())
    export = AWS10PQ_EXPORT.rsplit("/", 1)[1]
    path = landing / AWS10PQ_EXPORT / "data" / f"BILLING_PERIOD={period}" / f"{export}-00001.snappy.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(cols), path)
    return path


def write_aws12_parquet(landing: Path, period: str) -> Path:
    """AWS FOCUS 1.2 Parquet as Data Exports writes it: doubles, timestamp_ms UTC, MAP tags."""
    y, m = map(int, period.split("-"))
    ts = pa.timestamp("ms", tz="UTC")
    from datetime import datetime

    start = datetime(y, m, 1, tzinfo=UTC)
    end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=UTC)
    n = 4
    costs = [0.1 + 0.2, 1e-05, 1234.5678901234, 0.0]  # doubles, incl. 0.30000000000000004
    eff = [0.1 + 0.2, 1e-05, 1000.25, 0.0]
    table = pa.table(
        {
            "BilledCost": pa.array(costs, pa.float64()),
            "EffectiveCost": pa.array(eff, pa.float64()),
            "ListCost": pa.array([0.3, 1e-05, 1234.5678901234, 90.0], pa.float64()),
            "ContractedCost": pa.array([0.3, 1e-05, 1234.5678901234, 90.0], pa.float64()),
            "ListUnitPrice": pa.array([0.1, 1e-06, None, 90.0], pa.float64()),
            "ContractedUnitPrice": pa.array([0.1, 1e-06, None, 90.0], pa.float64()),
            "PricingQuantity": pa.array([3.0, 10.0, 7.0, 1.0], pa.float64()),
            "PricingUnit": ["Requests", "1000 Tokens", "Hours", "Units"],
            "ConsumedQuantity": pa.array([3.0, 10000.0, 7.0, None], pa.float64()),
            "ConsumedUnit": ["Requests", "Tokens", "Hours", None],
            "BillingAccountId": ["210987654321"] * n,
            "BillingAccountName": ["northwind-management"] * n,
            "BillingAccountType": ["Billing Account"] * n,
            "BillingCurrency": ["USD"] * n,
            "BillingPeriodStart": pa.array([start] * n, ts),
            "BillingPeriodEnd": pa.array([end] * n, ts),
            "ChargePeriodStart": pa.array([start] * n, ts),
            "ChargePeriodEnd": pa.array([end] * n, ts),
            "ChargeCategory": ["Usage", "Usage", "Usage", "Purchase"],
            "ChargeClass": [None] * n,
            "ChargeDescription": ["lambda", "bedrock", "sagemaker", "reserved capacity"],
            "ChargeFrequency": ["Usage-Based", "Usage-Based", "Usage-Based", "One-Time"],
            "CapacityReservationId": [None, None, "cr-0001", None],
            "CapacityReservationStatus": [None, None, "Used", None],
            "InvoiceId": ["INV-1", "INV-1", "INV-1", "INV-1"],
            "InvoiceIssuerName": ["AWS"] * n,
            "ProviderName": ["AWS"] * n,
            "PublisherName": ["AWS"] * n,
            "PricingCategory": ["Standard"] * n,
            "PricingCurrency": ["USD"] * n,
            "ServiceCategory": ["Compute", "AI and Machine Learning", "AI and Machine Learning", "Compute"],
            "ServiceSubcategory": ["Serverless Compute", "Generative AI", "Machine Learning", "Virtual Machines"],
            "ServiceName": ["AWS Lambda", "Amazon Bedrock", "Amazon SageMaker", "Amazon Elastic Compute Cloud"],
            "SkuId": ["L1", "B1", "S1", "E1"],
            "SkuPriceId": ["L1.1", "B1.1", "S1.1", "E1.1"],
            "SkuPriceDetails": pa.array(
                [[("x_Architecture", "arm64")], None, None, []], pa.map_(pa.string(), pa.string())
            ),
            "SubAccountId": ["530000000001"] * n,
            "SubAccountName": ["northwind-edge"] * n,
            "SubAccountType": ["Linked Account"] * n,
            "Tags": pa.array(
                [[("user:team", "ml")], [], None, [("user:env", "prod")]], pa.map_(pa.string(), pa.string())
            ),
            "x_Discounts": pa.array(
                [None, [("bundled_discount", -0.5)], None, None], pa.map_(pa.string(), pa.float64())
            ),
            "x_Operation": ["Invoke", "InvokeModel", "RunInstance", None],
            "x_ServiceCode": ["AWSLambda", "AmazonBedrock", "AmazonSageMaker", "AmazonEC2"],
        }
    )
    export = AWS12_EXPORT.rsplit("/", 1)[1]
    path = landing / AWS12_EXPORT / "data" / f"BILLING_PERIOD={period}" / f"{export}-00001.snappy.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


OCI_HEADER = [
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ChargeSubcategory",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountType",
    "EffectiveCost",
    "InvoiceIssuer",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "Provider",
    "Publisher",
    "Region",
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
    "UsageQuantity",
    "UsageUnit",
    "oci_ReferenceNumber",
    "oci_CompartmentId",
    "oci_CompartmentName",
    "oci_OverageFlag",
    "oci_AttributedCost",
]


def write_oci(landing: Path, period: str) -> Path:
    """OCI FOCUS report: FOCUS 1.0-preview names (Provider, Region, UsageQuantity, ChargeSubcategory), oci_
    columns, dates without seconds, gzip CSV under <export>/YYYY/MM/."""
    y, m = map(int, period.split("-"))
    base = dict.fromkeys(OCI_HEADER, "")
    base.update(
        BillingAccountId="ocid1.tenancy.oc1..aaaa",
        BillingAccountName="northwind",
        BillingCurrency="USD",
        BillingPeriodStart=f"{period}-01T00:00Z",
        BillingPeriodEnd=f"{y + (m == 12):04d}-{m % 12 + 1:02d}-01T00:00Z",
        ChargePeriodStart=f"{period}-02T00:00Z",
        ChargePeriodEnd=f"{period}-02T01:00Z",
        Provider="Oracle",
        Publisher="Oracle",
        InvoiceIssuer="Oracle",
        Region="us-ashburn-1",
        SubAccountId="ocid1.compartment.oc1..bbbb",
        SubAccountName="ml",
        PricingCategory="On-Demand",
        oci_CompartmentId="ocid1.compartment.oc1..bbbb",
        oci_CompartmentName="ml",
    )
    rows = [
        dict(
            base,
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeSubcategory="On-Demand",
            ChargeDescription="GPU.A10 hours",
            BilledCost="10.50",
            EffectiveCost="10.50",
            ListCost="12.00",
            ListUnitPrice="2.00",
            PricingQuantity="6",
            PricingUnit="GPU Hours",
            UsageQuantity="6",
            UsageUnit="GPU Hours",
            ServiceCategory="Compute",
            ServiceName="Compute",
            SkuId="B95909",
            SkuPriceId="B95909",
            ResourceId="ocid1.instance.oc1..cccc",
            ResourceType="instance",
            Tags='{"orcl-cloud.free-tier-retained":"true"}',
            oci_ReferenceNumber="ref-1",
            oci_AttributedCost="10.50",
        ),
        dict(
            base,
            ChargeCategory="Usage",
            ChargeFrequency="Usage-Based",
            ChargeSubcategory="On-Demand",
            ChargeDescription="Generative AI tokens",
            BilledCost="0.333",
            EffectiveCost="0.333",
            ListCost="0.333",
            ListUnitPrice="",
            PricingQuantity="0.9",
            PricingUnit="10000 Transactions",
            UsageQuantity="9000",
            UsageUnit="Transactions",
            ServiceCategory="AI and Machine Learning",
            ServiceName="Generative AI",
            SkuId="B108077",
            SkuPriceId="B108077",
            oci_ReferenceNumber="ref-2",
        ),
    ]
    path = landing / OCI_EXPORT / f"{y:04d}" / f"{m:02d}" / f"reports_cost-csv_{y}{m:02d}01-0001.csv.gz"
    return write_csv(path, OCI_HEADER, rows, gz=True)


# --------------------------------------------------------------------------- independent expected totals
def actual(con, source_file: str) -> dict[str, tuple[Decimal, Decimal]]:
    rows = con.execute(
        f"select strftime(billing_period_start, '%Y-%m'), sum(billed_cost), sum(effective_cost) "
        f"from intermediate.{MODEL} where x_source_file = ? group by 1",
        [source_file],
    ).fetchall()
    return {p: (Decimal(b).quantize(CENT), Decimal(e).quantize(CENT)) for p, b, e in rows}


def connect(warehouse):
    """dbt (run in process) keeps the warehouse open; a connection with another configuration is refused."""
    con = duckdb.connect(str(warehouse))
    con.execute("SET TimeZone = 'UTC'")
    return con


def raw_totals(warehouse) -> dict[tuple[str, str], tuple[Decimal, Decimal, int]]:
    with connect(warehouse) as con:
        rows = con.execute(
            f"select x_export_id, x_billing_period, sum(billed_cost), sum(effective_cost), count(*) "
            f"from {DATASET}.{TABLE} group by 1, 2"
        ).fetchall()
    return {(x, p): (b, e, n) for x, p, b, e, n in rows}


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The FOCUS spec samples and the constructed provider files, loaded and built through dbt (with the unit
    tests and data tests of the staging model)."""
    tmp = tmp_path_factory.mktemp("focus_exports")
    wh = tmp / "wh.duckdb"
    landing = tmp / "landing"
    files = {
        "aws10_jan": write_aws10(landing, "2026-01"),
        "aws10_feb": write_aws10(landing, "2026-02"),
        "aws10_parquet": write_aws10_parquet(landing, "2026-03"),
        "aws12_parquet": write_aws12_parquet(landing, "2026-01"),
        "oci": write_oci(landing, "2026-01"),
    }
    t0 = time.monotonic()
    reports = {"spec": ingest(SPEC_DIR, wh), "landing": ingest(landing, wh)}
    run_dbt(BUILD, wh, tmp)
    print(f"load + dbt build: {time.monotonic() - t0:.1f}s")
    con = connect(wh)
    yield {"wh": wh, "landing": landing, "files": files, "reports": reports, "con": con}
    con.close()


# ------------------------------------------------------------------------------------------------ sniffing
def test_sniff_recognises_focus_before_other_formats():
    aws10 = catalogue.detect(AWS10_HEADER, f"{AWS_EXPORT}/data/BILLING_PERIOD=2026-01/x.csv.gz")
    assert aws10 is not None and aws10.id == "focus_1_0"
    hdr12 = AWS10_HEADER + ["BillingAccountType", "SubAccountType", "InvoiceId", "CapacityReservationId"]
    assert catalogue.detect(hdr12, f"{AWS12_EXPORT}/data/BILLING_PERIOD=2026-01/x.parquet").id == "focus_1_2"
    assert catalogue.detect(OCI_HEADER, f"{OCI_EXPORT}/2026/01/r.csv.gz").id == "focus_1_0"
    # a FOCUS file missing a required column is still ours (and then rejected with a clear error)
    assert catalogue.detect([c for c in AWS10_HEADER if c != "EffectiveCost"], "x.csv").dataset == DATASET
    # other providers' exports are not FOCUS
    cur2 = [
        "bill_billing_period_start_date",
        "line_item_unblended_cost",
        "line_item_usage_start_date",
        "bill_payer_account_id",
        "line_item_line_item_type",
    ]
    assert (catalogue.detect(cur2, "aws/cur2/x/data/BILLING_PERIOD=2026-01/x.parquet") or object()).__dict__.get(
        "dataset"
    ) != DATASET
    assert min(f.priority for f in catalogue.formats() if f.dataset == DATASET) < 100


# ------------------------------------------------------------------------------------------- conservation
@pytest.mark.slow
@pytest.mark.parametrize("path", SPEC_FILES, ids=[p.name for p in SPEC_FILES])
def test_spec_sample_conservation(loaded, path):
    exp = expected_csv(path)
    got = actual(loaded["con"], path.relative_to(SPEC_DIR).as_posix())
    assert got == exp


@pytest.mark.slow
def test_all_spec_samples_loaded(loaded):
    rep = loaded["reports"]["spec"][DATASET]
    assert rep.ok, [str(e) for e in rep.quarantined]
    n = (
        loaded["con"]
        .execute(
            f"select count(distinct x_source_file) from intermediate.{MODEL}"
            f" where x_export_id not like 'aws/%' and x_export_id not like 'focus/%'"
        )
        .fetchone()[0]
    )
    assert n == len(SPEC_FILES) == 26


@pytest.mark.slow
@pytest.mark.parametrize("key", ["aws10_jan", "aws10_feb", "aws10_parquet", "aws12_parquet", "oci"])
def test_provider_file_conservation(loaded, key):
    path = loaded["files"][key]
    exp = expected_parquet(path) if path.suffix == ".parquet" else expected_csv(path)
    got = actual(loaded["con"], path.relative_to(loaded["landing"]).as_posix())
    assert got == exp and len(exp) == 1


@pytest.mark.slow
def test_formats_versions_and_source_systems(loaded):
    rows = (
        loaded["con"]
        .execute(
            f"""
        select r.x_export_id, r.x_source_format, r.source_focus_version, s.x_source_system, count(*)
        from {DATASET}.{TABLE} r join intermediate.{MODEL} s using (x_source_file, x_source_row)
        where r.x_export_id in (?, ?, ?, ?) group by all order by 1""",
            [AWS_EXPORT, AWS10PQ_EXPORT, AWS12_EXPORT, OCI_EXPORT],
        )
        .fetchall()
    )
    assert [r[:4] for r in rows] == [
        (AWS_EXPORT, "focus_1_0", "1.0", "aws"),
        (AWS10PQ_EXPORT, "focus_1_0", "1.0", "aws"),
        (AWS12_EXPORT, "focus_1_2", "1.2", "aws"),
        (OCI_EXPORT, "focus_1_0", "1.0-preview", "oracle"),
    ]
    assert (
        loaded["con"]
        .execute(
            f"select count(*) from intermediate.{MODEL} where strftime(billing_period_start, '%Y-%m')"
            f" <> x_billing_period"
        )
        .fetchone()[0]
        == 0
    )


# -------------------------------------------------------------------------------------- 1.0 -> 1.2 values
def _record(con, export, description):
    cur = con.execute(
        f"select * from intermediate.{MODEL} where x_export_id = ? and charge_description = ?"
        f" order by x_billing_period limit 1",
        [export, description],
    )
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone()))


@pytest.mark.slow
def test_aws_focus_1_0_normalised(loaded):
    con = loaded["con"]
    ec2 = _record(con, AWS_EXPORT, "m5.large on demand")
    assert ec2["billing_account_type"] == "Payer Account" and ec2["sub_account_type"] == "Linked Account"
    assert ec2["invoice_id"] is None and ec2["capacity_reservation_id"] is None and ec2["charge_class"] is None
    # priced in the billing currency: PricingCurrency* = the billing-currency values
    assert (
        ec2["pricing_currency"],
        ec2["pricing_currency_list_unit_price"],
        ec2["pricing_currency_effective_cost"],
    ) == ("USD", Decimal("0.096"), ec2["effective_cost"])
    # no ServiceSubcategory in FOCUS 1.0: the AWS CUR model's one for the product code (seed aws_service_categories)
    assert ec2["service_subcategory"] == "Virtual Machines" and ec2["sku_meter"] == "BoxUsage:m5.large"
    assert json.loads(ec2["tags"]) == {"user:team": "ml", "user:env": "prod"}
    assert (ec2["x_native_service_code"], ec2["x_usage_type"], ec2["x_operation"]) == (
        "AmazonEC2",
        "BoxUsage:m5.large",
        "RunInstances",
    )
    assert ec2["list_unit_price"] == Decimal(
        "0.096"
    )  # the export's price kept: 0.096 x 128.60082188786 = 12.3456789012
    fee = _record(con, AWS_EXPORT, "savings plan recurring fee")
    assert fee["charge_frequency"] == "One-Time" and fee["commitment_discount_status"] is None
    assert fee["sku_price_id"] == "SP-COMPUTE" and fee["list_unit_price"] == 1
    s3 = _record(con, AWS_EXPORT, "S3 standard storage")
    assert s3["list_unit_price"] == Decimal("0.023") and s3["list_cost"] == 23
    assert s3["publisher_name"] == "AWS" and s3["consumed_quantity"] == 1000 and s3["consumed_unit"] == "GB-Months"
    tokens = _record(con, AWS_EXPORT, "Claude input tokens")
    assert tokens["list_unit_price"] == Decimal("0.3333333333")
    assert (
        tokens["list_cost"] == Decimal("0.9999999999") and tokens["billed_cost"] == 1
    )  # money kept, list identity exact
    tax = _record(con, AWS_EXPORT, "Sales tax")
    assert tax["list_unit_price"] is None and tax["pricing_quantity"] is None and tax["sku_price_id"] is None
    credit = _record(con, AWS_EXPORT, "Promotional credit")
    assert credit["charge_period_start"].isoformat() == "2026-01-01T00:00:00" and credit["list_cost"] == Decimal("-1.5")


@pytest.mark.slow
def test_focus_1_2_rules_where_the_source_has_the_data(loaded):
    """The FOCUS 1.2 requirements the validator checks, on the provider files (they carry every column)."""
    con = loaded["con"]
    where = f"x_export_id in ('{AWS_EXPORT}', '{AWS10PQ_EXPORT}', '{AWS12_EXPORT}', '{OCI_EXPORT}')"
    checks = {
        "usage/purchase prices": "charge_category in ('Usage','Purchase') and charge_class is null and (list_unit_price"
        " is null or contracted_unit_price is null or pricing_quantity is null or pricing_unit"
        " is null or sku_id is null or sku_price_id is null)",
        "tax without prices": "charge_category = 'Tax' and (list_unit_price is not null or contracted_unit_price is not"
        " null or pricing_quantity is not null or sku_price_id is not null)",
        "list identity": "list_unit_price is not null and pricing_quantity is not null and charge_class is null and"
        " list_cost <> cast(list_unit_price * pricing_quantity as decimal(38,10))",
        "contracted identity": "contracted_unit_price is not null and pricing_quantity is not null and charge_class is"
        " null and contracted_cost <> cast(contracted_unit_price * pricing_quantity as decimal(38,10))",
        "consumed iff usage": "(charge_category = 'Usage' and coalesce(commitment_discount_status, '') <> 'Unused')"
        " <> (consumed_quantity is not null)",
        "consumed unit iff quantity": "(consumed_unit is null) <> (consumed_quantity is null)",
        "pricing unit iff quantity": "(pricing_unit is null) <> (pricing_quantity is null)",
        "cd status": "(commitment_discount_status is not null) <> (commitment_discount_id is not null and"
        " charge_category = 'Usage')",
        "cd type/category": "(commitment_discount_type is null) <> (commitment_discount_id is null) or"
        " (commitment_discount_category is null) <> (commitment_discount_id is null)",
        "account types": "(billing_account_type is null) <> (billing_account_id is null) or (sub_account_type is null)"
        " <> (sub_account_id is null) or (sub_account_name is null) <> (sub_account_id is null)",
        "region pair": "(region_name is null) <> (region_id is null)",
        "purchase frequency": "charge_category = 'Purchase' and charge_frequency = 'Usage-Based'",
        "names": "provider_name is null or publisher_name is null or invoice_issuer_name is null",
        "placeholders": "availability_zone = '' or resource_id = '' or charge_description = '' or tags = ''",
        "costs": "billed_cost is null or effective_cost is null or list_cost is null or contracted_cost is null",
    }
    bad = {
        name: con.execute(f"select count(*) from intermediate.{MODEL} where {where} and ({cond})").fetchone()[0]
        for name, cond in checks.items()
    }
    assert bad == dict.fromkeys(checks, 0)
    assert con.execute(f"select count(*) from intermediate.{MODEL} where {where}").fetchone()[0] == 3 * 7 + 4 + 2


@pytest.mark.slow
def test_parquet_maps_and_extensions(loaded):
    con = loaded["con"]
    raw = con.execute(
        f"select x_provider_extensions, sku_price_details, tags from {DATASET}.{TABLE}"
        f" where x_export_id = ? order by x_source_row",
        [AWS12_EXPORT],
    ).fetchall()
    assert json.loads(raw[1][0]) == {
        "x_Discounts": {"bundled_discount": -0.5},
        "x_Operation": "InvokeModel",
        "x_ServiceCode": "AmazonBedrock",
    }
    assert json.loads(raw[0][1]) == {"x_Architecture": "arm64"} and json.loads(raw[0][2]) == {"user:team": "ml"}
    oci = con.execute(
        f"select x_provider_extensions from {DATASET}.{TABLE} where x_export_id = ? order by x_source_row", [OCI_EXPORT]
    ).fetchone()[0]
    assert json.loads(oci)["oci_ReferenceNumber"] == "ref-1"
    sm = _record(con, AWS12_EXPORT, "sagemaker")  # no ListUnitPrice in the export: ListCost / PricingQuantity
    assert sm["capacity_reservation_status"] == "Used" and sm["invoice_id"] == "INV-1"
    assert sm["list_unit_price"] == Decimal("176.3668414462") and sm["list_cost"] == Decimal("1234.5678901234")
    assert sm["billing_account_type"] == "Billing Account" and sm["sub_account_type"] == "Linked Account"
    lam = _record(con, AWS12_EXPORT, "lambda")
    assert lam["billed_cost"] == Decimal("0.3") and lam["service_subcategory"] == "Serverless Compute"
    assert json.loads(lam["sku_price_details"]) == {"x_Architecture": "arm64"}
    assert lam["pricing_currency"] == "USD" and lam["pricing_currency_effective_cost"] == Decimal("0.3")


@pytest.mark.slow
def test_focus_1_0_files_normalised_pass_the_focus_1_2_validator(loaded, tmp_path):
    """The FOCUS 1.0 provider files (AWS CSV, AWS Parquet, OCI 1.0-preview) after normalisation: no failed leaf
    or OR rule of focus-validator 1.2 (--applicability-criteria ALL) except the five it generates wrongly."""
    from data_quality.focus import validate_focus
    from ingestion.focus_exports.settings import FOCUS_COLUMNS

    cols = ", ".join(
        f'cast({raw} as timestamptz) as "{name}"' if kind == "date" else f'{raw} as "{name}"'
        for name, raw, kind in FOCUS_COLUMNS
    )
    out = tmp_path / "focus10.duckdb"
    con = loaded["con"]
    con.execute(f"ATTACH '{out}' AS v")
    con.execute(
        f"create table v.main.focus_check as select {cols} from intermediate.{MODEL}"
        f" where x_export_id in ('{AWS_EXPORT}', '{AWS10PQ_EXPORT}', '{OCI_EXPORT}')"
    )
    con.execute("DETACH v")
    report = validate_focus(str(out), "main.focus_check", work_dir=tmp_path / "validator")
    assert report.conformance_failure_ids == [], report.summary_line()


# --------------------------------------------------------------------------------- restatement, quarantine
@pytest.mark.slow
def test_second_load_loads_nothing_and_redelivery_replaces_the_period(tmp_path):
    wh, landing = tmp_path / "wh.duckdb", tmp_path / "landing"
    jan = write_aws10(landing, "2026-01")
    feb = write_aws10(landing, "2026-02")
    first = ingest(landing, wh)[DATASET]
    assert first.ok and first.rows == 14
    before = raw_totals(wh)

    again = ingest(landing, wh)[DATASET]
    assert again.rows == 0 and raw_totals(wh) == before

    # AWS re-delivers February (same file name, new content): the period is replaced, January untouched
    time.sleep(0.01)
    feb = write_aws10(landing, "2026-02", scale="3")
    os.utime(feb, (time.time() + 5, time.time() + 5))
    third = ingest(landing, wh)[DATASET]
    assert third.rows == 7
    after = raw_totals(wh)
    ((b, e),) = expected_csv(feb).values()
    assert (after[(AWS_EXPORT, "2026-02")][0].quantize(CENT), after[(AWS_EXPORT, "2026-02")][1].quantize(CENT)) == (
        b,
        e,
    )
    assert after[(AWS_EXPORT, "2026-02")][2] == 7
    assert after[(AWS_EXPORT, "2026-01")] == before[(AWS_EXPORT, "2026-01")]
    ((jb, je),) = expected_csv(jan).values()
    assert tuple(v.quantize(CENT) for v in before[(AWS_EXPORT, "2026-01")][:2]) == (jb, je)

    # and through the FOCUS record (seeds + the view; its tests ran in the module fixture)
    run_dbt([*BUILD, "--resource-type", "seed", "--resource-type", "model"], wh, tmp_path)
    with connect(wh) as con:
        assert actual(con, feb.relative_to(landing).as_posix()) == expected_csv(feb)


def test_bad_files_are_quarantined_and_the_others_load(tmp_path):
    wh, landing = tmp_path / "wh.duckdb", tmp_path / "landing"
    header = [
        "BilledCost",
        "EffectiveCost",
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ChargeCategory",
        "ProviderName",
        "BillingCurrency",
    ]
    row = {
        "BilledCost": "1.25",
        "EffectiveCost": "1.25",
        "BillingPeriodStart": "2026-03-01T00:00:00Z",
        "BillingPeriodEnd": "2026-04-01T00:00:00Z",
        "ChargePeriodStart": "2026-03-02T00:00:00Z",
        "ChargePeriodEnd": "2026-03-03T00:00:00Z",
        "ChargeCategory": "Usage",
        "ProviderName": "Acme AI",
        "BillingCurrency": "USD",
    }
    write_csv(landing / "saas/good.csv", header, [row, dict(row, BilledCost="$1,000.50", EffectiveCost="1000.5")])
    write_csv(
        landing / "saas/missing_effective.csv",
        [h for h in header if h != "EffectiveCost"],
        [{k: v for k, v in row.items() if k != "EffectiveCost"}],
    )
    write_csv(landing / "saas/bad_amount.csv", header, [row, dict(row, BilledCost="12.3.4")])
    write_csv(landing / "saas/bad_category.csv", header, [dict(row, ChargeCategory="Refund")])
    write_csv(landing / "saas/bad_date.csv", header, [dict(row, ChargePeriodStart="31/31/2026")])

    rep = ingest(landing, wh)[DATASET]
    errs = {e.file: e for e in rep.quarantined}
    assert set(errs) == {
        "saas/missing_effective.csv",
        "saas/bad_amount.csv",
        "saas/bad_category.csv",
        "saas/bad_date.csv",
    }
    miss = errs["saas/missing_effective.csv"]
    assert (miss.row, miss.field) == (0, "EffectiveCost") and "EffectiveCost" in str(miss)
    bad = errs["saas/bad_amount.csv"]
    assert (bad.row, bad.field, bad.value) == (2, "BilledCost", "12.3.4")
    assert "saas/bad_amount.csv, row 2, field 'BilledCost'" in str(bad)
    assert (errs["saas/bad_category.csv"].field, errs["saas/bad_category.csv"].value) == ("ChargeCategory", "Refund")
    assert (errs["saas/bad_date.csv"].row, errs["saas/bad_date.csv"].field) == (1, "ChargePeriodStart")

    totals = raw_totals(wh)
    assert totals == {("saas/good.csv", "2026-03"): (Decimal("1001.75"), Decimal("1001.75"), 2)}
    with connect(wh) as con:
        q = con.execute(f"select source_file, row_number, field from {DATASET}.quarantine order by 1").fetchall()
    assert q == [
        ("saas/bad_amount.csv", 2, "BilledCost"),
        ("saas/bad_category.csv", 1, "ChargeCategory"),
        ("saas/bad_date.csv", 1, "ChargePeriodStart"),
        ("saas/missing_effective.csv", 0, "EffectiveCost"),
    ]
