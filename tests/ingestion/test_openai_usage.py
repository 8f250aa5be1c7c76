"""OpenAI admin Usage/Costs source against the local OpenAI server (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from finops_demo.vendor_servers.openai import OpenAIServer
from ingestion.openai_usage import openai_usage
from tests.support import column_types, duckdb_pipeline

KEY_A = "sk-admin-test-AAAA-0123456789abcdef"
KEY_B = "sk-admin-test-BBBB-fedcba9876543210"
START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
FAST = {"backoff_factor": 0.01, "max_retry_delay_s": 2, "request_timeout_s": 5}


@pytest.fixture
def server():
    with OpenAIServer({KEY_A: "acme", KEY_B: "globex"}, seed=7) as srv:
        yield srv


def _orgs(srv, key_a=KEY_A):
    return [
        {"name": "acme", "api_key": key_a, "base_url": srv.base_url},
        {"name": "globex", "api_key": KEY_B, "base_url": srv.base_url},
    ]


def _pipeline(tmp_path: Path):
    return duckdb_pipeline("openai_usage_test", tmp_path / "w.duckdb", tmp_path / "pipelines", "openai_usage")


def _run(pipe, srv, **kw):
    args = dict(
        organizations=_orgs(srv),
        start_date=START.isoformat(),
        end_date=END.isoformat(),
        lookback_days=3,
        **FAST,
    )
    args.update(kw)
    return pipe.run(openai_usage(**args))


def _sql(tmp_path, q):
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        return con.sql(q).fetchall()


def test_full_load_paginates_and_reconciles_to_the_cent(server, tmp_path):
    pipe = _pipeline(tmp_path)
    _run(pipe, server, page_limit=5, endpoints=["completions", "costs", "vector_stores"])
    # 31 daily buckets, 5 per page -> 7 pages per endpoint and organisation
    cost_pages = [r for r in server.requests_seen if r.path.endswith("/costs") and r.principal == "acme"]
    assert [r.page for r in cost_pages] == [1, 2, 3, 4, 5, 6, 7]
    assert all(r.query["group_by[]"] == ["project_id", "line_item", "api_key_id", "api_source"] for r in cost_pages)
    for org in ("acme", "globex"):
        (loaded,) = _sql(tmp_path, f"select sum(amount) from openai_usage.costs where organization='{org}'")[0]
        assert loaded == server.total_cost(org, START, END)
        assert loaded.quantize(Decimal("0.01")) == server.total_cost(org, START, END).quantize(Decimal("0.01"))
        (tokens,) = _sql(
            tmp_path,
            f"select sum(input_tokens) from openai_usage.completions_usage where organization='{org}'",
        )[0]
        assert tokens == server.total_usage(org, "completions", "input_tokens", START, END)
    assert _sql(tmp_path, "select distinct currency from openai_usage.costs") == [("USD",)]
    types = column_types(tmp_path / "w.duckdb", "openai_usage.costs")
    assert types["amount"] == "DECIMAL(38,10)" and types["bucket_start_time"] == "TIMESTAMP WITH TIME ZONE"
    # every group-by dimension is present and the natural key is unique
    dup = _sql(
        tmp_path,
        "select count(*) from (select organization, bucket_start_time, bucket_width, project_id, "
        "user_id, api_key_id, model, batch, service_tier, count(*) n from "
        "openai_usage.completions_usage group by all having n > 1)",
    )
    assert dup == [(0,)]
    assert _sql(
        tmp_path, "select count(distinct service_tier), bool_or(batch) from openai_usage.completions_usage"
    ) == [(2, True)]


def test_second_run_loads_nothing_and_lookback_replaces_restated_buckets(server, tmp_path):
    pipe = _pipeline(tmp_path)
    eps = ["completions", "costs"]
    _run(pipe, server, endpoints=eps)
    before = _sql(tmp_path, "select count(*), sum(amount) from openai_usage.costs")[0]
    loads = _sql(tmp_path, "select count(distinct _dlt_load_id) from openai_usage.costs")[0]

    server.reset_log()
    _run(pipe, server, endpoints=eps)
    # only the look-back window was asked for, and nothing was loaded
    starts = {int(r.query["start_time"][0]) for r in server.requests_seen}
    assert starts == {int((END - dt.timedelta(days=4)).timestamp())}
    assert _sql(tmp_path, "select count(*), sum(amount) from openai_usage.costs")[0] == before
    assert _sql(tmp_path, "select count(distinct _dlt_load_id) from openai_usage.costs")[0] == loads

    server.restate(2)  # the vendor restates the last two days
    _run(pipe, server, endpoints=eps)
    for org in ("acme", "globex"):
        (loaded,) = _sql(tmp_path, f"select sum(amount) from openai_usage.costs where organization='{org}'")[0]
        assert loaded == server.total_cost(org, START, END)
        (tokens,) = _sql(
            tmp_path,
            f"select sum(input_tokens) from openai_usage.completions_usage where organization='{org}'",
        )[0]
        assert tokens == server.total_usage(org, "completions", "input_tokens", START, END)
    assert _sql(
        tmp_path,
        "select count(*) from (select organization, bucket_start_time, project_id, line_item, "
        "api_key_id, count(*) n from openai_usage.costs group by all having n > 1)",
    ) == [(0,)]
    # only the restated days were rewritten
    newest = _sql(
        tmp_path,
        "select min(bucket_start_time) from openai_usage.costs where _dlt_load_id = "
        "(select max(_dlt_load_id) from openai_usage.costs)",
    )[0][0]
    assert newest == END - dt.timedelta(days=2)


def test_429_and_5xx_are_retried_honouring_retry_after(server, tmp_path):
    server.faults.rate_limit_every = 4
    server.faults.retry_after_s = 1
    server.faults.fail_5xx_times = 2
    pipe = _pipeline(tmp_path)
    t0 = time.monotonic()
    _run(pipe, server, endpoints=["costs"], page_limit=7)
    statuses = [r.status for r in server.requests_seen]
    assert statuses.count(503) == 2 and statuses.count(429) >= 2
    assert time.monotonic() - t0 >= 1.0 * statuses.count(429)  # waited Retry-After each time
    (loaded,) = _sql(tmp_path, "select sum(amount) from openai_usage.costs where organization='acme'")[0]
    assert loaded == server.total_cost("acme", START, END)


def test_401_is_clear_and_never_leaks_the_key(server, tmp_path, caplog, capsys):
    bad_key = "sk-admin-WRONG-abcdef0123456789-secret"
    caplog.set_level(logging.DEBUG)
    pipe = _pipeline(tmp_path)
    with pytest.raises(PipelineStepFailed) as info:
        _run(pipe, server, organizations=_orgs(server, key_a=bad_key), endpoints=["costs"])
    text = str(info.value)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(repr(exc) + str(exc))
        exc = exc.__cause__ or exc.__context__
    assert "401" in text and "SOURCES__OPENAI_USAGE__ORGANIZATIONS" in text and "'acme'" in text
    out = capsys.readouterr()
    for blob in (*chain, caplog.text, out.out, out.err):
        assert bad_key not in blob and KEY_B not in blob
    # nor in the warehouse or dlt's pipeline dir (globex did load before/after acme failed)
    for f in tmp_path.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert bad_key.encode() not in data and KEY_B.encode() not in data, f
    assert all(r.principal in (None, "globex") for r in server.requests_seen)


def test_single_org_missing_key_names_the_env_var(server, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCES__OPENAI_USAGE__API_KEY", raising=False)
    with pytest.raises(Exception, match="SOURCES__OPENAI_USAGE__API_KEY"):
        openai_usage(base_url=server.base_url)


def test_single_org_key_from_env(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCES__OPENAI_USAGE__API_KEY", KEY_A)
    pipe = _pipeline(tmp_path)
    pipe.run(
        openai_usage(
            organization_name="acme",
            base_url=server.base_url,
            start_date=START.isoformat(),
            end_date=END.isoformat(),
            endpoints=["costs"],
            **FAST,
        )
    )
    (loaded,) = _sql(tmp_path, "select sum(amount) from openai_usage.costs")[0]
    assert loaded == server.total_cost("acme", START, END)


def test_malformed_json_names_endpoint_and_page(server, tmp_path):
    server.faults.malformed_json_on_page = 3
    with pytest.raises(PipelineStepFailed) as info:
        _run(_pipeline(tmp_path), server, endpoints=["embeddings"], page_limit=7)
    msg = str(info.value)
    assert "/organization/usage/embeddings" in msg and "page 3" in msg and "malformed JSON" in msg


def test_truncated_page_and_timeout_name_the_page(server, tmp_path):
    server.faults.truncate_page = 2
    with pytest.raises(PipelineStepFailed) as info:
        _run(_pipeline(tmp_path), server, endpoints=["costs"], page_limit=7, max_attempts=2)
    assert "/organization/costs" in str(info.value) and "page 2" in str(info.value)
    server.faults.truncate_page = None
    server.faults.delay_s = 0.5
    with pytest.raises(PipelineStepFailed) as info:
        _run(
            _pipeline(tmp_path / "t"),
            server,
            endpoints=["costs"],
            max_attempts=2,
            request_timeout_s=0.2,
            backoff_factor=0.01,
        )
    assert "page 1" in str(info.value) and "Timeout" in str(info.value)


def test_hourly_buckets_sum_to_the_day(server, tmp_path):
    start, end = dt.datetime(2026, 10, 30, tzinfo=dt.UTC), END
    pipe = _pipeline(tmp_path)
    _run(pipe, server, endpoints=["completions", "costs"], bucket_width="1h", start_date=start.isoformat())
    assert _sql(
        tmp_path,
        "select count(distinct bucket_start_time), min(bucket_width) from openai_usage.completions_usage",
    ) == [(48, "1h")]
    (tokens,) = _sql(
        tmp_path, "select sum(output_tokens) from openai_usage.completions_usage where organization='globex'"
    )[0]
    assert tokens == server.total_usage("globex", "completions", "output_tokens", start, end)
    assert _sql(tmp_path, "select distinct bucket_width from openai_usage.costs") == [("1d",)]
