"""Vendor contract: the local OpenAI server and the loader against what we did not write - the official `openai`
SDK's response types (strict pydantic validation of the JSON as sent), the SDK's own requests (query strings) and
pagination, and the API reference's documented example responses loaded end to end through the loader and dbt.

Strict mode: ``Model.model_validate_json(body, strict=True)`` (no coercion: "5" or 5.0 for an int fails, a wrong
``object`` literal fails) plus no undeclared field anywhere in the tree (the SDK models allow extras, so an invented
field would pass ``strict`` alone). The SDK's own parse is lenient (``construct``): it accepts anything."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pydantic
import pytest

from finops_demo.vendor_servers.openai import OpenAIFixtureServer, OpenAIServer
from ingestion.openai_usage import ENDPOINTS, openai_usage
from tests.contracts.sdk_types import validate_strictly
from tests.support import duckdb_pipeline, run_dbt

openai = pytest.importorskip("openai")
# noqa below: the SDK is optional; importorskip above must run first so a missing SDK skips the module
from openai.types.admin.organization import (  # noqa: E402
    UsageAudioSpeechesResponse,
    UsageAudioTranscriptionsResponse,
    UsageCodeInterpreterSessionsResponse,
    UsageCompletionsResponse,
    UsageCostsResponse,
    UsageEmbeddingsResponse,
    UsageFileSearchCallsResponse,
    UsageImagesResponse,
    UsageModerationsResponse,
    UsageVectorStoresResponse,
    UsageWebSearchCallsResponse,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "vendor_apis"
KEY = "sk-admin-contract-test-0123456789"
DAY = 86_400
DEMO_START = int(dt.datetime(2026, 9, 1, tzinfo=dt.UTC).timestamp())
DEMO_END = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())

SDK_TYPES: dict[str, type[pydantic.BaseModel]] = {
    "completions": UsageCompletionsResponse,
    "embeddings": UsageEmbeddingsResponse,
    "moderations": UsageModerationsResponse,
    "images": UsageImagesResponse,
    "audio_speeches": UsageAudioSpeechesResponse,
    "audio_transcriptions": UsageAudioTranscriptionsResponse,
    "vector_stores": UsageVectorStoresResponse,
    "code_interpreter_sessions": UsageCodeInterpreterSessionsResponse,
    "file_search_calls": UsageFileSearchCallsResponse,
    "web_search_calls": UsageWebSearchCallsResponse,
    "costs": UsageCostsResponse,
}


# ---------------------------------------------------------------------------------------------------- helpers
def strict_validate(endpoint: str, body: str | bytes) -> pydantic.BaseModel:
    """The page validated strictly against the SDK's response type; raises on any deviation."""
    return validate_strictly(SDK_TYPES[endpoint], body, endpoint)


def _sdk(base_url: str, hook: Any = None) -> Any:
    client = httpx.Client(event_hooks={"request": [hook]} if hook else {})
    return openai.OpenAI(admin_api_key=KEY, api_key="unused", base_url=base_url, http_client=client, max_retries=0)


def _sdk_pages(client: Any, endpoint: str, **params: Any):
    """Every page of one call through the SDK: (raw body text, parsed page)."""
    method = getattr(client.admin.organization.usage.with_raw_response, endpoint)
    cursor = None
    while True:
        raw = method(**params, **({"page": cursor} if cursor else {}))
        page = raw.parse()
        yield raw.http_response.text, page
        if not page.has_more:
            return
        cursor = page.next_page


def _group_by(endpoint: str) -> list[str]:
    return list(ENDPOINTS[endpoint].group_by)


@pytest.fixture(scope="module")
def server():
    with OpenAIServer({KEY: "acme"}, seed=11, token_details=True) as srv:
        yield srv


# ------------------------------------------------------------------------------- every page validates strictly
@pytest.mark.slow
@pytest.mark.parametrize("endpoint", list(SDK_TYPES))
def test_every_page_of_every_endpoint_validates_strictly_against_the_sdk(server, endpoint):
    client = _sdk(server.base_url)
    widths = [("1d", DEMO_START - 2 * DAY, DEMO_END + DAY, 31 if endpoint != "costs" else 180)]
    if endpoint != "costs":
        widths += [
            ("1h", DEMO_START + 40 * DAY, DEMO_START + 42 * DAY, 168),
            ("1m", DEMO_START + 40 * DAY + 9 * 3600, DEMO_START + 40 * DAY + 11 * 3600, 1440),
        ]
    pages = 0
    for width, start, end, limit in widths:
        for group_by in (_group_by(endpoint), []):  # what the loader asks for, and ungrouped
            kw = {"group_by": group_by} if group_by else {}
            for body, _page in _sdk_pages(
                client, endpoint, start_time=start, end_time=end, bucket_width=width, limit=limit, **kw
            ):
                model = strict_validate(endpoint, body)
                pages += 1
                for bucket in model.data:
                    assert bucket.end_time - bucket.start_time == {"1d": DAY, "1h": 3600, "1m": 60}[width]
                    for r in bucket.results:
                        for dim in set(SDK_TYPES_DIMS[endpoint]) - set(group_by):
                            assert getattr(r, dim, None) is None, f"{endpoint}: {dim} must be null ungrouped"
                        if endpoint == "completions":
                            _assert_tokens_add_up(r)
    assert pages >= 2


SDK_TYPES_DIMS = {name: ep.group_by for name, ep in ENDPOINTS.items()}
SDK_TYPES_DIMS["costs"] = ("project_id", "user_id", "line_item", "api_key_id", "api_source")


def _assert_tokens_add_up(r: Any) -> None:
    """The SDK's documented arithmetic: input_tokens includes cached and cache-write tokens of every modality."""
    assert r.input_tokens == r.input_uncached_tokens + r.input_cached_tokens + r.input_cache_write_tokens
    assert r.input_uncached_tokens == r.input_text_tokens + r.input_audio_tokens + r.input_image_tokens
    assert r.input_cached_tokens == (
        r.input_cached_text_tokens + r.input_cached_audio_tokens + r.input_cached_image_tokens
    )
    assert r.input_cache_write_tokens == r.input_cache_write_30m_tokens + r.input_cache_write_12h_tokens
    assert r.output_tokens == r.output_text_tokens + r.output_audio_tokens + r.output_image_tokens


def test_server_honours_the_documented_limits_and_rejects_the_rest(server):
    client = _sdk(server.base_url)
    usage = client.admin.organization.usage
    for width, default, maximum in (("1d", 7, 31), ("1h", 24, 168), ("1m", 60, 1440)):
        calls = usage.code_interpreter_sessions
        assert len(calls(start_time=DEMO_START, bucket_width=width).data) == default
        assert len(calls(start_time=DEMO_START, bucket_width=width, limit=maximum).data) == maximum
        with pytest.raises(openai.BadRequestError, match="limit"):
            calls(start_time=DEMO_START, bucket_width=width, limit=maximum + 1)
    assert len(usage.costs(start_time=DEMO_START, end_time=DEMO_START + 200 * DAY, limit=180).data) == 180
    with pytest.raises(openai.BadRequestError, match="limit"):
        usage.costs(start_time=DEMO_START, limit=181)
    with pytest.raises(openai.BadRequestError, match="bucket_width"):
        usage.costs(start_time=DEMO_START, bucket_width="1h")  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match="group_by"):
        usage.vector_stores(start_time=DEMO_START, group_by=["model"])  # type: ignore[list-item]
    raw = usage.with_raw_response.costs(start_time=DEMO_START, group_by=["user_id", "api_source"])
    assert raw.headers["x-request-id"].startswith("req_") and raw.headers["content-type"] == "application/json"
    page = raw.parse()
    assert {r.api_source for b in page.data for r in b.results} == {"agents_api", "unlabeled", None}


# ---------------------------------------------------------------------------- the validation can fail (controls)
def _documented(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


@pytest.mark.parametrize(
    "mutate, why",
    [
        (lambda p: p["data"][0]["results"][0].update(input_tokens="1000"), "a number sent as a string"),
        (lambda p: p["data"][0]["results"][0].update(input_tokens=1000.0), "a float for an int"),
        (lambda p: p["data"][0]["results"][0].update(object="organization.usage.completion.result"), "wrong object"),
        (lambda p: p["data"][0]["results"][0].pop("num_model_requests"), "a required field missing"),
        (lambda p: p["data"][0].update(end_time="1730505600"), "a bucket time as text"),
        (lambda p: p["data"][0]["results"][0].update(cache_tokens=5), "an invented field"),
        (lambda p: p.update(has_more="false"), "has_more as text"),
    ],
)
def test_strict_validation_rejects_what_the_sdk_would_silently_accept(mutate, why):
    good = _documented("openai_completions.json")
    strict_validate("completions", json.dumps(good))
    bad = json.loads(json.dumps(good))
    mutate(bad)
    with pytest.raises((pydantic.ValidationError, AssertionError)):
        strict_validate("completions", json.dumps(bad))
    # the SDK's own (lenient) parse takes the bad page without a word
    assert UsageCompletionsResponse.construct(**bad) is not None


def test_a_costs_amount_given_as_a_string_is_rejected():
    bad = _documented("openai_costs.json")
    bad["data"][0]["results"][0]["amount"]["value"] = "0.06"
    with pytest.raises(pydantic.ValidationError):
        strict_validate("costs", json.dumps(bad))


@pytest.mark.parametrize(
    "name, endpoint",
    [
        ("openai_completions.json", "completions"),
        ("openai_costs.json", "costs"),
        ("openai_costs_line_items.json", "costs"),
    ],
)
def test_documented_examples_validate_strictly(name, endpoint):
    strict_validate(endpoint, (DATA / name).read_text())


# ----------------------------------------------------- the loader asks what the SDK asks and loads what it reads
@pytest.fixture(scope="module")
def loaded(server, tmp_path_factory):
    """One loader run over 2026-10-01..2026-10-20 with small pages (several per endpoint)."""
    tmp = tmp_path_factory.mktemp("contract_load")
    server.reset_log()
    pipe = duckdb_pipeline("openai_contract", tmp / "w.duckdb", tmp / "pipelines", "openai_usage")
    pipe.run(
        openai_usage(
            organizations=[{"name": "acme", "api_key": KEY, "base_url": server.base_url}],
            start_date="2026-10-01",
            end_date="2026-10-20",
            page_limit=6,
            backoff_factor=0.01,
        )
    )
    seen = list(server.requests_seen)
    return tmp / "w.duckdb", seen


def test_the_loader_sends_the_query_strings_the_sdk_sends(server, loaded):
    _, seen = loaded
    start = int(dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(2026, 10, 20, tzinfo=dt.UTC).timestamp())
    for endpoint, ep in ENDPOINTS.items():
        loader = [r.raw_query for r in seen if r.path == f"/v1/{ep.path}" and r.status == 200]
        assert len(loader) >= 2, endpoint  # several pages
        sdk_queries: list[str] = []
        client = _sdk(server.base_url, hook=lambda req, out=sdk_queries: out.append(req.url.query.decode()))
        list(
            _sdk_pages(
                client, endpoint, start_time=start, bucket_width="1d", end_time=end, group_by=list(ep.group_by), limit=6
            )
        )
        assert loader == sdk_queries, endpoint
    assert "group_by%5B%5D=project_id" in loader[0] and "group_by=" not in loader[0]


def test_sdk_paging_totals_equal_what_the_loader_put_in_the_warehouse(server, loaded):
    wh, _ = loaded
    start = int(dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(2026, 10, 20, tzinfo=dt.UTC).timestamp())
    client = _sdk(server.base_url)
    with duckdb.connect(str(wh), read_only=True) as con:
        for endpoint, ep in ENDPOINTS.items():
            fields = ["amount", "quantity"] if endpoint == "costs" else list(ep.quantities)
            sdk_totals = dict.fromkeys(fields, Decimal(0))
            rows = 0
            for _body, page in _sdk_pages(
                client, endpoint, start_time=start, end_time=end, group_by=list(ep.group_by), limit=6
            ):
                for b in page.data:
                    for r in b.results:
                        rows += 1
                        for f in fields:
                            v = r.amount.value if f == "amount" else getattr(r, f)
                            sdk_totals[f] += Decimal(repr(v)) if isinstance(v, float) else Decimal(v or 0)
            got = con.execute(
                f"select count(*), {', '.join(f'coalesce(sum({f}), 0)' for f in fields)} from openai_usage.{ep.table}"
            ).fetchone()
            assert got[0] == rows and rows > 0, endpoint
            assert dict(zip(fields, (Decimal(v) for v in got[1:]), strict=True)) == sdk_totals, endpoint


# ------------------------------------------------------ documented examples end to end: loader -> dbt staging
@pytest.fixture(scope="module")
def documented_warehouse(tmp_path_factory):
    from ingestion.catalogue import ensure_raw_tables

    tmp = tmp_path_factory.mktemp("documented")
    wh = tmp / "finops.duckdb"
    ensure_raw_tables(str(wh))
    costs = _documented("openai_costs.json")
    # the line-item forms: a second bucket (the next day) of the same costs endpoint
    forms = _documented("openai_costs_line_items.json")
    for b in forms["data"]:
        b["start_time"] += DAY
        b["end_time"] += DAY
    costs["data"] += forms["data"]
    pages = {"completions": _documented("openai_completions.json"), "costs": costs}
    with OpenAIFixtureServer({KEY: "documented"}, pages) as srv:
        pipe = duckdb_pipeline("openai_documented", wh, tmp / "pipelines", "openai_usage")
        pipe.run(
            openai_usage(
                organizations=[{"name": "documented", "api_key": KEY, "base_url": srv.base_url}],
                endpoints=["completions", "costs"],
                start_date="2024-11-01",
                end_date="2024-11-03",
                backoff_factor=0.01,
            )
        )
    run_dbt(
        [
            "build",
            "--select",
            "stg_openai_usage__usage",
            "stg_openai_usage__costs",
            "assert_openai_completions_tokens_add_up",
            "--exclude-resource-type",
            "unit_test",
        ],
        wh,
        tmp,
    )
    return wh


@pytest.mark.slow
def test_documented_completions_example_loads_exactly(documented_warehouse):
    with duckdb.connect(str(documented_warehouse)) as con:
        rows = con.execute(
            "select usage_date, usage_type, usage_quantity, usage_unit, model_name, project_id "
            "from staging.stg_openai_usage__usage order by usage_type"
        ).fetchall()
    # input_tokens 1000 include 800 cached: 200 uncached text + 800 cached; 500 output; 5 requests
    assert [(str(d), t, int(q), u, m, p) for d, t, q, u, m, p in rows] == [
        ("2024-11-01", "cache_read", 800, "Tokens", None, None),
        ("2024-11-01", "input", 200, "Tokens", None, None),
        ("2024-11-01", "output", 500, "Tokens", None, None),
        ("2024-11-01", "requests", 5, "Requests", None, None),
    ]


@pytest.mark.slow
def test_documented_costs_and_every_line_item_form_map_exactly(documented_warehouse):
    with duckdb.connect(str(documented_warehouse)) as con:
        rows = con.execute(
            "select usage_date, line_item, model_name, usage_type, service_tier, amount, currency, "
            "usage_quantity, usage_unit from staging.stg_openai_usage__costs "
            "order by usage_date, line_item nulls first"
        ).fetchall()
        raw_total = con.execute("select sum(amount) from openai_usage.costs").fetchone()[0]
    got = {(str(r[0]), r[1]): r[2:] for r in rows}
    # the documented example: not grouped by line item -> unattributed, the 0.06 USD kept
    assert got[("2024-11-01", None)] == (None, "unattributed", "default", Decimal("0.06"), "USD", None, None)
    day2 = {li: v for (d, li), v in got.items() if d == "2024-11-02"}
    assert {li: (m, t, tier) for li, (m, t, tier, *_rest) in day2.items()} == {
        "gpt-4o-2024-08-06, input": ("gpt-4o-2024-08-06", "input", "default"),
        "gpt-4o-2024-08-06, cached input": ("gpt-4o-2024-08-06", "cache_read", "default"),
        "gpt-4o-2024-08-06, output": ("gpt-4o-2024-08-06", "output", "default"),
        "gpt-4o-mini-2024-07-18, input (batch)": ("gpt-4o-mini-2024-07-18", "input", "batch"),
        "gpt-6.2-astra, input_tokens": ("gpt-6.2-astra", "input", "default"),
        "gpt-5-mini, output_tokens": ("gpt-5-mini", "output", "default"),
        "gpt-4o": ("gpt-4o", "unattributed", "default"),
        "tts-1": ("tts-1", "characters", "default"),
        "whisper-1": ("whisper-1", "seconds", "default"),
        "dall-e-3, 1024x1024": ("dall-e-3", "images", "default"),
        "Image models": (None, "images", "default"),
        "Audio models": (None, "unattributed", "default"),
        "web search tool calls": (None, "web_search_calls", "default"),
        "File search": (None, "file_search_calls", "default"),
        None: (None, "unattributed", "default"),
    }
    assert day2["gpt-5-mini, output_tokens"][5:] == (Decimal(10_000), "Tokens")  # 10 x 1000_tokens
    assert day2["whisper-1"][5:] == (Decimal(60), "Seconds")  # 1 duration_minutes
    # money: every line kept, to the cent (exactly)
    assert sum(v[3] for v in got.values()) == raw_total == Decimal("8.4135")


# ------------------------------------------------------------ every token type priced right (price book, dbt)
@pytest.mark.slow
def test_every_token_type_is_priced_at_its_own_rate_and_reconciles_to_the_bill(tmp_path):
    """The token_details model (gpt-6-sol: cache writes 30m/12h, audio and image input, cached and not, audio and
    image output) through the loader and dbt: each token type resolves to the genai-prices rate (cache writes at
    cache_write 2.5, not input 2), the leaves add up to the API's input_tokens (nothing counted twice), and
    usage x price book equals what the Costs API billed for the model, to the cent."""
    from ingestion.catalogue import ensure_raw_tables

    wh = tmp_path / "finops.duckdb"
    ensure_raw_tables(str(wh))
    with OpenAIServer({KEY: "acme"}, seed=5, token_details=True) as srv:
        pipe = duckdb_pipeline("openai_priced", wh, tmp_path / "pipelines", "openai_usage")
        pipe.run(
            openai_usage(
                organizations=[{"name": "acme", "api_key": KEY, "base_url": srv.base_url}],
                endpoints=["completions", "costs"],
                start_date="2026-10-05",
                end_date="2026-10-07",
                backoff_factor=0.01,
            )
        )
    run_dbt(
        [
            "build",
            "--select",
            "+fct_ai_usage",
            "+assert_ai_usage_is_priced",
            "assert_openai_completions_tokens_add_up",
            "--exclude-resource-type",
            "unit_test",
            "--indirect-selection",
            "cautious",
        ],
        wh,
        tmp_path,
    )
    with duckdb.connect(str(wh)) as con:
        priced = con.execute(
            "select token_type, priced_token_type, list_price_per_million, sum(tokens), sum(list_cost) "
            "from intermediate.int_ai_usage_priced where model_name = 'gpt-6-sol' and usage_unit = 'Tokens' "
            "group by all order by token_type"
        ).fetchall()
        raw_input = con.execute(
            "select sum(input_tokens) + sum(output_tokens) from openai_usage.completions_usage "
            "where model = 'gpt-6-sol'"
        ).fetchone()[0]
        billed = con.execute(
            "select sum(amount) from staging.stg_openai_usage__costs where model_name = 'gpt-6-sol'"
        ).fetchone()[0]
    rates = {t: (pt, format(p.normalize(), "f")) for t, pt, p, _n, _c in priced}
    assert rates == {
        "input": ("input", "2"),
        "input_audio": ("input", "2"),
        "input_image": ("input", "2"),
        "cache_read": ("cache_read", "0.2"),
        "cache_audio_read": ("cache_read", "0.2"),
        "cache_image_read": ("cache_read", "0.2"),
        "cache_write_30m": ("cache_write", "2.5"),
        "cache_write_12h": ("cache_write", "2.5"),
        "output": ("output", "10"),
        "output_audio": ("output", "10"),
        "output_image": ("output", "10"),
    }
    assert sum(n for *_x, n, _c in priced) == raw_input  # every token once
    assert sum(c for *_x, c in priced).quantize(Decimal("0.01")) == Decimal(billed).quantize(Decimal("0.01"))
