"""Anthropic Admin API client, row mapping and the incremental bucket logic.

HTTP. A thin dlt :class:`RESTClient` per organisation over dlt's retrying ``requests`` session: 429 and 5xx are
retried with exponential backoff honouring ``Retry-After`` (bounded by ``max_attempts`` and ``max_retry_delay``),
connection errors, timeouts and cut-off bodies too; every request has a timeout. Pagination is Anthropic's
``has_more`` + ``next_page`` (sent back as ``page``) by :class:`HasMorePaginator`. The key is set by an auth object
at send time, so it is in no default header, log line (dlt logs headers at DEBUG), exception or repr.

Errors (:class:`AnthropicUsageError`) name the organisation, the endpoint and the page, never the key:
401/403 say which secret to set; malformed JSON and truncated bodies name endpoint and page.

Incremental. Per resource and organisation the state keeps the last bucket start loaded and a fingerprint of
every bucket inside the look-back window. A run re-reads ``[last - lookback, end)``; a bucket whose rows are
unchanged is skipped (so a second run loads nothing), a changed (restated) bucket is emitted whole and replaces
its earlier copy (delete-insert on ``(organization_name, bucket_starting_at)``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests.auth import AuthBase

from ingestion._common.errors import transport_failure

from . import settings as S

logger = logging.getLogger(__name__)

_TEN = Decimal("1e-10")
_LIMIT = Decimal(10) ** 28


# ------------------------------------------------------------------------------------------------------ errors
class AnthropicUsageError(Exception):
    """A request to the Anthropic Admin API failed; the message names organisation, endpoint and page."""


class AnthropicAuthError(AnthropicUsageError):
    """401/403: the admin key is missing, wrong or lacks the permission."""


# ------------------------------------------------------------------------------------------------ organisations
@dataclass(frozen=True)
class Organization:
    name: str
    api_key: str = field(repr=False)
    base_url: str = S.DEFAULT_BASE_URL
    secret_location: str = S.ENV_API_KEY  # where its key is configured (for error messages)

    def __repr__(self) -> str:  # never the key
        return f"Organization(name={self.name!r}, base_url={self.base_url!r})"


def parse_organizations(organizations: Any, api_key: str | None, organization_name: str,
                        base_url: str) -> list[Organization]:
    """The configured organisations: ``organizations`` (list of {name, api_key, base_url}, or its JSON text),
    else one organisation from ``api_key`` / ``organization_name`` / ``base_url``."""
    if isinstance(organizations, str) and organizations.strip():
        try:
            organizations = json.loads(organizations)
        except json.JSONDecodeError:
            raise AnthropicUsageError(
                f"{S.ENV_ORGANIZATIONS} (sources.anthropic_usage.organizations) is not valid JSON: expected a list "
                "of {\"name\", \"api_key\", \"base_url\"} objects") from None
    out: list[Organization] = []
    if organizations:
        if isinstance(organizations, dict):
            organizations = [organizations]
        for i, org in enumerate(organizations):
            where = f"{S.ENV_ORGANIZATIONS}[{i}].api_key (sources.anthropic_usage.organizations[{i}].api_key)"
            name = str(org.get("name") or "").strip()
            key = str(org.get("api_key") or "").strip()
            if not name:
                raise AnthropicUsageError(f"organisation #{i} has no name: set {S.ENV_ORGANIZATIONS}[{i}].name")
            if not key:
                raise AnthropicAuthError(f"organisation {name!r} has no admin API key: set {where}")
            out.append(Organization(name, key, str(org.get("base_url") or S.DEFAULT_BASE_URL).rstrip("/"), where))
    elif api_key:
        out.append(Organization(organization_name, str(api_key).strip(), base_url.rstrip("/"),
                                f"{S.ENV_API_KEY} (sources.anthropic_usage.api_key)"))
    else:
        raise AnthropicAuthError(
            f"No Anthropic admin API key configured: set {S.ENV_API_KEY}, or {S.ENV_ORGANIZATIONS} as a JSON list of "
            f"{{name, api_key, base_url}} for several organisations ({S.SECRETS_TOML_HINT}).")
    names = [o.name for o in out]
    if len(set(names)) != len(names):
        raise AnthropicUsageError(f"organisation names must be unique, got {names}")
    return out


# ----------------------------------------------------------------------------------------------------- client
class _AdminKeyAuth(AuthBase):
    """Sets ``x-api-key`` when the request is prepared (not in default headers, so never logged)."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["x-api-key"] = self._key
        return r

    def __repr__(self) -> str:
        return "<x-api-key auth>"

    __str__ = __repr__


class HasMorePaginator(BasePaginator):
    """Anthropic: ``{"data": [...], "has_more": bool, "next_page": token}``; the token goes back as ``page``."""

    def __init__(self) -> None:
        super().__init__()
        self.page_token: str | None = None
        self.page_number = 1

    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        body = data[0] if data else {}
        has_more = bool(body.get("has_more")) if isinstance(body, dict) else False
        token = body.get("next_page") if isinstance(body, dict) else None
        if has_more and not token:
            raise AnthropicUsageError("has_more is true but next_page is missing")
        if has_more and token == self.page_token:
            raise AnthropicUsageError(f"next_page repeats the previous token {token!r} (the API would loop)")
        self.page_token = token if has_more else None
        self._has_next_page = has_more

    def update_request(self, request: requests.Request) -> None:
        if self._has_next_page:
            request.params["page"] = self.page_token
            self.page_number += 1


class AnthropicClient:
    """One organisation's Admin API client. :meth:`pages` yields response bodies of a paginated listing."""

    def __init__(self, org: Organization, *, timeout: float = 60.0, max_attempts: int = 6,
                 backoff_factor: float = 1.0, max_retry_delay: float = 60.0) -> None:
        self.org = org
        self.max_attempts = max_attempts
        session = Client(request_timeout=timeout, raise_for_status=False, request_max_attempts=max_attempts,
                         request_backoff_factor=backoff_factor, request_max_retry_delay=max_retry_delay,
                         respect_retry_after_header=True).session
        self._rest = RESTClient(base_url=org.base_url, headers={"anthropic-version": S.ANTHROPIC_VERSION},
                                auth=_AdminKeyAuth(org.api_key), session=session)

    def __repr__(self) -> str:
        return f"AnthropicClient({self.org!r})"

    def _where(self, endpoint: str, page: int, token: str | None) -> str:
        tok = f", page token {token!r}" if token else ""
        return f"Anthropic organisation {self.org.name!r}, {endpoint}, page {page}{tok}"

    def _raise_for_status(self, endpoint: str, paginator: HasMorePaginator) -> Callable[..., None]:
        def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
            status = response.status_code
            if status < 400:
                return
            where = self._where(endpoint, paginator.page_number, paginator.page_token)
            if status in (401, 403):
                what = "rejected the admin API key" if status == 401 else "refused access (the key lacks permission)"
                raise AnthropicAuthError(
                    f"{where}: HTTP {status}, the Admin API {what}. Set a valid Anthropic admin key "
                    f"(sk-ant-admin...) in {self.org.secret_location}.")
            if status == 429 or status >= 500:
                # requests.HTTPError with the response: dlt's retry predicate retries it (honouring Retry-After)
                raise requests.HTTPError(f"{where}: HTTP {status}", response=response)
            raise AnthropicUsageError(f"{where}: HTTP {status}: {self._message(response)}")

        return hook

    def _message(self, response: requests.Response) -> str:
        try:
            msg = str(response.json()["error"]["message"])
        except Exception:  # noqa: BLE001 - any non-Anthropic error body
            msg = response.text[:300]
        return msg.replace(self.org.api_key, "<redacted>") if self.org.api_key else msg

    def pages(self, endpoint: str, params: dict[str, Any], headers: dict[str, str] | None = None
              ) -> Iterator[dict[str, Any]]:
        path = S.ENDPOINTS[endpoint]
        paginator = HasMorePaginator()
        hooks = {"response": [self._raise_for_status(path, paginator)]}
        it = self._rest.paginate(path, params=dict(params), headers=headers, paginator=paginator,
                                 data_selector="$", hooks=hooks)
        while True:
            try:
                page = next(it)
            except StopIteration:
                return
            except AnthropicUsageError as e:
                if not str(e).startswith("Anthropic organisation"):
                    raise AnthropicUsageError(
                        f"{self._where(path, paginator.page_number, paginator.page_token)}: {e}") from None
                raise
            except requests.JSONDecodeError as e:
                raise AnthropicUsageError(
                    f"{self._where(path, paginator.page_number, paginator.page_token)}: the response is not valid "
                    f"JSON ({e.msg} at char {e.pos}); the API returned a malformed page") from None
            except requests.HTTPError as e:
                status = e.response.status_code if e.response is not None else "?"
                raise AnthropicUsageError(
                    f"{self._where(path, paginator.page_number, paginator.page_token)}: HTTP {status} after "
                    f"{self.max_attempts} attempts (429/5xx are retried with backoff honouring Retry-After)"
                ) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as e:
                raise AnthropicUsageError(
                    f"{self._where(path, paginator.page_number, paginator.page_token)}: {transport_failure(e)} "
                    f"after {self.max_attempts} attempts") from None
            body = page[0] if page else None
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise AnthropicUsageError(
                    f"{self._where(path, paginator.page_number - (1 if paginator.has_next_page else 0), None)}: "
                    "unexpected response shape (no 'data' list)")
            yield body


# ------------------------------------------------------------------------------------------------------ values
def parse_ts(value: Any, what: str = "timestamp") -> dt.datetime:
    if isinstance(value, dt.datetime):
        t = value
    elif isinstance(value, dt.date):
        t = dt.datetime.combine(value, dt.time())
    else:
        try:
            t = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise AnthropicUsageError(f"{what}: not an RFC 3339 timestamp: {value!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC)


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def floor_bucket(t: dt.datetime, width: str) -> dt.datetime:
    t = t.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return t.replace(hour=0) if width == "1d" else t


def step(width: str) -> dt.timedelta:
    return dt.timedelta(days=1) if width == "1d" else dt.timedelta(hours=1)


def decimal_text(value: Any, where: str) -> tuple[Decimal, str]:
    """An exact Decimal from the wire text of a number (a string, or a JSON number's shortest text)."""
    raw = value if isinstance(value, str) else (repr(value) if isinstance(value, float) else str(value))
    try:
        d = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        raise AnthropicUsageError(f"{where}: amount {value!r} is not a number") from None
    if not d.is_finite() or abs(d) >= _LIMIT:
        raise AnthropicUsageError(f"{where}: amount {value!r} is not a finite number")
    return d, raw


def cents_to_money(value: Any, where: str) -> tuple[Decimal, Decimal, str] | tuple[None, None, None]:
    """Anthropic amounts are cents (lowest currency unit) as decimal strings: returns
    ``(dollars, cents, raw_text)``, DECIMAL(38,10)-exact (half-up beyond 10 places)."""
    if value is None:
        return None, None, None
    cents, raw = decimal_text(value, where)
    return (cents / 100).quantize(_TEN, ROUND_HALF_UP), cents.quantize(_TEN, ROUND_HALF_UP), raw


def _int(value: Any) -> int:
    return int(value) if value is not None else 0


def row_key(*parts: Any) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def fingerprint(rows: Iterable[dict[str, Any]]) -> str:
    blob = json.dumps(sorted(json.dumps(r, sort_keys=True, default=str) for r in rows))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------------- row maps
def _bucket_cols(org: Organization, api: str, start: dt.datetime, end: dt.datetime, width: str) -> dict[str, Any]:
    return {"organization_name": org.name, "api": api, "bucket_starting_at": start, "bucket_ending_at": end,
            "bucket_width": width}


def messages_row(org: Organization, api: str, start: dt.datetime, end: dt.datetime, width: str,
                 dims: dict[str, Any], usage: dict[str, Any]) -> dict[str, Any]:
    cache = usage.get("cache_creation") or {}
    tools = usage.get("server_tool_use") or {}
    row = _bucket_cols(org, api, start, end, width)
    row.update({d: dims.get(d) for d in S.MESSAGES_DIMENSIONS})
    row.update(
        uncached_input_tokens=_int(usage.get("uncached_input_tokens")),
        cache_read_input_tokens=_int(usage.get("cache_read_input_tokens")),
        cache_creation_5m_input_tokens=_int(cache.get("ephemeral_5m_input_tokens")),
        cache_creation_1h_input_tokens=_int(cache.get("ephemeral_1h_input_tokens")),
        output_tokens=_int(usage.get("output_tokens")),
        token_unit=S.TOKEN_UNIT,
        web_search_requests=_int(tools.get("web_search_requests")),
        web_search_unit=S.REQUEST_UNIT,
        requests=usage.get("requests"),
        request_unit=S.REQUEST_UNIT,
    )
    row["row_key"] = row_key(org.name, api, iso(start), iso(end), *(row[d] for d in S.MESSAGES_DIMENSIONS))
    return row


def cost_row(org: Organization, api: str, start: dt.datetime, end: dt.datetime, dims: dict[str, Any],
             amount: Any, currency: Any, list_amount: Any, requests_: Any, where: str) -> dict[str, Any]:
    if not currency:
        raise AnthropicUsageError(f"{where}: a cost row has an amount but no currency")
    dollars, cents, raw = cents_to_money(amount, where)
    if dollars is None:
        raise AnthropicUsageError(f"{where}: a cost row has no amount")
    l_dollars, l_cents, l_raw = cents_to_money(list_amount, where)
    row = _bucket_cols(org, api, start, end, "1d")
    keys = ("workspace_id", "description", *S.COST_DETAIL, "api_key_id")
    row.update({k: dims.get(k) for k in keys})
    row.update(amount=dollars, amount_cents=cents, amount_cents_raw=raw, list_amount=l_dollars,
               list_amount_cents=l_cents, list_amount_cents_raw=l_raw, currency=str(currency).upper(),
               requests=requests_)
    row["row_key"] = row_key(org.name, api, iso(start), iso(end), *(row[k] for k in keys))
    return row


def claude_code_rows(org: Organization, record: dict[str, Any], where: str
                     ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    actor = record.get("actor") or {}
    actor_type = actor.get("type")
    actor_id = actor.get("email_address") or actor.get("api_key_name")
    date = parse_ts(record.get("date"), f"{where}: date")
    core = record.get("core_metrics") or {}
    loc = core.get("lines_of_code") or {}
    base = {"organization_name": org.name, "date": date, "actor_type": actor_type, "actor_id": actor_id,
            "customer_type": record.get("customer_type"), "terminal_type": record.get("terminal_type")}
    key = row_key(org.name, iso(date), actor_type, actor_id, base["customer_type"], base["terminal_type"])
    user = {**base, "row_key": key, "organization_id": record.get("organization_id"),
            "num_sessions": _int(core.get("num_sessions")), "lines_added": _int(loc.get("added")),
            "lines_removed": _int(loc.get("removed")), "commits": _int(core.get("commits_by_claude_code")),
            "pull_requests": _int(core.get("pull_requests_by_claude_code")),
            "tool_actions": record.get("tool_actions") or {}}
    models = []
    for m in record.get("model_breakdown") or []:
        tokens = m.get("tokens") or {}
        cost = m.get("estimated_cost") or {}
        dollars, cents, raw = cents_to_money(cost.get("amount"), f"{where}: estimated_cost")
        models.append({**base, "row_key": row_key(key, m.get("model")), "model": m.get("model"),
                       "input_tokens": _int(tokens.get("input")), "output_tokens": _int(tokens.get("output")),
                       "cache_read_tokens": _int(tokens.get("cache_read")),
                       "cache_creation_tokens": _int(tokens.get("cache_creation")), "token_unit": S.TOKEN_UNIT,
                       "estimated_cost": dollars, "estimated_cost_cents": cents, "estimated_cost_cents_raw": raw,
                       "currency": (cost.get("currency") or "").upper() or None})
    return user, models


# ------------------------------------------------------------------------------------- analytics group-by split
@dataclass
class SplitJoin:
    """The outcome of :func:`join_split_groups` for one bucket: the items with every dimension, and the join keys
    whose second-request dimension could not be attached exactly (kept NULL)."""

    items: list[dict[str, Any]]
    unresolved: list[tuple[Any, ...]]


def join_split_groups(first: list[dict[str, Any]], second: list[dict[str, Any]], join_key: tuple[str, ...],
                      first_only: tuple[str, ...], second_only: tuple[str, ...],
                      measure: Callable[[dict[str, Any]], tuple[Any, ...]], where: str,
                      tolerance: Decimal = Decimal(0)) -> SplitJoin:
    """Joins the items of two analytics requests over the same bucket whose group_by[] sets share ``join_key``
    (each request within the API's 5 dimensions) into items grouped by every dimension, without double counting.

    Both requests partition the same usage, so per join key their measures (``measure(item)``: tokens, or cents)
    must add up to the same totals; otherwise :class:`AnthropicUsageError` (the data changed between the two
    requests). Per join key:

    * one value of the first request's own dimensions (e.g. the API key's single workspace): the second request's
      items, with those dimensions set from the first - exact;
    * else one value of the second request's own dimensions: the first request's items with that value - exact;
    * else (several workspaces *and* several inference geos for the same key, e.g. Console usage without an API
      key): the first request's items with the second request's dimensions NULL - totals exact, that dimension
      unknown; the key is reported in ``unresolved``.
    """
    def index(items: list[dict[str, Any]]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
        out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for it in items:
            g = it.get("group") or {}
            out.setdefault(tuple(g.get(d) for d in join_key), []).append(it)
        return out

    def total(items: list[dict[str, Any]]) -> tuple[Any, ...]:
        sums: list[Any] | None = None
        for it in items:
            m = measure(it)
            sums = list(m) if sums is None else [a + b for a, b in zip(sums, m, strict=True)]
        return tuple(sums or ())

    a, b = index(first), index(second)
    out: list[dict[str, Any]] = []
    unresolved: list[tuple[Any, ...]] = []
    for key in sorted(set(a) | set(b), key=lambda k: tuple("" if v is None else str(v) for v in k)):
        left, right = a.get(key, []), b.get(key, [])
        lt, rt = total(left), total(right)
        if not left or not right or len(lt) != len(rt) or any(abs(x - y) > tolerance for x, y in zip(lt, rt)):
            raise AnthropicUsageError(
                f"{where}: the two group_by[] requests of the split (at most 5 dimensions each) disagree for "
                f"{dict(zip(join_key, key))}: {lt or 'no rows'} vs {rt or 'no rows'}. The data changed between the "
                "two requests (e.g. the current bucket is still filling); run the load again.")
        left_vals = {tuple((it.get("group") or {}).get(d) for d in first_only) for it in left}
        right_vals = {tuple((it.get("group") or {}).get(d) for d in second_only) for it in right}
        if len(left_vals) == 1:
            (vals,) = left_vals
            out.extend({**it, "group": {**it["group"], **dict(zip(first_only, vals))}} for it in right)
        elif len(right_vals) == 1:
            (vals,) = right_vals
            out.extend({**it, "group": {**it["group"], **dict(zip(second_only, vals))}} for it in left)
        else:
            out.extend({**it, "group": {**it["group"], **dict.fromkeys(second_only)}} for it in left)
            unresolved.append(key)
    return SplitJoin(out, unresolved)


# ------------------------------------------------------------------------------------------------ incremental
def incremental_buckets(
    state: dict[str, Any],
    initial_start: dt.datetime,
    end: dt.datetime,
    lookback: dt.timedelta,
    fetch: Callable[[dt.datetime, dt.datetime], Iterator[tuple[dt.datetime, list[dict[str, Any]]]]],
) -> Iterator[list[dict[str, Any]]]:
    """Re-read ``[max(initial_start, last - lookback), end)`` and yield only buckets whose rows changed.

    ``state`` is this organisation's slot of the resource state: ``last_bucket_start`` (ISO) and
    ``fingerprints`` {bucket ISO: hash} for the buckets inside the look-back window.
    """
    last = state.get("last_bucket_start")
    start = initial_start if last is None else max(initial_start, parse_ts(last) - lookback)
    if start >= end:
        return
    fps: dict[str, str] = state.setdefault("fingerprints", {})
    newest = parse_ts(last) if last else None
    for bucket_start, rows in fetch(start, end):
        key = iso(bucket_start)
        fp = fingerprint(rows)
        if fps.get(key) != fp:
            if rows:
                yield rows
            elif key in fps:
                logger.warning("bucket %s is now empty but was loaded before; its earlier rows stay", key)
            fps[key] = fp
        if newest is None or bucket_start > newest:
            newest = bucket_start
    if newest is not None:
        state["last_bucket_start"] = iso(newest)
        keep_from = iso(newest - lookback - dt.timedelta(days=1))
        for k in [k for k in fps if k < keep_from]:
            del fps[k]


def windows(start: dt.datetime, end: dt.datetime, days: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    t = start
    while t < end:
        u = min(end, t + dt.timedelta(days=days))
        yield t, u
        t = u
