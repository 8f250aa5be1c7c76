"""Vendor contract: the local Anthropic Admin API server and the anthropic_usage loader against what their authors did
not write - the official ``anthropic`` SDK's response types and requests, and the API reference's documented
examples (tests/data/vendor_apis, see PROVENANCE.md).

* every page of every analytics endpoint the server can serve validates STRICTLY against the SDK's pydantic types
  (``model_validate_json(text, strict=True)``: JSON-mode strict accepts RFC 3339 text for ``datetime`` and refuses
  "12" for an int; ``model_validate(dict, strict=True)`` would refuse every timestamp; the SDK's own parse is
  lenient) with no field the type does not declare (the SDK models allow extras, so they are checked apart);
* the loader's analytics query strings equal the SDK's for the same call, page by page;
* the SDK pages through every analytics endpoint of the server, and its totals equal the warehouse's;
* negative controls prove each check can fail;
* the legacy usage / cost / Claude Code reports (no SDK type) follow the documented examples' shape: field names,
  types, nullability - an invented field or a missing one fails;
* the documented examples, served over HTTP, load end to end through the loader and dbt staging, exactly.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anthropic
import duckdb
import httpx
import httpx2
import pydantic
import pytest
from anthropic.pagination import SyncReportPageCursor
from anthropic.types.beta.organization.analytics import BetaAnalyticsCostItem, BetaAnalyticsUsageItem

from finops_demo.vendor_servers._base import Request, Response, VendorServer
from finops_demo.vendor_servers.anthropic import ANALYTICS_BETA, TOKEN_TYPES, USAGE_DIMS, AnthropicServer
from ingestion.anthropic_usage import anthropic_usage
from ingestion.anthropic_usage import helpers as H
from ingestion.anthropic_usage import settings as S
from tests.contracts.sdk_types import validate_strictly
from tests.support import duckdb_pipeline, run_dbt

DATA = Path(__file__).resolve().parents[1] / "data" / "vendor_apis"
KEY_A, KEY_B = "sk-ant-admin01-CONTRACT-robotics-11aa", "sk-ant-admin01-CONTRACT-research-22bb"
ORG_A, ORG_B = "northwind-robotics", "northwind-research"
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 8)
HEADERS = {"anthropic-version": "2023-06-01", "anthropic-beta": ANALYTICS_BETA}
USAGE_PAGE = SyncReportPageCursor[BetaAnalyticsUsageItem]
COST_PAGE = SyncReportPageCursor[BetaAnalyticsCostItem]
FAST = {"backoff_factor": 0.01, "max_retry_delay": 2, "request_timeout": 30}


def _example(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


@pytest.fixture(scope="module")
def server():
    with AnthropicServer({KEY_A: ORG_A, KEY_B: ORG_B}, start=START, end=END) as srv:
        yield srv


# ------------------------------------------------------------------------------------------------ strict validation
def strict(model: type[pydantic.BaseModel], text: str | bytes) -> pydantic.BaseModel:
    """Validate a JSON body strictly against an SDK type; raises on any mismatch or undeclared field."""
    return validate_strictly(model, text)


def _get(srv: AnthropicServer, path: str, params: dict[str, Any], key: str = KEY_A) -> httpx.Response:
    return httpx.get(srv.root_url + path, params=params, headers={**HEADERS, "x-api-key": key}, timeout=30)


def _walk(srv: AnthropicServer, path: str, params: dict[str, Any], page_model, key: str = KEY_A) -> list[Any]:
    """Every page of one listing, each validated strictly; returns the items."""
    items, token, seen = [], None, 0
    while True:
        r = _get(srv, path, {**params, **({"page": token} if token else {})}, key)
        assert r.status_code == 200, (path, params, r.text)
        page = strict(page_model, r.content)
        items += page.data
        seen += 1
        if not page.has_more:
            assert page.next_page is None
            return items
        assert page.next_page and page.next_page != token and seen < 10_000
        token = page.next_page


def _subsets(dims, max_n):
    return [list(c) for n in range(max_n + 1) for c in itertools.combinations(dims, n)]


@pytest.mark.slow
def test_every_analytics_page_validates_strictly_against_the_sdk_types(server):
    two_days = {"starting_at": "2026-09-02T00:00:00Z", "ending_at": "2026-09-04T00:00:00Z"}
    n_usage = n_cost = 0
    # usage: every group_by[] the API accepts (any <= 5 of the server's 6 dimensions), 1d buckets
    for groups in _subsets(USAGE_DIMS, S.ANALYTICS_MAX_GROUP_BY):
        n_usage += len(
            _walk(
                server,
                "/v1/organizations/analytics/usage",
                {**two_days, "time_bucket_width": "1d", "group_by[]": groups, "limit": 1000},
                USAGE_PAGE,
            )
        )
    # hourly buckets and no bucket (one row per group over the range), small pages
    for extra in ({"time_bucket_width": "1h"}, {}, {"ending_at": "2026-09-03T05:00:00Z"}):
        for groups in (list(S.ANALYTICS_GROUP_BY_SPLIT[0]), list(S.ANALYTICS_GROUP_BY_SPLIT[1]), []):
            n_usage += len(
                _walk(
                    server,
                    "/v1/organizations/analytics/usage",
                    {**two_days, **extra, "group_by[]": groups, "limit": 37},
                    USAGE_PAGE,
                )
            )
    # cost: every <= 5 counted dimensions x the cost_type / token_type fan-out, 1d buckets and the whole range
    for groups in _subsets(USAGE_DIMS, S.ANALYTICS_MAX_GROUP_BY):
        for fan in _subsets(S.ANALYTICS_FANOUT, 2):
            n_cost += len(
                _walk(
                    server,
                    "/v1/organizations/analytics/cost",
                    {**two_days, "time_bucket_width": "1d", "group_by[]": groups + fan, "limit": 1000},
                    COST_PAGE,
                )
            )
    for groups in (list(S.ANALYTICS_GROUP_BY_SPLIT[1]) + list(S.ANALYTICS_FANOUT), ["model"], []):
        n_cost += len(
            _walk(
                server,
                "/v1/organizations/analytics/cost",
                {**two_days, "group_by[]": groups, "limit": 3},
                COST_PAGE,
                key=KEY_B,
            )
        )
    assert n_usage > 1000 and n_cost > 1000


def test_documented_analytics_semantics(server):
    base = {"starting_at": "2026-09-02T00:00:00Z", "ending_at": "2026-09-03T00:00:00Z", "time_bucket_width": "1d"}
    # inference_geo and every other dimension are null unless grouped by
    usage = _walk(server, "/v1/organizations/analytics/usage", {**base, "group_by[]": ["model"]}, USAGE_PAGE)
    assert all(it.group.inference_geo is None and it.group.workspace_id is None and it.group.model for it in usage)
    for it in usage:
        u = it.usage
        assert u.total_tokens == (
            u.uncached_input_tokens
            + u.cache_read_input_tokens
            + u.output_tokens
            + u.cache_creation.ephemeral_5m_input_tokens
            + u.cache_creation.ephemeral_1h_input_tokens
        )
    assert [it.usage.total_tokens for it in usage] == sorted((it.usage.total_tokens for it in usage), reverse=True)
    geo = _walk(server, "/v1/organizations/analytics/usage", {**base, "group_by[]": ["inference_geo"]}, USAGE_PAGE)
    assert {it.group.inference_geo for it in geo} == {"global", "us"}
    # requests: per row, null when grouped by cost_type or token_type
    cost = _walk(server, "/v1/organizations/analytics/cost", {**base, "group_by[]": ["model"]}, COST_PAGE)
    assert all(it.cost.requests is not None for it in cost)
    fan = _walk(
        server,
        "/v1/organizations/analytics/cost",
        {**base, "group_by[]": ["model", "token_type"], "limit": 1},
        COST_PAGE,
    )
    assert all(it.cost.requests is None for it in fan)
    # the fan-out does not count toward limit: one model per page, with all its token types
    r = _get(server, "/v1/organizations/analytics/cost", {**base, "group_by[]": ["model", "token_type"], "limit": 1})
    page = r.json()["data"]
    assert len(page) > 1 and len({it["group"]["model"] for it in page}) == 1
    # the same usage, counted once: requests of the ungrouped cost equal the usage's
    total_req = sum(it.usage.requests for it in usage)
    assert sum(it.cost.requests for it in cost if it.group.model) <= total_req
    assert sum(it.cost.requests for it in cost) == total_req
    # limits and required parameters, as documented; errors in Anthropic's envelope
    bad = [
        {**base, "group_by[]": list(USAGE_DIMS)},  # 6 dimensions
        {**base, "limit": 1001},
        {"starting_at": base["starting_at"], "time_bucket_width": "1d"},  # ending_at required with a width
        {**base, "starting_at": "2025-12-31T00:00:00Z"},  # before 2026-01-01
        {"starting_at": "2026-09-01T00:00:00Z", "ending_at": "2026-10-03T00:00:00Z", "time_bucket_width": "1d"},
    ]
    for params in bad:
        r = _get(server, "/v1/organizations/analytics/usage", params)
        assert r.status_code == 400, params
        assert r.json()["type"] == "error" and r.json()["error"]["type"] == "invalid_request_error"
    ok = _get(
        server,
        "/v1/organizations/analytics/cost",
        {**base, "group_by[]": [*list(USAGE_DIMS)[:5], "cost_type", "token_type"]},
    )
    assert ok.status_code == 200  # cost_type and token_type are not counted
    assert _get(server, "/v1/organizations/analytics/cost", {**base, "group_by[]": list(USAGE_DIMS)}).status_code == 400
    no_beta = httpx.get(
        server.root_url + "/v1/organizations/analytics/usage",
        params=base,
        headers={"anthropic-version": "2023-06-01", "x-api-key": KEY_A},
    )
    assert no_beta.status_code == 400 and ANALYTICS_BETA in no_beta.json()["error"]["message"]


def test_negative_controls_the_validation_can_fail(server):
    params = {
        "starting_at": "2026-09-02T00:00:00Z",
        "ending_at": "2026-09-03T00:00:00Z",
        "time_bucket_width": "1d",
        "group_by[]": ["model", "inference_geo"],
    }
    good = _get(server, "/v1/organizations/analytics/usage", params).json()
    strict(USAGE_PAGE, json.dumps(good))

    def broken(change) -> str:
        body = json.loads(json.dumps(good))
        change(body["data"][0])
        return json.dumps(body)

    cases = {
        "missing total_tokens": lambda it: it["usage"].pop("total_tokens"),
        "tokens as text": lambda it: it["usage"].__setitem__("output_tokens", str(it["usage"]["output_tokens"])),
        "undocumented geo": lambda it: it["group"].__setitem__("inference_geo", "not_available"),
        "invented field": lambda it: it["usage"].__setitem__("cache_write_tokens", 1),
        "invented group key": lambda it: it["group"].__setitem__("team", "x"),
        "missing cache_creation": lambda it: it["usage"].pop("cache_creation"),
        "timestamp not RFC 3339": lambda it: it.__setitem__("starting_at", "yesterday"),
    }
    for name, change in cases.items():
        text = broken(change)
        with pytest.raises((pydantic.ValidationError, AssertionError)):
            strict(USAGE_PAGE, text)
        # the SDK's own (lenient) parse accepts what strict validation refuses
        assert BetaAnalyticsUsageItem.construct(**json.loads(text)["data"][0]) is not None, name
    cost = _get(server, "/v1/organizations/analytics/cost", params).json()
    cost["data"][0]["cost"]["amount"] = float(cost["data"][0]["cost"]["amount"])  # a number, not decimal text
    with pytest.raises(pydantic.ValidationError):
        strict(COST_PAGE, json.dumps(cost))
    # and the dict (python-mode) strict validation would refuse even a good payload: timestamps are text in JSON
    with pytest.raises(pydantic.ValidationError):
        BetaAnalyticsUsageItem.model_validate(good["data"][0], strict=True)


# ------------------------------------------------------------------------------------------- requests: loader = SDK
def _sdk(transport=None, base_url: str = "http://anthropic.invalid", key: str = KEY_A) -> anthropic.Anthropic:
    client = httpx2.Client(transport=transport) if transport else None
    return anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=0, http_client=client)


def _norm(query: dict[str, list[str]]) -> dict[str, list[str]]:
    """Query parameters with timestamps as instants (the SDK renders a datetime as +00:00, the loader as Z)."""
    out = {}
    for k, v in query.items():
        out[k] = [H.iso(H.parse_ts(x)) for x in v] if k in ("starting_at", "ending_at") else list(v)
    return out


def _sdk_call(resource, query: dict[str, list[str]]) -> None:
    """The SDK call equivalent to one loader request (first page), with native Python values."""
    kwargs: dict[str, Any] = {
        "starting_at": H.parse_ts(query["starting_at"][0]),
        "ending_at": H.parse_ts(query["ending_at"][0]),
        "group_by": query["group_by[]"],
        "limit": int(query["limit"][0]),
        "time_bucket_width": query["time_bucket_width"][0],
    }
    for _ in resource.list(**kwargs):
        pass


@pytest.fixture(scope="module")
def analytics_load(server, tmp_path_factory):
    """The loader (api=analytics, hourly usage) into a warehouse, with the requests it sent."""
    tmp = tmp_path_factory.mktemp("analytics")
    server.reset_log()
    p = duckdb_pipeline("anthropic_contract", tmp / "w.duckdb", tmp / "pipelines", "anthropic_usage")
    p.run(
        anthropic_usage(
            organizations=[
                {"name": o, "api_key": k, "base_url": server.base_url} for k, o in ((KEY_A, ORG_A), (KEY_B, ORG_B))
            ],
            api="analytics",
            bucket_width="1h",
            start_date=START.isoformat(),
            end_date=END.isoformat(),
            page_size=40,
            include_claude_code=False,
            **FAST,
        )
    )
    sent = [r for r in server.requests_seen if r.path.startswith("/v1/organizations/analytics/")]
    return p, sent


@pytest.mark.slow  # the loader pages every analytics endpoint (fixture analytics_load)
def test_loader_query_strings_equal_the_sdks(server, analytics_load):
    _, sent = analytics_load
    assert sent and all(r.status == 200 for r in sent)
    # no request exceeds the documented 5 dimensions (cost_type/token_type not counted), yet all 6 are read
    for r in sent:
        counted = [g for g in r.query["group_by[]"] if g not in S.ANALYTICS_FANOUT]
        assert len(counted) <= 5, r.query
    assert {g for r in sent for g in r.query["group_by[]"]} == {*USAGE_DIMS, *S.ANALYTICS_FANOUT}
    first_pages = [r for r in sent if "page" not in r.query]
    assert len(first_pages) == 2 * 2 * 2  # 2 endpoints x 2 group-by sets x 2 organisations (one 7-day window)
    for r in first_pages:
        captured: list[httpx2.Request] = []

        def record(req: httpx2.Request, captured: list[httpx2.Request] = captured) -> httpx2.Response:
            captured.append(req)
            return httpx2.Response(200, json={"data": [], "has_more": False, "next_page": None})

        sdk = _sdk(httpx2.MockTransport(record))
        analytics = sdk.beta.organization.analytics
        _sdk_call(analytics.usage if r.path.endswith("/usage") else analytics.cost, r.query)
        (req,) = captured
        assert req.url.path == r.path
        assert _norm(parse_qs(urlsplit(str(req.url)).query, keep_blank_values=True)) == _norm(r.query)
        assert req.headers["anthropic-beta"] == ANALYTICS_BETA  # the loader's header (server refuses without it)
    # page by page: the SDK against the same server sends exactly the loader's sequence of requests
    for path, org, key in (
        ("/v1/organizations/analytics/usage", ORG_A, KEY_A),
        ("/v1/organizations/analytics/cost", ORG_B, KEY_B),
    ):
        for groups in {tuple(r.query["group_by[]"]) for r in first_pages if r.path == path and r.principal == org}:
            loader_seq = [
                r.query
                for r in sent
                if r.path == path and r.principal == org and tuple(r.query["group_by[]"]) == groups
            ]
            assert len(loader_seq) > 1  # several pages
            server.reset_log()
            analytics = _sdk(base_url=server.root_url, key=key).beta.organization.analytics
            _sdk_call(analytics.usage if path.endswith("/usage") else analytics.cost, loader_seq[0])
            assert [_norm(r.query) for r in server.requests_seen] == [_norm(q) for q in loader_seq]


def _sum_sdk(items, fields) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in items:
        for name, get in fields.items():
            out[name] = out.get(name, 0) + get(it)
    return out


@pytest.mark.slow  # the loader pages every analytics endpoint (fixture analytics_load)
def test_sdk_pages_every_analytics_endpoint_and_its_totals_equal_the_warehouses(server, analytics_load):
    p, _ = analytics_load
    window = {
        "starting_at": dt.datetime.combine(START, dt.time(), dt.UTC),
        "ending_at": dt.datetime.combine(END, dt.time(), dt.UTC),
    }
    usage_fields = {
        "uncached_input_tokens": lambda it: it.usage.uncached_input_tokens,
        "cache_read_input_tokens": lambda it: it.usage.cache_read_input_tokens,
        "cache_creation_5m_input_tokens": lambda it: it.usage.cache_creation.ephemeral_5m_input_tokens,
        "cache_creation_1h_input_tokens": lambda it: it.usage.cache_creation.ephemeral_1h_input_tokens,
        "output_tokens": lambda it: it.usage.output_tokens,
        "web_search_requests": lambda it: it.usage.server_tool_use.web_search_requests,
        "requests": lambda it: it.usage.requests,
    }
    cols = ", ".join(f"sum({c})" for c in usage_fields)
    with p.sql_client() as c:
        for key, org in ((KEY_A, ORG_A), (KEY_B, ORG_B)):
            analytics = _sdk(base_url=server.root_url, key=key).beta.organization.analytics
            # each dimension the warehouse keeps, read by the SDK on its own (one dimension per call), hourly and
            # daily, small pages: the warehouse's split-and-joined rows add up to the same per value
            for dim in USAGE_DIMS:
                for width in ("1h", "1d"):
                    items = list(analytics.usage.list(**window, time_bucket_width=width, group_by=[dim], limit=25))
                    assert all(isinstance(it, BetaAnalyticsUsageItem) for it in items)
                    by_value: dict[Any, dict[str, Any]] = {}
                    for it in items:
                        v = getattr(it.group, dim)
                        by_value[v] = (
                            _sum_sdk([it], usage_fields)
                            if v not in by_value
                            else {k: by_value[v][k] + n for k, n in _sum_sdk([it], usage_fields).items()}
                        )
                    rows = c.execute_sql(
                        f"SELECT {dim}, {cols} FROM messages_usage WHERE organization_name = '{org}' GROUP BY 1"
                    )
                    wh = {r[0]: dict(zip(usage_fields, map(int, r[1:]))) for r in rows}
                    assert wh == by_value, (org, dim, width)
            # cost: one row per day (SDK, no group_by) = the warehouse per day, to the fraction of a cent
            items = list(analytics.cost.list(**window, time_bucket_width="1d", limit=3))
            assert len(items) == (END - START).days
            sdk_cents = {it.starting_at: Decimal(it.cost.amount) for it in items}
            rows = c.execute_sql(
                f"SELECT bucket_starting_at, sum(amount_cents), sum(list_amount_cents), "
                f"string_agg(DISTINCT currency) FROM costs WHERE organization_name = '{org}' GROUP BY 1"
            )
            assert {r[0]: r[1] for r in rows} == sdk_cents
            assert all(r[1] == r[2] and r[3] == "USD" for r in rows)
            assert sum(sdk_cents.values()) == server.total_cost_cents(org, START, END)
            # and by token type (fan-out) over the whole range without a bucket width
            fan = list(analytics.cost.list(**window, group_by=["token_type", "cost_type"], limit=1))
            wh_fan = dict(
                c.execute_sql(
                    f"SELECT coalesce(token_type, cost_type), sum(amount_cents) FROM costs "
                    f"WHERE organization_name = '{org}' GROUP BY 1"
                )
            )
            assert {it.group.token_type or it.group.cost_type: Decimal(it.cost.amount) for it in fan} == wh_fan
        ((n, distinct),) = c.execute_sql("SELECT count(*), count(DISTINCT row_key) FROM messages_usage")
        assert n == distinct > 0
        tok = c.execute_sql(
            "SELECT sum(uncached_input_tokens), sum(cache_read_input_tokens), "
            "sum(cache_creation_5m_input_tokens), sum(cache_creation_1h_input_tokens), "
            f"sum(output_tokens) FROM messages_usage WHERE organization_name = '{ORG_A}'"
        )[0]
    truth = {
        tt: sum(f.tokens[i] for f in server.facts(ORG_A) if START <= f.day < END) for i, tt in enumerate(TOKEN_TYPES)
    }
    assert dict(zip(TOKEN_TYPES, map(int, tok))) == truth


# --------------------------------------------------------------------------------------------- the split and join
def _item(ws, key, model, geo, tokens):
    group = {
        "workspace_id": ws,
        "api_key_id": key,
        "model": model,
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": geo,
    }
    return {"group": group, "usage": {"uncached_input_tokens": tokens}}


def _measure(it):
    return (it["usage"]["uncached_input_tokens"],)


def test_split_join_attaches_exactly_and_never_double_counts():
    first_only, second_only = ("workspace_id",), ("inference_geo",)
    jk = S.ANALYTICS_JOIN_KEY
    # key k1 is in one workspace: its geo rows get the workspace; key-less usage in two workspaces with one geo
    first = [_item("ws1", "k1", "m", None, 10), _item("ws1", None, "m", None, 3), _item("ws2", None, "m", None, 4)]
    second = [_item(None, "k1", "m", "us", 6), _item(None, "k1", "m", "global", 4), _item(None, None, "m", "us", 7)]
    out = H.join_split_groups(first, second, jk, first_only, second_only, _measure, "t")
    got = sorted(
        (
            i["group"]["workspace_id"] or "",
            i["group"]["api_key_id"] or "",
            i["group"]["inference_geo"],
            i["usage"]["uncached_input_tokens"],
        )
        for i in out.items
    )
    assert got == sorted(
        [("ws1", "k1", "us", 6), ("ws1", "k1", "global", 4), ("ws1", "", "us", 3), ("ws2", "", "us", 4)]
    )
    assert out.unresolved == []
    # ambiguous: several workspaces and several geos for the same key -> geo NULL, totals kept, reported
    second = [_item(None, "k1", "m", "us", 10), _item(None, None, "m", "us", 5), _item(None, None, "m", "global", 2)]
    out = H.join_split_groups(first, second, jk, first_only, second_only, _measure, "t")
    assert sum(i["usage"]["uncached_input_tokens"] for i in out.items) == 17
    assert [i["group"]["inference_geo"] for i in out.items if i["group"]["api_key_id"] is None] == [None, None]
    assert out.unresolved == [(None, "m", "standard", "0-200k")]
    # the two reads disagree (data changed between them): a clear error, never a silent mix
    with pytest.raises(H.VendorApiError, match="disagree.*run the load again"):
        H.join_split_groups(first, [_item(None, "k1", "m", "us", 9)], jk, first_only, second_only, _measure, "t")


# ----------------------------------------------------------------------------- legacy reports: the documented shape
NUMBER = (int, float)
# Fields documented in the current reference beyond the examples (which predate them): the messages report's
# inference_geo (group_by inference_geo) and the fast-mode / account dimensions, the cost report's inference_geo
# ("always null if not grouping by inference geo") and speed. Optional: absent from the examples.
LEGACY_OPTIONAL = {
    "messages": {"inference_geo", "speed", "account_id", "service_account_id"},
    "cost_report": {"inference_geo", "speed"},
    "claude_code": set(),
}
NULLABLE = {  # documented as nullable (null when not grouped by, default workspace, Console usage, ...)
    "messages": {
        "next_page",
        "api_key_id",
        "workspace_id",
        "model",
        "service_tier",
        "context_window",
        "inference_geo",
        "speed",
        "account_id",
        "service_account_id",
    },
    "cost_report": {
        "next_page",
        "workspace_id",
        "description",
        "cost_type",
        "context_window",
        "model",
        "service_tier",
        "token_type",
        "inference_geo",
        "speed",
    },
    "claude_code": {"next_page", "subscription_type", "terminal_type"},
}
ENUMS = {
    "service_tier": {"standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount"},
    "context_window": {"0-200k", "200k-1M"},
    "inference_geo": {"global", "us", "not_available"},
    "cost_type": {"tokens", "web_search", "code_execution", "session_usage"},
    "token_type": {
        "uncached_input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation.ephemeral_5m_input_tokens",
        "cache_creation.ephemeral_1h_input_tokens",
    },
    "customer_type": {"api", "subscription"},
    "subscription_type": {"enterprise", "team"},
    "type": {"user_actor", "api_actor"},
}
API_ACTOR = {"api_key_name": "ci-key", "type": "api_actor"}  # the documented alternative actor shape


def conforms(value: Any, example: Any, report: str, path: str = "$", key: str = "") -> list[str]:
    """Differences between ``value`` and the documented ``example`` (recursively): missing fields, fields neither
    in the example nor documented since, wrong JSON types, nulls where not documented, values outside the enums."""
    errs: list[str] = []
    if value is None:
        return [] if key in NULLABLE[report] else [f"{path}: null, not documented as nullable"]
    if isinstance(example, dict):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, expected an object"]
        if key == "actor" and value.get("type") == "api_actor":
            example = API_ACTOR
        optional = LEGACY_OPTIONAL[report] if path.endswith("results[]") else set()
        errs += [f"{path}.{k}: missing" for k in example if k not in value]
        errs += [f"{path}.{k}: not a documented field" for k in value if k not in example and k not in optional]
        for k, v in value.items():
            ex = example.get(k, "text" if k in optional else None)
            if k in example or k in optional:
                errs += conforms(v, ex, report, f"{path}.{k}", k)
        return errs
    if isinstance(example, list):
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, expected an array"]
        for v in value:
            errs += conforms(v, example[0], report, f"{path}[]", key)
        return errs
    if key == "amount" and report == "claude_code":  # estimated_cost.amount: a number (cents)
        ok = isinstance(value, NUMBER) and not isinstance(value, bool)
    elif isinstance(example, bool):
        ok = isinstance(value, bool)
    elif isinstance(example, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        return [f"{path}: {value!r} is {type(value).__name__}, documented as {type(example).__name__}"]
    if key in ENUMS and value not in ENUMS[key]:
        errs.append(f"{path}: {value!r} not one of {sorted(ENUMS[key])}")
    if key == "amount" and report == "cost_report":
        try:
            Decimal(value)
        except ArithmeticError:
            errs.append(f"{path}: {value!r} is not decimal text")
    if key in ("starting_at", "ending_at", "date"):
        try:
            H.parse_ts(value)
        except H.VendorApiError:
            errs.append(f"{path}: {value!r} is not RFC 3339")
    return errs


EXAMPLES = {
    "messages": "anthropic_messages.json",
    "cost_report": "anthropic_cost_report.json",
    "claude_code": "anthropic_claude_code.json",
}
PATHS = {
    "messages": "/v1/organizations/usage_report/messages",
    "cost_report": "/v1/organizations/cost_report",
    "claude_code": "/v1/organizations/usage_report/claude_code",
}


def _legacy_pages(srv, report: str, params: dict[str, Any], key: str = KEY_A) -> list[dict[str, Any]]:
    pages, token = [], None
    while True:
        r = _get(srv, PATHS[report], {**params, **({"page": token} if token else {})}, key)
        assert r.status_code == 200, (report, params, r.text)
        pages.append(r.json())
        if not pages[-1]["has_more"]:
            return pages
        token = pages[-1]["next_page"]


def test_documented_examples_conform_to_themselves():
    for report, name in EXAMPLES.items():
        ex = _example(name)
        assert conforms(ex, ex, report) == []


@pytest.mark.slow
def test_every_legacy_page_has_the_documented_shape(server):
    rng = {"starting_at": "2026-09-02T00:00:00Z", "ending_at": "2026-09-05T00:00:00Z"}
    checked = 0
    for groups in _subsets(USAGE_DIMS, 6):
        for width, limit in (("1d", 2), ("1h", 50)):
            for page in _legacy_pages(
                server, "messages", {**rng, "bucket_width": width, "group_by[]": groups, "limit": limit}
            ):
                assert conforms(page, _example(EXAMPLES["messages"]), "messages") == [], (groups, width)
                checked += 1
    for groups in _subsets(S.COST_GROUP_BY, 2):
        for page in _legacy_pages(server, "cost_report", {**rng, "group_by[]": groups, "limit": 1}, KEY_B):
            assert conforms(page, _example(EXAMPLES["cost_report"]), "cost_report") == [], groups
            results = [r for b in page["data"] for r in b["results"]]
            # documented nulls: inference_geo always (the report cannot group by it); the line's model, token
            # type, ... only when grouped by description
            assert all(r["inference_geo"] is None for r in results)
            if "description" not in groups:
                assert all(r["model"] is None and r["token_type"] is None and r["cost_type"] is None for r in results)
            checked += 1
    for day in ("2026-09-02", "2026-09-03", "2026-09-05"):
        for page in _legacy_pages(server, "claude_code", {"starting_at": day, "limit": 1}):
            assert conforms(page, _example(EXAMPLES["claude_code"]), "claude_code") == [], day
            checked += 1
    assert checked > 150


def test_the_shape_check_fails_on_an_invented_or_a_missing_field(server):
    page = _legacy_pages(
        server,
        "messages",
        {"starting_at": "2026-09-02T00:00:00Z", "ending_at": "2026-09-03T00:00:00Z", "group_by[]": ["model"]},
    )[0]
    ex = _example(EXAMPLES["messages"])
    assert conforms(page, ex, "messages") == []
    res = page["data"][0]["results"][0]
    for mutate, expected in (
        (lambda r: r.__setitem__("cache_creation_5m_input_tokens", 1), "not a documented field"),
        (lambda r: r.pop("output_tokens"), "output_tokens: missing"),
        (lambda r: r["cache_creation"].pop("ephemeral_1h_input_tokens"), "missing"),
        (lambda r: r.__setitem__("output_tokens", "12"), "documented as int"),
        (lambda r: r.__setitem__("output_tokens", None), "not documented as nullable"),
        (lambda r: r.__setitem__("service_tier", "premium"), "not one of"),
    ):
        broken = json.loads(json.dumps(page))
        mutate(broken["data"][0]["results"][0])
        errs = conforms(broken, ex, "messages")
        assert errs and any(expected in e for e in errs), (expected, errs)
    assert res  # the untouched page still conforms
    cc = _example(EXAMPLES["claude_code"])
    broken = json.loads(json.dumps(cc))
    broken["data"][0].pop("subscription_type")
    assert any("subscription_type: missing" in e for e in conforms(broken, cc, "claude_code"))
    cost = _example(EXAMPLES["cost_report"])
    broken = json.loads(json.dumps(cost))
    broken["data"][0]["results"][0]["amount"] = 123.78912
    assert any("documented as str" in e for e in conforms(broken, cost, "cost_report"))


# ------------------------------------------------------------------------ documented examples, end to end (exact)
class ExampleServer(VendorServer):
    """Serves the documented example bodies (a bucket only when the requested range contains it)."""

    auth_scheme = "x-api-key"

    def error_body(self, status: int, message: str, error_type: str) -> dict[str, Any]:
        return {"type": "error", "error": {"type": error_type, "message": message}}

    def handle(self, request: Request) -> Response:
        report = {v: k for k, v in PATHS.items()}[request.path]
        body = _example(EXAMPLES[report])
        if report == "claude_code":
            day = request.one("starting_at")[:10]
            return Response(body={**body, "data": [r for r in body["data"] if r["date"][:10] == day]}, page=1)
        start, end = H.parse_ts(request.one("starting_at")), H.parse_ts(request.one("ending_at"))
        data = [b for b in body["data"] if start <= H.parse_ts(b["starting_at"]) < end]
        return Response(body={**body, "data": data}, page=1)


@pytest.mark.slow
def test_documented_examples_load_end_to_end_exactly(tmp_path):
    from ingestion.catalogue import ensure_raw_tables

    wh = tmp_path / "finops.duckdb"
    ensure_raw_tables(str(wh))
    with ExampleServer({KEY_A: "acme"}) as srv:
        p = duckdb_pipeline("anthropic_examples", wh, tmp_path / "pipelines", "anthropic_usage")
        p.run(
            anthropic_usage(
                api_key=KEY_A,
                organization_name="acme",
                base_url=srv.base_url,
                start_date="2025-08-01",
                end_date="2025-08-09",
                **FAST,
            )
        )
    run_dbt(
        [
            "build",
            "--select",
            "+int_ai_usage_priced",
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
        ],
        wh,
        tmp_path,
    )
    ws, key, model = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", "apikey_01Rj2N8SVvo6BePZj99NhmiT", "claude-sonnet-4-20250514"
    with duckdb.connect(str(wh)) as con:
        usage = con.execute(
            "select usage_type, usage_quantity, usage_unit, model_name, project_id, api_key_id, service_tier, "
            "context_window, cast(usage_date as varchar), bucket_width "
            "from staging.stg_anthropic_usage__messages_usage "
            "where usage_quantity <> 0 order by usage_type"
        ).fetchall()
        cost = con.execute(
            "select amount, amount_cents, currency, usage_type, cost_type, model_name, project_id, service_tier, "
            "context_window, inference_geo, description, cast(usage_date as varchar) "
            "from staging.stg_anthropic_usage__costs"
        ).fetchall()
        cc = con.execute(
            "select model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
            "estimated_cost, estimated_cost_cents, currency, actor_id, cast(date as date) "
            "from anthropic_usage.claude_code_model_usage order by model"
        ).fetchall()
        priced = con.execute(
            "select token_type, price_status, priced_token_type, list_price_per_million, list_cost "
            "from intermediate.int_ai_usage_priced where vendor = 'anthropic' order by token_type"
        ).fetchall()
    common = (model, ws, key, "standard", "0-200k", "2025-08-01", "1d")
    assert usage == sorted(
        [
            ("cache_read", 200, "Tokens", *common),
            ("cache_write", 500, "Tokens", *common),
            ("cache_write_1h", 1000, "Tokens", *common),
            ("input", 1500, "Tokens", *common),
            ("output", 500, "Tokens", *common),
            ("web_search_calls", 10, "Requests", *common),
        ]
    )
    assert cost == [
        (
            Decimal("1.2378912"),
            Decimal("123.78912"),
            "USD",
            "input",
            "tokens",
            model,
            ws,
            "standard",
            "0-200k",
            None,
            "Claude Sonnet 4 Usage - Input Tokens",
            "2025-08-01",
        )
    ]
    assert cc == [
        (
            "claude-3-5-haiku-20241022",
            23100,
            5680,
            3420,
            890,
            Decimal("0.42"),
            Decimal(42),
            "USD",
            "user@emaildomain.com",
            dt.date(2025, 8, 8),
        ),
        (
            "claude-sonnet-4-20250514",
            45230,
            12450,
            8790,
            2340,
            Decimal("1.86"),
            Decimal(186),
            "USD",
            "user@emaildomain.com",
            dt.date(2025, 8, 8),
        ),
    ]
    # every token type priced at its own published Claude Sonnet 4 price (USD / MTok: input 3, output 15, 5-minute
    # cache write 3.75, 1-hour cache write 6, cache read 0.30), never through a cheaper ancestor; web searches are
    # not token-priced (the cost report carries their amount)
    published = {
        "input": Decimal(3),
        "output": Decimal(15),
        "cache_write": Decimal("3.75"),
        "cache_write_1h": Decimal(6),
        "cache_read": Decimal("0.3"),
    }
    tokens = {"input": 1500, "output": 500, "cache_write": 500, "cache_write_1h": 1000, "cache_read": 200}
    got = {t: (s, pt, lp, lc) for t, s, pt, lp, lc in priced}
    assert set(got) == {*published, "web_search_calls"}  # legacy usage has no request count (NULL, not a row)
    assert got["web_search_calls"][0] == "not_token_priced"
    for t, price in published.items():
        assert got[t][:3] == ("priced", t, price), (t, got[t])
        assert got[t][3] == price * tokens[t] / 1_000_000, t
    # fail closed: the same usage of a model the price book does not know blocks the build, its cost stays NULL
    with duckdb.connect(str(wh)) as con:
        con.execute(
            "insert into anthropic_usage.messages_usage select * replace ('claude-unknown-99' as model, "
            "row_key || '|unknown' as row_key) from anthropic_usage.messages_usage"
        )
    with pytest.raises(AssertionError, match="assert_ai_usage_is_priced") as failed:
        run_dbt(
            [
                "build",
                "--select",
                "stg_anthropic_usage__messages_usage",
                "int_ai_price_resolution",
                "int_ai_usage_priced",
                "assert_ai_usage_is_priced",
                "--exclude-resource-type",
                "unit_test",
            ],
            wh,
            tmp_path,
        )
    assert "Got 5 results" in str(failed.value)  # one failing key per token type
    with duckdb.connect(str(wh)) as con:
        unknown = con.execute(
            "select token_type, price_status, list_cost, contracted_cost from "
            "intermediate.int_ai_usage_priced where model_name = 'claude-unknown-99' "
            "and usage_unit = 'Tokens' order by 1"
        ).fetchall()
    assert unknown == [(t, "unknown_model", None, None) for t in sorted(published)]
