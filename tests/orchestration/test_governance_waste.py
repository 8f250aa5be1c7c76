"""Waste, cost avoidance and commitments (models/{intermediate,marts}/governance: int_waste_*, int_commitment_*,
fct_waste_candidates, fct_cost_avoidance, fct_commitment_utilization) on a small demo enterprise: the waste scenarios
the AWS generator plants (finops_demo/generator/aws_planted.py PLANTED) are found from the billing data alone, with
exact figures,
and nothing else of their kind is flagged; the acted-on endpoint's savings are realised to the cent; the cloud
commitments and vendor contracts are measured.

The billing exports are generated (seed 7, 8,000 rows), loaded as the pipeline loads them and the marts built with
dbt (their ancestors and tests); the vendor APIs are not loaded, so the model-API contracts have no spend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from tests.support import ingest, run_dbt

pytestmark = pytest.mark.slow  # builds a dbt lineage or runs the pipeline

SELECT = [
    "--select",
    "+fct_waste_candidates",
    "+fct_cost_avoidance",
    "+fct_commitment_utilization",
    "assert_waste_candidates_are_sound",
    "assert_commitment_utilization_is_consistent",
    "--exclude-resource-type",
    "unit_test",
    "--indirect-selection",
    "cautious",
]
SM = "arn:aws:sagemaker:us-east-1"
HOSTING_DAY = Decimal("33.792")  # ml.g5.xlarge hosting, 24 h x 1.408


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from finops_demo.generator import generate
    from ingestion.catalogue import ensure_raw_tables

    tmp = tmp_path_factory.mktemp("waste")
    generate(tmp / "landing", seed=7, rows=8_000)
    wh = tmp / "finops.duckdb"
    ensure_raw_tables(str(wh))
    ingest(tmp / "landing", wh)
    run_dbt(["build", *SELECT], wh, tmp)  # speed is measured by `make bench`, not asserted here
    return wh


def _rows(wh, sql: str) -> list[dict]:
    with duckdb.connect(str(wh)) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def _candidates(wh, waste_type: str) -> list[dict]:
    return _rows(
        wh, f"select * from marts.fct_waste_candidates where waste_type = '{waste_type}' order by candidate_id"
    )


def test_idle_endpoint_found_and_busy_ones_not(warehouse):
    idle = _candidates(warehouse, "idle_endpoint")
    # only the planted endpoint: every other endpoint has data processed on it; the pilot's endpoint is part of the
    # abandoned pilot and the canary has been deleted (not billed any more)
    assert [c["resource_id"] for c in idle] == [f"{SM}:310000000031:endpoint/ml-platform-prod-reranker-v1"]
    c = idle[0]
    assert c["estimated_monthly_savings"] == HOSTING_DAY * 30 == c["cost_30d"]
    assert c["usage_30d"] == 0 and c["usage_unit"] == "GB"
    assert (c["owner"], c["business_unit"]) == ("jonas.weber@northwind-robotics.com", "platform")
    assert c["first_flagged_date"] == dt.date(2026, 9, 7) and c["as_of_date"] == dt.date(2026, 10, 31)
    assert "720 Hours (1,013.76 USD) on 30 of the last 30 days" in c["evidence"] and "0 GB" in c["evidence"]
    # the other capacity rules find nothing: the GPU instances carry data transfer, there is no PTU
    assert _candidates(warehouse, "idle_gpu") == [] and _candidates(warehouse, "idle_provisioned_capacity") == []


def test_abandoned_pilot_found(warehouse):
    pilots = [c for c in _candidates(warehouse, "abandoned_pilot") if c["scope_type"] == "project"]
    assert [c["scope_value"] for c in pilots] == ["genai-pilot-claims"]
    p = pilots[0]
    s3 = _rows(
        warehouse,
        """select sum(x_reporting_effective_cost) as cost from marts.fct_charges
                             where resource_id = 'nw-genai-pilot-claims-data'
                               and charge_period_start >= timestamp '2026-10-02'""",
    )[0]["cost"]
    assert p["cost_30d"] == HOSTING_DAY * 30 + s3
    assert p["estimated_monthly_savings"] == round(p["cost_30d"], 2)
    assert p["owner"] is None and p["business_unit"] == "research"
    assert "no activity since 2026-09-14 (47 days" in p["evidence"] and "no owner" in p["evidence"]
    assert "genai-pilot-claims-ep 1,013.76" in p["evidence"]
    assert p["first_flagged_date"] == dt.date(2026, 9, 30)  # 30 days of cost without an owner


def test_repeated_training_runs_found(warehouse):
    runs = _candidates(warehouse, "repeated_training_run")
    assert len(runs) == 1
    r = runs[0]
    assert r["name"] == "robot-vision-grasp-ft" and r["owner"] == "sofia.rossi@northwind-robotics.com"
    # four 6-hour ml.g5.12xlarge runs with hyperparameters_hash hp-4f2a9c; the runs with other hyperparameters
    # (September, and 2026-10-27) are no repeats
    assert r["evidence"].startswith(
        "4 runs of one training spec (USE1-Train:ml.g5.12xlarge, 6 h, "
        "hyperparameters_hash=hp-4f2a9c) between 2026-10-06 and 2026-10-20"
    )
    assert r["usage_30d"] == 24 and r["cost_30d"] == Decimal("170.16")
    assert r["estimated_monthly_savings"] == Decimal("127.62")  # 3 repeats x 6 h x 7.09
    assert r["first_flagged_date"] == dt.date(2026, 10, 13)


def test_acted_on_endpoint_savings_realised_exactly(warehouse):
    [a] = _rows(warehouse, "select * from marts.fct_cost_avoidance")
    assert (a["action_id"], a["action_date"], a["status"]) == ("WA-2026-001", dt.date(2026, 10, 10), "realised")
    # 30 days of hosting before the deletion, none in the 22 days after it
    assert (a["days_before"], a["days_after"]) == (30, 22)
    assert a["cost_before"] == HOSTING_DAY * 30 and a["cost_after"] == 0
    assert a["projected_monthly_savings"] == a["realised_monthly_savings"] == HOSTING_DAY * 30
    assert a["realised_savings_to_date"] == round(HOSTING_DAY * 22, 2)
    canary = f"{SM}:310000000011:endpoint/support-copilot-prod-canary"
    assert not _rows(warehouse, f"select 1 from marts.fct_waste_candidates where resource_id = '{canary}'")


def test_commitments_measured(warehouse):
    rows = _rows(
        warehouse, "select * from marts.fct_commitment_utilization order by commitment_type, commitment_id, period"
    )
    discounts = [r for r in rows if r["commitment_type"] == "commitment_discount"]
    sp = [r for r in discounts if r["commitment_id"].startswith("arn:aws:savingsplans::")]
    assert {r["period"] for r in sp} == {"2026-09", "2026-10"}
    for r in sp:  # sized for ~88 % of the covered usage: utilised below 100 %, a real discount on covered usage
        assert Decimal("0.5") < r["utilization_to_date"] < 1 and r["unused_commitment_cost"] > 0
        assert r["effective_savings_rate"] == Decimal("0.3") and r["net_savings_rate"] < r["effective_savings_rate"]
        assert r["status"] == "underutilized"
    contracts = {(r["commitment_id"], r["period_start"]): r for r in rows if r["commitment_type"] == "vendor_contract"}
    # no model-API data loaded here: the whole October minimum of the OpenAI contract is a shortfall
    openai = contracts[("C-OPENAI-API", dt.date(2026, 10, 1))]
    assert (openai["spend_to_date"], openai["projected_shortfall"], openai["status"]) == (
        0,
        5000,
        "projected_shortfall",
    )
    aws = contracts[("C-AWS-AI", dt.date(2026, 10, 1))]
    # the contract's spend to date is the record's AWS BilledCost of Usage and Purchase lines charged in October
    aws_billed = _rows(
        warehouse,
        """select sum(billed_cost) as billed from marts.fct_charges
                                     where provider_name = 'AWS' and charge_category in ('Usage', 'Purchase')
                                       and charge_period_start >= timestamp '2026-10-01'
                                       and charge_period_start < timestamp '2026-11-01'""",
    )[0]["billed"]
    assert aws_billed > 0 and aws["spend_to_date"] == aws_billed
    assert aws["status"] == "no_commitment" and 0 < aws["effective_discount_rate"] < 1
