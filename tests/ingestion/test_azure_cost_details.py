"""Azure cost details (EA and MCA; ActualCost and AmortizedCost) into azure_cost_details.cost_details, then
int_azure__focus_charges (FOCUS). Expected totals are computed here from the files with Decimal,
never from the raw table."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.azure_cost_details import settings as S
from ingestion.azure_cost_details.helpers import (
    arm_resource_type,
    cost_type_from_text,
    deliveries_merge_key_workaround,
    sniff_ea,
    sniff_mca,
)
from tests.support import SAMPLES, ingest, run_dbt
from tests.support.azure_cost_details import expected
from tests.support.azure_cost_details import norm as _norm
from tests.support.azure_cost_details import read_csv as _read_csv

slow = pytest.mark.slow  # every test but the helpers' builds a dbt lineage (fixture `loaded`)

EA_ACTUAL = SAMPLES / "azure" / "ea_actual_cost_small.csv"
EA_AMORTIZED = SAMPLES / "azure" / "ea_amortized_cost_small.csv"
STG = "intermediate.int_azure__focus_charges"
RAW = "azure_cost_details.cost_details"
DBT_BUILD = ["build", "--select", "+int_azure__focus_charges", "--indirect-selection", "cautious"]
TEN = Decimal("1e-10")
CENT = Decimal("0.01")
COMMIT = S.COMMITMENT_PRICING_MODELS


# ------------------------------------------------------------------------------------------------ plumbing
@pytest.fixture(autouse=True, scope="module")
def _loader_workarounds():
    """Shared-code bug: the ``deliveries`` table variant inherits the resource's merge key and dlt's normalize
    fails (see ``helpers.deliveries_merge_key_workaround``). No-op once the shared code is fixed."""
    with deliveries_merge_key_workaround():
        yield


def staged_sums(warehouse: Path, where: str = "true") -> dict[str, tuple[Decimal, Decimal, int]]:
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            f"select x_billing_period, sum(billed_cost), sum(effective_cost), count(*) from {STG} "
            f"where {where} group by 1"
        ).fetchall()
    return {p: (Decimal(b), Decimal(e), n) for p, b, e, n in rows}


def _sql(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql).fetchall()


# ------------------------------------------------------------------------------------- constructed exports
EA_COLS = list(S.EA_SAMPLE_HEADER)
MCA_COLS = list(S.MCA_SAMPLE_HEADER)
RI = "/providers/Microsoft.Capacity/reservationOrders/0RD3R/reservations/R1"
SP = "/providers/Microsoft.BillingBenefits/savingsPlanOrders/SP0RD/savingsPlans/SP1"
VM = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
ST = "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1"
OAI = "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai1"


def ea_row(acct: str, period: str, day: int, sub: str, **kw) -> dict:
    y, m = period[:4], period[5:7]
    last = {"02": 28, "04": 30, "06": 30, "09": 30, "11": 30}.get(m, 31)
    base = {
        "BillingAccountId": acct,
        "BillingAccountName": "Contoso EA",
        "BillingPeriodStartDate": f"{m}/01/{y}",
        "BillingPeriodEndDate": f"{m}/{last}/{y}",
        "BillingProfileId": acct,
        "BillingProfileName": "Contoso EA",
        "SubscriptionId": sub,
        "SubscriptionName": f"sub {sub}",
        "Date": f"{m}/{day:02d}/{y}",
        "BillingCurrency": "USD",
        "ChargeType": "Usage",
        "Frequency": "UsageBased",
        "PricingModel": "OnDemand",
        "PublisherType": "Azure",
        "PublisherName": "Microsoft",
        "ResourceLocation": "EastUS",
        "UnitOfMeasure": "1 Hour",
        "MeterId": f"meter-{kw.get('MeterName', 'x')}",
    }
    base.update(kw)
    return base


def ea_pair(acct: str = "EA1") -> tuple[list[dict], list[dict], list[dict]]:
    """A consistent ActualCost/AmortizedCost pair for 2026-09 (as Azure writes them), plus the 2026-08 actual
    holding the upfront reservation purchase."""
    p = "2026-09"
    vm = {
        "MeterName": "D4s v5",
        "MeterCategory": "Virtual Machines",
        "ConsumedService": "Microsoft.Compute",
        "ResourceId": VM,
        "UnitPrice": "0.2",
        "PayGPrice": "0.25",
        "Quantity": "24",
    }
    on_demand = ea_row(acct, p, 3, "s1", **vm, EffectivePrice="0.2", Cost="4.8", Tags='"team": "web","env": "prod"')
    covered_a = ea_row(
        acct,
        p,
        4,
        "s1",
        **vm,
        EffectivePrice="0",
        Cost="0",
        PricingModel="Reservation",
        benefitId=RI,
        benefitName="ri-d4",
        ReservationId="R1",
        ProductOrderId="0RD3R",
    )
    covered_m = dict(covered_a, EffectivePrice="0.1", Cost="2.4")
    unused = ea_row(
        acct,
        p,
        4,
        "s1",
        **dict(vm, Quantity="12", ConsumedService="Microsoft.Capacity", ResourceId=RI),
        EffectivePrice="0.1",
        Cost="1.2",
        ChargeType="UnusedReservation",
        PricingModel="Reservation",
        benefitId=RI,
        benefitName="ri-d4",
    )
    storage = ea_row(
        acct,
        p,
        5,
        "s2",
        MeterName="LRS Write Operations",
        MeterCategory="Storage",
        ConsumedService="Microsoft.Storage",
        ResourceId=ST,
        UnitOfMeasure="10K",
        Quantity="0.0004",
        UnitPrice="0.1",
        PayGPrice="0.1",
        EffectivePrice="0.1",
        Cost="0.00004",
        ResourceLocation="eastus2",
    )
    tokens = ea_row(
        acct,
        p,
        6,
        "s2",
        MeterName="gpt-4o-0513 Inp regnl Tokens",
        MeterCategory="Cognitive Services",
        MeterSubCategory="Azure OpenAI",
        ConsumedService="Microsoft.CognitiveServices",
        ResourceId=OAI,
        UnitOfMeasure="1K",
        Quantity="1234.5",
        UnitPrice="0.00275",
        PayGPrice="0.00275",
        EffectivePrice="0.00275",
        Cost="3.3948750",
    )
    refund = ea_row(
        acct,
        p,
        14,
        "s2",
        MeterName="D4s v5",
        MeterCategory="Virtual Machines",
        ConsumedService="Microsoft.Compute",
        Quantity="-5",
        UnitPrice="0.25",
        PayGPrice="0.25",
        EffectivePrice="0.25",
        Cost="-1.25",
        ChargeType="Refund",
        Frequency="OneTime",
    )
    sp_purchase = ea_row(
        acct,
        p,
        1,
        "s1",
        MeterName="Savings Plan",
        ConsumedService="Microsoft.BillingBenefits",
        ResourceId=SP,
        Quantity="1",
        UnitPrice="2.0",
        PayGPrice="0",
        EffectivePrice="2.0",
        Cost="2.0",
        ChargeType="Purchase",
        Frequency="Recurring",
        PricingModel="SavingsPlan",
        benefitId=SP,
        benefitName="sp-compute",
    )
    sp_covered_a = ea_row(
        acct,
        p,
        7,
        "s2",
        **vm,
        EffectivePrice="0",
        Cost="0",
        PricingModel="SavingsPlan",
        benefitId=SP,
        benefitName="sp-compute",
    )
    sp_covered_m = dict(sp_covered_a, EffectivePrice="0.0625", Cost="1.5")
    sp_unused = ea_row(
        acct,
        p,
        7,
        "s1",
        MeterName="Savings Plan",
        ConsumedService="Microsoft.BillingBenefits",
        ResourceId=SP,
        Quantity="0.5",
        UnitPrice="1",
        EffectivePrice="1",
        Cost="0.5",
        ChargeType="UnusedSavingsPlan",
        PricingModel="SavingsPlan",
        benefitId=SP,
        benefitName="sp-compute",
    )
    actual = [on_demand, covered_a, storage, tokens, refund, sp_purchase, sp_covered_a]
    amortized = [on_demand, covered_m, unused, storage, tokens, refund, sp_covered_m, sp_unused]
    ri_purchase = ea_row(
        acct,
        "2026-08",
        20,
        "s1",
        MeterName="D4s v5",
        MeterCategory="Virtual Machines",
        ConsumedService="Microsoft.Capacity",
        ResourceId=RI,
        Quantity="1",
        UnitPrice="86.4",
        PayGPrice="0",
        EffectivePrice="86.4",
        Cost="86.4",
        ChargeType="Purchase",
        Frequency="OneTime",
        PricingModel="Reservation",
        benefitId=RI,
        benefitName="ri-d4",
        ReservationId="R1",
        ProductOrderId="0RD3R",
        Term="12",
    )
    return actual, amortized, [ri_purchase]


def mca_rows(iso_dates: bool = False) -> list[dict]:
    def d(day: int) -> str:
        return f"2026-09-{day:02d}" if iso_dates else f"09/{day:02d}/2026"

    base = {
        "invoiceId": "G012345678",
        "billingAccountId": "acct-mca:1234_2019-05-31",
        "billingAccountName": "Contoso",
        "billingProfileId": "BP-1",
        "billingProfileName": "Contoso Europe",
        "billingPeriodStartDate": d(1),
        "billingPeriodEndDate": d(30),
        "SubscriptionId": "m1",
        "subscriptionName": "ml prod",
        "billingCurrency": "EUR",
        "pricingCurrency": "USD",
        "exchangeRatePricingToBilling": "0.92",
        "chargeType": "Usage",
        "frequency": "UsageBased",
        "pricingModel": "On Demand",
        "publisherType": "Microsoft",
        "publisherName": "Microsoft",
        "resourceLocation": "westeurope",
    }
    tokens = dict(
        base,
        date=d(2),
        meterName="gpt-4o-0513 Outp regnl Tokens",
        meterCategory="Cognitive Services",
        meterSubCategory="Azure OpenAI",
        consumedService="Microsoft.CognitiveServices",
        ResourceId="/subscriptions/m1/resourceGroups/ai/providers/Microsoft.CognitiveServices/accounts/oai",
        ProductId="DZH318Z0BQ4B",
        unitOfMeasure="1K",
        quantity="1500",
        unitPrice="0.005",
        PayGPrice="0.005",
        effectivePrice="0.005",
        costInPricingCurrency="7.5",
        costInBillingCurrency="6.9",
        tags='{"team":"support-copilot","env":"prod"}',
    )
    aml = dict(
        base,
        date=d(3),
        meterName="NC4as T4 v3",
        meterCategory="Virtual Machines",
        consumedService="Microsoft.MachineLearningServices",
        ResourceId="/subscriptions/m1/resourceGroups/ai/providers/Microsoft.MachineLearningServices/workspaces/mlw"
        "/onlineEndpoints/ep1",
        ProductId="DZH318Z0BPVV",
        unitOfMeasure="1 Hour",
        quantity="24",
        unitPrice="0.4997",
        PayGPrice="0.526",
        effectivePrice="0.4997",
        costInPricingCurrency="11.9928",
        costInBillingCurrency="11.033376",
    )
    rounding = dict(
        base,
        date=d(30),
        chargeType="RoundingAdjustment",
        costInPricingCurrency="0.01",
        costInBillingCurrency="0.0092",
        frequency="OneTime",
        pricingModel="",
    )
    return [tokens, aml, rounding]


def write_export(
    root: Path,
    container: str,
    export: str,
    period: str,
    run: str,
    cols: list[str],
    rows: list[dict],
    manifest_type: str | None = None,
    mtime: float | None = None,
    gz: bool = True,
) -> Path:
    """Azure exports v2 layout: <container>/<export>/<YYYYMMDD-YYYYMMDD>/<run>/part_1_0001.csv[.gz] (+ manifest)."""
    y, m = int(period[:4]), int(period[5:7])
    last = {2: 28, 4: 30, 6: 30, 9: 30, 11: 30}.get(m, 31)
    run_dir = root / "azure" / container / export / f"{y}{m:02d}01-{y}{m:02d}{last}" / run
    run_dir.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="raise", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in cols})
    data = ("\ufeff" + buf.getvalue()).encode()
    path = run_dir / ("part_1_0001.csv.gz" if gz else "part_1_0001.csv")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    if manifest_type:
        (run_dir / "manifest.json").write_text(
            json.dumps(
                {
                    "manifestVersion": "2024-04-01",
                    "exportConfig": {"exportName": export, "type": manifest_type},
                    "runInfo": {"runId": run},
                    "blobs": [{"blobName": str(path.relative_to(root))}],
                }
            )
        )
    if mtime:
        os.utime(path, (mtime, mtime))
    return path


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    """Every constructed delivery, with the file each one reconciles against."""
    root = tmp_path_factory.mktemp("landing")
    actual, amortized, august = ea_pair()
    files = {
        "ea_actual": write_export(root, "ea-84012345", "contoso-costs-actual", "2026-09", "run-a", EA_COLS, actual),
        "ea_amortized": write_export(
            root, "ea-84012345", "contoso-costs-amortized", "2026-09", "run-a", EA_COLS, amortized
        ),
        "ea_actual_aug": write_export(root, "ea-84012345", "contoso-costs-actual", "2026-08", "run-a", EA_COLS, august),
        # cost type from exports v2 manifest.json (names say nothing)
        "mca_actual": write_export(
            root, "mca-bp1", "daily-export-1", "2026-09", "run-m", MCA_COLS, mca_rows(), manifest_type="ActualCost"
        ),
        "mca_amortized": write_export(
            root,
            "mca-bp1",
            "daily-export-2",
            "2026-09",
            "run-m",
            MCA_COLS,
            mca_rows(iso_dates=True),
            manifest_type="AmortizedCost",
        ),
    }
    # cost type from the rows: unused commitment -> AmortizedCost; nothing commitment-related -> default
    _, m2, _ = ea_pair("EA2")
    files["ea2_by_rows"] = write_export(root, "ea-2", "export-x", "2026-09", "r1", EA_COLS, m2, gz=False)
    plain = [r for r in ea_pair("EA3")[0] if _norm(r["PricingModel"]) not in COMMIT]
    files["ea3_default"] = write_export(root, "ea-3", "export-y", "2026-09", "r1", EA_COLS, plain)
    # bad deliveries: a missing required column, an unparseable amount
    bad = [dict(r) for r in ea_pair("EA9")[0][:3]]
    files["bad_missing"] = write_export(
        root,
        "ea-9",
        "bad-missing-cost-actual",
        "2026-09",
        "r1",
        [c for c in EA_COLS if c != "Cost"],
        [{k: v for k, v in r.items() if k != "Cost"} for r in bad],
    )
    bad[1]["Cost"] = "12,5"
    files["bad_amount"] = write_export(root, "ea-9", "bad-amount-actual", "2026-10", "r1", EA_COLS, bad)
    return root, files


@pytest.fixture(scope="module")
def loaded(landing, tmp_path_factory):
    """One warehouse (one dbt build, with the unit tests): the constructed exports plus the public EA ActualCost
    sample (its billing account 8611537 pairs with nothing else)."""
    root, files = landing
    wh = tmp_path_factory.mktemp("wh_constructed") / "w.duckdb"
    report = ingest(root, wh)["azure_cost_details"]
    sample_report = ingest(EA_ACTUAL, wh)["azure_cost_details"]
    run_dbt(DBT_BUILD, wh, tmp_path_factory.mktemp("dbt_constructed"))
    return wh, report, files, sample_report


def _clone(wh0: Path, dst: Path) -> Path:
    """Copy a warehouse (views included) and its dlt state: the staging view is live on the copy's raw table."""
    _sql(wh0, "checkpoint")
    wh = dst / wh0.name
    shutil.copy2(wh0, wh)
    shutil.copytree(wh0.parent / f".{wh0.stem}.dlt", dst / f".{wh0.stem}.dlt")
    return wh


def _check_sample(wh: Path, sample: Path, cost_type: str) -> dict[str, tuple[Decimal, Decimal, int]]:
    got = staged_sums(wh, "billing_account_id = '8611537'")
    for period, e in expected(sample, cost_type).items():
        billed, effective, n = got[period]
        assert n == e["rows"]
        if cost_type == "ActualCost":
            assert billed == e["cost_r10"] and billed.quantize(CENT) == e["cost"].quantize(CENT)
            assert effective == e["cost_r10"] - e["commitment_purchases"]
        else:
            assert effective == e["cost_r10"] and effective.quantize(CENT) == e["cost"].quantize(CENT)
            assert billed == e["cost_r10"] - e["covered_and_unused"]
    return got


# ------------------------------------------------------------------------------------------------ the samples
@slow
def test_public_ea_actual_sample_alone_conserves_cost(loaded):
    """ActualCost alone: BilledCost = Cost; EffectiveCost = Cost - commitment purchases (the purchase is 0)."""
    wh, _, _, report = loaded
    assert report.ok and report.rows == len(_read_csv(EA_ACTUAL)) == 11
    assert _sql(
        wh, f"select distinct x_cost_type, x_cost_type_source from {RAW} where billing_account_id = '8611537'"
    ) == [("ActualCost", "path")]
    got = _check_sample(wh, EA_ACTUAL, "ActualCost")
    assert got["2023-09"] == (Decimal("8.5450077867"), Decimal("5.2950077867"), 11)  # quoted in the README


@slow
def test_public_ea_amortized_sample_alone_conserves_cost(loaded, tmp_path):
    """AmortizedCost alone: EffectiveCost = Cost; BilledCost = Cost - covered usage - unused commitment."""
    wh = _clone(loaded[0], tmp_path)
    _sql(wh, f"delete from {RAW} where billing_account_id = '8611537'")  # the actual sample must not pair with it
    report = ingest(EA_AMORTIZED, wh)["azure_cost_details"]
    assert report.ok and report.rows == len(_read_csv(EA_AMORTIZED)) == 28
    assert _sql(
        wh, f"select distinct x_cost_type, x_cost_type_source from {RAW} where billing_account_id = '8611537'"
    ) == [("AmortizedCost", "path")]
    got = _check_sample(wh, EA_AMORTIZED, "AmortizedCost")
    assert got["2023-09"] == (Decimal("15.7977801361"), Decimal("16.2969321366"), 28)  # quoted in the README
    _assert_focus_rules(wh)


# ------------------------------------------------------------------------------------------ constructed data
@slow
def test_cost_type_is_decided_per_delivery(loaded):
    wh = loaded[0]
    got = dict(
        _sql(
            wh,
            f"select x_export_id, x_cost_type || '/' || x_cost_type_source from {RAW} "
            f"where billing_account_id <> '8611537' group by all",
        )
    )
    assert got == {
        "azure/ea-84012345/contoso-costs-actual": "ActualCost/path",
        "azure/ea-84012345/contoso-costs-amortized": "AmortizedCost/path",
        "azure/mca-bp1/daily-export-1": "ActualCost/manifest",
        "azure/mca-bp1/daily-export-2": "AmortizedCost/manifest",
        "azure/ea-2/export-x": "AmortizedCost/rows",
        "azure/ea-3/export-y": "ActualCost/default",
    }
    assert (
        dict(_sql(wh, f"select x_export_id, any_value(x_source_format) from {RAW} group by 1"))[
            "azure/mca-bp1/daily-export-1"
        ]
        == "azure_mca"
    )


@slow
def test_actual_plus_amortized_conserves_both_costs(loaded):
    """Both datasets for EA1 2026-09 and MCA BP-1 2026-09: sum(BilledCost) = sum(actual Cost) and
    sum(EffectiveCost) = sum(amortized Cost), per billing period."""
    wh, _, files, _ = loaded
    for acct, act, amo in (("EA1", "ea_actual", "ea_amortized"), ("BP-1", "mca_actual", "mca_amortized")):
        got = staged_sums(wh, f"billing_account_id = '{acct}' and x_billing_period = '2026-09'")
        e_act, e_amo = expected(files[act], "ActualCost")["2026-09"], expected(files[amo], "AmortizedCost")["2026-09"]
        billed, effective, _ = got["2026-09"]
        assert billed == e_act["cost_r10"] and billed.quantize(CENT) == e_act["cost"].quantize(CENT)
        assert effective == e_amo["cost_r10"] and effective.quantize(CENT) == e_amo["cost"].quantize(CENT)
    # the reservation was bought upfront in August (actual only): billed then, amortized in September
    aug = staged_sums(wh, "billing_account_id = 'EA1'")["2026-08"]
    assert aug == (Decimal("86.4"), Decimal(0), 1)
    assert staged_sums(wh, "billing_account_id = 'EA1'")["2026-09"][:2] == (
        Decimal("8.9449150000"),
        Decimal("12.5449150000"),
    )


@slow
def test_single_dataset_rules_on_constructed_exports(loaded):
    wh, _, files, _ = loaded
    e = expected(files["ea2_by_rows"], "AmortizedCost")["2026-09"]
    billed, effective, _ = staged_sums(wh, "billing_account_id = 'EA2'")["2026-09"]
    assert effective == e["cost_r10"] and billed == e["cost_r10"] - e["covered_and_unused"]
    e = expected(files["ea3_default"], "ActualCost")["2026-09"]
    assert staged_sums(wh, "billing_account_id = 'EA3'")["2026-09"][:2] == (e["cost_r10"], e["cost_r10"])


@slow
def test_commitment_rows_follow_microsoft_focus_conversion(loaded):
    wh = loaded[0]
    rows = _sql(
        wh,
        f"""
        select x_native_charge_type, charge_category, commitment_discount_status, billed_cost, effective_cost,
               pricing_category, commitment_discount_type, charge_frequency, resource_id = commitment_discount_id
        from {STG} where billing_account_id = 'EA1' and commitment_discount_id is not null order by all""",
    )
    assert rows == [
        ("Purchase", "Purchase", None, Decimal("2.0"), Decimal(0), "Standard", "Savings Plan", "Recurring", True),
        ("Purchase", "Purchase", None, Decimal("86.4"), Decimal(0), "Standard", "Reservation", "One-Time", True),
        (
            "UnusedReservation",
            "Usage",
            "Unused",
            Decimal(0),
            Decimal("1.2"),
            "Committed",
            "Reservation",
            "Usage-Based",
            True,
        ),
        (
            "UnusedSavingsPlan",
            "Usage",
            "Unused",
            Decimal(0),
            Decimal("0.5"),
            "Committed",
            "Savings Plan",
            "Usage-Based",
            True,
        ),
        ("Usage", "Usage", "Used", Decimal(0), Decimal("1.5"), "Committed", "Savings Plan", "Usage-Based", False),
        ("Usage", "Usage", "Used", Decimal(0), Decimal("2.4"), "Committed", "Reservation", "Usage-Based", False),
    ]
    # the on-demand usage refund exists in both datasets: kept once (from the amortized data), as a Usage
    # correction (a Purchase would need EffectiveCost 0)
    assert _sql(
        wh,
        f"select count(*), any_value(charge_class), any_value(charge_category) from {STG} "
        f"where billing_account_id = 'EA1' and x_native_charge_type = 'Refund'",
    ) == [(1, "Correction", "Usage")]


@slow
def test_ai_services_units_and_mca_prices(loaded):
    wh = loaded[0]
    rows = _sql(
        wh,
        f"""
        select service_name, service_category, service_subcategory, pricing_unit, pricing_quantity, consumed_quantity,
               consumed_unit, list_unit_price, list_cost, billed_cost, billing_currency, pricing_currency,
               pricing_currency_effective_cost, invoice_id, tags
        from {STG} where x_source_format = 'azure_mca' and x_native_charge_type = 'Usage' order by service_name""",
    )
    # both MCA datasets are loaded: the amortized rows are the FOCUS rows (same on-demand rows here)
    assert rows == [
        (
            "Azure Machine Learning",
            "AI and Machine Learning",
            "Machine Learning",
            "Hours",
            Decimal(24),
            Decimal(24),
            "Hours",
            Decimal("0.48392"),
            Decimal("11.61408"),
            Decimal("11.033376"),
            "EUR",
            "USD",
            Decimal("11.9928"),
            "G012345678",
            None,
        ),
        (
            "Azure OpenAI",
            "AI and Machine Learning",
            "Generative AI",
            "1000 Units",
            Decimal(1500),
            Decimal(1500000),
            "Units",
            Decimal("0.0046"),
            Decimal("6.9"),
            Decimal("6.9"),
            "EUR",
            "USD",
            Decimal("7.5"),
            "G012345678",
            '{"env":"prod","team":"support-copilot"}',
        ),
    ]
    ea = _sql(
        wh,
        f"""select service_name, service_category, service_subcategory, pricing_unit, consumed_quantity,
                     tags from {STG} where billing_account_id = 'EA1' and x_usage_type like 'gpt%'""",
    )
    assert ea == [("Azure OpenAI", "AI and Machine Learning", "Generative AI", "1000 Units", Decimal(1234500), None)]
    assert _sql(
        wh,
        f"select tags from {STG} where billing_account_id = 'EA1' and x_native_charge_type = 'Usage' "
        f"and pricing_category = 'Standard' and x_usage_type = 'D4s v5'",
    ) == [('{"env":"prod","team":"web"}',)]
    assert _sql(
        wh,
        f"select charge_category, list_cost = billed_cost, pricing_quantity from {STG} "
        f"where x_native_charge_type = 'RoundingAdjustment'",
    ) == [("Adjustment", True, None)]


@slow
def test_bad_files_are_quarantined_and_the_rest_loads(loaded):
    wh, report, _, _ = loaded
    by_file = {e.file: e for e in report.quarantined}
    missing = by_file["azure/ea-9/bad-missing-cost-actual/20260901-20260930/r1/part_1_0001.csv.gz"]
    assert missing.row == 0 and missing.field == "Cost" and "missing required column" in missing.reason
    amount = by_file["azure/ea-9/bad-amount-actual/20261001-20261031/r1/part_1_0001.csv.gz"]
    assert (amount.row, amount.field, amount.value) == (2, "Cost", "12,5")
    assert _sql(wh, f"select count(*) from {RAW} where billing_account_id = 'EA9'") == [(0,)]
    q = _sql(wh, "select source_file, row_number, field from azure_cost_details.quarantine order by 1")
    assert [(Path(f).name.split("/")[-1], r, fld) for f, r, fld in q] == [
        ("part_1_0001.csv.gz", 2, "Cost"),
        ("part_1_0001.csv.gz", 0, "Cost"),
    ]
    assert len(report.deliveries_loaded) == 7


@slow
def test_second_load_is_a_no_op_and_redelivery_replaces_the_period(landing, loaded, tmp_path):
    wh0, _, files, _ = loaded
    root0, _ = landing
    # work on copies: landing (mtimes kept), warehouse and dlt state
    root = tmp_path / "landing"
    shutil.copytree(root0, root, copy_function=shutil.copy2)
    wh = _clone(wh0, tmp_path)
    shutil.rmtree(root / "azure" / "ea-9")
    before = _sql(wh, f"select x_export_id, x_billing_period, count(*), sum(cost) from {RAW} group by all order by all")

    again = ingest(root, wh)["azure_cost_details"]
    assert again.rows == 0 and again.ok
    assert (
        _sql(wh, f"select x_export_id, x_billing_period, count(*), sum(cost) from {RAW} group by all order by all")
        == before
    )

    # re-deliver September of an ActualCost-only export: a new run folder (newer), every cost doubled
    plain = [
        dict(r, Cost=str(Decimal(r["Cost"]) * 2)) for r in ea_pair("EA3")[0] if _norm(r["PricingModel"]) not in COMMIT
    ]
    new = write_export(
        root, "ea-3", "export-y", "2026-09", "r2", EA_COLS, plain, mtime=os.path.getmtime(files["ea3_default"]) + 60
    )
    redo = ingest(root, wh)["azure_cost_details"]
    assert redo.ok and redo.rows == len(plain)
    e = expected(new, "ActualCost")["2026-09"]
    got = _sql(
        wh,
        f"select count(*), sum(cost), any_value(x_source_file) from {RAW} "
        f"where x_export_id = 'azure/ea-3/export-y' and x_billing_period = '2026-09'",
    )
    assert got == [(len(plain), e["cost_r10"], str(new.relative_to(root)))]
    # the staging view follows: the new total, not old + new
    assert staged_sums(wh, "billing_account_id = 'EA3'")["2026-09"][:2] == (e["cost_r10"], e["cost_r10"])
    assert e["cost_r10"] == 2 * expected(files["ea3_default"], "ActualCost")["2026-09"]["cost_r10"]
    # other exports and periods untouched
    after = _sql(
        wh,
        f"select x_export_id, x_billing_period, count(*), sum(cost) from {RAW} "
        f"where x_export_id <> 'azure/ea-3/export-y' group by all order by all",
    )
    assert after == [r for r in before if r[0] != "azure/ea-3/export-y"]


@slow
def test_focus_rules_on_constructed_data_and_actual_sample(loaded):
    _assert_focus_rules(loaded[0])


# -------------------------------------------------------------------------------------------------- helpers
def _assert_focus_rules(wh: Path) -> None:
    """The FOCUS 1.2 requirements the official validator checks on these columns (and a few it does not)."""
    bad = _sql(
        wh,
        f"""
        select x_source_file, x_source_row, case
          when charge_category in ('Usage', 'Purchase') and coalesce(charge_class, '') <> 'Correction' and (
               list_unit_price is null or contracted_unit_price is null or pricing_quantity is null
               or pricing_unit is null or sku_id is null or sku_price_id is null) then 'usage/purchase nulls'
          when list_unit_price is not null and list_cost <> cast(list_unit_price * pricing_quantity as decimal(38,10))
               then 'list identity'
          when contracted_unit_price is not null
               and contracted_cost <> cast(contracted_unit_price * pricing_quantity as decimal(38,10))
               then 'contracted identity'
          when list_unit_price < 0 or contracted_unit_price < 0 then 'negative price'
          when (charge_category = 'Usage' and coalesce(commitment_discount_status, '') <> 'Unused')
               <> (consumed_quantity is not null) then 'consumed quantity'
          when (consumed_quantity is null) <> (consumed_unit is null) then 'consumed unit'
          when (commitment_discount_id is not null and charge_category = 'Usage')
               <> (commitment_discount_status is not null) then 'commitment status'
          when (commitment_discount_id is null) <> (commitment_discount_type is null)
               or (commitment_discount_id is null) <> (commitment_discount_category is null) then 'commitment type'
          when commitment_discount_id is not null and charge_category in ('Usage', 'Purchase')
               and (commitment_discount_quantity is null or commitment_discount_unit is null) then 'commitment qty'
          when charge_category = 'Purchase' and charge_frequency = 'Usage-Based' then 'purchase frequency'
          when charge_category = 'Purchase' and commitment_discount_id is not null and effective_cost <> 0
               then 'purchase effective cost'
          when (region_id is null) <> (region_name is null) then 'region'
          when (sub_account_id is null) <> (sub_account_type is null)
               or (sub_account_id is null) <> (sub_account_name is null)
               then 'sub account'
          when (resource_id is null) <> (resource_type is null) then 'resource type'
          when billing_account_type is null or invoice_issuer_name is null or publisher_name is null
               or provider_name is null or service_name is null or service_category is null
               or service_subcategory is null or charge_period_start is null or billing_period_end is null
               then 'mandatory null'
          when tags is not null and not json_valid(tags) then 'tags json'
          when '' in (coalesce(resource_id, 'x'), coalesce(sku_id, 'x'), coalesce(region_id, 'x'),
                      coalesce(charge_description, 'x')) then 'empty string'
        end as problem
        from {STG}""",
    )
    problems = [r for r in bad if r[2] is not None]
    assert not problems, problems[:10]
    # one ServiceCategory per ServiceName, subcategory under its category
    assert _sql(wh, f"select service_name from {STG} group by 1 having count(distinct service_category) > 1") == []


def test_sniffing_and_helpers():
    ea_header = _read_csv(EA_ACTUAL)[0].keys()
    assert sniff_ea(list(ea_header), "x.csv") and not sniff_mca(list(ea_header), "x.csv")
    assert sniff_mca(MCA_COLS, "x.csv") and not sniff_ea(MCA_COLS, "x.csv")
    focus = ["BilledCost", "BillingAccountId", "ChargeCategory", "x_SkuMeterCategory", "SubAccountId"]
    assert not sniff_ea(focus, "x.csv") and not sniff_mca(focus, "x.csv")
    assert cost_type_from_text("azure/ea/Contoso-Amortized/20260901-20260930/r/part_1.csv") == "AmortizedCost"
    assert cost_type_from_text("azure/ea/actual_and_amortized/x.csv") is None
    assert (
        arm_resource_type("/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a/databases/b")
        == "microsoft.sql/servers/databases"
    )
    assert (
        arm_resource_type("/providers/Microsoft.Capacity/reservationOrders/o/reservations/")
        == "microsoft.capacity/reservationorders/reservations"
    )
    assert arm_resource_type("/subscriptions/s") is None
