"""Anthropic Admin API usage and cost reports -> dataset ``anthropic_usage``.

Tables (see README.md for every column, key and unit):

* ``messages_usage``          - Messages API tokens per bucket x workspace x API key x model x service tier x
  context window x inference geo (legacy ``usage_report/messages`` or the beta ``analytics/usage``)
* ``costs``                   - billed cost per day x workspace x description (legacy ``cost_report``) or x model x
  token type x ... (beta ``analytics/cost``); ``amount`` in dollars DECIMAL(38,10) + ``currency``, cents kept raw
* ``claude_code_usage``       - Claude Code per user and day (sessions, lines, commits, PRs, tool actions)
* ``claude_code_model_usage`` - its per-model tokens and *estimated* cost

Every table: write disposition ``merge`` (delete-insert), primary key ``row_key`` (the natural key: organisation,
api, bucket start/end and every dimension, joined by ``|``), merge key ``(organization_name, bucket_starting_at)``
(``date`` for Claude Code) so a restated bucket replaces its earlier copy; cursor = bucket start per organisation
with a look-back of ``lookback_days``.

Example::

    import dlt
    from ingestion.anthropic_usage import anthropic_usage

    pipeline = dlt.pipeline("anthropic_usage", destination="duckdb", dataset_name="anthropic_usage")
    pipeline.run(anthropic_usage(start_date="2026-09-01"))   # key from SOURCES__ANTHROPIC_USAGE__API_KEY
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import dlt
from dlt.common.typing import TSecretStrValue, TSecretValue
from dlt.extract.resource import DltResource

from ingestion._common.http import HttpSettings, VendorApiError, VendorAuthError, VendorClient, VendorResponseError

from . import helpers as H
from . import settings as S
from .helpers import parse_organizations
from .settings import (
    CLAUDE_CODE_MODEL_USAGE,
    CLAUDE_CODE_USAGE,
    COSTS,
    DATASET,
    MESSAGES_USAGE,
)

__all__ = [
    "CLAUDE_CODE_MODEL_USAGE",
    "CLAUDE_CODE_USAGE",
    "COSTS",
    "DATASET",
    "MESSAGES_USAGE",
    "VendorAuthError",
    "VendorApiError",
    "anthropic_usage",
    "table_hints",
]

_MERGE = {"disposition": "merge", "strategy": "delete-insert"}
logger = logging.getLogger(__name__)


def table_hints() -> dict[str, dict[str, Any]]:
    """Every table's dlt hints (write disposition, keys, declared columns), as the resources declare them, without
    any configuration or request: used to create the tables empty when no organisation is configured."""

    def hints(merge_key: list[str], columns: dict[str, Any]) -> dict[str, Any]:
        return {"write_disposition": _MERGE, "primary_key": "row_key", "merge_key": merge_key, "columns": columns}

    return {
        MESSAGES_USAGE: hints(S.BUCKET_MERGE_KEY, S.MESSAGES_COLUMNS),
        COSTS: hints(S.BUCKET_MERGE_KEY, S.COSTS_COLUMNS),
        CLAUDE_CODE_USAGE: hints(S.DAY_MERGE_KEY, S.CLAUDE_CODE_COLUMNS),
        CLAUDE_CODE_MODEL_USAGE: hints(S.DAY_MERGE_KEY, S.CLAUDE_CODE_MODEL_COLUMNS),
    }


@dlt.source(name=S.SOURCE_NAME, max_table_nesting=0)
def anthropic_usage(
    api_key: TSecretStrValue | None = dlt.secrets.value,
    organization_name: str = "default",
    base_url: str = S.DEFAULT_BASE_URL,
    organizations: TSecretValue | None = dlt.secrets.value,
    api: str = "legacy",
    bucket_width: str = "1d",
    start_date: Any = None,
    end_date: Any = None,
    lookback_days: int = S.DEFAULT_LOOKBACK_DAYS,
    page_size: int | None = None,
    include_claude_code: bool = True,
    request_timeout: float = 60.0,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
    max_retry_delay: float = 60.0,
) -> Sequence[DltResource]:
    """Anthropic usage and cost for one or several organisations.

    Args:
        api_key: admin key of a single organisation (secret: ``SOURCES__ANTHROPIC_USAGE__API_KEY``).
        organization_name, base_url: name and API root of that organisation.
        organizations: several organisations, a list of ``{name, api_key, base_url}`` (secret:
            ``SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS`` as JSON, or ``[[sources.anthropic_usage.organizations]]``
            in secrets.toml). Overrides ``api_key``.
        api: ``"legacy"`` (``usage_report/messages`` + ``cost_report``, the default) or ``"analytics"`` (the beta
            Usage and Cost Analytics API, ``anthropic-beta: analytics-usage-cost-2026-08-24``).
        bucket_width: ``"1d"`` (default) or ``"1h"`` for usage; costs are always daily.
        start_date: first bucket of the first run (default: 30 days ago); end_date: exclusive end (default now).
        lookback_days: re-read this many days before the last loaded bucket on every run (restatements).
        page_size: buckets (or analytics items) per page; default the API maximum.
        include_claude_code: also load the Claude Code report (``usage_report/claude_code``, either api).
        request_timeout, max_attempts, backoff_factor, max_retry_delay: timeout (s) and retry policy of the REST
            sources' shared HTTP client (:mod:`ingestion._common.http`: 429 honours Retry-After; 5xx, timeouts and
            connection errors back off exponentially).
    """
    if api not in S.APIS:
        raise VendorApiError(f"api must be one of {S.APIS}, got {api!r}")
    if bucket_width not in S.BUCKET_WIDTHS:
        raise VendorApiError(f"bucket_width must be one of {S.BUCKET_WIDTHS}, got {bucket_width!r}")
    orgs = parse_organizations(organizations, api_key, organization_name, base_url)
    lookback = dt.timedelta(days=lookback_days)
    hints = table_hints()  # the resources' write disposition, keys and columns
    http = HttpSettings(request_timeout, max_attempts, backoff_factor, max_retry_delay)

    def clients() -> Iterator[VendorClient]:
        for org in orgs:
            yield VendorClient(org, http, headers={"anthropic-version": S.ANTHROPIC_VERSION})

    def incremental(width: str, fetcher: Callable[[VendorClient], Any]) -> Iterator[Any]:
        """Every organisation's buckets of ``width`` that ``fetcher(client)`` fetches, from its cursor (the resource
        state per organisation) less the look-back."""
        start, end = H.load_range(start_date, end_date, width)
        state = dlt.current.resource_state().setdefault("organizations", {})
        for c in clients():
            yield from H.incremental_buckets(state.setdefault(c.account.name, {}), start, end, lookback, fetcher(c))

    # ---------------------------------------------------------------------------------------- messages_usage
    def fetch_messages(c: VendorClient, width: str):
        def fetch(start: dt.datetime, end: dt.datetime):
            if api == "legacy":
                params = {
                    "starting_at": H.iso(start),
                    "ending_at": H.iso(end),
                    "bucket_width": width,
                    "group_by[]": list(S.MESSAGES_DIMENSIONS),
                    "limit": page_size or S.MAX_LIMIT[width],
                }
                for body in c.pages(S.ENDPOINTS["messages"], params):
                    for b in body["data"]:
                        bs, be = H.parse_ts(b["starting_at"]), H.parse_ts(b["ending_at"])
                        yield bs, [H.messages_row(c.account, api, bs, be, width, r, r) for r in b.get("results") or []]
            else:
                yield from _analytics(
                    c,
                    "analytics_usage",
                    start,
                    end,
                    width,
                    H.usage_measure,
                    lambda bs, be, it: H.messages_row(
                        c.account, api, bs, be, width, it.get("group") or {}, it.get("usage") or {}
                    ),
                )

        return fetch

    @dlt.resource(name=MESSAGES_USAGE, **hints[MESSAGES_USAGE])
    def messages_usage() -> Iterator[list[dict[str, Any]]]:
        """Cursor: bucket_starting_at per organisation (resource state), look-back ``lookback_days``."""
        yield from incremental(bucket_width, lambda c: fetch_messages(c, bucket_width))

    # ------------------------------------------------------------------------------------------------ costs
    def fetch_costs(c: VendorClient):
        def fetch(start: dt.datetime, end: dt.datetime):
            if api == "legacy":
                params = {
                    "starting_at": H.iso(start),
                    "ending_at": H.iso(end),
                    "bucket_width": "1d",
                    "group_by[]": list(S.COST_GROUP_BY),
                    "limit": page_size or S.COST_MAX_LIMIT,
                }
                for n, body in enumerate(c.pages(S.ENDPOINTS["cost_report"], params), 1):
                    for b in body["data"]:
                        bs, be = H.parse_ts(b["starting_at"]), H.parse_ts(b["ending_at"])
                        where = f"{S.ENDPOINTS['cost_report']} page {n} bucket {b['starting_at']}"
                        yield (
                            bs,
                            [
                                H.cost_row(
                                    c.account, api, bs, be, r, r.get("amount"), r.get("currency"), None, None, where
                                )
                                for r in b.get("results") or []
                            ],
                        )
            else:

                def row(bs, be, it):
                    cost = it.get("cost") or {}
                    return H.cost_row(
                        c.account,
                        api,
                        bs,
                        be,
                        it.get("group") or {},
                        cost.get("amount"),
                        cost.get("currency"),
                        cost.get("list_amount"),
                        cost.get("requests"),
                        f"{S.ENDPOINTS['analytics_cost']} bucket {it.get('starting_at')}",
                    )

                yield from _analytics(c, "analytics_cost", start, end, "1d", H.cost_measure, row)

        return fetch

    @dlt.resource(name=COSTS, **hints[COSTS])
    def costs() -> Iterator[list[dict[str, Any]]]:
        """Cursor: bucket_starting_at (daily) per organisation, look-back ``lookback_days``."""
        yield from incremental("1d", fetch_costs)

    # ------------------------------------------------------------------------------------------ claude code
    model_hints = dlt.mark.make_hints(table_name=CLAUDE_CODE_MODEL_USAGE, **hints[CLAUDE_CODE_MODEL_USAGE])

    @dlt.resource(name=CLAUDE_CODE_USAGE, **hints[CLAUDE_CODE_USAGE])
    def claude_code_usage() -> Iterator[Any]:
        """One request listing per day (the report takes a single day); cursor: date per organisation.
        Also fills ``claude_code_model_usage`` (same keys + model)."""

        def fetcher(c: VendorClient):
            def fetch(s: dt.datetime, e: dt.datetime):
                day = s
                while day + dt.timedelta(days=1) <= e:
                    rows: list[dict[str, Any]] = []
                    params = {"starting_at": day.strftime("%Y-%m-%d"), "limit": page_size or S.CLAUDE_CODE_MAX_LIMIT}
                    for n, body in enumerate(c.pages(S.ENDPOINTS["claude_code"], params), 1):
                        where = f"{S.ENDPOINTS['claude_code']} {day:%Y-%m-%d} page {n}"
                        for rec in body["data"]:
                            user, models = H.claude_code_rows(c.account, rec, where)
                            rows.append({"user": user, "models": models})
                    yield day, rows
                    day += dt.timedelta(days=1)

            return fetch

        for day_rows in incremental("1d", fetcher):
            yield [r["user"] for r in day_rows]
            models = [m for r in day_rows for m in r["models"]]
            if models:
                yield dlt.mark.with_hints(models, model_hints, create_table_variant=True)

    def _analytics(c: VendorClient, endpoint: str, start: dt.datetime, end: dt.datetime, width: str, measure, to_row):
        """The analytics API lists items (bucket x group), ranges of at most 31 days, at most 5 group_by[]
        dimensions (cost_type/token_type not counted): each window is read with the two dimension sets of
        ``S.ANALYTICS_GROUP_BY_SPLIT``, joined per bucket on their shared dimensions (H.join_split_groups)."""
        headers = {"anthropic-beta": S.ANALYTICS_BETA}
        fanout = list(S.ANALYTICS_FANOUT) if endpoint == "analytics_cost" else []
        first_dims, second_dims = S.ANALYTICS_GROUP_BY_SPLIT
        join_key = (*S.ANALYTICS_JOIN_KEY, *fanout)
        first_only = tuple(d for d in first_dims if d not in second_dims)
        second_only = tuple(d for d in second_dims if d not in first_dims)
        tolerance = S.ANALYTICS_COST_TOLERANCE_CENTS if endpoint == "analytics_cost" else Decimal(0)
        for ws, we in H.windows(start, end, S.ANALYTICS_MAX_RANGE_DAYS):
            for attempt in (1, 2):
                reads: list[dict[dt.datetime, list[dict[str, Any]]]] = []
                for dims in S.ANALYTICS_GROUP_BY_SPLIT:
                    params = {
                        "starting_at": H.iso(ws),
                        "ending_at": H.iso(we),
                        "time_bucket_width": width,
                        "group_by[]": [*dims, *fanout],
                        "limit": page_size or S.ANALYTICS_MAX_LIMIT,
                    }
                    by_bucket: dict[dt.datetime, list[dict[str, Any]]] = defaultdict(list)
                    for body in c.pages(S.ENDPOINTS[endpoint], params, headers=headers):
                        for it in body["data"]:
                            by_bucket[H.parse_ts(it["starting_at"])].append(it)
                    reads.append(by_bucket)
                # buckets without any item are not listed by the API: emit them empty so the cursor moves on
                starts = set(reads[0]) | set(reads[1])
                t = ws
                while t + H.step(width) <= we:
                    starts.add(t)
                    t += H.step(width)
                try:
                    joined = {
                        bs: H.join_split_groups(
                            reads[0].get(bs, []),
                            reads[1].get(bs, []),
                            join_key,
                            first_only,
                            second_only,
                            measure,
                            f"Anthropic organisation {c.account.name!r}, {S.ENDPOINTS[endpoint]}, bucket {H.iso(bs)}",
                            tolerance,
                        )
                        for bs in starts
                    }
                    break
                except VendorResponseError:
                    if attempt == 2:
                        raise
                    logger.warning(
                        "%s %s: the two group-by requests disagree; reading the window again",
                        c.account.name,
                        S.ENDPOINTS[endpoint],
                    )
            for bs in sorted(joined):
                if joined[bs].unresolved:
                    logger.warning(
                        "Anthropic organisation %r, %s, bucket %s: %d join key(s) (e.g. %s) span several %s and "
                        "several %s; their rows keep %s NULL (totals exact)",
                        c.account.name,
                        S.ENDPOINTS[endpoint],
                        H.iso(bs),
                        len(joined[bs].unresolved),
                        dict(zip(join_key, joined[bs].unresolved[0])),
                        first_only,
                        second_only,
                        second_only,
                    )
                yield bs, [to_row(bs, H.parse_ts(it["ending_at"]), it) for it in joined[bs].items]

    resources = [messages_usage, costs]
    if include_claude_code:
        resources.append(claude_code_usage)
    return resources
