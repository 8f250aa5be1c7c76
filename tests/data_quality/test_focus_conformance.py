"""Tests for serving.focus_export and data_quality.focus_conformance.

Fast tests (export, own SQL checks, JUnit parsing, rule classification, CLI main) need no validator.
Tests marked ``slow`` create/reuse the focus-validator virtualenv (default ``<repo>/.venv-focus-validator``,
~25 s on first creation) and run the real validator (~3 s each).

The fixture dataset is the FOCUS spec's commitment-discount scenarios
(``tests/data/samples/focus_spec/commitment_discount_scenarios``) completed to all 57 FOCUS 1.2 columns, then the
1.3 columns (nullable) and three ``x_`` columns, plus a capacity-reservation Usage row and a Tax row.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_quality import focus_conformance as fc
from serving.focus_export import export_focus, quote_relation
from tests.support import SAMPLES

# ------------------------------------------------------------------------------------------------------------------
# Fixture dataset
# ------------------------------------------------------------------------------------------------------------------

SCENARIO_DIR = SAMPLES / "focus_spec" / "commitment_discount_scenarios"

# The FOCUS spec sample CSVs used below, as published (tests/data/samples, see its PROVENANCE.md).
SCENARIOS: dict[str, str] = {
    name: (SCENARIO_DIR / f"{name}.csv").read_text(encoding="utf-8")
    for name in ("commitment_discount_purchase_scenario_1", "commitment_discount_usage_scenario_3",
                 "commitment_discount_usage_scenario_4")
}

DEC = "DECIMAL(38,10)"
TS = "TIMESTAMPTZ"

# (name, DuckDB type) in the project's contract order: FOCUS 1.2 (57, alphabetical as in focus.md),
# then the 1.3 columns (nullable), then the x_ custom columns.
FOCUS_12_COLUMNS: list[tuple[str, str]] = [
    ("AvailabilityZone", "VARCHAR"),
    ("BilledCost", DEC),
    ("BillingAccountId", "VARCHAR"),
    ("BillingAccountName", "VARCHAR"),
    ("BillingAccountType", "VARCHAR"),
    ("BillingCurrency", "VARCHAR"),
    ("BillingPeriodEnd", TS),
    ("BillingPeriodStart", TS),
    ("CapacityReservationId", "VARCHAR"),
    ("CapacityReservationStatus", "VARCHAR"),
    ("ChargeCategory", "VARCHAR"),
    ("ChargeClass", "VARCHAR"),
    ("ChargeDescription", "VARCHAR"),
    ("ChargeFrequency", "VARCHAR"),
    ("ChargePeriodEnd", TS),
    ("ChargePeriodStart", TS),
    ("CommitmentDiscountCategory", "VARCHAR"),
    ("CommitmentDiscountId", "VARCHAR"),
    ("CommitmentDiscountName", "VARCHAR"),
    ("CommitmentDiscountQuantity", DEC),
    ("CommitmentDiscountStatus", "VARCHAR"),
    ("CommitmentDiscountType", "VARCHAR"),
    ("CommitmentDiscountUnit", "VARCHAR"),
    ("ConsumedQuantity", DEC),
    ("ConsumedUnit", "VARCHAR"),
    ("ContractedCost", DEC),
    ("ContractedUnitPrice", DEC),
    ("EffectiveCost", DEC),
    ("InvoiceId", "VARCHAR"),
    ("InvoiceIssuerName", "VARCHAR"),
    ("ListCost", DEC),
    ("ListUnitPrice", DEC),
    ("PricingCategory", "VARCHAR"),
    ("PricingCurrency", "VARCHAR"),
    ("PricingCurrencyContractedUnitPrice", DEC),
    ("PricingCurrencyEffectiveCost", DEC),
    ("PricingCurrencyListUnitPrice", DEC),
    ("PricingQuantity", DEC),
    ("PricingUnit", "VARCHAR"),
    ("ProviderName", "VARCHAR"),
    ("PublisherName", "VARCHAR"),
    ("RegionId", "VARCHAR"),
    ("RegionName", "VARCHAR"),
    ("ResourceId", "VARCHAR"),
    ("ResourceName", "VARCHAR"),
    ("ResourceType", "VARCHAR"),
    ("ServiceCategory", "VARCHAR"),
    ("ServiceName", "VARCHAR"),
    ("ServiceSubcategory", "VARCHAR"),
    ("SkuId", "VARCHAR"),
    ("SkuMeter", "VARCHAR"),
    ("SkuPriceDetails", "JSON"),
    ("SkuPriceId", "VARCHAR"),
    ("SubAccountId", "VARCHAR"),
    ("SubAccountName", "VARCHAR"),
    ("SubAccountType", "VARCHAR"),
    ("Tags", "JSON"),
]
FOCUS_13_COLUMNS: list[tuple[str, str]] = [
    ("ServiceProviderName", "VARCHAR"),
    ("HostProviderName", "VARCHAR"),
    ("AllocatedMethodId", "VARCHAR"),
    ("AllocatedMethodDetails", "JSON"),
    ("AllocatedResourceId", "VARCHAR"),
    ("AllocatedResourceName", "VARCHAR"),
    ("AllocatedTags", "JSON"),
    ("ContractApplied", "VARCHAR"),
]
CUSTOM_COLUMNS: list[tuple[str, str]] = [
    ("x_SourceSystem", "VARCHAR"),
    ("x_SourceFile", "VARCHAR"),
    ("x_IngestedAt", TS),
]
ALL_COLUMNS = FOCUS_12_COLUMNS + FOCUS_13_COLUMNS + CUSTOM_COLUMNS

CD_ID = "arn:example:savingsplan::123456789012:savingsplan/sp-0001"
RESOURCE_ID = "arn:example:compute:us-east-1:123456789012:instance/i-0001"
CR_ID = "arn:example:compute:us-east-1:123456789012:capacity-reservation/cr-0001"

BASE = {
    "AvailabilityZone": "us-east-1a",
    "BillingAccountId": "123456789012",
    "BillingAccountName": "Example Payer",
    "BillingAccountType": "Billing Account",
    "BillingCurrency": "USD",
    "ChargeClass": None,
    "InvoiceId": "INV-2023-01-0001",
    "InvoiceIssuerName": "ExampleCloud",
    "ProviderName": "ExampleCloud",
    "PublisherName": "ExampleCloud",
    "RegionId": "us-east-1",
    "RegionName": "US East (N. Virginia)",
    "ServiceCategory": "Compute",
    "ServiceName": "Example Compute",
    "ServiceSubcategory": "Virtual Machines",
    "SubAccountId": "210987654321",
    "SubAccountName": "ml-dev",
    "SubAccountType": "Account",
    "PricingCurrency": "USD",
    "Tags": '{"env":"dev","team":"ml"}',
    "ServiceProviderName": "ExampleCloud",
    "HostProviderName": "ExampleCloud",
    "x_SourceSystem": "focus_spec_samples",
    "x_IngestedAt": "2023-02-02T00:00:00Z",
}


def _scenario(name: str) -> list[dict]:
    rows = list(csv.DictReader(SCENARIOS[name].splitlines()))
    out = []
    for r in rows:
        r = {k: (None if v in ("null", "") else v) for k, v in r.items()}
        for k in ("ResourceId", "CommitmentDiscountId"):
            if r.get(k) == "<my-commitment-discount-id>":
                r[k] = CD_ID
            elif r.get(k) == "<my-resource-id>":
                r[k] = RESOURCE_ID
        r["x_SourceFile"] = f"{name}.csv"
        out.append(r)
    return out


def _commitment(row: dict) -> None:
    row.update(
        CommitmentDiscountCategory="Spend",
        CommitmentDiscountName="Compute Savings Plan 1y",
        CommitmentDiscountType="Compute Savings Plan",
    )


def _priced(row: dict, unit_price: str, quantity: str, unit: str) -> None:
    cost = str(round(float(unit_price) * float(quantity), 10))
    row.update(
        ListUnitPrice=unit_price,
        ContractedUnitPrice=unit_price,
        PricingQuantity=quantity,
        PricingUnit=unit,
        ListCost=cost,
        ContractedCost=cost,
        PricingCurrencyListUnitPrice=unit_price,
        PricingCurrencyContractedUnitPrice=unit_price,
    )


def fixture_rows() -> list[dict]:
    rows: list[dict] = []

    # Purchase, One-Time, whole term (purchase scenario 1).
    (p,) = _scenario("commitment_discount_purchase_scenario_1")
    _commitment(p)
    _priced(p, "1", p["BilledCost"], "USD")
    p.update(
        ChargeDescription="Compute Savings Plan 1y all upfront",
        ResourceName="sp-0001",
        ResourceType="Savings Plan",
        SkuId="SP-COMPUTE-1Y",
        SkuMeter="Savings Plan Commitment",
        SkuPriceId="SP-COMPUTE-1Y-ALLUPFRONT",
        SkuPriceDetails='{"x_PaymentOption":"All Upfront"}',
        PricingCurrencyEffectiveCost="0",
    )
    rows.append(p)

    # Usage covered by the commitment (usage scenario 3: 0.75 used + 0.25 unused).
    used, unused = _scenario("commitment_discount_usage_scenario_3")
    for r in (used, unused):
        _commitment(r)
        _priced(r, "1", "1", "Hours")
        r.update(
            SkuId="VM-STD-2",
            SkuMeter="Compute Hours",
            SkuPriceId="VM-STD-2-US-EAST-1",
            SkuPriceDetails='{"CoreCount":2,"InstanceType":"std.2"}',
            PricingCurrencyEffectiveCost=r["EffectiveCost"],
        )
    used.update(
        ChargeDescription="std.2 instance hours covered by savings plan",
        ResourceName="training-node-1",
        ResourceType="Virtual Machine",
        ConsumedUnit="Hours",
    )
    unused.update(
        ChargeDescription="Unused savings plan commitment",
        ResourceName="sp-0001",
        ResourceType="Savings Plan",
    )
    rows += [used, unused]

    # On-demand usage without commitment (usage scenario 4, second row).
    _, od = _scenario("commitment_discount_usage_scenario_4")
    _priced(od, "0.5", "1", "Hours")
    od.update(
        ChargeDescription="std.2 instance hours on demand",
        ResourceName="training-node-1",
        ResourceType="Virtual Machine",
        ConsumedUnit="Hours",
        SkuId="VM-STD-2",
        SkuMeter="Compute Hours",
        SkuPriceId="VM-STD-2-US-EAST-1",
        SkuPriceDetails='{"CoreCount":2,"InstanceType":"std.2"}',
        PricingCurrencyEffectiveCost=od["EffectiveCost"],
    )
    rows.append(od)

    # Usage inside a capacity reservation.
    cr = dict(od)
    cr.update(
        CapacityReservationId=CR_ID,
        CapacityReservationStatus="Used",
        ChargeDescription="std.2 instance hours in capacity reservation",
        x_SourceFile="synthetic",
    )
    rows.append(cr)

    # Tax on the on-demand usage.
    rows.append(
        {
            "BillingPeriodStart": od["BillingPeriodStart"],
            "BillingPeriodEnd": od["BillingPeriodEnd"],
            "ChargePeriodStart": "2023-01-01T00:00:00Z",
            "ChargePeriodEnd": "2023-02-01T00:00:00Z",
            "ChargeCategory": "Tax",
            "ChargeFrequency": "Recurring",
            "ChargeDescription": "Sales tax",
            "BilledCost": "0.1",
            "EffectiveCost": "0.1",
            "ListCost": "0.1",
            "ContractedCost": "0.1",
            "PricingCurrencyEffectiveCost": "0.1",
            "x_SourceFile": "synthetic",
        }
    )

    out = []
    for r in rows:
        full = {name: None for name, _ in ALL_COLUMNS}
        full.update(BASE)
        if r.get("ChargeCategory") == "Tax":
            for k in ("AvailabilityZone", "Tags"):
                full[k] = None
        full.update(r)
        unknown = set(full) - {name for name, _ in ALL_COLUMNS}
        assert not unknown, unknown
        out.append(full)
    return out


def build_fixture_warehouse(
    path: str | Path,
    rows: list[dict] | None = None,
    relation: str = "marts.focus_cost_and_usage",
    columns: list[tuple[str, str]] | None = None,
) -> Path:
    """Create (or replace) ``relation`` in the DuckDB file ``path`` with the fixture rows."""
    path = Path(path)
    rows = fixture_rows() if rows is None else rows
    columns = ALL_COLUMNS if columns is None else columns
    con = duckdb.connect(str(path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        ddl = ", ".join(f'"{n}" {t}' for n, t in columns)
        if "." in relation:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {relation.split('.')[0]}")
        con.execute(f"CREATE OR REPLACE TABLE {relation} ({ddl})")
        placeholders = ", ".join(f"CAST(? AS {t})" for _, t in columns)
        con.executemany(
            f"INSERT INTO {relation} VALUES ({placeholders})",
            [[r.get(n) for n, _ in columns] for r in rows],
        )
    finally:
        con.close()
    return path


RELATION = "marts.focus_cost_and_usage"
TABLE = "focus_cost_and_usage"


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "finops.duckdb")


def _mutate(path: Path, *statements: str) -> Path:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return path


def test_fixture_shape(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    cols = [r[0] for r in con.execute(f"DESCRIBE {RELATION}").fetchall()]
    n = con.execute(f"SELECT count(*) FROM {RELATION}").fetchone()[0]
    con.close()
    assert len(FOCUS_12_COLUMNS) == 57
    assert cols[:57] == list(fc.FOCUS_12_COLUMNS)
    assert cols[57:65] == list(fc.FOCUS_13_COLUMNS)
    assert cols[65:] == ["x_SourceSystem", "x_SourceFile", "x_IngestedAt"]
    assert n == 6


# ------------------------------------------------------------------------------------------------------------------
# export_focus
# ------------------------------------------------------------------------------------------------------------------


def test_export_parquet_types_and_order(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "focus.parquet"
    assert export_focus(str(warehouse), str(out)) == 6
    schema = pq.read_schema(out)
    assert schema.names == [n for n, _ in ALL_COLUMNS]
    assert schema.field("BilledCost").type == pa.decimal128(38, 10)
    for col in (
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "x_IngestedAt",
    ):
        t = schema.field(col).type
        assert pa.types.is_timestamp(t) and t.tz == "UTC", (col, t)
    for col in ("Tags", "SkuPriceDetails", "AllocatedTags"):
        assert schema.field(col).type == pa.string()
    table = pq.read_table(out)
    tags = table.column("Tags").to_pylist()
    assert json.loads(tags[0]) == {"env": "dev", "team": "ml"}
    start = table.column("ChargePeriodStart").to_pylist()[0]
    assert start.isoformat() == "2023-01-01T00:00:00+00:00"


def test_export_naive_timestamp_and_date_become_utc(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    con = duckdb.connect(str(wh))
    con.execute(
        "CREATE TABLE t AS SELECT TIMESTAMP '2024-03-01 12:30:00' AS ChargePeriodStart, "
        "DATE '2024-03-01' AS BillingPeriodStart, 1.5::DECIMAL(18,6) AS BilledCost, '{\"a\":1}'::JSON AS Tags"
    )
    con.close()
    out = tmp_path / "t.parquet"
    assert export_focus(str(wh), str(out), relation="t") == 1
    row = pq.read_table(out).to_pylist()[0]
    assert row["ChargePeriodStart"].isoformat() == "2024-03-01T12:30:00+00:00"
    assert row["BillingPeriodStart"].isoformat() == "2024-03-01T00:00:00+00:00"
    assert str(row["BilledCost"]) == "1.500000"
    assert row["Tags"] == '{"a":1}'
    csv_out = tmp_path / "t.csv"
    export_focus(str(wh), str(csv_out), relation="t")
    rec = next(csv.DictReader(csv_out.open()))
    assert rec["ChargePeriodStart"] == "2024-03-01T12:30:00Z"
    assert rec["BillingPeriodStart"] == "2024-03-01T00:00:00Z"


def test_export_csv_and_gzip(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "focus.csv"
    assert export_focus(str(warehouse), str(out)) == 6
    with out.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        assert reader.fieldnames == [n for n, _ in ALL_COLUMNS]
    first = rows[0]
    assert first["BillingPeriodStart"] == "2023-01-01T00:00:00Z"
    assert first["ChargePeriodEnd"] == "2024-01-01T00:00:00Z"
    assert first["CapacityReservationId"] == ""  # NULL as empty
    assert json.loads(first["Tags"]) == {"env": "dev", "team": "ml"}
    gz = tmp_path / "focus.csv.gz"
    assert export_focus(str(warehouse), str(gz)) == 6
    with gzip.open(gz, "rt", newline="") as fh:
        assert list(csv.DictReader(fh)) == rows


def test_export_billing_period_filter(warehouse: Path, tmp_path: Path) -> None:
    assert export_focus(str(warehouse), str(tmp_path / "a.parquet"), billing_period="2023-01") == 6
    assert export_focus(str(warehouse), str(tmp_path / "b.parquet"), billing_period="2023-01-01") == 6
    assert export_focus(str(warehouse), str(tmp_path / "c.parquet"), billing_period="2023-02") == 0
    with pytest.raises(ValueError):
        export_focus(str(warehouse), str(tmp_path / "d.parquet"), billing_period="Jan 2023")


def test_export_opens_read_only(warehouse: Path, tmp_path: Path) -> None:
    # A read-write connection elsewhere in the same process would conflict with read_only=True; instead check
    # that the file is not modified by the export.
    before = warehouse.stat().st_mtime_ns
    export_focus(str(warehouse), str(tmp_path / "x.parquet"))
    assert warehouse.stat().st_mtime_ns == before


def test_export_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        export_focus(str(tmp_path / "nope.duckdb"), str(tmp_path / "x.parquet"))


def test_quote_relation() -> None:
    assert quote_relation("main.focus_cost_and_usage") == '"main"."focus_cost_and_usage"'
    assert quote_relation('"My Schema"."T"') == '"My Schema"."T"'
    assert quote_relation("t") == '"t"'
    with pytest.raises(ValueError):
        quote_relation("a.")


# ------------------------------------------------------------------------------------------------------------------
# check_excluded_rules (project's own checks)
# ------------------------------------------------------------------------------------------------------------------


def test_own_checks_pass_on_fixture(warehouse: Path) -> None:
    assert fc.check_excluded_rules(str(warehouse), RELATION) == []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert fc.check_excluded_rules(con, RELATION) == []
    finally:
        con.close()


def test_own_checks_find_violations(warehouse: Path) -> None:
    _mutate(
        warehouse,
        # CapacityReservationStatus without id; CommitmentDiscountStatus null on committed usage
        f"UPDATE {RELATION} SET CapacityReservationStatus = 'Used' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET CapacityReservationStatus = NULL WHERE CapacityReservationId IS NOT NULL",
        f"UPDATE {RELATION} SET CommitmentDiscountStatus = NULL WHERE CommitmentDiscountStatus = 'Unused'",
        f"UPDATE {RELATION} SET CommitmentDiscountStatus = 'Used' WHERE ChargeCategory = 'Tax'",
        # invoice in two currencies, placeholders, bad enum values
        f"UPDATE {RELATION} SET BillingCurrency = 'EUR' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET ResourceName = 'N/A' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET RegionName = '' WHERE ChargeCategory = 'Purchase'",
        f"UPDATE {RELATION} SET ChargeCategory = 'Usages' WHERE ChargeCategory = 'Purchase'",
        # a custom column without x_ and one intermixed with FOCUS columns
        f"ALTER TABLE {RELATION} ADD COLUMN SourceSystem VARCHAR",
    )
    got = fc.check_excluded_rules(str(warehouse), RELATION)
    text = "\n".join(got)
    assert "CapacityReservationStatus-C-003-C (intended): 1 row(s)" in text
    assert "CapacityReservationStatus-C-004-C (intended): 1 Usage row(s)" in text
    assert "CommitmentDiscountStatus-C-004-C (intended): 1 Usage row(s)" in text
    assert "CommitmentDiscountStatus-C-003-C: 1 row(s)" in text
    assert "InvoiceId-C-003-C (intended): 1 InvoiceId value(s) span more than one BillingCurrency" in text
    assert "NullHandling: ResourceName has 1 placeholder" in text
    assert "NullHandling: RegionName has 1 placeholder" in text
    assert "AllowedValues: ChargeCategory has values outside" in text and "'Usages'" in text
    assert "custom columns must be prefixed 'x_': SourceSystem" in text
    assert len(got) == 9, got


def test_own_checks_column_order_and_missing(tmp_path: Path) -> None:
    cols = [c for c in ALL_COLUMNS if c[0] != "Tags"]
    cols.insert(3, ("x_Early", "VARCHAR"))
    wh = build_fixture_warehouse(tmp_path / "w.duckdb", columns=cols)
    got = fc.check_excluded_rules(str(wh), RELATION)
    assert any("missing FOCUS 1.2 columns: Tags" in v for v in got), got
    assert any("must come after all FOCUS columns" in v and "x_Early" in v for v in got), got


# ------------------------------------------------------------------------------------------------------------------
# JUnit parsing and rule classification (no validator needed)
# ------------------------------------------------------------------------------------------------------------------

MINI_MODEL = {
    "ModelRules": {
        "X-C-000-M": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "X adheres to:",
                "Requirement": {
                    "CheckFunction": "AND",
                    "Items": [
                        {"CheckFunction": "CheckModelRule", "ModelRuleId": "InvoiceId-C-003-C"},
                        {
                            "CheckFunction": "CheckModelRule",
                            "ModelRuleId": "CommitmentDiscountStatus-C-004-C",
                        },
                    ],
                },
            },
        },
        "InvoiceId-C-003-C": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "InvoiceId nullability is defined as follows:",
                "Requirement": {
                    "CheckFunction": "OR",
                    "Items": [
                        {"CheckFunction": "CheckModelRule", "ModelRuleId": "InvoiceId-C-004-C"},
                        {"CheckFunction": "CheckModelRule", "ModelRuleId": "InvoiceId-C-005-C"},
                    ],
                },
            },
        },
        "InvoiceId-C-004-C": {
            "Function": "Nullability",
            "ValidationCriteria": {
                "MustSatisfy": "InvoiceId MUST be null when ...",
                "Requirement": {"CheckFunction": "CheckValue", "ColumnName": "InvoiceId", "Value": None},
            },
        },
        "InvoiceId-C-005-C": {
            "Function": "Nullability",
            "ValidationCriteria": {
                "MustSatisfy": "InvoiceId MUST NOT be null when ...",
                "Requirement": {"CheckFunction": "CheckNotValue", "ColumnName": "InvoiceId", "Value": None},
            },
        },
        "CommitmentDiscountStatus-C-004-C": {
            "Function": "Nullability",
            "ValidationCriteria": {
                "MustSatisfy": "CommitmentDiscountStatus MUST NOT be null when ...",
                "Requirement": {"CheckFunction": "CheckNotValue"},
            },
        },
        "ChargeCategory-C-003-M": {
            "Function": "Validation",
            "ValidationCriteria": {
                "MustSatisfy": "ChargeCategory MUST be one of the allowed values.",
                "Requirement": {
                    "CheckFunction": "OR",
                    "Items": [
                        {"CheckFunction": "CheckValue", "ColumnName": "ChargeCategory", "Value": "Usage"},
                        {"CheckFunction": "CheckValue", "ColumnName": "ChargeCategory", "Value": "Tax"},
                    ],
                },
            },
        },
        "ListUnitPrice-C-008-M": {
            "Function": "Validation",
            "ValidationCriteria": {
                "MustSatisfy": "ListUnitPrice MUST be a non-negative decimal value.",
                "Requirement": {"CheckFunction": "CheckGreaterOrEqualThanValue"},
            },
        },
        "Y-C-000-M": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "Y adheres to:",
                "Requirement": {
                    "CheckFunction": "AND",
                    "Items": [{"CheckFunction": "CheckModelRule", "ModelRuleId": "ListUnitPrice-C-008-M"}],
                },
            },
        },
        "Z-C-000-M": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "Z adheres to:",
                "Requirement": {
                    "CheckFunction": "AND",
                    "Items": [{"CheckFunction": "CheckModelRule", "ModelRuleId": "Z-C-001-M"}],
                },
            },
        },
        "Z-C-001-M": {
            "Function": "Type",
            "ValidationCriteria": {
                "MustSatisfy": "Z MUST be a string.",
                "Requirement": {"CheckFunction": "TypeString"},
            },
        },
    }
}

# Same shape as focus_validator/outputter/outputter_unittest.py writes it.
MINI_JUNIT = """<?xml version='1.0' encoding='utf-8'?>
<testsuites name="FOCUS Validations" tests="12" failures="6" errors="1" skipped="2" assertions="None" time="0"
            timestamp="2026-01-01T00:00:00">
  <testsuite name="Base-Unknown" time="0">
    <testcase name="Broken-C-001-M :: None" time="0">
      <error message="Column 'Broken' missing" />
    </testcase>
  </testsuite>
  <testsuite name="ChargeCategory-C-003-ChargeCategory" time="0">
    <testcase name="ChargeCategory-C-003-M :: Validation" time="0">
      <failure name="ChargeCategory-C-003-M" message="Validation check for ChargeCategory"
               type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="CommitmentDiscountStatus-C-004-CommitmentDiscountStatus" time="0">
    <testcase name="CommitmentDiscountStatus-C-004-C :: Nullability" time="0">
      <failure name="CommitmentDiscountStatus-C-004-C" message="Nullability check for CommitmentDiscountStatus"
               type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="InvoiceId-C-003-InvoiceId" time="0">
    <testcase name="InvoiceId-C-003-C :: Composite" time="0" />
    <testcase name="InvoiceId-C-004-C :: Nullability" time="0">
      <failure name="InvoiceId-C-004-C" message="Nullability check for InvoiceId" type="AssertionError">Failed</failure>
    </testcase>
    <testcase name="InvoiceId-C-005-C :: Nullability" time="0" />
  </testsuite>
  <testsuite name="ListUnitPrice-C-008-ListUnitPrice" time="0">
    <testcase name="ListUnitPrice-C-008-M :: Validation" time="0">
      <failure name="ListUnitPrice-C-008-M" message="Validation check for ListUnitPrice" type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="X-C-000-X" time="0">
    <testcase name="X-C-000-M :: Composite" time="0">
      <failure name="X-C-000-M" message="Composite check for X" type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="Y-C-000-Y" time="0">
    <testcase name="Y-C-000-M :: Composite" time="0">
      <failure name="Y-C-000-M" message="Composite check for Y" type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="Z-C-000-Z" time="0">
    <testcase name="Z-C-000-M :: Composite" time="0">
      <failure name="Z-C-000-M" message="Composite check for Z" type="AssertionError">Failed</failure>
    </testcase>
    <testcase name="Z-C-001-M :: Type" time="0">
      <skipped message="Type check for Z" />
    </testcase>
    <testcase name="Z-C-002-M :: Type" time="0">
      <skipped message="Type check for Z" />
    </testcase>
  </testsuite>
</testsuites>
"""


def test_load_rule_kinds_from_model_dict() -> None:
    kinds = fc.load_rule_kinds(MINI_MODEL)
    assert kinds["X-C-000-M"].kind == "AND"
    assert kinds["X-C-000-M"].children == ("InvoiceId-C-003-C", "CommitmentDiscountStatus-C-004-C")
    assert kinds["InvoiceId-C-003-C"].kind == "OR"
    assert kinds["ChargeCategory-C-003-M"].kind == "OR"  # inline OR of value checks
    assert kinds["ChargeCategory-C-003-M"].children == ()
    assert kinds["InvoiceId-C-004-C"].kind == "leaf"
    assert kinds["ListUnitPrice-C-008-M"].kind == "leaf"


def test_load_rule_kinds_from_file(tmp_path: Path) -> None:
    p = tmp_path / "model-1.2.0.1.json"
    p.write_text(json.dumps(MINI_MODEL))
    assert fc.load_rule_kinds(p) == fc.load_rule_kinds(MINI_MODEL)


def test_parse_junit(tmp_path: Path) -> None:
    counts, results = fc.parse_junit(MINI_JUNIT)
    assert counts == {"tests": 12, "failures": 6, "errors": 1, "skipped": 2}
    by_id = {r.rule_id: r for r in results}
    assert len(results) == 12
    assert by_id["Broken-C-001-M"].status == "errored" and by_id["Broken-C-001-M"].function == ""
    assert by_id["InvoiceId-C-004-C"].status == "failed"
    assert by_id["InvoiceId-C-004-C"].function == "Nullability"
    assert by_id["InvoiceId-C-003-C"].status == "passed"
    assert by_id["Z-C-001-M"].status == "skipped"
    f = tmp_path / "junit.xml"
    f.write_text(MINI_JUNIT)
    assert fc.parse_junit(f) == (counts, results)


def test_build_report_classification() -> None:
    report = fc.build_report(MINI_JUNIT, fc.load_rule_kinds(MINI_MODEL))
    assert (report.total, report.passed, report.failed, report.skipped, report.errored) == (12, 3, 6, 2, 1)
    assert report.summary_line() == "Total: 12 | Pass: 3 | Fail: 6 | Skipped: 2 | Errors: 1"
    # the failing leaf and the failing (inline) OR count; errored unknown rule counts conservatively;
    # known-wrong leaves and AND composites do not.
    assert sorted(report.conformance_failure_ids) == [
        "Broken-C-001-M",
        "ChargeCategory-C-003-M",
        "ListUnitPrice-C-008-M",
    ]
    assert report.known_wrong_failures == ["CommitmentDiscountStatus-C-004-C", "InvoiceId-C-004-C"]
    assert sorted(report.and_composite_failures) == ["X-C-000-M", "Y-C-000-M", "Z-C-000-M"]
    assert report.unexplained_and_failures == ["Z-C-000-M"]  # no failed leaf/OR below it
    lup = next(r for r in report.conformance_failures if r.rule_id == "ListUnitPrice-C-008-M")
    assert lup.kind == "leaf" and lup.message == "ListUnitPrice MUST be a non-negative decimal value."
    assert not report.ok
    assert sorted(report.failed_rule_ids) == sorted(
        [
            "Broken-C-001-M",
            "ChargeCategory-C-003-M",
            "CommitmentDiscountStatus-C-004-C",
            "InvoiceId-C-004-C",
            "ListUnitPrice-C-008-M",
            "X-C-000-M",
            "Y-C-000-M",
            "Z-C-000-M",
        ]
    )


def test_build_report_only_known_wrong_is_conformant() -> None:
    xml = MINI_JUNIT.replace(
        '<failure name="ChargeCategory-C-003-M" message="Validation check for ChargeCategory"\n'
        '               type="AssertionError">Failed</failure>',
        "",
    )
    kinds = fc.load_rule_kinds(MINI_MODEL)
    kinds_no_broken = {k: v for k, v in kinds.items()}
    report = fc.build_report(xml, kinds_no_broken)
    assert "ChargeCategory-C-003-M" not in report.conformance_failure_ids
    assert fc.KNOWN_WRONG_RULES == {
        "InvoiceId-C-004-C",
        "InvoiceId-C-005-C",
        "CapacityReservationStatus-C-003-C",
        "CapacityReservationStatus-C-004-C",
        "CommitmentDiscountStatus-C-004-C",
    }


def test_virtual_currency_violations() -> None:
    # CurrencyFormat: a virtual currency ("Credits") is fine in PricingCurrency; a mis-cased ISO code is not
    assert fc.virtual_currency_violations(["Credits", "Tokens", "Compute Units"]) == []
    assert fc.virtual_currency_violations(["usd", "Eur", " Credits", "Crédits", "", "N/A"]) == [
        "usd",
        "Eur",
        " Credits",
        "Crédits",
        "",
        "N/A",
    ]
    assert fc.VIRTUAL_CURRENCY_RULES == {"PricingCurrency-C-003-M"}


@pytest.mark.parametrize(
    ("values", "excused"), [(["USD", "Credits"], True), (["USD", "Credits", "usd"], False)]
)
def test_excuse_virtual_currencies(tmp_path: Path, values: list[str], excused: bool) -> None:
    data = tmp_path / "focus.parquet"
    pq.write_table(pa.table({"PricingCurrency": values}), data)
    failed = [
        fc.RuleResult("PricingCurrency-C-003-M", "failed", "Format", "CurrencyFormat", "leaf"),
        fc.RuleResult("ListUnitPrice-C-008-M", "failed", "Validation", "non-negative", "leaf"),
    ]
    report = fc.ConformanceReport(
        total=2, passed=0, failed=2, skipped=0, failed_rules=list(failed), conformance_failures=list(failed)
    )
    fc.excuse_virtual_currencies(report, data)
    if excused:
        assert report.conformance_failure_ids == ["ListUnitPrice-C-008-M"]
        assert report.virtual_currency_excused == ["PricingCurrency-C-003-M"]
        assert report.virtual_currencies == ["Credits"]
    else:
        assert report.conformance_failure_ids == ["PricingCurrency-C-003-M", "ListUnitPrice-C-008-M"]
        assert report.virtual_currency_excused == []


@pytest.mark.parametrize(
    ("values", "excused"),
    [(["Used", "Used"], True), (["Used", None, "Unused"], True), (["Used", "Active"], False), ([None], True)],
)
def test_excuse_wrong_allowed_values(tmp_path: Path, values: list, excused: bool) -> None:
    """CommitmentDiscountStatus-C-005-M lists Active/Expired/Pending; excused only when every status is one the
    1.2 spec allows (Used/Unused)."""
    data = tmp_path / "focus.parquet"
    pq.write_table(pa.table({"CommitmentDiscountStatus": pa.array(values, pa.string())}), data)
    failed = [
        fc.RuleResult("CommitmentDiscountStatus-C-005-M", "failed", "Validation", "allowed values", "OR"),
        fc.RuleResult("ListUnitPrice-C-008-M", "failed", "Validation", "non-negative", "leaf"),
    ]
    report = fc.ConformanceReport(
        total=2, passed=0, failed=2, skipped=0, failed_rules=list(failed), conformance_failures=list(failed)
    )
    fc.excuse_wrong_allowed_values(report, data)
    if excused:
        assert report.conformance_failure_ids == ["ListUnitPrice-C-008-M"]
        assert report.allowed_values_excused == ["CommitmentDiscountStatus-C-005-M"]
    else:
        assert report.conformance_failure_ids == ["CommitmentDiscountStatus-C-005-M", "ListUnitPrice-C-008-M"]
        assert report.allowed_values_excused == []
    assert fc.EXCUSED_RULES == fc.KNOWN_WRONG_RULES | {"CommitmentDiscountStatus-C-005-M"}


def test_main_on_an_empty_record(monkeypatch: pytest.MonkeyPatch, warehouse: Path, tmp_path: Path, capsys) -> None:
    """No rows: 'no rows in focus_cost_and_usage' and how to load some, exit 3; the validator is neither installed
    nor run (an empty file would report 9 failures)."""

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("the validator must not run on an empty record")

    monkeypatch.setattr(fc, "ensure_validator_venv", boom)
    monkeypatch.setattr(fc, "run_validator", boom)
    _mutate(warehouse, f"DELETE FROM {RELATION}")
    assert fc.main(["--warehouse", str(warehouse), "--work-dir", str(tmp_path / "wd")]) == fc.EXIT_NO_ROWS == 3
    captured = capsys.readouterr()
    assert "no rows in focus_cost_and_usage" in captured.err and "finops load PATH" in captured.err
    assert "Conformance failures" not in captured.out


def test_own_checks_virtual_currency(warehouse: Path) -> None:
    _mutate(warehouse, f"UPDATE {RELATION} SET PricingCurrency = 'Credits' WHERE ChargeCategory = 'Purchase'")
    assert fc.check_excluded_rules(str(warehouse), RELATION) == []
    _mutate(
        warehouse,
        f"UPDATE {RELATION} SET PricingCurrency = 'usd' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET BillingCurrency = 'Credits' WHERE ChargeCategory = 'Purchase'",
    )
    text = "\n".join(fc.check_excluded_rules(str(warehouse), RELATION))
    assert "CurrencyFormat: PricingCurrency values that are neither" in text and "'usd'" in text
    assert "BillingCurrency-C-006-M" in text


# ------------------------------------------------------------------------------------------------------------------
# venv location / interpreter discovery / main (no validator needed)
# ------------------------------------------------------------------------------------------------------------------


def test_default_venv_env_var_read_at_call_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FINOPS_FOCUS_VALIDATOR_VENV", raising=False)
    assert fc.default_validator_venv() == fc.REPO_ROOT / ".venv-focus-validator"
    monkeypatch.setenv("FINOPS_FOCUS_VALIDATOR_VENV", str(tmp_path / "v"))
    assert fc.default_validator_venv() == tmp_path / "v"


def test_find_python312_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fc.shutil, "which", lambda name: None)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(fc.ValidatorNotAvailable, match="pyenv install 3.12"):
        fc.find_python312()


def test_ensure_venv_is_noop_when_marker_present(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "lib" / "python3.12" / "site-packages" / "focus_validator").mkdir(parents=True)
    for exe in ("python", "focus-validator"):
        (venv / "bin" / exe).write_text("")
    (venv / ".finops-focus-validator.json").write_text(json.dumps({"focus_validator": fc.VALIDATOR_VERSION}))

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("subprocess must not run")

    monkeypatch.setattr(fc.subprocess, "run", boom)
    monkeypatch.setenv("FINOPS_FOCUS_VALIDATOR_VENV", str(venv))
    assert fc.ensure_validator_venv() == venv.resolve()


def test_main_missing_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert fc.main([]) == fc.EXIT_NO_WAREHOUSE == 66
    assert "missing.duckdb" in capsys.readouterr().err


def _fake_report(failures: list[str]) -> fc.ConformanceReport:
    bad = [fc.RuleResult(r, "failed", "Validation", f"{r} msg", "leaf") for r in failures]
    return fc.ConformanceReport(
        total=578,
        passed=368 - len(failures),
        failed=len(failures),
        skipped=210,
        failed_rules=bad,
        conformance_failures=bad,
        rows_exported=6,
    )


def test_main_exit_codes(monkeypatch: pytest.MonkeyPatch, warehouse: Path, capsys) -> None:
    calls = {}

    def fake_validate(wh, relation, applicability, work_dir, venv_dir=None, echo=False):
        calls["args"] = (wh, relation, applicability)
        return _fake_report([])

    monkeypatch.setattr(fc, "validate_focus", fake_validate)
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    assert fc.main([]) == 0
    out = capsys.readouterr().out
    assert "Total: 578 | Pass: 368 | Fail: 0 | Skipped: 210" in out
    assert "Project checks: pass" in out
    assert calls["args"] == (str(warehouse), RELATION, "ALL")

    monkeypatch.setattr(fc, "validate_focus", lambda *a, **k: _fake_report(["ListUnitPrice-C-008-M"]))
    assert fc.main(["--warehouse", str(warehouse), "--relation", RELATION]) == 1
    assert "FAIL ListUnitPrice-C-008-M" in capsys.readouterr().out

    monkeypatch.setattr(fc, "validate_focus", lambda *a, **k: _fake_report([]))
    _mutate(warehouse, f"UPDATE {RELATION} SET ResourceName = 'None' WHERE ChargeCategory = 'Tax'")
    assert fc.main(["--warehouse", str(warehouse)]) == 1
    assert "NullHandling: ResourceName" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------------------------
# The real validator (slow: creates/reuses the validator venv, then ~3 s per run)
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def validator_venv() -> Path:
    # Cached at the default location (or $FINOPS_FOCUS_VALIDATOR_VENV); ~25 s the first time.
    return fc.ensure_validator_venv()


@pytest.mark.slow
def test_validator_fixture_is_conformant(validator_venv: Path, warehouse: Path, tmp_path: Path) -> None:
    report = fc.validate_focus(
        str(warehouse), relation=RELATION, applicability="ALL", work_dir=tmp_path / "wd"
    )
    assert report.rows_exported == 6
    assert report.total == 578
    assert report.conformance_failures == [], [(r.rule_id, r.message) for r in report.conformance_failures]
    assert set(report.known_wrong_failures) <= fc.KNOWN_WRONG_RULES
    # every rule id in the JUnit is known to the model, and the counts add up
    assert report.passed + report.failed + report.skipped + report.errored == report.total
    assert report.errored == 0
    assert report.passed > 300
    assert Path(report.junit_path).exists()
    assert (tmp_path / "wd" / "focus_validator" / "rules" / "currency_codes.csv").exists()
    assert fc.check_excluded_rules(str(warehouse), RELATION) == []


@pytest.mark.slow
def test_validator_mutations_fail(validator_venv: Path, warehouse: Path) -> None:
    _mutate(
        warehouse,
        f"UPDATE {RELATION} SET ChargeCategory = 'Usages' "
        "WHERE x_SourceFile = 'commitment_discount_usage_scenario_4.csv'",
        f"UPDATE {RELATION} SET ListUnitPrice = -1, ListCost = -1 WHERE CapacityReservationId IS NOT NULL",
    )
    report = fc.validate_focus(str(warehouse))
    # 'Usages' is caught through ConsumedQuantity-C-004-C (ConsumedQuantity MUST be null unless Usage);
    # ChargeCategory-C-003-M (allowed values) is an OR over the whole dataset in focus-validator 2.2.1 and
    # does not fail for a single bad value -- the project's own check covers it.
    assert sorted(report.conformance_failure_ids) == ["ConsumedQuantity-C-004-C", "ListUnitPrice-C-008-M"]
    own = fc.check_excluded_rules(str(warehouse), RELATION)
    assert any("ChargeCategory" in v and "'Usages'" in v for v in own), own


@pytest.mark.slow
def test_rule_classification_matches_explain_mode(validator_venv: Path) -> None:
    model_kinds = fc.load_rule_kinds(validator_venv)
    explain = fc.explain_rule_kinds(validator_venv)
    assert len(explain) == 578
    for rid, kind in explain.items():
        expected = kind if kind in ("AND", "OR") else "leaf"
        assert model_kinds[rid].kind == expected, (rid, kind, model_kinds[rid])
    assert sum(k == "AND" for k in explain.values()) == 134
    assert sum(k == "OR" for k in explain.values()) == 11
    for rid in fc.KNOWN_WRONG_RULES:
        assert explain[rid] == "leaf"
    assert explain["InvoiceId-C-003-C"] == "OR"


@pytest.mark.slow
def test_validator_venv_is_separate(validator_venv: Path) -> None:
    import sys

    assert Path(sys.prefix).resolve() != validator_venv.resolve()
    assert not shutil.which("focus-validator", path=str(Path(sys.executable).parent))
    assert os.access(validator_venv / "bin" / "focus-validator", os.X_OK)
