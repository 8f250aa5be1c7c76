"""Anthropic Admin API: the configured organisations, row mapping and the incremental bucket logic (pure
functions). The HTTP client (``has_more``/``next_page`` pagination, retries honouring ``Retry-After``, timeouts,
errors naming organisation, endpoint and page, the key set as ``x-api-key`` only when a request is prepared) is the
REST sources' shared one: :mod:`ingestion._common.http`.

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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ingestion._common.http import Account, AccountsConfig, VendorApiError, VendorResponseError, parse_accounts

from . import settings as S

logger = logging.getLogger(__name__)

_TEN = Decimal("1e-10")
_LIMIT = Decimal(10) ** 28

# the REST sources' shared error tree (ingestion._common.http), under this source's names


# ------------------------------------------------------------------------------------------------ organisations
def organization(
    name: str, api_key: str, base_url: str = S.DEFAULT_BASE_URL, secret_hint: str = S.ENV_API_KEY
) -> Account:
    """One Anthropic organisation (``secret_hint``: where its key is configured, named when it is rejected)."""
    return Account(
        "Anthropic",
        "organisation",
        name,
        base_url,
        api_key,
        secret_hint,
        "Anthropic admin key (sk-ant-admin...)",
        auth_header="x-api-key",
    )


ORGANIZATIONS = AccountsConfig(
    make=organization,
    invalid_json=(
        f"{S.ENV_ORGANIZATIONS} (sources.anthropic_usage.organizations) is not valid JSON: expected a list "
        'of {"name", "api_key", "base_url"} objects'
    ),
    not_a_list=None,  # one {name, api_key, base_url} object is a list of one
    no_name=lambda i: f"organisation #{i} has no name: set {S.ENV_ORGANIZATIONS}[{i}].name",
    key_hint=lambda i: f"{S.ENV_ORGANIZATIONS}[{i}].api_key (sources.anthropic_usage.organizations[{i}].api_key)",
    no_key=lambda name, hint: f"organisation {name!r} has no admin API key: set {hint}",
    no_single_key=(
        f"No Anthropic admin API key configured: set {S.ENV_API_KEY}, or {S.ENV_ORGANIZATIONS} as a JSON list of "
        f"{{name, api_key, base_url}} for several organisations ({S.SECRETS_TOML_HINT})."
    ),
    single_hint=f"{S.ENV_API_KEY} (sources.anthropic_usage.api_key)",
    duplicate_names=lambda names: f"organisation names must be unique, got {names}",
    entry_base_url=S.DEFAULT_BASE_URL,
    blank_text_is_unset=True,
)


def parse_organizations(
    organizations: Any, api_key: str | None, organization_name: str, base_url: str
) -> list[Account]:
    """The configured organisations: ``organizations`` (list of {name, api_key, base_url}, or its JSON text),
    else one organisation from ``api_key`` / ``organization_name`` / ``base_url``
    (:func:`ingestion._common.http.parse_accounts`)."""
    return parse_accounts(organizations, api_key, organization_name, base_url, ORGANIZATIONS)


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
            raise VendorApiError(f"{what}: not an RFC 3339 timestamp: {value!r}") from None
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
        raise VendorApiError(f"{where}: amount {value!r} is not a number") from None
    if not d.is_finite() or abs(d) >= _LIMIT:
        raise VendorApiError(f"{where}: amount {value!r} is not a finite number")
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
def _bucket_cols(org: Account, api: str, start: dt.datetime, end: dt.datetime, width: str) -> dict[str, Any]:
    return {
        "organization_name": org.name,
        "api": api,
        "bucket_starting_at": start,
        "bucket_ending_at": end,
        "bucket_width": width,
    }


def messages_row(
    org: Account,
    api: str,
    start: dt.datetime,
    end: dt.datetime,
    width: str,
    dims: dict[str, Any],
    usage: dict[str, Any],
) -> dict[str, Any]:
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


def cost_row(
    org: Account,
    api: str,
    start: dt.datetime,
    end: dt.datetime,
    dims: dict[str, Any],
    amount: Any,
    currency: Any,
    list_amount: Any,
    requests_: Any,
    where: str,
) -> dict[str, Any]:
    if not currency:
        raise VendorApiError(f"{where}: a cost row has an amount but no currency")
    dollars, cents, raw = cents_to_money(amount, where)
    if dollars is None:
        raise VendorApiError(f"{where}: a cost row has no amount")
    l_dollars, l_cents, l_raw = cents_to_money(list_amount, where)
    row = _bucket_cols(org, api, start, end, "1d")
    keys = ("workspace_id", "description", *S.COST_DETAIL, "api_key_id")
    row.update({k: dims.get(k) for k in keys})
    row.update(
        amount=dollars,
        amount_cents=cents,
        amount_cents_raw=raw,
        list_amount=l_dollars,
        list_amount_cents=l_cents,
        list_amount_cents_raw=l_raw,
        currency=str(currency).upper(),
        requests=requests_,
    )
    row["row_key"] = row_key(org.name, api, iso(start), iso(end), *(row[k] for k in keys))
    return row


def claude_code_rows(org: Account, record: dict[str, Any], where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    actor = record.get("actor") or {}
    actor_type = actor.get("type")
    actor_id = actor.get("email_address") or actor.get("api_key_name")
    date = parse_ts(record.get("date"), f"{where}: date")
    core = record.get("core_metrics") or {}
    loc = core.get("lines_of_code") or {}
    base = {
        "organization_name": org.name,
        "date": date,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "customer_type": record.get("customer_type"),
        "terminal_type": record.get("terminal_type"),
    }
    key = row_key(org.name, iso(date), actor_type, actor_id, base["customer_type"], base["terminal_type"])
    user = {
        **base,
        "row_key": key,
        "organization_id": record.get("organization_id"),
        "num_sessions": _int(core.get("num_sessions")),
        "lines_added": _int(loc.get("added")),
        "lines_removed": _int(loc.get("removed")),
        "commits": _int(core.get("commits_by_claude_code")),
        "pull_requests": _int(core.get("pull_requests_by_claude_code")),
        "tool_actions": record.get("tool_actions") or {},
    }
    models = []
    for m in record.get("model_breakdown") or []:
        tokens = m.get("tokens") or {}
        cost = m.get("estimated_cost") or {}
        dollars, cents, raw = cents_to_money(cost.get("amount"), f"{where}: estimated_cost")
        models.append(
            {
                **base,
                "row_key": row_key(key, m.get("model")),
                "model": m.get("model"),
                "input_tokens": _int(tokens.get("input")),
                "output_tokens": _int(tokens.get("output")),
                "cache_read_tokens": _int(tokens.get("cache_read")),
                "cache_creation_tokens": _int(tokens.get("cache_creation")),
                "token_unit": S.TOKEN_UNIT,
                "estimated_cost": dollars,
                "estimated_cost_cents": cents,
                "estimated_cost_cents_raw": raw,
                "currency": (cost.get("currency") or "").upper() or None,
            }
        )
    return user, models


# ------------------------------------------------------------------------------------- analytics group-by split
@dataclass
class SplitJoin:
    """The outcome of :func:`join_split_groups` for one bucket: the items with every dimension, and the join keys
    whose second-request dimension could not be attached exactly (kept NULL)."""

    items: list[dict[str, Any]]
    unresolved: list[tuple[Any, ...]]


def join_split_groups(
    first: list[dict[str, Any]],
    second: list[dict[str, Any]],
    join_key: tuple[str, ...],
    first_only: tuple[str, ...],
    second_only: tuple[str, ...],
    measure: Callable[[dict[str, Any]], tuple[Any, ...]],
    where: str,
    tolerance: Decimal = Decimal(0),
) -> SplitJoin:
    """Joins the items of two analytics requests over the same bucket whose group_by[] sets share ``join_key``
    (each request within the API's 5 dimensions) into items grouped by every dimension, without double counting.

    Both requests partition the same usage, so per join key their measures (``measure(item)``: tokens, or cents)
    must add up to the same totals; otherwise :class:`VendorResponseError` (the data changed between the two
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
            raise VendorResponseError(
                f"{where}: the two group_by[] requests of the split (at most 5 dimensions each) disagree for "
                f"{dict(zip(join_key, key))}: {lt or 'no rows'} vs {rt or 'no rows'}. The data changed between the "
                "two requests (e.g. the current bucket is still filling); run the load again."
            )
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


def load_range(start_date: Any, end_date: Any, width: str) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of the first run: ``start_date`` (default 30 days ago) floored to the bucket, ``end_date``
    (default now)."""
    now = dt.datetime.now(dt.UTC)
    start = (
        parse_ts(start_date, "start_date")
        if start_date is not None
        else now - dt.timedelta(days=S.DEFAULT_INITIAL_DAYS)
    )
    end = parse_ts(end_date, "end_date") if end_date is not None else now
    return floor_bucket(start, width), end


def usage_measure(item: dict[str, Any]) -> tuple[int, ...]:
    u = item.get("usage") or {}
    cache = u.get("cache_creation") or {}
    return (
        int(u.get("uncached_input_tokens") or 0),
        int(u.get("cache_read_input_tokens") or 0),
        int(cache.get("ephemeral_5m_input_tokens") or 0),
        int(cache.get("ephemeral_1h_input_tokens") or 0),
        int(u.get("output_tokens") or 0),
        int((u.get("server_tool_use") or {}).get("web_search_requests") or 0),
        int(u.get("requests") or 0),
    )


def cost_measure(item: dict[str, Any]) -> tuple[Decimal, ...]:
    cost = item.get("cost") or {}
    where = f"{S.ENDPOINTS['analytics_cost']} bucket {item.get('starting_at')}"
    return tuple(
        decimal_text(cost.get(k) if cost.get(k) is not None else "0", where)[0] for k in ("amount", "list_amount")
    )
