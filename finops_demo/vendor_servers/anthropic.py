"""A local Anthropic Admin API (usage and cost reports) for the demo and the tests.

Serves, over real HTTP on 127.0.0.1 (base :class:`~finops_demo.vendor_servers._base.VendorServer`), the wire format
of Anthropic's Admin API with ``x-api-key`` auth and a required ``anthropic-version`` header:

* ``GET /v1/organizations/usage_report/messages``  - legacy usage report (``starting_at``, ``ending_at``,
  ``bucket_width`` 1d|1h, ``group_by[]`` ⊂ api_key_id, workspace_id, model, service_tier, context_window,
  inference_geo, filters ``workspace_ids[]``/``api_key_ids[]``/``models[]``/``service_tiers[]``, ``limit``, ``page``)
* ``GET /v1/organizations/cost_report``             - legacy cost report (``bucket_width`` 1d only, ``group_by[]`` ⊂
  workspace_id, description; ``amount`` in cents as a decimal string)
* ``GET /v1/organizations/usage_report/claude_code`` - Claude Code per-user daily report (``starting_at`` = one day)
* ``GET /v1/organizations/analytics/usage`` and ``/analytics/cost`` - the beta Usage and Cost Analytics API
  (header ``anthropic-beta: analytics-usage-cost-2026-08-24``; one item per time bucket x group, ``group`` object,
  ``usage`` / ``cost`` metrics; ranges of at most 31 days)

Data is deterministic from ``seed`` and consistent with the demo enterprise (:mod:`finops_demo.generator.enterprise`):
workspaces are the AI teams' projects, each with a prod and a dev API key. The cost report is exactly usage x the
list prices in :data:`PRICES` (cents, as exact decimals), so tests can reconcile. ``restate_last_days`` +
:meth:`AnthropicServer.restate` change the last N days (vendor restatement) so look-back loads can be tested.

Run for the demo: ``python -m finops_demo.vendor_servers.anthropic --port 8082 --key northwind-robotics=KEY1
--key northwind-research=KEY2`` (each ``--key ORG=KEY`` is one organisation's admin key; keys are never printed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from finops_demo.generator.enterprise import TEAM_BY_PROJECT, Team
from finops_demo.vendor_servers._base import (
    Faults,
    HTTPError,
    Request,
    Response,
    VendorServer,
    paginate,
    run_cli,
)

__all__ = [
    "ANALYTICS_BETA",
    "DEMO_ORGANIZATIONS",
    "PRICES",
    "AnthropicServer",
    "Fact",
    "cost_cents",
]

ANALYTICS_BETA = "analytics-usage-cost-2026-08-24"
USAGE_DIMS = ("workspace_id", "api_key_id", "model", "service_tier", "context_window", "inference_geo")
COST_GROUPS = ("workspace_id", "description")
ANALYTICS_COST_DIMS = (*USAGE_DIMS, "cost_type", "token_type")
# The analytics API (SDK docs of usage.list / cost.list): at most 5 group_by[] dimensions, cost_type and token_type
# not counted; limit 1-1000, default 20; ranges of at most 31 days, starting no earlier than 2026-01-01.
ANALYTICS_MAX_GROUP_BY = 5
ANALYTICS_FANOUT_DIMS = ("cost_type", "token_type")
ANALYTICS_EARLIEST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TOKEN_TYPES = (
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "output_tokens",
)

# Anthropic list prices, USD per million tokens: (input, output, cache write 5m, cache write 1h, cache read).
# Long context (200k-1M, Sonnet only) doubles input-side prices and multiplies output by 1.5; batch halves all.
PRICES: dict[str, dict[str, Decimal]] = {
    model: {
        "uncached_input_tokens": Decimal(i),
        "output_tokens": Decimal(o),
        "cache_creation.ephemeral_5m_input_tokens": Decimal(w5),
        "cache_creation.ephemeral_1h_input_tokens": Decimal(w1),
        "cache_read_input_tokens": Decimal(r),
    }
    for model, (i, o, w5, w1, r) in {
        "claude-opus-4-1-20250805": ("15", "75", "18.75", "30", "1.50"),
        "claude-sonnet-4-5-20250929": ("3", "15", "3.75", "6", "0.30"),
        "claude-haiku-4-5-20251001": ("1", "5", "1.25", "2", "0.10"),
        "claude-3-5-haiku-20241022": ("0.80", "4", "1", "1.6", "0.08"),
    }.items()
}
DISPLAY = {
    "claude-opus-4-1-20250805": "Claude Opus 4.1",
    "claude-sonnet-4-5-20250929": "Claude Sonnet 4.5",
    "claude-haiku-4-5-20251001": "Claude Haiku 4.5",
    "claude-3-5-haiku-20241022": "Claude Haiku 3.5",
}
TOKEN_LABEL = {
    "uncached_input_tokens": "Input Tokens",
    "output_tokens": "Output Tokens",
    "cache_read_input_tokens": "Input Tokens, Cache Read",
    "cache_creation.ephemeral_5m_input_tokens": "Input Tokens, Cache Write (5m)",
    "cache_creation.ephemeral_1h_input_tokens": "Input Tokens, Cache Write (1h)",
}
WEB_SEARCH_CENTS = Decimal(1)  # $10 per 1,000 searches

# The demo's Anthropic organisations: name -> (AI team projects with a workspace, model mix per project).
DEMO_ORGANIZATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "northwind-robotics": {
        "support-copilot": ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"),
        "doc-search": ("claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"),
        "fraud-model": ("claude-3-5-haiku-20241022",),
        None: ("claude-sonnet-4-5-20250929",),  # the default workspace (workspace_id null)
    },
    "northwind-research": {
        "robot-vision": ("claude-opus-4-1-20250805", "claude-sonnet-4-5-20250929"),
        "ml-platform": ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"),
    },
}
_VOLUME = {  # daily uncached input tokens of a prod key, per project (dev keys get ~15 %)
    "support-copilot": 2_400_000,
    "doc-search": 3_100_000,
    "fraud-model": 900_000,
    "robot-vision": 450_000,
    "ml-platform": 1_600_000,
    None: 120_000,
}


def cost_cents(model: str, token_type: str, tokens: int, service_tier: str, context_window: str) -> Decimal:
    """List cost in cents (exact) of ``tokens`` of one token type."""
    price = PRICES[model][token_type]  # USD per MTok
    if context_window == "200k-1M":
        price *= Decimal("1.5") if token_type == "output_tokens" else Decimal(2)
    if service_tier == "batch":
        price /= 2
    return price * tokens / 10_000  # USD/MTok * tokens / 1e6 * 100 cents


# ----------------------------------------------------------------------------------------------------------------------
# deterministic data
# ----------------------------------------------------------------------------------------------------------------------
def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _u(*parts: object) -> float:
    return _h(*parts) / 2**64


def _id(prefix: str, *parts: object) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnopqrstuvwxyz"
    n = _h(prefix, *parts)
    out = []
    for _ in range(22):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
        if n == 0:
            n = _h(prefix, *parts, len(out))
    return f"{prefix}_01{''.join(out)}"


@dataclass(frozen=True)
class Fact:
    """Usage of one day at the finest grain the server keeps."""

    org: str
    day: dt.date
    workspace_id: str | None
    api_key_id: str
    model: str
    service_tier: str
    context_window: str
    inference_geo: str
    tokens: tuple[int, int, int, int, int]  # in TOKEN_TYPES order
    web_search_requests: int
    requests: int

    def dim(self, name: str) -> str | None:
        return getattr(self, name)


def _utc(s: str, name: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError as exc:
        raise HTTPError(400, f"{name}: invalid RFC 3339 timestamp {s!r}") from exc
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AnthropicServer(VendorServer):
    """The local Anthropic Admin API. ``api_keys`` maps each admin key to its organisation name."""

    auth_scheme = "x-api-key"
    base_path = ""  # clients append /v1/organizations/...

    def __init__(
        self,
        api_keys: Mapping[str, str],
        *,
        seed: int = 42,
        start: dt.date = dt.date(2026, 9, 1),
        end: dt.date = dt.date(2026, 11, 1),
        restate_last_days: int = 3,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(api_keys, faults=faults, host=host, port=port)
        unknown = set(self.api_keys.values()) - set(DEMO_ORGANIZATIONS)
        if unknown:
            raise ValueError(f"unknown organisation(s) {sorted(unknown)}; known: {sorted(DEMO_ORGANIZATIONS)}")
        self.seed = seed
        self.data_start = start
        self.data_end = end  # exclusive; the server's "now" is end 00:00 UTC
        self.restate_last_days = restate_last_days
        self.restatement = 0
        self._cost_lines: dict[str, list[dict[str, Any]]] = {}
        self._hour_weights: dict[tuple[str, dt.date], list[int]] = {}
        self._listings: dict[tuple, list[Any]] = {}  # a listing's items, computed once and served page by page

    # ---- the truth -------------------------------------------------------------------------------------------------
    @property
    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.data_end, dt.time(), dt.UTC)

    def restate(self, version: int | None = None) -> None:
        """Restate the last ``restate_last_days`` days (new token counts and costs), as vendors do."""
        self.restatement = self.restatement + 1 if version is None else version
        self.__dict__.pop("_facts", None)
        self._cost_lines.clear()
        self._listings.clear()

    def workspaces(self, org: str) -> dict[str | None, str | None]:
        """project (None = default workspace) -> workspace_id (None for the default workspace)."""
        return {p: (_id("wrkspc", self.seed, org, p) if p else None) for p in DEMO_ORGANIZATIONS[org]}

    def api_keys_of(self, org: str) -> dict[str, tuple[str | None, str]]:
        """api_key_id -> (project, env)."""
        out = {}
        for project in DEMO_ORGANIZATIONS[org]:
            for env in ("prod", "dev") if project else ("prod",):
                out[_id("apikey", self.seed, org, project, env)] = (project, env)
        return out

    @cached_property
    def _facts(self) -> dict[str, list[Fact]]:
        out: dict[str, list[Fact]] = {}
        restated_from = self.data_end - dt.timedelta(days=self.restate_last_days)
        for org in sorted(set(self.api_keys.values())):
            ws = self.workspaces(org)
            facts = []
            day = self.data_start
            while day < self.data_end:
                version = self.restatement if (self.restatement and day >= restated_from) else 0
                weekday = 1.0 if day.weekday() < 5 else 0.35
                for key_id, (project, env) in self.api_keys_of(org).items():
                    team: Team | None = TEAM_BY_PROJECT.get(project) if project else None
                    for m_i, model in enumerate(DEMO_ORGANIZATIONS[org][project]):
                        variants = [("standard", "0-200k")]
                        if project == "ml-platform" and env == "prod":
                            variants.append(("batch", "0-200k"))
                        if project == "doc-search" and model.startswith("claude-sonnet"):
                            variants.append(("standard", "200k-1M"))
                        geo = "us" if (team and team.business_unit == "finance") else "global"
                        for tier, cw in variants:
                            k = (self.seed, org, day, key_id, model, tier, cw)
                            if _u(*k, "present") > 0.88:
                                continue
                            share = (0.7 if m_i == 0 else 0.3) * (1.0 if env == "prod" else 0.15)
                            share *= 0.25 if cw == "200k-1M" else 1.0
                            noise = 0.6 + 0.8 * _u(*k, "vol")
                            if version:
                                noise *= 1.0 + 0.07 * version + 0.05 * _u(*k, "restated", version)
                            base = int(_VOLUME[project] * share * weekday * noise)
                            if base <= 0:
                                continue
                            cache_read = int(base * (0.8 + _u(*k, "cr")))
                            w5 = int(base * 0.08 * _u(*k, "w5"))
                            w1 = int(base * 0.03 * _u(*k, "w1")) if project in ("support-copilot", "doc-search") else 0
                            out_tok = int(base * (0.12 + 0.2 * _u(*k, "out")))
                            searches = int(40 * _u(*k, "ws")) if project == "doc-search" and tier == "standard" else 0
                            facts.append(
                                Fact(
                                    org,
                                    day,
                                    ws[project],
                                    key_id,
                                    model,
                                    tier,
                                    cw,
                                    geo,
                                    (base, cache_read, w5, w1, out_tok),
                                    searches,
                                    max(1, (base + cache_read) // 3_000),
                                )
                            )
                day += dt.timedelta(days=1)
            out[org] = facts
        return out

    def facts(self, org: str) -> list[Fact]:
        return self._facts[org]

    def _hour_tokens(self, f: Fact, hour: int) -> tuple[tuple[int, ...], int, int]:
        """A day's fact split over 24 hours exactly (integer parts summing to the daily totals)."""
        weights = self._hour_weights.get((f.api_key_id, f.day))
        if weights is None:
            weights = self._hour_weights[(f.api_key_id, f.day)] = [
                1000 + 3000 * (8 <= h <= 18) + int(1000 * _u(self.seed, f.api_key_id, f.day, h)) for h in range(24)
            ]
        total = sum(weights)
        upto, before = sum(weights[: hour + 1]), sum(weights[:hour])

        def part(n: int) -> int:  # integer cumulative split: the 24 parts sum to n exactly
            return n * upto // total - n * before // total

        return tuple(part(n) for n in f.tokens), part(f.web_search_requests), part(f.requests)

    def cost_lines(self, org: str) -> list[dict[str, Any]]:
        """Every cost line of the organisation at the finest grain (one per day x fact x token type), in cents."""
        if org in self._cost_lines:
            return self._cost_lines[org]
        lines = self._cost_lines[org] = []
        for f in self.facts(org):
            first = True  # the fact's requests go on its first line only, so a sum over lines counts them once
            for tt, n in zip(TOKEN_TYPES, f.tokens, strict=True):
                if n:
                    lines.append(
                        {
                            "day": f.day,
                            "workspace_id": f.workspace_id,
                            "api_key_id": f.api_key_id,
                            "model": f.model,
                            "service_tier": f.service_tier,
                            "context_window": f.context_window,
                            "inference_geo": f.inference_geo,
                            "cost_type": "tokens",
                            "token_type": tt,
                            "description": self._description(f, tt),
                            "cents": cost_cents(f.model, tt, n, f.service_tier, f.context_window),
                            "requests": f.requests if first else 0,
                        }
                    )
                    first = False
            if f.web_search_requests:
                lines.append(
                    {
                        "day": f.day,
                        "workspace_id": f.workspace_id,
                        "api_key_id": f.api_key_id,
                        "model": None,
                        "service_tier": None,
                        "context_window": None,
                        "inference_geo": None,
                        "cost_type": "web_search",
                        "token_type": None,
                        "description": "Web Search Usage",
                        "cents": WEB_SEARCH_CENTS * f.web_search_requests,
                        "requests": None,
                    }
                )
        return lines

    @staticmethod
    def _description(f: Fact, token_type: str) -> str:
        d = f"{DISPLAY[f.model]} Usage - {TOKEN_LABEL[token_type]}"
        if f.context_window == "200k-1M":
            d += " (Long Context)"
        if f.service_tier == "batch":
            d += " (Batch)"
        return d

    def total_cost_cents(self, org: str, start: dt.date | None = None, end: dt.date | None = None) -> Decimal:
        """What the cost report sums to for ``[start, end)`` (the reconciliation truth)."""
        return sum(
            (
                ln["cents"]
                for ln in self.cost_lines(org)
                if (start is None or ln["day"] >= start) and (end is None or ln["day"] < end)
            ),
            Decimal(0),
        )

    def total_tokens(self, org: str) -> dict[str, int]:
        out = dict.fromkeys(TOKEN_TYPES, 0)
        for f in self.facts(org):
            for tt, n in zip(TOKEN_TYPES, f.tokens, strict=True):
                out[tt] += n
        return out

    def claude_code_records(self, org: str, day: dt.date) -> list[dict[str, Any]]:
        records = []
        projects = [p for p in DEMO_ORGANIZATIONS[org] if p]
        for project in projects:
            team = TEAM_BY_PROJECT[project]
            users = [team.owner, team.owner.replace(team.owner.split("@")[0], f"dev.{project}")]
            for u_i, email in enumerate(users):
                k = (self.seed, org, day, email)
                if day.weekday() >= 5 or _u(*k, "active") > 0.8:
                    continue
                sessions = 1 + int(6 * _u(*k, "s"))
                breakdown = []
                for model in ("claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"):
                    inp = int(sessions * 40_000 * _u(*k, model, "in"))
                    out = int(inp * 0.3)
                    cr = int(inp * 4 * _u(*k, model, "cr"))
                    cc = int(inp * 0.2)
                    if not inp:
                        continue
                    cents = (
                        cost_cents(model, "uncached_input_tokens", inp, "standard", "0-200k")
                        + cost_cents(model, "output_tokens", out, "standard", "0-200k")
                        + cost_cents(model, "cache_read_input_tokens", cr, "standard", "0-200k")
                        + cost_cents(model, "cache_creation.ephemeral_5m_input_tokens", cc, "standard", "0-200k")
                    )
                    breakdown.append(
                        {
                            "model": model,
                            "tokens": {"input": inp, "output": out, "cache_read": cr, "cache_creation": cc},
                            "estimated_cost": {"currency": "USD", "amount": round(float(cents), 2)},
                        }
                    )
                records.append(
                    {
                        "date": _iso(dt.datetime.combine(day, dt.time(), dt.UTC)),
                        "actor": {"type": "user_actor", "email_address": email},
                        "organization_id": _id("org", self.seed, org)[4:],
                        "customer_type": "api",
                        "subscription_type": None,  # "enterprise"/"team" for subscription customers; null for API ones
                        "terminal_type": ("vscode", "iTerm.app", "pycharm")[u_i % 3],
                        "core_metrics": {
                            "num_sessions": sessions,
                            "lines_of_code": {
                                "added": int(sessions * 120 * _u(*k, "la")),
                                "removed": int(sessions * 40 * _u(*k, "lr")),
                            },
                            "commits_by_claude_code": int(sessions * _u(*k, "c")),
                            "pull_requests_by_claude_code": int(sessions * 0.3 * _u(*k, "pr")),
                        },
                        "tool_actions": {
                            t: {"accepted": int(20 * _u(*k, t, "a")), "rejected": int(4 * _u(*k, t, "r"))}
                            for t in ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")
                        },
                        "model_breakdown": breakdown,
                    }
                )
        return records

    # ---- HTTP ------------------------------------------------------------------------------------------------------
    def authenticate(self, headers: Mapping[str, str]) -> str | None:
        """``x-api-key: KEY`` (the Admin API reference's curl examples) or ``Authorization: Bearer KEY`` (what the
        official Python SDK, anthropic 2.x, sends for ``api_key=``)."""
        key = headers.get("x-api-key", "").strip()
        if not key:
            scheme, _, key = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer":
                return None
        return self.api_keys.get(key.strip()) if key else None

    def error_body(self, status: int, message: str, error_type: str) -> dict[str, Any]:
        return {"type": "error", "error": {"type": error_type, "message": message}}

    def handle(self, request: Request) -> Response:
        if request.method != "GET":
            raise HTTPError(405, "method not allowed")
        if not request.headers.get("anthropic-version"):
            raise HTTPError(400, "anthropic-version: header is required")
        routes = {
            "/v1/organizations/usage_report/messages": self._messages,
            "/v1/organizations/cost_report": self._cost_report,
            "/v1/organizations/usage_report/claude_code": self._claude_code,
            "/v1/organizations/analytics/usage": self._analytics_usage,
            "/v1/organizations/analytics/cost": self._analytics_cost,
        }
        route = routes.get(request.path.rstrip("/"))
        if route is None:
            raise HTTPError(404, f"Not found: {request.path}", "not_found_error")
        return route(request)

    # buckets ---------------------------------------------------------------------------------------------------------
    def _buckets(self, request: Request, width: str, *, max_days: int | None = None) -> list[dt.datetime]:
        raw = request.one("starting_at")
        if not raw:
            raise HTTPError(400, "starting_at: field required")
        step = {"1d": dt.timedelta(days=1), "1h": dt.timedelta(hours=1)}.get(width)
        if step is None:
            raise HTTPError(400, f"bucket_width: unsupported value {width!r} (this server serves 1d and 1h)")
        start = _utc(raw, "starting_at")
        start = start.replace(minute=0, second=0, microsecond=0)
        if width == "1d":
            start = start.replace(hour=0)
        end_raw = request.one("ending_at")
        end = _utc(end_raw, "ending_at") if end_raw else self.now
        if max_days is not None and end - start > dt.timedelta(days=max_days):
            raise HTTPError(400, f"the range from starting_at to ending_at may span at most {max_days} days")
        if end <= start:
            raise HTTPError(400, "ending_at must be after starting_at")
        end = min(end, self.now)
        out = []
        t = start
        while t + step <= end:
            out.append(t)
            t += step
        return out

    @staticmethod
    def _limit(request: Request, default: int, maximum: int) -> int:
        raw = request.one("limit")
        try:
            limit = int(raw) if raw else default
        except ValueError as exc:
            raise HTTPError(400, f"limit: invalid integer {raw!r}") from exc
        if not 1 <= limit <= maximum:
            raise HTTPError(400, f"limit: must be between 1 and {maximum}")
        return limit

    @staticmethod
    def _group_by(request: Request, allowed: Sequence[str]) -> tuple[str, ...]:
        groups = tuple(dict.fromkeys(request.many("group_by", "group_by[]")))
        bad = [g for g in groups if g not in allowed]
        if bad:
            raise HTTPError(400, f"group_by: unsupported value(s) {bad}; allowed: {list(allowed)}")
        return groups

    def _filtered(self, request: Request, facts: list[Fact]) -> list[Fact]:
        for param, dim in (
            ("workspace_ids", "workspace_id"),
            ("api_key_ids", "api_key_id"),
            ("models", "model"),
            ("service_tiers", "service_tier"),
            ("context_window", "context_window"),
            ("inference_geos", "inference_geo"),
        ):
            wanted = request.many(param, param + "[]")
            if wanted:
                facts = [f for f in facts if f.dim(dim) in wanted]
        return facts

    def _usage_rows(
        self, request: Request, width: str, starts: list[dt.datetime], groups: Sequence[str]
    ) -> dict[dt.datetime, list[dict[str, Any]]]:
        org = request.principal
        step = dt.timedelta(days=1) if width == "1d" else dt.timedelta(hours=1)
        wanted = set(starts)
        agg: dict[dt.datetime, dict[tuple, list[int]]] = defaultdict(dict)
        first, last = (starts[0], starts[-1] + step) if starts else (None, None)
        for f in self._filtered(request, self.facts(org)):
            day0 = dt.datetime.combine(f.day, dt.time(), dt.UTC)
            if first is None or day0 + dt.timedelta(days=1) <= first or day0 >= last:
                continue
            parts = (
                [(day0, f.tokens, f.web_search_requests, f.requests)]
                if width == "1d"
                else [(day0 + dt.timedelta(hours=h), *self._hour_tokens(f, h)) for h in range(24)]
            )
            for t, tokens, searches, reqs in parts:
                if t not in wanted:
                    continue
                key = tuple(f.dim(g) if g in groups else None for g in USAGE_DIMS)
                acc = agg[t].setdefault(key, [0] * 7)
                for i, n in enumerate((*tokens, searches, reqs)):
                    acc[i] += n
        out: dict[dt.datetime, list[dict[str, Any]]] = {}
        for t in starts:
            rows = []
            for key, acc in sorted(agg.get(t, {}).items(), key=lambda kv: tuple(x or "" for x in kv[0])):
                if not any(acc[:6]):
                    continue
                row: dict[str, Any] = dict(zip(USAGE_DIMS, key, strict=True))
                row.update(
                    uncached_input_tokens=acc[0],
                    cache_read_input_tokens=acc[1],
                    cache_creation={"ephemeral_5m_input_tokens": acc[2], "ephemeral_1h_input_tokens": acc[3]},
                    output_tokens=acc[4],
                    server_tool_use={"web_search_requests": acc[5]},
                    _requests=acc[6],
                )
                rows.append(row)
            out[t] = rows
        return out

    def _messages(self, request: Request) -> Response:
        width = request.one("bucket_width", "1d")
        limit = self._limit(request, *({"1d": (7, 31), "1h": (24, 168)}.get(width, (7, 31))))
        groups = self._group_by(request, USAGE_DIMS)
        starts = self._buckets(request, width)
        page, has_more, next_page, number = paginate(starts, limit, request.one("page"))
        step = dt.timedelta(days=1) if width == "1d" else dt.timedelta(hours=1)
        rows = self._usage_rows(request, width, page, groups)
        data = []
        for t in page:
            results = [{k: v for k, v in r.items() if k != "_requests"} for r in rows[t]]
            data.append({"starting_at": _iso(t), "ending_at": _iso(t + step), "results": results})
        return Response(body={"data": data, "has_more": has_more, "next_page": next_page}, page=number)

    def _cost_rows(
        self, request: Request, starts: list[dt.datetime], dims: Sequence[str], groups: Sequence[str]
    ) -> dict[dt.datetime, dict[tuple, list]]:
        wanted = {t.date(): t for t in starts}
        agg: dict[dt.datetime, dict[tuple, list]] = defaultdict(dict)
        for ln in self.cost_lines(request.principal):
            t = wanted.get(ln["day"])
            if t is None:
                continue
            key = tuple(ln[d] if d in groups else None for d in dims)
            acc = agg[t].setdefault(key, [Decimal(0), 0])
            acc[0] += ln["cents"]
            acc[1] += ln["requests"] or 0
        return agg

    def _cost_report(self, request: Request) -> Response:
        width = request.one("bucket_width", "1d")
        if width != "1d":
            raise HTTPError(400, "bucket_width: the cost report supports 1d only")
        limit = self._limit(request, 7, 31)
        groups = self._group_by(request, COST_GROUPS)
        starts = self._buckets(request, "1d")
        page, has_more, next_page, number = paginate(starts, limit, request.one("page"))
        # grouped by description, the line's own model/token type/tier/context window are known; else they are
        # null. inference_geo is "always null if not grouping by inference geo", and this report cannot group by
        # it, so it is always null here; speed likewise (fast mode is a beta this server does not serve).
        detail = ("model", "service_tier", "context_window", "cost_type", "token_type")
        dims = ("workspace_id", "description", *detail)
        agg = self._cost_rows(request, page, dims, (*groups, *(detail if "description" in groups else ())))
        data = []
        for t in page:
            results = []
            for key, (cents, _) in sorted(agg.get(t, {}).items(), key=lambda kv: tuple(x or "" for x in kv[0])):
                row = dict(zip(dims, key, strict=True))
                results.append(
                    {
                        "currency": "USD",
                        "amount": _cents_text(cents),
                        "workspace_id": row["workspace_id"],
                        "description": row["description"],
                        "cost_type": row["cost_type"],
                        "context_window": row["context_window"],
                        "model": row["model"],
                        "service_tier": row["service_tier"],
                        "token_type": row["token_type"],
                        "inference_geo": None,
                        "speed": None,
                    }
                )
            data.append({"starting_at": _iso(t), "ending_at": _iso(t + dt.timedelta(days=1)), "results": results})
        return Response(body={"data": data, "has_more": has_more, "next_page": next_page}, page=number)

    def _claude_code(self, request: Request) -> Response:
        raw = request.one("starting_at")
        if not raw:
            raise HTTPError(400, "starting_at: field required")
        try:
            day = dt.date.fromisoformat(raw[:10])
        except ValueError as exc:
            raise HTTPError(400, f"starting_at: invalid date {raw!r} (YYYY-MM-DD)") from exc
        limit = self._limit(request, 20, 1000)
        records = self.claude_code_records(request.principal, day) if self.data_start <= day < self.data_end else []
        page, has_more, next_page, number = paginate(records, limit, request.one("page"))
        return Response(body={"data": page, "has_more": has_more, "next_page": next_page}, page=number)

    def _analytics_check(self, request: Request) -> None:
        betas = {b.strip() for b in request.headers.get("anthropic-beta", "").split(",")}
        if ANALYTICS_BETA not in betas:
            raise HTTPError(400, f"this endpoint requires the beta header anthropic-beta: {ANALYTICS_BETA}")

    def _analytics_group_by(self, request: Request, allowed: Sequence[str]) -> tuple[str, ...]:
        """group_by[] of the analytics API: at most 5 dimensions; cost_type and token_type are not counted."""
        groups = self._group_by(request, allowed)
        counted = [g for g in groups if g not in ANALYTICS_FANOUT_DIMS]
        if len(counted) > ANALYTICS_MAX_GROUP_BY:
            raise HTTPError(
                400,
                f"group_by: at most {ANALYTICS_MAX_GROUP_BY} dimensions may be requested (cost_type "
                f"and token_type not counted), got {len(counted)}: {counted}",
            )
        return groups

    def _analytics_window(
        self, request: Request, *, daily_only: bool = False
    ) -> tuple[list[tuple[dt.datetime, dt.datetime, list[dt.datetime], str]], str]:
        """The periods an analytics request covers: ``[(start, end, fine buckets, fine width)]`` and the width.

        With ``time_bucket_width`` (``ending_at`` then required) one period per bucket; without it, one period for
        the whole range, ``starting_at``/``ending_at`` rounded down to the hour (``ending_at`` defaults to the
        earlier of now and ``starting_at`` + 31 days). The range may span at most 31 days and starts no earlier
        than 2026-01-01T00:00:00Z."""
        width = request.one("time_bucket_width")
        if width not in (None, "1d", "1h", "1m"):
            raise HTTPError(400, f"time_bucket_width: invalid value {width!r}; allowed: 1d, 1h, 1m")
        if width == "1m":
            raise HTTPError(400, "time_bucket_width: 1m is not served by this local server (1d and 1h are)")
        if daily_only and width == "1h":
            raise HTTPError(400, "time_bucket_width: this local server keeps cost per day only (1d)")
        raw = request.one("starting_at")
        if not raw:
            raise HTTPError(400, "starting_at: field required")
        if width and not request.one("ending_at"):
            raise HTTPError(400, "ending_at: field required when time_bucket_width is set")
        start = _utc(raw, "starting_at")
        if start < ANALYTICS_EARLIEST:
            raise HTTPError(400, "starting_at: must be no earlier than 2026-01-01T00:00:00Z")
        if start < self.now - dt.timedelta(days=365):
            raise HTTPError(400, "starting_at: must be within the last 365 days")
        if width:
            starts = self._buckets(request, width, max_days=31)
            step = dt.timedelta(days=1) if width == "1d" else dt.timedelta(hours=1)
            return [(t, t + step, [t], width) for t in starts], width
        end_raw = request.one("ending_at")
        end = _utc(end_raw, "ending_at") if end_raw else min(self.now, start + dt.timedelta(days=31))
        s0, e0 = start.replace(minute=0, second=0, microsecond=0), end.replace(minute=0, second=0, microsecond=0)
        if e0 - s0 > dt.timedelta(days=31):
            raise HTTPError(400, "the range from starting_at to ending_at may span at most 31 days")
        if e0 <= s0:
            raise HTTPError(400, "ending_at must be at least an hour after starting_at")
        whole_days = s0.hour == 0 and e0.hour == 0
        if daily_only and not whole_days:
            raise HTTPError(
                400,
                "this local server keeps cost per day only: starting_at and ending_at must be "
                "whole UTC days when time_bucket_width is omitted",
            )
        fine = "1d" if whole_days else "1h"
        step = dt.timedelta(days=1) if fine == "1d" else dt.timedelta(hours=1)
        buckets, t = [], s0
        while t + step <= min(e0, self.now):
            buckets.append(t)
            t += step
        return [(s0, e0, buckets, fine)], ""

    def _listing(self, request: Request, build) -> list[Any]:
        """The items of a listing (every page of it), built once per query (without ``page``) and restatement."""
        key = (
            request.path,
            request.principal,
            self.restatement,
            tuple(sorted((k, tuple(v)) for k, v in request.query.items() if k != "page")),
        )
        with self._lock:
            items = self._listings.get(key)
        if items is None:
            items = build()
            with self._lock:
                if len(self._listings) > 256:
                    self._listings.clear()
                self._listings[key] = items
        return items

    def _analytics_usage(self, request: Request) -> Response:
        self._analytics_check(request)
        groups = self._analytics_group_by(request, USAGE_DIMS)
        limit = self._limit(request, 20, 1000)
        periods, _ = self._analytics_window(request)
        items = self._listing(request, lambda: self._analytics_usage_items(request, groups, periods))
        page, has_more, next_page, number = paginate(items, limit, request.one("page"))
        return Response(body={"data": page, "has_more": has_more, "next_page": next_page}, page=number)

    def _analytics_usage_items(self, request: Request, groups: tuple[str, ...], periods: list) -> list[Any]:
        rows: list[tuple[int, tuple, dict[str, Any]]] = []
        for p_start, p_end, buckets, fine in periods:
            per_bucket = self._usage_rows(request, fine, buckets, groups)
            merged: dict[tuple, dict[str, Any]] = {}
            for t in buckets:
                for r in per_bucket[t]:
                    key = tuple(r[d] for d in USAGE_DIMS)
                    acc = merged.setdefault(key, {"u": 0, "cr": 0, "w5": 0, "w1": 0, "o": 0, "ws": 0, "rq": 0})
                    acc["u"] += r["uncached_input_tokens"]
                    acc["cr"] += r["cache_read_input_tokens"]
                    acc["w5"] += r["cache_creation"]["ephemeral_5m_input_tokens"]
                    acc["w1"] += r["cache_creation"]["ephemeral_1h_input_tokens"]
                    acc["o"] += r["output_tokens"]
                    acc["ws"] += r["server_tool_use"]["web_search_requests"]
                    acc["rq"] += r["_requests"]
            for key, a in merged.items():
                total = a["u"] + a["cr"] + a["w5"] + a["w1"] + a["o"]
                rows.append(
                    (
                        total,
                        key,
                        {
                            "starting_at": _iso(p_start),
                            "ending_at": _iso(p_end),
                            "group": dict(zip(USAGE_DIMS, key, strict=True)),
                            "usage": {
                                "uncached_input_tokens": a["u"],
                                "cache_read_input_tokens": a["cr"],
                                "cache_creation": {
                                    "ephemeral_1h_input_tokens": a["w1"],
                                    "ephemeral_5m_input_tokens": a["w5"],
                                },
                                "output_tokens": a["o"],
                                "server_tool_use": {"web_search_requests": a["ws"]},
                                "requests": a["rq"],
                                "total_tokens": total,
                            },
                        },
                    )
                )
        # the default order_by total_tokens, order desc, over every row (ties by bucket and group: stable pages)
        rows.sort(key=lambda r: (-r[0], r[2]["starting_at"], tuple(x or "" for x in r[1])))
        return [r[2] for r in rows]

    def _analytics_cost(self, request: Request) -> Response:
        self._analytics_check(request)
        groups = self._analytics_group_by(request, ANALYTICS_COST_DIMS)
        limit = self._limit(request, 20, 1000)
        periods, _ = self._analytics_window(request, daily_only=True)
        ordered = self._listing(request, lambda: self._analytics_cost_rows(request, groups, periods))
        page, has_more, next_page, number = paginate(ordered, limit, request.one("page"))
        data = [
            it for _, (_, fan) in page for _, _, it in sorted(fan, key=lambda f: (-f[0], tuple(x or "" for x in f[1])))
        ]
        return Response(body={"data": data, "has_more": has_more, "next_page": next_page}, page=number)

    def _analytics_cost_rows(self, request: Request, groups: tuple[str, ...], periods: list) -> list[Any]:
        # requests: null when grouped by cost_type or token_type (no per-component attribution)
        no_requests = any(g in groups for g in ANALYTICS_FANOUT_DIMS)
        counted = [i for i, d in enumerate(ANALYTICS_COST_DIMS) if d not in ANALYTICS_FANOUT_DIMS]
        # one "row" = a combination of the counted dimensions (and bucket) with its cost_type/token_type fan-out:
        # the fan-out does not count toward limit, so a page holds `limit` rows and all their fan-out items
        rows: dict[tuple, list[Any]] = {}
        for p_start, p_end, buckets, _fine in periods:
            agg = self._cost_rows(request, buckets, ANALYTICS_COST_DIMS, groups)
            merged: dict[tuple, list] = {}
            for t in buckets:
                for key, (cents, reqs) in agg.get(t, {}).items():
                    acc = merged.setdefault(key, [Decimal(0), 0])
                    acc[0] += cents
                    acc[1] += reqs
            for key, (cents, reqs) in merged.items():
                row = rows.setdefault((_iso(p_start), tuple(key[i] for i in counted)), [Decimal(0), []])
                row[0] += cents
                row[1].append(
                    (
                        cents,
                        key,
                        {
                            "starting_at": _iso(p_start),
                            "ending_at": _iso(p_end),
                            "group": dict(zip(ANALYTICS_COST_DIMS, key, strict=True)),
                            "cost": {
                                "amount": _cents_text(cents),
                                "list_amount": _cents_text(cents),
                                "currency": "USD",
                                "requests": None if no_requests else reqs,
                            },
                        },
                    )
                )
        # the default order_by amount, order desc (ties by bucket and group: stable pages)
        return sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0][0], tuple(x or "" for x in kv[0][1])))


def _cents_text(cents: Decimal) -> str:
    """Exact decimal text, never in exponent form ("0.00003", "123.45")."""
    text = format(cents, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ----------------------------------------------------------------------------------------------------------------------
def _build(args: Any) -> AnthropicServer:
    keys = {}
    for spec in args.key or []:
        org, _, key = spec.partition("=")
        if not key:
            raise SystemExit("--key takes ORG=KEY")
        keys[key] = org
    if not keys:
        raise SystemExit("give at least one --key ORG=KEY (organisations: " + ", ".join(DEMO_ORGANIZATIONS) + ")")
    return AnthropicServer(
        keys,
        seed=args.seed,
        start=dt.date.fromisoformat(args.start),
        end=dt.date.fromisoformat(args.end),
        restate_last_days=args.restate_last_days,
        host=args.host,
        port=args.port,
    )


def _arguments(p: Any) -> None:
    p.add_argument("--key", action="append", help=f"ORG=KEY, repeatable (ORG one of: {', '.join(DEMO_ORGANIZATIONS)})")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--start", default="2026-09-01")
    p.add_argument("--end", default="2026-11-01", help="exclusive; the server's 'now'")
    p.add_argument("--restate-last-days", type=int, default=3)


if __name__ == "__main__":
    run_cli(_build, "Local Anthropic Admin API (usage and cost reports)", add_arguments=_arguments)
