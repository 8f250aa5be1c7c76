"""Anthropic's beta Usage and Cost Analytics API (selected by config) flows through the same models as the legacy
reports: FOCUS BilledCost per organisation equals the server's cost report to the cent, tokens are priced, and
usage x price explains the bill except where the demo's negotiated discount is not applied by the vendor."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from finops_demo.vendor_servers.anthropic import AnthropicServer
from ingestion.anthropic_usage import anthropic_usage
from tests.support import duckdb_pipeline, run_dbt

pytestmark = pytest.mark.slow  # builds a dbt lineage or runs the pipeline

KEYS = {
    "sk-ant-admin01-TEST-analytics-a": "northwind-robotics",
    "sk-ant-admin01-TEST-analytics-b": "northwind-research",
}
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 15)
CENT = 100


def test_analytics_api_reaches_the_focus_record_to_the_cent(tmp_path):
    from ingestion.catalogue import ensure_raw_tables

    wh = tmp_path / "finops.duckdb"
    ensure_raw_tables(str(wh))
    with AnthropicServer(KEYS, start=START, end=END) as srv:
        p = duckdb_pipeline("anthropic_analytics_test", wh, tmp_path / "pipelines", "anthropic_usage")
        p.run(
            anthropic_usage(
                api="analytics",
                include_claude_code=False,
                start_date=START.isoformat(),
                end_date=END.isoformat(),
                backoff_factor=0.01,
                organizations=[{"name": org, "api_key": k, "base_url": srv.base_url} for k, org in KEYS.items()],
            )
        )
        truth = {org: srv.total_cost_cents(org, START, END) / CENT for org in KEYS.values()}
    run_dbt(
        [
            "build",
            "--select",
            "+fct_ai_model_costs_daily",
            "+focus_cost_and_usage",
            "+assert_ai_api_charges_equal_cost_api",
            "+assert_ai_usage_is_priced",
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
        ],
        wh,
        tmp_path,
    )
    with duckdb.connect(str(wh)) as con:
        focus = dict(
            con.execute(
                "select billing_account_id, sum(billed_cost) from marts.fct_charges "
                "where x_source_system = 'anthropic_usage' and x_source_format = 'anthropic_cost_analytics' "
                "group by all"
            ).fetchall()
        )
        statuses = dict(
            con.execute(
                "select reconciliation_status || ':' || coalesce(model_name, '-'), count(*) "
                "from marts.fct_ai_model_costs_daily group by all"
            ).fetchall()
        )
        unpriced = con.execute(
            "select count(*) from marts.fct_ai_usage where usage_unit = 'Tokens' and price_status <> 'priced'"
        ).fetchone()[0]
    assert {k: round(v, 2) for k, v in focus.items()} == {k: round(v, 2) for k, v in truth.items()}
    assert unpriced == 0
    # the server bills at list; the demo contract gives 15 % off Claude Sonnet from 2026-09-01: flagged, the rest match
    assert statuses["over_billed:claude-sonnet-4-5-20250929"] > 0
    assert {s.split(":")[0] for s in statuses} <= {"matched", "over_billed", "not_token_priced"}
    assert not any(s.startswith("over_billed:") and "sonnet" not in s for s in statuses)
