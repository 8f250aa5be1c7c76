"""Cost anomalies (models/{intermediate,marts}/governance: int_daily_cost_drivers, int_anomaly_*, fct_cost_anomalies,
fct_anomaly_lifecycle, fct_remediation_cycle_time) on the demo enterprise.

A copy of the demo warehouse (`make demo`, or FINOPS_DEMO_WAREHOUSE) gets the OpenAI usage and cost APIs reloaded
from the demo server, whose data carries two planted anomalies (finops_demo/vendor_servers/openai.py): the doc-search
project's prod key at 6x its volume on 2026-10-20..22 and gpt-4o billed at 1.7x its price from 2026-10-26 with
unchanged tokens. Then the models downstream of the OpenAI sources that the anomaly marts read are rebuilt, and the
anomaly models are built with their tests (the decomposition adds up exactly, the lifecycle is consistent).
Asserted: the spike is found as one usage anomaly driven by volume, with its owner, acknowledged by the seed's
annotation and resolved automatically on the first day back within the band, with exact cycle times; the price
change is classified price, never a usage spike; the clean Bedrock / Azure / GCP AI series and provider totals raise
nothing but the partially delivered days of the generated exports (fewer charge lines than usual: a real drop in
the data). The dbt unit tests (models/*/governance/_governance__models.yml) cover the method on synthetic series.
Skipped without a demo warehouse."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.support import REPO, run_dbt

SPIKE_FIRST, SPIKE_LAST = dt.date(2026, 10, 20), dt.date(2026, 10, 22)
PRICE_FROM = dt.date(2026, 10, 26)
GPT_4O = "gpt-4o-2024-08-06"
# the clean (no planted anomaly) AI series of the cloud providers, and their provider totals
CLOUD_AI_SERVICES = (
    "Amazon Bedrock",
    "Amazon SageMaker",
    "Azure OpenAI",
    "Azure Machine Learning",
    "Generative AI on Vertex AI",
    "Vertex AI",
)
CLOUD_PROVIDERS = ("AWS", "Microsoft", "Google Cloud")
# the OpenAI models and marts the anomaly models read that the reload changes
UPSTREAM = [
    f"{src}+,+{mart}"
    for src in ("stg_openai_usage__costs", "stg_openai_usage__usage")
    for mart in ("int_daily_cost_drivers", "int_anomaly_scope_owners")
]
# the anomaly models, the seeds they read: annotations and the policy (docs/marts/policies.md)
ANOMALIES = ["anomaly_annotations", "anomaly_policy", "anomaly_scope_types", "int_daily_cost_drivers+"]


def _demo_source() -> Path | None:
    src = Path(os.environ.get("FINOPS_DEMO_WAREHOUSE", REPO / "warehouse" / "finops.duckdb"))
    return src if src.exists() else None


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from finops_demo.vendor_servers.demo import OPENAI_ORG, demo_vendor_servers
    from finops_demo.vendor_servers.openai import org_projects
    from ingestion.catalogue import load_api_dataset

    started = time.monotonic()
    tmp = tmp_path_factory.mktemp("anomalies")
    wh = tmp / "finops.duckdb"
    shutil.copyfile(_demo_source(), wh)
    with duckdb.connect(str(wh)) as con:  # reload OpenAI from scratch: the planted data, whatever the copy held
        con.execute("drop schema if exists openai_usage cascade")
    with demo_vendor_servers() as vendors:  # sets SOURCES__* for the load, restores the environment after
        report = load_api_dataset("openai_usage", str(wh))
        start, end = (dt.datetime(2026, 9, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        truth = vendors.openai.total_cost(OPENAI_ORG, start, end)
    assert report.configured and report.total_rows > 0
    gc.collect()  # drop dlt's pipeline and its DuckDB connection (opened with the loads' settings)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("select sum(amount) from openai_usage.costs").fetchone()[0] == truth
    run_dbt(["run", "--select", *UPSTREAM, "--exclude", "int_daily_cost_drivers+"], wh, tmp)
    run_dbt(
        ["build", "--select", *ANOMALIES, "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious"],
        wh,
        tmp,
    )
    doc_search = next(p for p in org_projects(42, OPENAI_ORG) if p.name == "doc-search")
    return {"wh": wh, "spike_key": doc_search.keys[0], "owner": doc_search.owner, "seconds": time.monotonic() - started}


def _rows(wh: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(wh)) as con:  # not read_only: dbt-duckdb keeps its instance open in this process
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


needs_demo = pytest.mark.skipif(
    _demo_source() is None, reason="no demo warehouse: run `make demo` or set FINOPS_DEMO_WAREHOUSE"
)


def test_demo_server_plants_the_spike_and_the_price_change_and_costs_stay_usage_times_price():
    from finops_demo.vendor_servers.openai import PRICES, OpenAIServer, org_projects

    planted, clean = (OpenAIServer({"k": "northwind"}, seed=42, anomalies=a) for a in (True, False))
    key = next(p for p in org_projects(42, "northwind") if p.name == "doc-search").keys[0]

    def day(d: dt.date) -> int:
        return int(dt.datetime.combine(d, dt.time(), dt.UTC).timestamp())

    def key_tokens(srv, d):
        return sum(
            r["input_tokens"]
            for r in srv.usage_rows("northwind", "completions", day(d), 86_400)
            if r["api_key_id"] == key
        )

    for d in (SPIKE_FIRST - dt.timedelta(days=1), SPIKE_FIRST, SPIKE_LAST, SPIKE_LAST + dt.timedelta(days=1)):
        ratio = key_tokens(planted, d) / key_tokens(clean, d)
        assert ratio == pytest.approx(6 if SPIKE_FIRST <= d <= SPIKE_LAST else 1, rel=1e-3), d
    # the price change: same tokens, gpt-4o lines at 1.7x the list price from its day, everything else unchanged
    for d, factor in ((PRICE_FROM - dt.timedelta(days=1), 1), (PRICE_FROM, Decimal("1.7"))):
        mine, theirs = (srv.cost_rows("northwind", day(d)) for srv in (planted, clean))
        assert [(r["line_item"], r["quantity"]) for r in mine] == [(r["line_item"], r["quantity"]) for r in theirs]
        for a, b in zip(mine, theirs, strict=True):
            expect = b["amount"] * (factor if a["line_item"].startswith(GPT_4O) else 1)
            assert abs(a["amount"] - expect) < Decimal("1e-9"), a
        cached = next(r for r in mine if r["line_item"] == f"{GPT_4O}, cached input")
        assert cached["amount"] == (cached["quantity"] * PRICES[GPT_4O]["cached input"] * factor).quantize(
            Decimal("1e-10")
        )


@pytest.mark.slow
@needs_demo
def test_planted_usage_spike_is_one_volume_anomaly_with_owner_acknowledged_and_resolved(demo):
    wh, key = demo["wh"], demo["spike_key"]
    (spike,) = _rows(
        wh,
        f"select * from marts.fct_cost_anomalies where scope_type = 'api_key' "
        f"and scope_value = '{key}' and anomaly_date <= date '{SPIKE_LAST}' "
        f"and anomaly_end_date >= date '{SPIKE_FIRST}'",
    )
    assert (spike["anomaly_date"], spike["anomaly_end_date"], spike["anomaly_days"]) == (SPIKE_FIRST, SPIKE_LAST, 3)
    assert (spike["direction"], spike["primary_driver"], spike["anomaly_type"], spike["is_usage_driven"]) == (
        "spike",
        "volume",
        "usage_spike",
        True,
    )
    assert spike["provider_name"] == "OpenAI" and spike["currency"] == "USD"
    assert spike["impact_pct"] > 4  # ~6x its volume
    assert spike["volume_effect"] > Decimal("0.8") * spike["impact_amount"]
    assert abs(spike["price_effect"]) < Decimal("0.01") and spike["fx_effect"] == 0  # list price, USD
    assert (
        spike["volume_effect"]
        + spike["price_effect"]
        + spike["mix_effect"]
        + spike["fx_effect"]
        + spike["residual_effect"]
    ) == spike["impact_amount"]
    assert (spike["owner"], spike["owner_source"]) == (demo["owner"], "dim_ai_workloads")
    assert spike["business_unit"] and spike["cost_center"] and spike["severity"] == "error"
    assert spike["resolved_on"] == SPIKE_LAST + dt.timedelta(days=1)

    (life,) = _rows(wh, f"select * from marts.fct_anomaly_lifecycle where anomaly_id = '{spike['anomaly_id']}'")
    assert (life["status"], life["resolution"], life["detected_date"]) == (
        "resolved",
        "returned_to_baseline",
        SPIKE_FIRST,
    )
    assert life["acknowledged_at"] == dt.datetime(2026, 10, 21, 10, 30)  # seed anomaly_annotations
    assert life["acknowledged_by"] == demo["owner"]
    assert life["resolved_at"] == dt.datetime(2026, 10, 23)  # the first day back within the band
    (cycle,) = _rows(wh, f"select * from marts.fct_remediation_cycle_time where anomaly_id = '{spike['anomaly_id']}'")
    assert (cycle["hours_to_acknowledge"], cycle["hours_to_resolve"], cycle["days_to_resolve"]) == (
        Decimal("34.5"),
        Decimal(72),
        Decimal(3),
    )

    # the same spike seen from the provider, the service and the model: volume-driven, resolved the same day
    during = _rows(
        wh,
        f"select * from marts.fct_cost_anomalies where provider_name = 'OpenAI' "
        f"and anomaly_date between date '{SPIKE_FIRST}' and date '{SPIKE_LAST}'",
    )
    assert {(a["scope_type"], a["scope_value"]) for a in during} >= {
        ("api_key", key),
        ("provider", "OpenAI"),
        ("service", "OpenAI API"),
        ("model", GPT_4O),
    }
    assert all(a["primary_driver"] == "volume" and a["direction"] == "spike" for a in during), during


@pytest.mark.slow
@needs_demo
def test_planted_price_change_is_classified_price_not_usage(demo):
    wh = demo["wh"]
    (model,) = _rows(
        wh,
        f"select * from marts.fct_cost_anomalies where scope_type = 'model' "
        f"and scope_value = '{GPT_4O}' and anomaly_date = date '{PRICE_FROM}'",
    )
    assert (model["primary_driver"], model["anomaly_type"], model["is_usage_driven"]) == (
        "price",
        "price_change",
        False,
    )
    assert model["anomaly_end_date"] == model["as_of_date"] and model["resolved_on"] is None  # still billed so
    assert model["price_effect"] > Decimal("0.8") * model["impact_amount"]
    (life,) = _rows(
        wh,
        f"select status, acknowledged_at from marts.fct_anomaly_lifecycle where anomaly_id = '{model['anomaly_id']}'",
    )
    assert life == {"status": "acknowledged", "acknowledged_at": dt.datetime(2026, 10, 29, 16)}
    # no OpenAI anomaly from the price change on is reported as a usage change
    after = _rows(
        wh,
        f"select scope_type, scope_value, primary_driver from marts.fct_cost_anomalies "
        f"where provider_name = 'OpenAI' and anomaly_date >= date '{PRICE_FROM}'",
    )
    assert {(a["scope_type"], a["scope_value"]) for a in after} >= {("model", GPT_4O), ("provider", "OpenAI")}
    assert {a["primary_driver"] for a in after} == {"price"}, after


@pytest.mark.slow
@needs_demo
def test_clean_cloud_ai_series_raise_nothing_but_partially_delivered_days(demo):
    """Bedrock, Azure and GCP carry no planted anomaly. The generated exports deliver the last day of a month with
    fewer charge lines (a real drop of that day's cost, flagged as such); nothing else is raised on their AI
    services and provider totals, nor on Mistral AI's EUR invoices (an FX move only, below the thresholds)."""
    wh = demo["wh"]
    found = _rows(
        wh,
        f"""
        select scope_type, scope_value, provider_name, anomaly_date, anomaly_end_date, direction
        from marts.fct_cost_anomalies
        where (scope_type = 'service' and scope_value in {CLOUD_AI_SERVICES})
           or (scope_type = 'provider' and scope_value in {CLOUD_PROVIDERS + ("Mistral AI",)})""",
    )
    partial = {
        (r["scope_type"], r["scope_value"], r["day"])
        for r in _rows(
            wh,
            """
        with lines as (
            select 'provider' as scope_type, provider_name as scope_value, cast(charge_period_start as date) as day,
                   count(*) as n
            from marts.fct_charges where charge_period_end <= charge_period_start + interval 1 day group by all
            union all
            select 'service', service_name, cast(charge_period_start as date), count(*)
            from marts.fct_charges where charge_period_end <= charge_period_start + interval 1 day group by all
        )
        select l.scope_type, l.scope_value, l.day
        from lines as l
        join (select scope_type, scope_value, median(n) as n from lines group by all) as m
            using (scope_type, scope_value)
        where l.n < 0.8 * m.n""",
        )
    }
    for a in found:
        days = [
            a["anomaly_date"] + dt.timedelta(days=i)
            for i in range((a["anomaly_end_date"] - a["anomaly_date"]).days + 1)
        ]
        assert a["direction"] == "drop" and all((a["scope_type"], a["scope_value"], d) in partial for d in days), a
    assert not [a for a in found if a["scope_value"] in ("Azure OpenAI", "Generative AI on Vertex AI", "Mistral AI")]


@pytest.mark.slow
@needs_demo
def test_anomaly_build_stays_fast(demo):
    assert demo["seconds"] < 120, demo["seconds"]
