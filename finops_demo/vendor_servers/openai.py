"""A local OpenAI admin Usage and Costs API server (real HTTP on 127.0.0.1) for the demo and the tests.

Implements the wire format of ``GET /v1/organization/usage/{completions, embeddings, moderations, images,
audio_speeches, audio_transcriptions, vector_stores, code_interpreter_sessions, file_search_calls,
web_search_calls}`` and ``GET /v1/organization/costs`` (see ``shared/reference/ai-vendor-apis.md`` section 3.2):
``start_time`` (required, Unix s), ``end_time``, ``bucket_width`` (1d, 1h; costs 1d only), ``group_by`` (repeated or
comma-separated, per-endpoint allowed set), the ``project_ids``/``user_ids``/``api_key_ids``/``models`` filters,
``limit`` (buckets per page, per-width default and max) and the opaque ``page`` cursor; responses are
``{object: "page", data: [{object: "bucket", start_time, end_time, results: [...]}], has_more, next_page}``.
Auth: ``Authorization: Bearer <admin key>``; each key belongs to one organisation (several organisations can share
one server).

Data. Deterministic from ``seed``: the demo enterprise's AI teams (``enterprise.TEAMS`` with ``ai=True``) are the
OpenAI projects, their owners the users, two API keys per project (prod, dev). Usage exists for the days in
``[data_start, data_end)`` (default: the demo months, 2026-09-01 .. 2026-11-01). Costs are *exactly* usage x the
list price in :data:`PRICES` (USD; x the planted :data:`PRICE_CHANGES` factor from its day), per day, project, API
key and line item, so a test can reconcile them;
amounts are served as JSON numbers (like OpenAI: float dollars) with at most 10 decimals. ``restate(days)`` makes
the last ``days`` days of the data period change (+~7 % on every quantity, some rows appear), like a vendor
restating recent days; ``restate(0)`` switches it off.

Planted anomalies (``anomalies=True``, the default; README "Anomalies"), deterministic like the rest:

* :data:`USAGE_SPIKE` - the ``doc-search`` project's prod API key runs at 6x its volume on 2026-10-20 .. 2026-10-22
  (every endpoint it calls: completions, embeddings, file and web search), back to normal from 2026-10-23;
* :data:`PRICE_CHANGES` - from 2026-10-26 gpt-4o (``gpt-4o-2024-08-06``) is billed at the priority-processing
  rate, 1.7x the price of :data:`PRICES` on every token type and tier ($4.25 / $2.125 / $17 per 1M standard), with
  unchanged tokens: a price change, not a usage spike (and a billing error the price book does not explain).

The cost API stays usage x price per day, so :meth:`OpenAIServer.total_cost` is the truth either way.

Hourly buckets split each day's quantities over the 24 hours (integers, summing to the day exactly).
``bucket_width=1m`` answers 400 (not implemented locally).

Run for the demo: ``python -m finops_demo.vendor_servers.openai --port 8787 --org northwind=sk-admin-demo``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from finops_demo.generator.enterprise import TEAMS
from finops_demo.vendor_servers._base import (
    Faults,
    HTTPError,
    Request,
    Response,
    VendorServer,
    paginate,
    run_cli,
)

DAY = 86_400
HOUR = 3_600
DEFAULT_DATA_START = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
DEFAULT_DATA_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

# endpoint -> (result object name, allowed group_by, dimension fields, quantity fields)
ENDPOINTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "completions": (
        "organization.usage.completions.result",
        ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier", "api_source"),
        (
            "input_tokens",
            "output_tokens",
            "input_cached_tokens",
            "input_cache_write_tokens",
            "input_cache_write_30m_tokens",
            "input_cache_write_12h_tokens",
            "input_uncached_tokens",
            "input_text_tokens",
            "input_audio_tokens",
            "input_image_tokens",
            "input_cached_text_tokens",
            "input_cached_audio_tokens",
            "input_cached_image_tokens",
            "output_text_tokens",
            "output_audio_tokens",
            "output_image_tokens",
            "num_model_requests",
        ),
    ),
    "embeddings": (
        "organization.usage.embeddings.result",
        ("project_id", "user_id", "api_key_id", "model"),
        ("input_tokens", "num_model_requests"),
    ),
    "moderations": (
        "organization.usage.moderations.result",
        ("project_id", "user_id", "api_key_id", "model"),
        ("input_tokens", "num_model_requests"),
    ),
    "images": (
        "organization.usage.images.result",
        ("project_id", "user_id", "api_key_id", "model", "size", "source"),
        ("images", "num_model_requests"),
    ),
    "audio_speeches": (
        "organization.usage.audio_speeches.result",
        ("project_id", "user_id", "api_key_id", "model"),
        ("characters", "num_model_requests"),
    ),
    "audio_transcriptions": (
        "organization.usage.audio_transcriptions.result",
        ("project_id", "user_id", "api_key_id", "model"),
        ("seconds", "num_model_requests"),
    ),
    "vector_stores": ("organization.usage.vector_stores.result", ("project_id",), ("usage_bytes",)),
    "code_interpreter_sessions": (
        "organization.usage.code_interpreter_sessions.result",
        ("project_id",),
        ("num_sessions",),
    ),
    "file_search_calls": (
        "organization.usage.file_searches.result",
        ("project_id", "user_id", "api_key_id", "vector_store_id"),
        ("num_requests",),
    ),
    "web_search_calls": (
        "organization.usage.web_searches.result",
        ("project_id", "user_id", "api_key_id", "model", "context_level", "api_source"),
        ("num_requests", "num_model_requests"),
    ),
}
COSTS_GROUP_BY = ("project_id", "user_id", "line_item", "api_key_id", "api_source")
# completions token counts: the leaves (split exactly over hours/minutes) and the totals derived from them, as the
# SDK documents them: input_tokens = uncached (text + audio + image) + cached (text + audio + image) + cache writes
# (30m + 12h); output_tokens = text + audio + image
TOKEN_LEAVES = (
    "input_text_tokens",
    "input_audio_tokens",
    "input_image_tokens",
    "input_cached_text_tokens",
    "input_cached_audio_tokens",
    "input_cached_image_tokens",
    "input_cache_write_30m_tokens",
    "input_cache_write_12h_tokens",
    "output_text_tokens",
    "output_audio_tokens",
    "output_image_tokens",
)
TOKEN_TOTALS = {
    "input_uncached_tokens": ("input_text_tokens", "input_audio_tokens", "input_image_tokens"),
    "input_cached_tokens": ("input_cached_text_tokens", "input_cached_audio_tokens", "input_cached_image_tokens"),
    "input_cache_write_tokens": ("input_cache_write_30m_tokens", "input_cache_write_12h_tokens"),
    "output_tokens": ("output_text_tokens", "output_audio_tokens", "output_image_tokens"),
}
# bucket width -> (seconds, default limit, max limit) as documented for the usage endpoints
USAGE_WIDTHS = {"1d": (86_400, 7, 31), "1h": (3_600, 24, 168), "1m": (60, 60, 1_440)}
# the model of the ``token_details`` option: cache writes (30m and 12h), audio and image input, audio output
DETAIL_MODEL = "gpt-6-sol"
# quantities that are levels, not flows: an hourly bucket shows the day's level instead of a share of it
LEVEL_FIELDS = {"usage_bytes"}

D = Decimal
M = D(1_000_000)
# USD list prices used by this server: (line item suffix, usage field, price per unit)
PRICES: dict[str, dict[str, Decimal]] = {
    # per token
    "gpt-4o-2024-08-06": {"input": D("2.50") / M, "cached input": D("1.25") / M, "output": D("10.00") / M},
    "gpt-4o-mini-2024-07-18": {
        "input": D("0.15") / M,
        "cached input": D("0.075") / M,
        "output": D("0.60") / M,
    },
    "o3-mini-2025-01-31": {"input": D("1.10") / M, "cached input": D("0.55") / M, "output": D("4.40") / M},
    # list prices of genai-prices 0.2.3 (the price book); audio/image tokens at the text rates (no own price)
    DETAIL_MODEL: {
        "input": D("2") / M,
        "cached input": D("0.2") / M,
        "cache write": D("2.5") / M,
        "output": D("10") / M,
    },
    "text-embedding-3-small": {"input": D("0.02") / M},
    "text-embedding-3-large": {"input": D("0.13") / M},
    "omni-moderation-latest": {"input": D(0)},
    # per image
    "dall-e-3": {"1024x1024": D("0.040"), "1024x1792": D("0.080")},
    # per character / per second
    "tts-1": {"characters": D("15.00") / M},
    "whisper-1": {"seconds": D("0.0001")},  # $0.006 / minute
    # tools
    "vector store storage": {"gb_day": D("0.10")},  # per GB (1e9 bytes) per day
    "code interpreter sessions": {"session": D("0.03")},
    "file search tool calls": {"call": D("0.0025")},
    "web search tool calls": {"call": D("0.01")},
}
BATCH_DISCOUNT = D("0.5")  # batch and flex requests are billed at half the list price

_COMPLETION_MODELS = ("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o3-mini-2025-01-31")

# the projects (key environment) whose usage the API labels api_source=agents_api (the rest: unlabeled)
AGENTS_API = {("support-copilot", "prod")}

# planted anomalies (see the module docstring): (project, key environment, first day, last day, volume factor)
USAGE_SPIKE = ("doc-search", "prod", dt.date(2026, 10, 20), dt.date(2026, 10, 22), 6.0)
# model -> (first day billed at the new price, factor on every token price of PRICES)
PRICE_CHANGES: dict[str, tuple[dt.date, Decimal]] = {"gpt-4o-2024-08-06": (dt.date(2026, 10, 26), D("1.7"))}


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _u(*parts: object) -> float:
    return (_h(*parts) >> 11) / float(1 << 53)


def _hex(n: int, *parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()[:n]


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    owner: str
    user_id: str
    keys: tuple[str, str]  # prod, dev


def org_projects(seed: int, org: str) -> tuple[Project, ...]:
    """The OpenAI projects of an organisation: the demo enterprise's AI teams."""
    out = []
    for t in TEAMS:
        if not t.ai:
            continue
        out.append(
            Project(
                id=f"proj_{_hex(24, seed, org, t.project)}",
                name=t.project,
                owner=t.owner,
                user_id=f"user-{_hex(24, seed, t.owner)}",
                keys=(
                    f"key_{_hex(16, seed, org, t.project, 'prod')}",
                    f"key_{_hex(16, seed, org, t.project, 'dev')}",
                ),
            )
        )
    return tuple(out)


class _KeyDay(NamedTuple):
    """One API key's day, what a usage endpoint's rows are built from (``q``: the day's quantity function)."""

    q: Callable[..., int]
    project: Project
    env: str
    scale: float
    base: dict[str, Any]  # project_id, user_id, api_key_id
    source: str  # api_source
    org: str
    day: int
    restated: bool


class OpenAIServer(VendorServer):
    """``OpenAIServer({"sk-admin-...": "org-name"}, seed=7)``; see the module docstring."""

    auth_scheme = "bearer"
    base_path = "/v1"

    def __init__(
        self,
        api_keys: Mapping[str, str],
        *,
        seed: int = 42,
        data_start: dt.datetime = DEFAULT_DATA_START,
        data_end: dt.datetime = DEFAULT_DATA_END,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        anomalies: bool = True,
        token_details: bool = False,
    ) -> None:
        super().__init__(api_keys, faults=faults, host=host, port=port)
        self.seed = seed
        self.anomalies = anomalies
        self.token_details = token_details
        self.data_start = int(data_start.timestamp()) // DAY * DAY
        self.data_end = int(data_end.timestamp()) // DAY * DAY
        self.restated_days = 0
        self._served = 0
        self._day_rows = lru_cache(maxsize=4096)(self._compute_day_rows)

    # ---- restatement -----------------------------------------------------------------------------------------
    def restate(self, days: int) -> None:
        """Restate (change) the last ``days`` days of the data period; 0 switches restatement off."""
        self.restated_days = max(0, int(days))
        self._day_rows.cache_clear()

    def _is_restated(self, day: int) -> bool:
        return self.restated_days > 0 and day >= self.data_end - self.restated_days * DAY

    def _volume_factor(self, project: str, env: str, day: int) -> float:
        """The planted usage spike (:data:`USAGE_SPIKE`): its factor on the key's day, else 1."""
        name, key_env, first, last, factor = USAGE_SPIKE
        date = dt.datetime.fromtimestamp(day, dt.UTC).date()
        if self.anomalies and (project, env) == (name, key_env) and first <= date <= last:
            return factor
        return 1.0

    def _price_factor(self, model: str, day: int) -> Decimal:
        """The planted price change (:data:`PRICE_CHANGES`): the factor on the model's token prices that day."""
        change = PRICE_CHANGES.get(model)
        if self.anomalies and change and dt.datetime.fromtimestamp(day, dt.UTC).date() >= change[0]:
            return change[1]
        return D(1)

    # ---- data ------------------------------------------------------------------------------------------------
    def _compute_day_rows(self, org: str, endpoint: str, day: int) -> tuple[dict[str, Any], ...]:
        """Ungrouped (all dimensions) usage rows of one organisation, endpoint and UTC day."""
        if not (self.data_start <= day < self.data_end):
            return ()
        restated = self._is_restated(day)
        q = self._quantity(org, endpoint, day, restated)
        build = getattr(self, f"_{endpoint}_rows")
        rows: list[dict[str, Any]] = []
        for p in org_projects(self.seed, org):
            for env, key in zip(("prod", "dev"), p.keys, strict=True):
                scale = (1.0 if env == "prod" else 0.15) * self._volume_factor(p.name, env, day)
                kd = _KeyDay(
                    q,
                    p,
                    env,
                    scale,
                    {"project_id": p.id, "user_id": p.user_id, "api_key_id": key},
                    "agents_api" if (p.name, env) in AGENTS_API else "unlabeled",
                    org,
                    day,
                    restated,
                )
                rows += build(kd)
        if restated and endpoint == "completions":
            rows.append(self._late_usage_row(org))
        return tuple(rows)

    def _quantity(self, org: str, endpoint: str, day: int, restated: bool) -> Callable[..., int]:
        """``q(base, *key)``: a day's quantity around ``base``: seasonal (weekends lower, slow growth), varied per
        key, 7 % higher on a restated day."""
        s = self.seed
        weekday = dt.datetime.fromtimestamp(day, dt.UTC).weekday()
        season = (0.55 if weekday >= 5 else 1.0) * (1 + (day - self.data_start) / DAY * 0.004)

        def q(base: float, *key: object) -> int:
            v = base * season * (0.6 + 0.8 * _u(s, org, endpoint, day, *key))
            if restated:
                v *= 1.07
            return max(0, int(v))

        return q

    def _completions_rows(self, kd: _KeyDay) -> list[dict[str, Any]]:
        q, p, env, scale = kd.q, kd.project, kd.env, kd.scale
        base = kd.base | {"api_source": kd.source}
        rows = []
        if self.token_details and env == "prod" and p.name == "support-copilot":
            rows.append(base | self._detail_tokens(q, scale, p.name))
        for mi, model in enumerate(_COMPLETION_MODELS):
            if _u(self.seed, kd.org, p.name, model) < 0.3 and mi > 0:
                continue  # not every project uses every model
            for batch, tier in ((False, "default"), (True, "default"), (False, "flex")):
                if (batch or tier == "flex") and env == "dev":
                    continue
                if tier == "flex" and not model.startswith("o3"):
                    continue
                part = 0.25 if batch else (0.3 if tier == "flex" else 1.0)
                k = (p.name, env, model, batch, tier)
                inp = q(4_000_000 * scale * part / (1 + mi), *k, "in")
                cached = min(inp, q(inp * 0.3, *k, "cached"))
                rows.append(
                    base
                    | {"model": model, "batch": batch, "service_tier": tier}
                    | _tokens(
                        input_text_tokens=inp - cached,
                        input_cached_text_tokens=cached,
                        output_text_tokens=q(inp * 0.22, *k, "out"),
                        num_model_requests=max(1, q(inp / 1_800, *k, "req")),
                    )
                )
        return rows

    @staticmethod
    def _embeddings_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        q, p, env = kd.q, kd.project, kd.env
        if p.name not in ("doc-search", "support-copilot", "ml-platform"):
            return []
        rows = []
        for model, b in (("text-embedding-3-small", 9_000_000), ("text-embedding-3-large", 1_500_000)):
            inp = q(b * kd.scale, p.name, env, model)
            rows.append(
                kd.base
                | {
                    "model": model,
                    "input_tokens": inp,
                    "num_model_requests": max(1, q(inp / 900, p.name, env, model, "r")),
                }
            )
        return rows

    @staticmethod
    def _moderations_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        q, p, env = kd.q, kd.project, kd.env
        if p.name != "support-copilot":
            return []
        inp = q(600_000 * kd.scale, p.name, env)
        return [
            kd.base
            | {
                "model": "omni-moderation-latest",
                "input_tokens": inp,
                "num_model_requests": max(1, q(inp / 300, p.name, env, "r")),
            }
        ]

    @staticmethod
    def _images_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        q, p, env = kd.q, kd.project, kd.env
        if p.name not in ("robot-vision", "support-copilot"):
            return []
        rows = []
        for size in ("1024x1024", "1024x1792"):
            n = q((60 if size == "1024x1024" else 15) * kd.scale, p.name, env, size)
            if n:
                rows.append(
                    kd.base
                    | {
                        "model": "dall-e-3",
                        "size": size,
                        "source": "image.generation",
                        "images": n,
                        "num_model_requests": n,
                    }
                )
        return rows

    @staticmethod
    def _audio_speeches_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        q, p, env = kd.q, kd.project, kd.env
        if p.name != "support-copilot":
            return []
        c = q(250_000 * kd.scale, p.name, env)
        requests = max(1, q(c / 400, p.name, env, "r"))
        return [kd.base | {"model": "tts-1", "characters": c, "num_model_requests": requests}]

    @staticmethod
    def _audio_transcriptions_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        q, p, env = kd.q, kd.project, kd.env
        if p.name not in ("support-copilot", "robot-vision"):
            return []
        sec = q(18_000 * kd.scale, p.name, env)
        requests = max(1, q(sec / 45, p.name, env, "r"))
        return [kd.base | {"model": "whisper-1", "seconds": sec, "num_model_requests": requests}]

    def _vector_stores_rows(self, kd: _KeyDay) -> list[dict[str, Any]]:
        p = kd.project
        if kd.env != "prod" or p.name not in ("doc-search", "support-copilot"):
            return []
        # storage is a level: grows slowly through the period
        gb = 2.0 + (kd.day - self.data_start) / DAY * 0.05 + (0.4 if p.name == "doc-search" else 0.0)
        return [{"project_id": p.id, "usage_bytes": int(gb * 1e9 * (1.07 if kd.restated else 1.0))}]

    @staticmethod
    def _code_interpreter_sessions_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        p = kd.project
        if kd.env != "prod" or p.name not in ("ml-platform", "fraud-model"):
            return []
        return [{"project_id": p.id, "num_sessions": kd.q(140, p.name, kd.env)}]

    def _file_search_calls_rows(self, kd: _KeyDay) -> list[dict[str, Any]]:
        p = kd.project
        if p.name not in ("doc-search", "support-copilot"):
            return []
        vs = f"vs_{_hex(24, self.seed, kd.org, p.name, 'store')}"
        return [kd.base | {"vector_store_id": vs, "num_requests": kd.q(3_000 * kd.scale, p.name, kd.env)}]

    @staticmethod
    def _web_search_calls_rows(kd: _KeyDay) -> list[dict[str, Any]]:
        p = kd.project
        if p.name not in ("support-copilot", "doc-search"):
            return []
        rows = []
        for level in ("low", "medium"):
            n = kd.q((900 if level == "medium" else 400) * kd.scale, p.name, kd.env, level)
            rows.append(
                kd.base
                | {
                    "api_source": kd.source,
                    "model": "gpt-4o-2024-08-06",
                    "context_level": level,
                    "num_requests": n,
                    "num_model_requests": n,
                }
            )
        return rows

    def _late_usage_row(self, org: str) -> dict[str, Any]:
        """A restated day also gains usage that arrived late: a new (project, key, model) completions row."""
        p = org_projects(self.seed, org)[-1]
        return {
            "project_id": p.id,
            "user_id": p.user_id,
            "api_key_id": p.keys[1],
            "api_source": "unlabeled",
            "model": "gpt-4o-2024-08-06",
            "batch": False,
            "service_tier": "default",
        } | _tokens(input_text_tokens=123_457, output_text_tokens=23_456, num_model_requests=77)

    @staticmethod
    def _detail_tokens(q: Any, scale: float, project: str) -> dict[str, Any]:
        """One :data:`DETAIL_MODEL` row with every token type: cache writes (30m, 12h), audio and image input
        (uncached and cached), audio and image output (the ``token_details`` option)."""
        k = (project, DETAIL_MODEL)
        return {"model": DETAIL_MODEL, "batch": False, "service_tier": "default"} | _tokens(
            input_text_tokens=q(900_000 * scale, *k, "text"),
            input_audio_tokens=q(120_000 * scale, *k, "audio"),
            input_image_tokens=q(80_000 * scale, *k, "image"),
            input_cached_text_tokens=q(400_000 * scale, *k, "ctext"),
            input_cached_audio_tokens=q(30_000 * scale, *k, "caudio"),
            input_cached_image_tokens=q(20_000 * scale, *k, "cimage"),
            input_cache_write_30m_tokens=q(150_000 * scale, *k, "w30m"),
            input_cache_write_12h_tokens=q(60_000 * scale, *k, "w12h"),
            output_text_tokens=q(200_000 * scale, *k, "otext"),
            output_audio_tokens=q(40_000 * scale, *k, "oaudio"),
            output_image_tokens=q(10_000 * scale, *k, "oimage"),
            num_model_requests=max(1, q(600 * scale, *k, "req")),
        )

    def usage_rows(self, org: str, endpoint: str, start: int, width: int) -> list[dict[str, Any]]:
        """Ungrouped usage rows for one bucket ``[start, start + width)`` (width = DAY, HOUR or 60 s, aligned).
        Flows are split exactly (integers that add up to the day); completions' token totals are re-derived from
        the split leaves, so that every bucket keeps input_tokens = its parts."""
        day = start // DAY * DAY
        rows = self._day_rows(org, endpoint, day)
        if width == DAY:
            return [dict(r) for r in rows]
        hour = (start - day) // HOUR
        minute = (start - day - hour * HOUR) // 60
        out = []
        for i, r in enumerate(rows):
            hr = dict(r)
            for f in ENDPOINTS[endpoint][2]:
                if f in LEVEL_FIELDS or (
                    endpoint == "completions" and f != "num_model_requests" and f not in TOKEN_LEAVES
                ):
                    continue
                key = (self.seed, org, endpoint, day, i, f)
                hr[f] = _share(int(r[f]), 24, hour, key)
                if width < HOUR:
                    hr[f] = _share(hr[f], 60, minute, (*key, hour))
            if endpoint == "completions":
                hr.update(_tokens(**{f: hr[f] for f in (*TOKEN_LEAVES, "num_model_requests")}))
            out.append(hr)
        return out

    def cost_rows(self, org: str, day: int) -> list[dict[str, Any]]:
        """Ungrouped cost rows (project_id, user_id, api_key_id, api_source, line_item, quantity, quantity_unit,
        amount: Decimal USD) of one day.

        Line items as the API reference shows them: ``"<model>, input"``, ``"<model>, cached input"``,
        ``"<model>, output"`` (batch / flex requests: a `` (batch)`` / `` (flex)`` suffix, billed at half price);
        the :data:`DETAIL_MODEL` rows use the newer ``"<model>, <usage field>"`` form of the SDK's docs
        (``"gpt-6.2-astra, input_tokens"``): ``input_tokens`` (uncached text, audio and image input),
        ``input_cached_tokens``, ``input_cache_write_tokens``, ``output_tokens``; tools as ``"web search tool
        calls"`` etc. ``quantity_unit`` is ``tokens``, ``images``, ``characters``, ``duration_seconds`` or null
        where no documented unit applies (tool calls, sessions, GB-days of vector storage)."""
        agg: dict[tuple[str, str | None, str | None, str | None, str, str | None], list[Decimal]] = {}
        for endpoint in ENDPOINTS:
            for r in self._day_rows(org, endpoint, day):
                for item, qty, price, discount, unit in self._cost_items(endpoint, r, day):
                    amount = D(qty) * price * (BATCH_DISCOUNT if discount else 1)
                    key = (r["project_id"], r.get("user_id"), r.get("api_key_id"), r.get("api_source"), item, unit)
                    acc = agg.setdefault(key, [D(0), D(0)])
                    acc[0] += D(qty)
                    acc[1] += amount
        return [
            {
                "project_id": pid,
                "user_id": user,
                "api_key_id": key,
                "api_source": source,
                "line_item": item,
                "quantity": qty,
                "quantity_unit": unit,
                "amount": _q10(amount),
            }
            for (pid, user, key, source, item, unit), (qty, amount) in sorted(
                agg.items(), key=lambda kv: tuple(v or "" for v in kv[0])
            )
        ]

    def _cost_items(
        self, endpoint: str, r: dict[str, Any], day: int
    ) -> list[tuple[str, int | Decimal, Decimal, bool, str | None]]:
        """(line item, quantity, unit price, batch/flex discount, quantity unit) of one usage row."""
        m = r.get("model")
        if endpoint == "completions" and m == DETAIL_MODEL:
            p = PRICES[m]
            return [
                (f"{m}, input_tokens", r["input_uncached_tokens"], p["input"], False, "tokens"),
                (f"{m}, input_cached_tokens", r["input_cached_tokens"], p["cached input"], False, "tokens"),
                (f"{m}, input_cache_write_tokens", r["input_cache_write_tokens"], p["cache write"], False, "tokens"),
                (f"{m}, output_tokens", r["output_tokens"], p["output"], False, "tokens"),
            ]
        if endpoint == "completions":
            f = self._price_factor(m, day)
            p = {token: price * f for token, price in PRICES[m].items()}
            disc = bool(r["batch"]) or r["service_tier"] == "flex"
            suffix = " (batch)" if r["batch"] else (" (flex)" if r["service_tier"] == "flex" else "")
            return [
                (f"{m}, input{suffix}", r["input_uncached_tokens"], p["input"], disc, "tokens"),
                (f"{m}, cached input{suffix}", r["input_cached_tokens"], p["cached input"], disc, "tokens"),
                (f"{m}, output{suffix}", r["output_tokens"], p["output"], disc, "tokens"),
            ]
        if endpoint in ("embeddings", "moderations"):
            return [(f"{m}, input", r["input_tokens"], PRICES[m]["input"], False, "tokens")]
        if endpoint == "images":
            return [(f"{m}, {r['size']}", r["images"], PRICES[m][r["size"]], False, "images")]
        if endpoint == "audio_speeches":
            return [(m, r["characters"], PRICES[m]["characters"], False, "characters")]
        if endpoint == "audio_transcriptions":
            return [(m, r["seconds"], PRICES[m]["seconds"], False, "duration_seconds")]
        if endpoint == "vector_stores":
            gb = D(r["usage_bytes"]) / D(10**9)
            return [("vector store storage", gb, PRICES["vector store storage"]["gb_day"], False, None)]
        tools = {
            "code_interpreter_sessions": ("code interpreter sessions", "num_sessions", "session"),
            "file_search_calls": ("file search tool calls", "num_requests", "call"),
            "web_search_calls": ("web search tool calls", "num_requests", "call"),
        }
        if endpoint in tools:
            item, field, per = tools[endpoint]
            return [(item, r[field], PRICES[item][per], False, None)]
        return []

    # ---- truth for tests -------------------------------------------------------------------------------------
    def total_cost(self, org: str, start: dt.datetime, end: dt.datetime) -> Decimal:
        """The sum of all cost amounts (USD) of ``org`` for the days in ``[start, end)``, as served."""
        total = D(0)
        for day in range(int(start.timestamp()) // DAY * DAY, int(end.timestamp()), DAY):
            total += sum((_served_amount(r["amount"]) for r in self.cost_rows(org, day)), D(0))
        return total

    def total_usage(self, org: str, endpoint: str, field: str, start: dt.datetime, end: dt.datetime) -> int:
        total = 0
        for day in range(int(start.timestamp()) // DAY * DAY, int(end.timestamp()), DAY):
            total += sum(int(r[field]) for r in self._day_rows(org, endpoint, day))
        return total

    def project_names(self, org: str) -> dict[str, str]:
        """project_id -> demo project (team) name, for tests and the demo."""
        return {p.id: p.name for p in org_projects(self.seed, org)}

    # ---- HTTP ------------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if request.method != "GET":
            raise HTTPError(405, f"method {request.method} not allowed")
        prefix = "/v1/organization/"
        if not request.path.startswith(prefix):
            raise HTTPError(404, f"unknown path {request.path}")
        rest = request.path[len(prefix) :].strip("/")
        if rest == "costs":
            return self._serve(request, None)
        if rest.startswith("usage/") and rest[len("usage/") :] in ENDPOINTS:
            return self._serve(request, rest[len("usage/") :])
        raise HTTPError(404, f"unknown path {request.path}")

    def _serve(self, request: Request, endpoint: str | None) -> Response:
        start_s = request.one("start_time")
        if start_s is None:
            raise HTTPError(400, "start_time is required")
        try:
            start = int(start_s)
            end = int(request.one("end_time") or self.data_end)
        except ValueError as exc:
            raise HTTPError(400, "start_time and end_time must be Unix seconds") from exc
        width_s = request.one("bucket_width", "1d")
        if endpoint is None and width_s != "1d":
            raise HTTPError(400, "bucket_width must be 1d for costs")
        if width_s not in USAGE_WIDTHS:
            raise HTTPError(400, f"bucket_width must be one of {list(USAGE_WIDTHS)}, got {width_s!r}")
        width, default_limit, max_limit = USAGE_WIDTHS[width_s]
        allowed = COSTS_GROUP_BY if endpoint is None else ENDPOINTS[endpoint][1]
        # the SDK sends arrays as group_by[]=a&group_by[]=b; plain repeated group_by= is accepted too
        group_by = list(dict.fromkeys(request.many("group_by", "group_by[]")))
        bad = [g for g in group_by if g not in allowed]
        if bad:
            raise HTTPError(400, f"invalid group_by value(s) {bad}; allowed: {list(allowed)}")
        if endpoint is None:
            default_limit, max_limit = 7, 180
        try:
            limit = int(request.one("limit") or default_limit)
        except ValueError as exc:
            raise HTTPError(400, "limit must be an integer") from exc
        if not 1 <= limit <= max_limit:
            raise HTTPError(400, f"limit must be between 1 and {max_limit}")
        if end <= start:
            raise HTTPError(400, "end_time must be after start_time")

        filters = {
            "project_id": set(request.many("project_ids", "project_ids[]")),
            "user_id": set(request.many("user_ids", "user_ids[]")),
            "api_key_id": set(request.many("api_key_ids", "api_key_ids[]")),
            "model": set(request.many("models", "models[]")),
            "line_item": set(request.many("line_items", "line_items[]")),
        }
        batch = request.one("batch")
        if batch is not None and endpoint == "completions":
            if batch not in ("true", "false"):
                raise HTTPError(400, "batch must be true or false")
            filters["batch"] = {batch == "true"}
        first = start // width * width
        bucket_starts = list(range(first, end, width))
        page_starts, has_more, next_page, page_no = paginate(bucket_starts, limit, request.one("page"))
        data = []
        for b in page_starts:
            if endpoint is None:
                rows = self.cost_rows(request.principal, b)
            else:
                rows = self.usage_rows(request.principal, endpoint, b, width)
            rows = [r for r in rows if all(not vals or r.get(f) in vals for f, vals in filters.items())]
            data.append(
                {
                    "object": "bucket",
                    "start_time": b,
                    "end_time": b + width,
                    "results": _group(rows, endpoint, group_by),
                }
            )
        self._served += 1
        headers = {
            "x-request-id": f"req_{_hex(32, self.seed, request.path, self._served)}",
            "openai-processing-ms": "12",
            "openai-version": "2020-10-01",
        }
        return Response(
            body={"object": "page", "data": data, "has_more": has_more, "next_page": next_page},
            headers=headers,
            page=page_no,
        )


class OpenAIFixtureServer(VendorServer):
    """Serves fixed pages (e.g. the API reference's documented example responses) for the usage endpoints and
    costs: ``OpenAIFixtureServer({"sk-...": "org"}, {"completions": page, "costs": page})``. Every bucket of a
    page whose ``[start_time, end_time)`` lies in the requested window is served, ``limit`` buckets per page with
    the opaque ``page`` cursor; an endpoint without a fixture answers an empty page. The bodies are served as
    given (no re-grouping), so a fixture must already have the shape the client asks for."""

    auth_scheme = "bearer"
    base_path = "/v1"

    def __init__(self, api_keys: Mapping[str, str], pages: Mapping[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(api_keys, **kwargs)
        unknown = set(pages) - set(ENDPOINTS) - {"costs"}
        if unknown:
            raise ValueError(f"unknown endpoint(s) {sorted(unknown)}")
        self.pages = dict(pages)

    def handle(self, request: Request) -> Response:
        prefix = "/v1/organization/"
        rest = request.path[len(prefix) :].strip("/") if request.path.startswith(prefix) else ""
        endpoint = "costs" if rest == "costs" else rest.removeprefix("usage/")
        if request.method != "GET" or not (rest == "costs" or (rest.startswith("usage/") and endpoint in ENDPOINTS)):
            raise HTTPError(404, f"unknown path {request.path}")
        try:
            start = int(request.one("start_time") or "")
            end = int(request.one("end_time") or 2**62)
            limit = int(request.one("limit") or 7)
        except ValueError as exc:
            raise HTTPError(400, "start_time (required), end_time and limit must be integers") from exc
        buckets = [
            b
            for b in (self.pages.get(endpoint) or {}).get("data", [])
            if start <= int(b["start_time"]) and int(b["end_time"]) <= end
        ]
        chunk, has_more, next_page, page_no = paginate(buckets, limit, request.one("page"))
        return Response(
            body={"object": "page", "data": chunk, "has_more": has_more, "next_page": next_page}, page=page_no
        )


def _tokens(**counts: int) -> dict[str, int]:
    """A completions result's token counts: the given leaves (missing ones 0) and the totals derived from them."""
    out = {f: int(counts.get(f, 0)) for f in TOKEN_LEAVES}
    for total, parts in TOKEN_TOTALS.items():
        out[total] = sum(out[p] for p in parts)
    out["input_tokens"] = out["input_uncached_tokens"] + out["input_cached_tokens"] + out["input_cache_write_tokens"]
    out["num_model_requests"] = int(counts.get("num_model_requests", 0))
    return out


def _share(total: int, parts: int, index: int, key: tuple) -> int:
    """Split ``total`` over ``parts`` slots deterministically (24 hours: a diurnal profile), integers summing to
    ``total``; the share of slot ``index``."""
    weights = [1.0 + 1.5 * (parts != 24 or 8 <= h < 20) + 0.3 * _u(*key, h) for h in range(parts)]
    sw = sum(weights)
    raw = [total * w / sw for w in weights]
    floors = [int(x) for x in raw]
    remainder = total - sum(floors)
    order = sorted(range(parts), key=lambda h: (-(raw[h] - floors[h]), h))
    for h in order[:remainder]:
        floors[h] += 1
    return floors[index]


def _q10(x: Decimal) -> Decimal:
    return x.quantize(D("1e-10"))


def _served_amount(amount: Decimal) -> Decimal:
    """The amount as a client reads it from the JSON number this server writes (float text)."""
    return D(repr(float(amount)))


def _group(rows: Iterable[dict[str, Any]], endpoint: str | None, group_by: list[str]) -> list[dict[str, Any]]:
    if endpoint is None:
        obj, dims, fields = "organization.costs.result", COSTS_GROUP_BY, ("quantity", "amount")
        units: dict[tuple, set[str | None]] = {}
    else:
        obj, dims, fields = ENDPOINTS[endpoint]
    acc: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = tuple(r.get(g) for g in group_by)
        out = acc.get(key)
        if out is None:
            out = acc[key] = (
                {"object": obj} | dict.fromkeys(dims) | {f: (D(0) if endpoint is None else 0) for f in fields}
            )
            for g in group_by:
                out[g] = r.get(g)
        for f in fields:
            out[f] += r.get(f) or 0
        if endpoint is None:
            units.setdefault(key, set()).add(r.get("quantity_unit"))
    results = []
    for key, out in acc.items():
        if endpoint is None:
            amount = _q10(out.pop("amount"))
            quantity = out.pop("quantity")
            out["amount"] = {"value": float(amount), "currency": "usd"}
            # quantity (and its unit) only when grouped by line item; unit null when no single unit applies
            by_item = "line_item" in group_by
            unit = units[key]
            out["quantity"] = float(quantity) if by_item else None
            out["quantity_unit"] = next(iter(unit)) if by_item and len(unit) == 1 else None
        results.append(out)
    return results


def main(argv: list[str] | None = None) -> None:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--org",
            action="append",
            default=[],
            metavar="NAME=KEY",
            help="an organisation and its admin key (repeatable); default northwind=sk-admin-demo",
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--restate-days", type=int, default=0)
        parser.add_argument("--rate-limit-every", type=int, default=None)

    def build(args: argparse.Namespace) -> OpenAIServer:
        orgs = args.org or ["northwind=sk-admin-demo"]
        keys = {}
        for spec in orgs:
            name, _, key = spec.partition("=")
            if not name or not key:
                raise SystemExit(f"--org expects NAME=KEY, got an entry for {name!r}")
            keys[key] = name
        srv = OpenAIServer(
            keys,
            seed=args.seed,
            host=args.host,
            port=args.port,
            faults=Faults(rate_limit_every=args.rate_limit_every),
        )
        srv.restate(args.restate_days)
        return srv

    run_cli(build, "Local OpenAI admin Usage and Costs API server", argv, add)


if __name__ == "__main__":
    main()
