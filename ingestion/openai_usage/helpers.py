"""OpenAI admin API: the configured organisations, the incremental window with look-back, and the rows of a bucket
(pure functions). The HTTP client (pagination, retries, errors) is the REST sources' shared one:
:mod:`ingestion._common.http`.

Why not the declarative ``rest_api`` source: it can page on a JSON cursor and send a bearer token, but (1) each
bucket must be *flattened* into one row per result with the bucket's start/end and the organisation added -
``rest_api`` processing steps only map/filter one item to one item; (2) money must be parsed from the JSON
*text* (``parse_float=Decimal``), while ``rest_api`` decodes with ``response.json()`` (floats); (3) incremental
state with a look-back and "skip unchanged buckets" is per organisation *and* table, while ``rest_api`` keeps one
cursor per resource. So: the shared :class:`~ingestion._common.http.VendorClient` (dlt's ``RESTClient``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ingestion._common.http import Account, AccountsConfig, parse_accounts

from . import settings as S

# the REST sources' shared error tree (ingestion._common.http), under this source's names


def organization(
    name: str, api_key: str, base_url: str = S.DEFAULT_BASE_URL, secret_hint: str = S.SECRET_ENV
) -> Account:
    """One OpenAI organisation (``secret_hint``: where its key is configured, named when it is rejected)."""
    return Account(
        "OpenAI", "organisation", name, base_url, api_key, secret_hint, "OpenAI organisation admin key (sk-admin-...)"
    )


ORGANIZATIONS = AccountsConfig(
    make=organization,
    invalid_json=f"{S.ORGS_SECRET_ENV} is not valid JSON: expected a list of {{name, api_key, base_url}}",
    not_a_list=f"{S.ORGS_SECRET_ENV}: expected a list of {{name, api_key, base_url}}",
    no_name=lambda i: f"{S.ORGS_SECRET_ENV}[{i}] has no name",
    key_hint=lambda i: f"sources.openai_usage.organizations[{i}].api_key ({S.ORGS_SECRET_ENV})",
    no_key=lambda name, hint: f"OpenAI organisation {name!r}: no admin API key; set {hint}",
    no_single_key=(
        f"no OpenAI admin API key configured: set {S.SECRET_ENV} (sources.openai_usage.api_key in "
        f"secrets.toml) or {S.ORGS_SECRET_ENV} for several organisations"
    ),
    single_hint=S.SECRET_ENV,
    duplicate_names=lambda names: f"{S.ORGS_SECRET_ENV}: organisation names must be unique, got {names}",
)


def parse_organizations(
    organizations: Any, api_key: str | None, organization_name: str, base_url: str
) -> list[Account]:
    """The organisations from config: a list of ``{name, api_key, base_url}`` (or its JSON), else one organisation
    from ``api_key``/``organization_name``/``base_url`` (:func:`ingestion._common.http.parse_accounts`)."""
    return parse_accounts(organizations, api_key, organization_name, base_url, ORGANIZATIONS)


# ----------------------------------------------------------------------------------------------------------------------
# rows
# ----------------------------------------------------------------------------------------------------------------------
def epoch(value: str | dt.date | dt.datetime | None, default: int) -> int:
    """Unix seconds of an ISO date/datetime (UTC when naive); ``default`` when unset."""
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        d = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    else:
        d = dt.datetime.fromisoformat(str(value))
        d = d if d.tzinfo else d.replace(tzinfo=dt.UTC)
    return int(d.timestamp())


def columns(endpoint: S.Endpoint) -> dict[str, dict[str, Any]]:
    """The declared columns of an endpoint's table."""
    cols: dict[str, dict[str, Any]] = {
        "organization": {
            "data_type": "text",
            "nullable": False,
            "description": "organisation name from config",
        },
        "bucket_start_time": {
            "data_type": "timestamp",
            "timezone": True,
            "nullable": False,
            "description": "bucket start (UTC, inclusive)",
        },
        "bucket_end_time": {
            "data_type": "timestamp",
            "timezone": True,
            "nullable": False,
            "description": "bucket end (UTC, exclusive)",
        },
        "bucket_width": {"data_type": "text", "nullable": False, "description": "1d or 1h"},
    }
    for dim in endpoint.group_by:
        cols[dim] = (
            {"data_type": "bool", "nullable": False}
            if dim in S.BOOL_DIMS
            else {"data_type": "text", "nullable": False, "description": "'' = not reported by the API"}
        )
    if endpoint is S.COSTS:
        cols["amount"] = {
            **S.MONEY,
            "nullable": True,
            "description": "billed amount in `currency` (units, not cents)",
        }
        cols["currency"] = {"data_type": "text", "nullable": True, "description": "ISO 4217, upper case"}
        cols["quantity"] = {
            **S.MONEY,
            "nullable": True,
            "description": "line item quantity (unit: quantity_unit)",
        }
        cols["quantity_unit"] = {
            "data_type": "text",
            "nullable": True,
            "description": "unit of quantity when the API reports it",
        }
    else:
        for qty, unit in endpoint.quantities.items():
            cols[qty] = {"data_type": "bigint", "nullable": True, "description": f"unit: {unit}"}
    return cols


def ts(epoch: int | Decimal) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


def bucket_hash(bucket: dict[str, Any]) -> str:
    """A stable digest of a bucket's results (order-insensitive) to skip unchanged re-fetched buckets."""
    parts = sorted(json.dumps(r, sort_keys=True, default=str) for r in bucket.get("results") or [])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def bucket_rows(org: Account, endpoint: S.Endpoint, bucket: dict[str, Any], width: str) -> Iterator[dict]:
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


def window(state: dict[str, Any], initial_start: int, end: int, lookback_s: int, width_s: int) -> tuple[int, int]:
    """``[start, end)`` to fetch: from the last loaded bucket start minus the look-back (never before the initial
    start), aligned down to the bucket width."""
    last = state.get("last_bucket_start")
    start = initial_start if last is None else max(initial_start, int(last) - lookback_s)
    start = start // width_s * width_s
    return start, end
