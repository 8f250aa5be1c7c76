"""Anthropic usage and cost source against the local Anthropic Admin API server (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from decimal import Decimal
from pathlib import Path

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from finops_demo.vendor_servers.anthropic import TOKEN_TYPES, AnthropicServer
from ingestion.anthropic_usage import anthropic_usage
from ingestion.anthropic_usage.helpers import cents_to_money
from tests.support import duckdb_pipeline

KEY_A = "sk-ant-admin01-TESTKEY-robotics-7f3a9c2e"
KEY_B = "sk-ant-admin01-TESTKEY-research-51bd0e44"
ORG_A, ORG_B = "northwind-robotics", "northwind-research"
START, END = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
TABLES = ("messages_usage", "costs", "claude_code_usage", "claude_code_model_usage")
FAST = {"backoff_factor": 0.01, "max_retry_delay": 2, "request_timeout": 10}


@pytest.fixture
def server():
    with AnthropicServer({KEY_A: ORG_A, KEY_B: ORG_B}, start=START, end=END, restate_last_days=3) as srv:
        yield srv


def _orgs(srv, key_a=KEY_A):
    return [
        {"name": ORG_A, "api_key": key_a, "base_url": srv.base_url},
        {"name": ORG_B, "api_key": KEY_B, "base_url": srv.base_url},
    ]


def _pipeline(tmp_path: Path, name: str = "anthropic_test"):
    db = "w.duckdb" if name == "anthropic_test" else f"{name}.duckdb"
    return duckdb_pipeline(name, tmp_path / db, tmp_path / "pipelines", "anthropic_usage")


def _source(srv, **kw):
    args = dict(
        organizations=_orgs(srv),
        start_date=START.isoformat(),
        end_date=END.isoformat(),
        page_size=7,
        include_claude_code=False,
        **FAST,
    )
    args.update(kw)
    return anthropic_usage(**args)


def _q(p, sql):
    with p.sql_client() as c:
        return c.execute_sql(sql)


def _loaded_rows(p) -> dict[str, int]:
    counts = p.last_trace.last_normalize_info.row_counts
    return {t: n for t, n in counts.items() if t in TABLES}


def _assert_truth(p, srv):
    """Loaded costs equal the server's cost report to the cent, tokens equal its usage, no duplicate keys."""
    for org in (ORG_A, ORG_B):
        ((cents, dollars, currencies),) = _q(
            p,
            f"SELECT sum(amount_cents), sum(amount), string_agg(DISTINCT currency) "
            f"FROM costs WHERE organization_name = '{org}'",
        )
        truth = srv.total_cost_cents(org)
        assert cents == truth, (org, cents, truth)
        assert dollars == truth / 100 and currencies == "USD"
        tok = _q(
            p,
            "SELECT sum(uncached_input_tokens), sum(cache_read_input_tokens), "
            "sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens), sum(output_tokens) "
            f"FROM messages_usage WHERE organization_name = '{org}'",
        )[0]
        assert dict(zip(TOKEN_TYPES, map(int, tok))) == srv.total_tokens(org)
    for table in ("messages_usage", "costs"):
        ((n, distinct),) = _q(p, f"SELECT count(*), count(DISTINCT row_key) FROM {table}")
        assert n == distinct and n > 0


def test_paginates_and_reconciles_to_the_cent(server, tmp_path):
    p = _pipeline(tmp_path)
    p.run(_source(server, include_claude_code=True))
    _assert_truth(p, server)
    # 30 daily buckets at 7 per page = 5 pages per endpoint and organisation
    for path in ("/v1/organizations/usage_report/messages", "/v1/organizations/cost_report"):
        for org in (ORG_A, ORG_B):
            pages = [r for r in server.requests_seen if r.path == path and r.principal == org]
            assert len(pages) == 5 and max(r.page for r in pages) == 5
            assert all(r.query.get("group_by[]") for r in pages)
    # every group-by dimension is a column and part of the key; units and currency are set
    dims = _q(
        p,
        "SELECT count(DISTINCT workspace_id), count(DISTINCT api_key_id), count(DISTINCT model), "
        "count(DISTINCT service_tier), count(DISTINCT context_window), count(DISTINCT inference_geo), "
        "string_agg(DISTINCT token_unit) FROM messages_usage",
    )[0]
    assert dims[:6] == (5, 11, 4, 2, 2, 2) and dims[6] == "tokens"
    assert _q(p, "SELECT count(*) FROM costs WHERE workspace_id IS NULL")[0][0] > 0  # default workspace kept as NULL
    ((cc_users, cc_models),) = _q(
        p,
        "SELECT (SELECT count(*) FROM claude_code_usage), "
        "(SELECT count(*) FROM claude_code_model_usage WHERE estimated_cost > 0)",
    )
    assert cc_users > 0 and cc_models > 0
    types = dict(_q(p, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'costs'"))
    assert types["amount"] == types["amount_cents"] == "DECIMAL(38,10)" and types["amount_cents_raw"] == "VARCHAR"


def test_second_run_loads_nothing_new(server, tmp_path):
    p = _pipeline(tmp_path)
    p.run(_source(server, include_claude_code=True))
    first = _loaded_rows(p)
    assert first["messages_usage"] > 0 and first["costs"] > 0 and first["claude_code_usage"] > 0
    server.reset_log()
    p.run(_source(server, include_claude_code=True))
    assert _loaded_rows(p) == {}
    # only the look-back window was read again
    starts = {
        r.query["starting_at"][0][:10]
        for r in server.requests_seen
        if r.path == "/v1/organizations/usage_report/messages"
    }
    assert min(starts) >= (END - dt.timedelta(days=4)).isoformat()
    _assert_truth(p, server)


def test_lookback_replaces_restated_buckets(server, tmp_path):
    p = _pipeline(tmp_path)
    p.run(_source(server))
    before = server.total_cost_cents(ORG_A)
    server.restate()
    assert server.total_cost_cents(ORG_A) != before
    p.run(_source(server))
    loaded = _loaded_rows(p)
    assert loaded["costs"] > 0 and loaded["messages_usage"] > 0
    # only the restated days were loaded again
    days = _q(
        p,
        "SELECT DISTINCT CAST(bucket_starting_at AS DATE) FROM costs WHERE _dlt_load_id = "
        "(SELECT max(_dlt_load_id) FROM costs)",
    )
    assert {d for (d,) in days} == {END - dt.timedelta(days=i) for i in (1, 2, 3)}
    _assert_truth(p, server)


def test_hourly_buckets_and_analytics_api(server, tmp_path):
    p = _pipeline(tmp_path, "anthropic_hourly")
    p.run(_source(server, bucket_width="1h", start_date="2026-09-28", page_size=None))
    ((n, width),) = _q(
        p, "SELECT count(DISTINCT bucket_starting_at), string_agg(DISTINCT bucket_width) FROM messages_usage"
    )
    assert width == "1h" and n == 72
    facts = [f for f in server.facts(ORG_A) if f.day >= dt.date(2026, 9, 28)]
    got = _q(
        p,
        f"SELECT sum(uncached_input_tokens), sum(output_tokens) FROM messages_usage WHERE organization_name='{ORG_A}'",
    )
    assert got[0] == (sum(f.tokens[0] for f in facts), sum(f.tokens[4] for f in facts))  # hours sum to the days

    q = _pipeline(tmp_path, "anthropic_analytics")
    q.run(_source(server, api="analytics", page_size=50))
    _assert_truth(q, server)
    ((api, models),) = _q(q, "SELECT string_agg(DISTINCT api), count(DISTINCT model) FROM costs")
    assert api == "analytics" and models == 4
    beta = [r for r in server.requests_seen if r.path.startswith("/v1/organizations/analytics/")]
    assert beta and max(r.page for r in beta) > 1
    q.run(_source(server, api="analytics", page_size=50))
    assert _loaded_rows(q) == {}


def test_429_and_5xx_are_retried(server, tmp_path):
    server.faults.rate_limit_every = 3
    server.faults.retry_after_s = 1
    server.faults.fail_5xx_times = 2
    p = _pipeline(tmp_path)
    t0 = time.monotonic()
    p.run(_source(server, start_date="2026-09-20"))
    statuses = [r.status for r in server.requests_seen]
    assert statuses.count(503) == 2 and statuses.count(429) >= 2
    assert time.monotonic() - t0 >= statuses.count(429) * 1.0  # Retry-After honoured
    ((cents,),) = _q(p, f"SELECT sum(amount_cents) FROM costs WHERE organization_name = '{ORG_A}'")
    assert cents == server.total_cost_cents(ORG_A, dt.date(2026, 9, 20))


def test_retries_are_bounded(server, tmp_path):
    server.faults.fail_5xx_times = 100
    with pytest.raises(PipelineStepFailed) as e:
        _pipeline(tmp_path).run(_source(server, max_attempts=3))
    msg = str(e.value)
    assert "HTTP 503 after 3 attempts" in msg and "/v1/organizations/usage_report/messages" in msg
    assert server.request_count == 3


def test_401_is_clear_and_the_key_never_leaks(server, tmp_path, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    # a good run with the keys from the environment (as dlt secrets), then a bad key
    monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS", json.dumps(_orgs(server)))
    p = _pipeline(tmp_path)
    p.run(anthropic_usage(start_date="2026-09-25", end_date=END.isoformat(), include_claude_code=True, **FAST))
    assert _loaded_rows(p)["costs"] > 0

    wrong = "sk-ant-admin01-WRONGKEY-0000-deadbeef"
    monkeypatch.delenv("SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS")
    monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__API_KEY", wrong)
    with pytest.raises(PipelineStepFailed) as e:
        p.run(
            anthropic_usage(
                organization_name=ORG_A,
                base_url=server.base_url,
                start_date="2026-09-25",
                end_date=END.isoformat(),
                **FAST,
            )
        )
    msg = str(e.value)
    assert "HTTP 401" in msg and "SOURCES__ANTHROPIC_USAGE__API_KEY" in msg and ORG_A in msg
    assert "/v1/organizations/usage_report/messages" in msg
    assert [r.status for r in server.requests_seen].count(401) == 1  # not retried

    out = capsys.readouterr()
    texts = [msg, repr(e.value), caplog.text, out.out, out.err, str(e.value.__cause__), repr(e.value.__context__)]
    for secret in (KEY_A, KEY_B, wrong):
        assert all(secret not in t for t in texts), secret
        needle = secret.encode()
        for f in [tmp_path / "w.duckdb", *(tmp_path / "pipelines").rglob("*")]:
            if f.is_file():
                assert needle not in f.read_bytes(), f"{secret[:14]}... found in {f}"


def test_missing_key_names_the_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCES__ANTHROPIC_USAGE__API_KEY", raising=False)
    monkeypatch.delenv("SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS", raising=False)
    with pytest.raises(Exception, match="SOURCES__ANTHROPIC_USAGE__API_KEY"):
        _pipeline(tmp_path).run(anthropic_usage(start_date="2026-09-25"))


def test_malformed_json_and_truncated_page_name_endpoint_and_page(server, tmp_path):
    server.faults.malformed_json_on_page = 2
    with pytest.raises(PipelineStepFailed) as e:
        _pipeline(tmp_path, "malformed").run(_source(server))
    msg = str(e.value)
    assert "/v1/organizations/usage_report/messages, page 2" in msg and "not valid JSON" in msg and ORG_A in msg

    server.faults.malformed_json_on_page = None
    server.faults.truncate_page = 3
    with pytest.raises(PipelineStepFailed) as e:
        _pipeline(tmp_path, "truncated").run(_source(server, max_attempts=2))
    msg = str(e.value)
    assert "/v1/organizations/usage_report/messages, page 3" in msg and "cut off" in msg


def test_cents_are_parsed_exactly():
    assert cents_to_money("123.45", "t") == (Decimal("1.2345"), Decimal("123.45"), "123.45")
    assert cents_to_money("0.00003", "t")[0] == Decimal("0.0000003")
    assert cents_to_money(186, "t")[:2] == (Decimal("1.86"), Decimal(186))
    assert cents_to_money(0.1, "t")[1] == Decimal("0.1")  # a JSON float through its shortest text
    with pytest.raises(Exception, match="not a number"):
        cents_to_money("12,50", "costs page 1")
