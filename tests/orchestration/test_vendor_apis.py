"""The AI vendor API ingest assets (OpenAI, Anthropic) through Dagster: configuration read at run time, a vendor
without a key materializes with configured=false and empty tables, a load reports rows per table and loads
nothing the second time, and an auth error names the secret to set, never its value."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import dagster as dg
import pytest

from finops_demo.vendor_servers.anthropic import AnthropicServer
from finops_demo.vendor_servers.openai import OpenAIServer
from ingestion import catalogue
from ingestion._common import api_sources as api
from ingestion._common.http import VendorApiError
from orchestration.defs.ingest.vendor_apis import build_vendor_api_asset
from orchestration.lib.resources import WarehouseResource
from tests.support import column_types, query

OPENAI_KEY = "sk-admin-test-orchestration-1f2e3d4c5b6a"
ANTHROPIC_KEY = "sk-ant-admin01-test-orchestration-9a8b7c6d"
FAST = {"REQUEST_TIMEOUT_S": "10", "BACKOFF_FACTOR": "0.01"}


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """No vendor configured, a temporary warehouse."""
    for k in list(os.environ):
        if k.startswith(("SOURCES__OPENAI_USAGE", "SOURCES__ANTHROPIC_USAGE")):
            monkeypatch.delenv(k)
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "wh" / "finops.duckdb"))
    return tmp_path


def _materialize(dataset: str, instance: dg.DagsterInstance | None = None):
    instance = instance or dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [build_vendor_api_asset(dataset)],
        instance=instance,
        raise_on_error=False,
        resources={"warehouse": WarehouseResource()},
    )
    logs = [e.user_message for e in instance.all_logs(result.run_id)]
    return (
        result,
        {
            m.asset_key.path[1]: {k: getattr(v, "value", v) for k, v in m.metadata.items()}
            for m in result.asset_materializations_for_node(f"ingest_{dataset}")
        },
        logs,
    )


def _sql(env, q):
    return query(env / "wh" / "finops.duckdb", q)


# ---------------------------------------------------------------------------------------------- argument builders
def test_source_arguments_come_from_the_environment_at_call_time(env, monkeypatch):
    assert api.source_arguments("openai_usage") is None and api.source_arguments("anthropic_usage") is None
    monkeypatch.setenv("SOURCES__OPENAI_USAGE__API_KEY", OPENAI_KEY)
    monkeypatch.setenv("SOURCES__OPENAI_USAGE__ORGANIZATION_NAME", "acme")
    assert api.source_arguments("openai_usage") == {"api_key": OPENAI_KEY, "organization_name": "acme"}
    assert catalogue.organization_names("openai_usage", api.source_arguments("openai_usage")) == ["acme"]
    orgs = [{"name": "a", "api_key": "k1", "base_url": "http://x"}, {"name": "b", "api_key": "k2"}]
    monkeypatch.setenv("SOURCES__OPENAI_USAGE__ORGANIZATIONS", json.dumps(orgs))  # takes precedence
    args = api.source_arguments("openai_usage")
    assert set(args) == {"organizations"} and catalogue.organization_names("openai_usage", args) == ["a", "b"]
    monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS", "[{not json")
    with pytest.raises(VendorApiError, match="not valid JSON") as e:
        catalogue.organization_names("anthropic_usage", api.source_arguments("anthropic_usage"))
    assert "k1" not in str(e.value)
    monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__START_DATE", "2026-09-01")
    monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__LOOKBACK_DAYS", "5")
    assert api.window("anthropic_usage") == {
        "start_date": "2026-09-01",
        "end_date": "now",
        "lookback_days": "5",
        "bucket_width": "1d",
    }


def test_demo_environment_points_every_demo_organisation_at_the_local_servers(monkeypatch):
    from finops_demo.vendor_servers.anthropic import DEMO_ORGANIZATIONS
    from finops_demo.vendor_servers.demo import demo_environment, demo_vendor_servers

    env = demo_environment("http://127.0.0.1:1/v1", "http://127.0.0.1:2")
    openai_orgs = json.loads(env["SOURCES__OPENAI_USAGE__ORGANIZATIONS"])
    anthropic_orgs = json.loads(env["SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS"])
    assert [(o["name"], o["base_url"]) for o in openai_orgs] == [("northwind", "http://127.0.0.1:1/v1")]
    assert [o["name"] for o in anthropic_orgs] == list(DEMO_ORGANIZATIONS)
    assert {o["base_url"] for o in anthropic_orgs} == {"http://127.0.0.1:2"}
    assert env["SOURCES__OPENAI_USAGE__START_DATE"] == env["SOURCES__ANTHROPIC_USAGE__START_DATE"] == "2026-09-01"
    assert env["SOURCES__OPENAI_USAGE__END_DATE"] == env["SOURCES__ANTHROPIC_USAGE__END_DATE"] == "2026-11-01"

    monkeypatch.setenv("SOURCES__OPENAI_USAGE__START_DATE", "2020-01-01")
    monkeypatch.delenv("SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS", raising=False)
    with demo_vendor_servers() as vendors:
        assert json.loads(os.environ["SOURCES__OPENAI_USAGE__ORGANIZATIONS"])[0]["base_url"] == vendors.openai.base_url
        assert os.environ["SOURCES__OPENAI_USAGE__START_DATE"] == "2026-09-01"
        assert "sk-" not in vendors.describe()
    assert os.environ["SOURCES__OPENAI_USAGE__START_DATE"] == "2020-01-01"  # the caller's environment is restored
    assert "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS" not in os.environ


# ------------------------------------------------------------------------------------------------------ assets
def test_not_configured_vendor_materializes_with_configured_false_and_empty_tables(env):
    result, meta, logs = _materialize("openai_usage")
    assert result.success
    assert set(meta) == set(catalogue.api_tables()["openai_usage"])
    assert all(m["configured"] is False and m["rows_loaded"] == 0 for m in meta.values())
    assert "SOURCES__OPENAI_USAGE__API_KEY" in meta["costs"]["to_configure"]
    assert any("SOURCES__OPENAI_USAGE__ORGANIZATIONS" in (m or "") for m in logs)
    # every table exists, empty, with the declared columns, so dbt's staging views compile
    tables = {
        t
        for (t,) in _sql(
            env,
            "select table_name from information_schema.tables "
            "where table_schema = 'openai_usage' and table_name not like '\\_dlt%' escape '\\'",
        )
    }
    assert tables == set(catalogue.api_tables()["openai_usage"])
    types = column_types(env / "wh" / "finops.duckdb", "openai_usage.costs")
    assert types["amount"] == "DECIMAL(38,10)" and types["bucket_start_time"] == "TIMESTAMP WITH TIME ZONE"
    assert _sql(env, "select count(*) from openai_usage.costs") == [(0,)]
    # a second run finds the tables and creates nothing; a subset run reports only the selected table
    result, meta, _ = _materialize("openai_usage")
    assert result.success and "created_empty" not in meta["costs"]
    costs = dg.AssetKey(["openai_usage", "costs"])
    subset = dg.materialize(
        [build_vendor_api_asset("openai_usage")],
        selection=[costs],
        instance=dg.DagsterInstance.ephemeral(),
        resources={"warehouse": WarehouseResource()},
    )
    assert [m.asset_key for m in subset.asset_materializations_for_node("ingest_openai_usage")] == [costs]


def test_configured_vendor_loads_reports_and_loads_nothing_the_second_time(env, monkeypatch):
    with OpenAIServer({OPENAI_KEY: "acme"}, data_start=dt.datetime(2026, 10, 25, tzinfo=dt.UTC)) as srv:
        monkeypatch.setenv(
            "SOURCES__OPENAI_USAGE__ORGANIZATIONS",
            json.dumps([{"name": "acme", "api_key": OPENAI_KEY, "base_url": srv.base_url}]),
        )
        monkeypatch.setenv("SOURCES__OPENAI_USAGE__START_DATE", "2026-10-25")
        monkeypatch.setenv("SOURCES__OPENAI_USAGE__END_DATE", "2026-11-01")
        for k, v in FAST.items():
            monkeypatch.setenv(f"SOURCES__OPENAI_USAGE__{k}", v)
        instance = dg.DagsterInstance.ephemeral()
        result, meta, logs = _materialize("openai_usage", instance)
        assert result.success
        assert meta["costs"]["configured"] is True and meta["costs"]["organizations"] == ["acme"]
        assert meta["costs"]["window"]["start_date"] == "2026-10-25"
        ((rows, total),) = _sql(env, "select count(*), sum(amount) from openai_usage.costs")
        assert meta["costs"]["rows_loaded"] == rows > 0
        assert meta["costs"]["dataset_rows_loaded"] == sum(m["rows_loaded"] for m in meta.values())
        assert total == srv.total_cost(
            "acme", dt.datetime(2026, 10, 25, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        )

        again, meta2, logs2 = _materialize("openai_usage", instance)
        assert again.success and all(m["rows_loaded"] == 0 for m in meta2.values())
        assert _sql(env, "select count(*), sum(amount) from openai_usage.costs") == [(rows, total)]
    # the key is in no log, no metadata and nowhere in dlt's pipeline directory
    assert not any(OPENAI_KEY in (m or "") for m in logs + logs2)
    assert OPENAI_KEY not in json.dumps([meta, meta2], default=str)
    for f in Path(env / "wh").rglob("*"):
        if f.is_file() and f.suffix != ".duckdb":
            assert OPENAI_KEY.encode() not in f.read_bytes(), f


def test_rejected_key_fails_with_the_secret_to_set_and_never_the_key(env, monkeypatch, capfd):
    with AnthropicServer({ANTHROPIC_KEY: "northwind-robotics"}) as srv:
        wrong = ANTHROPIC_KEY + "-revoked"
        monkeypatch.setenv(
            "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS",
            json.dumps([{"name": "northwind-robotics", "api_key": wrong, "base_url": srv.base_url}]),
        )
        monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__START_DATE", "2026-10-30")
        monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__END_DATE", "2026-11-01")
        result, meta, logs = _materialize("anthropic_usage")
    assert not result.success and meta == {}
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error.to_string())
    assert "HTTP 401" in message and "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS[0].api_key" in message
    out = capfd.readouterr()
    for text in (message, *[m or "" for m in logs], out.out, out.err):
        assert wrong not in text and ANTHROPIC_KEY not in text


def test_finops_demo_vendors_runs_a_command_against_the_local_servers(env):
    import sys

    from click.testing import CliRunner

    from finops_cli import main

    probe = (
        "import json, os, urllib.request as u; o = json.loads(os.environ['SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS']); "
        "r = u.Request(o[0]['base_url'] + '/v1/organizations/cost_report?starting_at=2026-10-01T00:00:00Z', "
        "headers={'x-api-key': o[0]['api_key'], 'anthropic-version': '2023-06-01'}); "
        "raise SystemExit(0 if json.load(u.urlopen(r))['data'] else 3)"
    )
    result = CliRunner().invoke(main, ["demo-vendors", "--", sys.executable, "-c", probe], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "northwind-robotics" in result.output and "sk-" not in result.output
    assert "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS" not in os.environ  # set for the command only
