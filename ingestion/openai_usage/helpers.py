"""OpenAI admin API client: organisations, a thin dlt ``RESTClient`` with a ``next_page``/``has_more`` paginator,
exact JSON decoding, clear errors, and the incremental window with look-back.

Why not the declarative ``rest_api`` source: it can page on a JSON cursor and send a bearer token, but (1) each
bucket must be *flattened* into one row per result with the bucket's start/end and the organisation added -
``rest_api`` processing steps only map/filter one item to one item; (2) money must be parsed from the JSON
*text* (``parse_float=Decimal``), while ``rest_api`` decodes with ``response.json()`` (floats); (3) a 401/403, an
exhausted 429/5xx or a malformed/truncated page must raise an error naming the endpoint, organisation, page and the
secret to set (never its value); (4) incremental state with a look-back and "skip unchanged buckets" is per
organisation *and* table, while ``rest_api`` keeps one cursor per resource. So: ``RESTClient`` + a small paginator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import BasePaginator

from ingestion._common.errors import transport_failure

from . import settings as S

log = logging.getLogger(__name__)


class OpenAIUsageError(Exception):
    """Any failure talking to the OpenAI admin API (never carries the key)."""


class OpenAIAuthError(OpenAIUsageError, requests.HTTPError):
    """401/403: the admin key is missing, wrong or lacks permission."""


class OpenAIHTTPError(OpenAIUsageError, requests.HTTPError):
    """Another HTTP error status (429/5xx after the retries, 4xx)."""


@dataclass(frozen=True)
class Organization:
    name: str
    api_key: str = field(repr=False)
    base_url: str = S.DEFAULT_BASE_URL
    secret_hint: str = S.SECRET_ENV  # where the key comes from, for error messages

    def __repr__(self) -> str:  # never show the key
        return f"Organization(name={self.name!r}, base_url={self.base_url!r})"


def parse_organizations(
    organizations: Any, api_key: str | None, organization_name: str, base_url: str
) -> list[Organization]:
    """The organisations from config: a list of ``{name, api_key, base_url}`` (or its JSON), else one organisation
    from ``api_key``/``organization_name``/``base_url``."""
    if isinstance(organizations, str):
        try:
            organizations = json.loads(organizations)
        except ValueError:
            raise OpenAIUsageError(
                f"{S.ORGS_SECRET_ENV} is not valid JSON: expected a list of {{name, api_key, base_url}}"
            ) from None
    out: list[Organization] = []
    if organizations:
        if not isinstance(organizations, list | tuple):
            raise OpenAIUsageError(f"{S.ORGS_SECRET_ENV}: expected a list of {{name, api_key, base_url}}")
        for i, o in enumerate(organizations):
            o = dict(o) if isinstance(o, Mapping) else {}
            name = str(o.get("name") or "").strip()
            if not name:
                raise OpenAIUsageError(f"{S.ORGS_SECRET_ENV}[{i}] has no name")
            key = str(o.get("api_key") or "").strip()
            hint = f"sources.openai_usage.organizations[{i}].api_key ({S.ORGS_SECRET_ENV})"
            if not key:
                raise OpenAIAuthError(f"OpenAI organisation {name!r}: no admin API key; set {hint}")
            out.append(Organization(name, key, str(o.get("base_url") or base_url).rstrip("/"), hint))
        names = [o.name for o in out]
        if len(set(names)) != len(names):
            raise OpenAIUsageError(f"{S.ORGS_SECRET_ENV}: organisation names must be unique, got {names}")
        return out
    if not api_key:
        raise OpenAIAuthError(
            f"no OpenAI admin API key configured: set {S.SECRET_ENV} (sources.openai_usage.api_key in "
            f"secrets.toml) or {S.ORGS_SECRET_ENV} for several organisations"
        )
    return [Organization(organization_name, str(api_key).strip(), base_url.rstrip("/"))]


# ----------------------------------------------------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpSettings:
    request_timeout_s: float = 60.0
    max_attempts: int = 6
    backoff_factor: float = 1.0
    max_retry_delay_s: float = 60.0


class NextPageCursorPaginator(BasePaginator):
    """OpenAI/Anthropic page envelope: ``has_more`` + opaque ``next_page`` sent back as ``page``; counts pages."""

    def __init__(self) -> None:
        super().__init__()
        self.page_number = 1
        self._cursor: str | None = None

    def init_request(self, request: requests.Request) -> None:
        self.page_number = 1
        self._cursor = None
        self._has_next_page = True
        request.params.pop("page", None)

    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        body = response.__dict__["finops_json"]
        has_more = bool(body.get("has_more"))
        cursor = body.get("next_page")
        if has_more and not cursor:
            raise OpenAIUsageError(f"page {self.page_number} says has_more but gives no next_page cursor")
        self._cursor = cursor if has_more else None
        self._has_next_page = has_more

    def update_request(self, request: requests.Request) -> None:
        if self._has_next_page:
            self.page_number += 1
            request.params["page"] = self._cursor


class _DecimalJsonClient(RESTClient):
    """Reads the page body decoded by the response hook (``parse_float=Decimal``)."""

    def extract_response(self, response: requests.Response, data_selector: Any) -> list[Any]:
        return response.__dict__["finops_json"].get("data") or []


def make_client(org: Organization, http: HttpSettings) -> RESTClient:
    session = Client(
        request_timeout=http.request_timeout_s,
        raise_for_status=False,
        request_max_attempts=http.max_attempts,
        request_backoff_factor=http.backoff_factor,
        request_max_retry_delay=http.max_retry_delay_s,
        respect_retry_after_header=True,
    ).session
    return _DecimalJsonClient(base_url=org.base_url, auth=BearerTokenAuth(org.api_key), session=session)


def _error_message(response: requests.Response, key: str) -> str:
    try:
        err = json.loads(response.text).get("error") or {}
        msg = str(err.get("message") or "")[:300]
    except (ValueError, AttributeError):
        msg = ""
    return msg.replace(key, "***") if key else msg


def fetch_pages(
    org: Organization, endpoint: S.Endpoint, params: dict[str, Any], http: HttpSettings
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Yield ``(page_number, buckets)`` for every page of one endpoint and organisation."""
    client = make_client(org, http)
    paginator = NextPageCursorPaginator()
    where = f"OpenAI organisation {org.name!r}, endpoint /{endpoint.path}"

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        page = paginator.page_number
        status = response.status_code
        if status in (401, 403):
            raise OpenAIAuthError(
                f"{where}: HTTP {status} - the admin API key was rejected"
                f"{' (not authorised for the usage/costs API)' if status == 403 else ''}. "
                f"Set {org.secret_hint} to an OpenAI organisation admin key.",
                response=response,
            )
        if status == 429 or status >= 500:
            raise OpenAIHTTPError(
                f"{where}, page {page}: HTTP {status} after {http.max_attempts} attempts "
                f"{'(rate limited)' if status == 429 else '(server error)'}",
                response=response,
            )
        if status >= 400:
            raise OpenAIHTTPError(
                f"{where}, page {page}: HTTP {status}: {_error_message(response, org.api_key)}",
                response=response,
            )
        try:
            body = json.loads(response.text, parse_float=Decimal)
        except ValueError as exc:
            raise OpenAIUsageError(
                f"{where}, page {page}: malformed JSON in the response ({exc.msg} at char {exc.pos})"
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise OpenAIUsageError(f"{where}, page {page}: unexpected response shape (no 'data' list)")
        response.__dict__["finops_json"] = body

    try:
        for page in client.paginate(
            endpoint.path, params=dict(params), paginator=paginator, hooks={"response": [hook]}
        ):
            yield paginator.page_number - (1 if paginator.has_next_page else 0), list(page)
    except OpenAIUsageError:
        raise
    except requests.RequestException as exc:  # timeouts, dropped/truncated connections after the retries
        raise OpenAIUsageError(f"{where}, page {paginator.page_number}: request failed after {http.max_attempts} "
                               f"attempts: {transport_failure(exc)}") from None


# ----------------------------------------------------------------------------------------------------------------------
# rows
# ----------------------------------------------------------------------------------------------------------------------
def ts(epoch: int | Decimal) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


def bucket_hash(bucket: dict[str, Any]) -> str:
    """A stable digest of a bucket's results (order-insensitive) to skip unchanged re-fetched buckets."""
    parts = sorted(json.dumps(r, sort_keys=True, default=str) for r in bucket.get("results") or [])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def bucket_rows(
    org: Organization, endpoint: S.Endpoint, bucket: dict[str, Any], width: str
) -> Iterator[dict]:
    """Flatten one bucket into rows: bucket key + every group-by dimension + quantities (+ amount/currency)."""
    start, end = ts(bucket["start_time"]), ts(bucket["end_time"])
    for r in bucket.get("results") or []:
        row: dict[str, Any] = {
            "organization": org.name,
            "bucket_start_time": start,
            "bucket_end_time": end,
            "bucket_width": width,
        }
        for dim in endpoint.group_by:
            v = r.get(dim)
            row[dim] = bool(v) if dim in S.BOOL_DIMS else ("" if v is None else str(v))
        if endpoint is S.COSTS:
            amount = r.get("amount") or {}
            value = amount.get("value")
            row["amount"] = None if value is None else Decimal(value)
            row["currency"] = (amount.get("currency") or "").upper() or None
            q = r.get("quantity")
            row["quantity"] = None if q is None else Decimal(q)
            row["quantity_unit"] = r.get("quantity_unit")
        else:
            for qty in endpoint.quantities:
                v = r.get(qty)
                row[qty] = None if v is None else int(v)
        yield row


def window(
    state: dict[str, Any], initial_start: int, end: int, lookback_s: int, width_s: int
) -> tuple[int, int]:
    """``[start, end)`` to fetch: from the last loaded bucket start minus the look-back (never before the initial
    start), aligned down to the bucket width."""
    last = state.get("last_bucket_start")
    start = initial_start if last is None else max(initial_start, int(last) - lookback_s)
    start = start // width_s * width_s
    return start, end
