"""The FOCUS fixture dataset shared by the conformance tests (tests/data_quality) and the export tests
(tests/serving): the FOCUS spec's commitment-discount scenarios (``tests/data/samples/focus_spec/
commitment_discount_scenarios``) completed to all 57 FOCUS 1.2 columns, then the 1.3 columns (nullable) and three
``x_`` columns, plus a capacity-reservation Usage row and a Tax row. A helper module, not a test module."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from tests.support import SAMPLES

# ------------------------------------------------------------------------------------------------------------------
# Fixture dataset
# ------------------------------------------------------------------------------------------------------------------

SCENARIO_DIR = SAMPLES / "focus_spec" / "commitment_discount_scenarios"

# The FOCUS spec sample CSVs used below, as published (tests/data/samples, see its PROVENANCE.md).
SCENARIOS: dict[str, str] = {
    name: (SCENARIO_DIR / f"{name}.csv").read_text(encoding="utf-8")
    for name in (
        "commitment_discount_purchase_scenario_1",
        "commitment_discount_usage_scenario_3",
        "commitment_discount_usage_scenario_4",
    )
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


def mutate(path: Path, *statements: str) -> Path:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return path
