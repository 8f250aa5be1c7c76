"""OpenAI admin Usage and Costs API -> dataset ``openai_usage`` (one table per endpoint, plus ``costs``).

``openai_usage()`` is a dlt source (``@dlt.source(name="openai_usage")``) over one or more OpenAI organisations.
Every resource: ``write_disposition`` merge (``delete-insert``), ``primary_key`` = organisation + bucket start/end +
bucket width + every group-by dimension, ``merge_key`` = (organization, bucket_start_time) so a re-fetched bucket
replaces all of that bucket's rows; the cursor is the bucket start, kept per organisation in the resource state,
re-fetched from ``last bucket start - lookback_days`` (vendors restate recent days); buckets whose content did not
change since the last load are skipped, so a second run loads nothing. See README.md.

Secrets: ``SOURCES__OPENAI_USAGE__API_KEY`` (one organisation, named by ``organization_name``) or
``SOURCES__OPENAI_USAGE__ORGANIZATIONS`` = JSON list of ``{name, api_key, base_url}``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import dlt
from dlt.common.typing import TSecretStrValue, TSecretValue
from dlt.extract.resource import DltResource

from ingestion._common.http import Account, HttpSettings, VendorApiError, VendorAuthError, VendorClient

from . import helpers as H
from . import settings as S
from .settings import COSTS, DATASET, ENDPOINTS, USAGE_ENDPOINTS

__all__ = [
    "COSTS",
    "DATASET",
    "ENDPOINTS",
    "USAGE_ENDPOINTS",
    "VendorAuthError",
    "VendorApiError",
    "openai_usage",
    "table_hints",
]


def table_hints() -> dict[str, dict[str, Any]]:
    """Every table's dlt hints (write disposition, keys, declared columns), as the resources declare them, without
    any configuration or request: used to create the tables empty when no organisation is configured."""
    return {ep.table: _hints(ep) for ep in ENDPOINTS.values()}


def _hints(endpoint: S.Endpoint) -> dict[str, Any]:
    """One endpoint's table hints: merged (delete-insert) on the bucket, keyed, with its declared columns."""
    return {
        "write_disposition": {"disposition": "merge", "strategy": "delete-insert"},
        "primary_key": list(endpoint.primary_key),
        "merge_key": list(S.MERGE_KEY),
        "columns": H.columns(endpoint),
    }


def _resource(
    endpoint: S.Endpoint,
    orgs: list[Account],
    initial_start: int,
    end: int,
    width: str,
    lookback_s: int,
    page_limit: int,
    http: HttpSettings,
) -> DltResource:
    width_s = S.BUCKET_WIDTHS[width]

    def rows() -> Iterator[list[dict[str, Any]]]:
        state = dlt.current.resource_state()
        org_states = state.setdefault("organizations", {})
        for org in orgs:
            st = org_states.setdefault(org.name, {})
            if st.get("bucket_width") not in (None, width):
                raise VendorApiError(
                    f"{endpoint.table}: bucket_width changed from {st['bucket_width']} to {width} for organisation "
                    f"{org.name!r}; load into a new dataset or drop the table first"
                )
            start, stop = H.window(st, initial_start, end, lookback_s, width_s)
            if start >= stop:
                continue
            # the official SDK's parameter order and array encoding, so that the query string is the SDK's
            params: dict[str, Any] = {
                "start_time": start,
                "bucket_width": width,
                "end_time": stop,
                "group_by" + S.ARRAY_PARAM_SUFFIX: list(endpoint.group_by),
                "limit": page_limit,
            }
            hashes: dict[str, str] = st.setdefault("bucket_hashes", {})
            last = st.get("last_bucket_start")
            for body in VendorClient(org, http, parse_float=Decimal).pages(endpoint.path, params):
                out: list[dict[str, Any]] = []
                for b in body["data"]:
                    b_start = int(b["start_time"])
                    digest = H.bucket_hash(b)
                    if hashes.get(str(b_start)) == digest:
                        continue  # unchanged since the last load
                    out.extend(H.bucket_rows(org, endpoint, b, width))
                    hashes[str(b_start)] = digest
                    if b.get("results"):
                        last = b_start if last is None else max(int(last), b_start)
                if out:
                    yield out
            # keep digests only for buckets that a later run can still re-fetch
            keep_from = (
                H.window({"last_bucket_start": last}, initial_start, end, lookback_s, width_s)[0]
                if last is not None
                else start
            )
            st["bucket_hashes"] = {k: v for k, v in hashes.items() if int(k) >= keep_from}
            st["last_bucket_start"] = last
            st["bucket_width"] = width

    return dlt.resource(rows, name=endpoint.table, **_hints(endpoint))()


@dlt.source(name="openai_usage")
def openai_usage(
    api_key: TSecretStrValue | None = dlt.secrets.value,
    organizations: TSecretValue | None = dlt.secrets.value,
    organization_name: str = "default",
    base_url: str = S.DEFAULT_BASE_URL,
    endpoints: Sequence[str] | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    initial_days: int = 30,
    lookback_days: int = 3,
    bucket_width: str = "1d",
    page_limit: int | None = None,
    request_timeout_s: float = 60.0,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
    max_retry_delay_s: float = 60.0,
) -> Any:
    """OpenAI usage (one resource per usage endpoint) and costs for each configured organisation.

    Args:
        api_key: admin key of the single organisation (secret ``SOURCES__OPENAI_USAGE__API_KEY``).
        organizations: several organisations, a list (or its JSON) of ``{name, api_key, base_url}`` (secret
            ``SOURCES__OPENAI_USAGE__ORGANIZATIONS``); takes precedence over ``api_key``.
        organization_name / base_url: name and base URL of the single organisation.
        endpoints: subset of :data:`ENDPOINTS` names (default: all usage endpoints and ``costs``).
        start_date: first day to load on the first run (ISO date/datetime, UTC); default ``initial_days`` ago.
        end_date: exclusive end (default: now, i.e. up to and including the current partial bucket).
        lookback_days: days re-fetched before the last loaded bucket on every run (restatements).
        bucket_width: ``1d`` (default) or ``1h`` (costs are always ``1d``).
        page_limit: buckets per page (default: the API's maximum for the width).
        request_timeout_s, max_attempts, backoff_factor, max_retry_delay_s: timeout (s) and retry policy of the REST
            sources' shared HTTP client (:mod:`ingestion._common.http`: 429 honours Retry-After; 5xx, timeouts and
            dropped connections back off exponentially).
    """
    if bucket_width not in S.BUCKET_WIDTHS:
        raise VendorApiError(f"bucket_width must be one of {sorted(S.BUCKET_WIDTHS)}, got {bucket_width!r}")
    orgs = H.parse_organizations(organizations, api_key, organization_name, base_url)
    now = int(time.time())
    end = H.epoch(end_date, now)
    initial_start = H.epoch(start_date, (now - initial_days * 86_400) // 86_400 * 86_400)
    http = HttpSettings(request_timeout_s, max_attempts, backoff_factor, max_retry_delay_s)
    names = list(endpoints) if endpoints else list(ENDPOINTS)
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown:
        raise VendorApiError(f"unknown endpoint(s) {unknown}; known: {list(ENDPOINTS)}")
    resources = []
    for name in names:
        ep = ENDPOINTS[name]
        width = bucket_width if bucket_width in ep.bucket_widths else "1d"
        limit = page_limit or (S.COSTS_PAGE_LIMIT if ep is COSTS else S.USAGE_PAGE_LIMIT[width])
        if ep is not COSTS:
            limit = min(limit, S.USAGE_PAGE_LIMIT[width])
        resources.append(_resource(ep, orgs, initial_start, end, width, lookback_days * 86_400, limit, http))
    return resources
