"""SaaS vendor invoices (Stripe-style invoices API) -> dataset ``saas_invoices``, tables ``invoices`` and
``invoice_lines``.

Many AI SaaS vendors (Cursor, ElevenLabs, Mistral AI, ...) bill through Stripe and expose their invoices in Stripe's
wire format. ``saas_invoices()`` is a dlt source (``@dlt.source(name="saas_invoices")``) built DECLARATIVELY with
dlt's ``rest_api`` (:func:`dlt.sources.rest_api.rest_api_resources`, one :class:`RESTAPIConfig` per configured
vendor, see :func:`vendor_config`):

* client: the REST sources' shared HTTP client (:mod:`ingestion._common.http`): the vendor's ``base_url``, bearer
  auth with its API key, dlt's retrying session (timeouts; 429 with ``Retry-After``, 5xx, dropped connections and
  cut-off pages retried with backoff), one response check per resource raising errors that name the vendor, the
  request and its page (:func:`~ingestion._common.http.response_check`);
* paginator: :class:`~ingestion._common.http.StartingAfterPaginator` (``limit`` + ``starting_after`` = last object
  id while ``has_more``; dlt ships none for Stripe);
* resource ``invoices_<vendor>`` -> table ``invoices``: ``GET v1/invoices`` with ``incremental`` on the row's
  ``created_at`` (sent as ``created[gte]=<unix>``) and a look-back ``lag`` of ``lookback_days``, so recent invoices
  are read again and late status changes (open -> paid, void) are merged; merge (delete-insert) on ``id``;
* child resource ``invoice_lines_<vendor>`` -> table ``invoice_lines``:
  ``GET v1/invoices/{resources.invoices_<vendor>.id}/lines`` (every page, beyond the 10 lines Stripe embeds) for
  each invoice read; merge on (invoice_id, id) with merge key ``invoice_id``, so a re-read invoice replaces all its
  lines;
* ``processing_steps`` ``map``: minor units -> exact ``Decimal`` major units by the currency's exponent (2; 0 for
  JPY, KRW, ...; 3 for BHD, KWD, ...), currency upper case, Unix seconds -> ``timestamptz``, ``price`` and
  ``metadata`` flattened, ``vendor`` added (:func:`~.helpers.invoice_mapper`, :func:`~.helpers.line_mapper`).

Secrets: ``SOURCES__SAAS_INVOICES__VENDORS`` = JSON list of ``{"name", "base_url", "api_key"}`` (or
``[sources.saas_invoices] vendors`` in ``.dlt/secrets.toml``). Keys are only sent as ``Authorization: Bearer``;
errors name the vendor and the variable, never the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dlt
from dlt.common.typing import TSecretValue
from dlt.sources.rest_api import RESTAPIConfig, rest_api_resources
from dlt.sources.rest_api.config_setup import make_parent_key_name

from ingestion._common.http import (
    HttpSettings,
    PagePosition,
    StartingAfterPaginator,
    VendorApiError,
    VendorClient,
    response_check,
)

from . import helpers as H
from . import settings as S
from .helpers import SaasRunLog, Vendor
from .settings import DATASET, INVOICE_LINES, INVOICES

__all__ = [
    "DATASET",
    "INVOICES",
    "INVOICE_LINES",
    "VendorApiError",
    "SaasRunLog",
    "Vendor",
    "saas_invoices",
    "table_hints",
    "vendor_config",
]


def table_hints() -> dict[str, dict[str, Any]]:
    """Both tables' dlt hints as the resources declare them (used to create the tables empty when no vendor is
    configured, so that dbt's staging compiles)."""
    return {
        INVOICES: {
            "write_disposition": S.WRITE_DISPOSITION,
            "primary_key": list(S.INVOICES_KEY),
            "merge_key": [],
            "columns": S.INVOICE_COLUMNS,
        },
        INVOICE_LINES: {
            "write_disposition": S.WRITE_DISPOSITION,
            "primary_key": list(S.LINES_KEY),
            "merge_key": list(S.LINES_MERGE_KEY),
            "columns": S.LINE_COLUMNS,
        },
    }


def vendor_config(
    vendor: Vendor,
    *,
    initial_created: int = 0,
    lookback_days: float = S.DEFAULT_LOOKBACK_DAYS,
    page_limit: int = S.DEFAULT_PAGE_LIMIT,
    http: HttpSettings | None = None,
    loaded_at: dt.datetime | None = None,
    run_log: SaasRunLog | None = None,
) -> RESTAPIConfig:
    """The declarative ``rest_api`` configuration of one vendor (two resources, see the module doc)."""
    if not 1 <= int(page_limit) <= S.MAX_PAGE_LIMIT:
        raise VendorApiError(f"page_limit must be between 1 and {S.MAX_PAGE_LIMIT} (Stripe's range), got {page_limit}")
    http = http or HttpSettings()
    loaded_at = loaded_at or dt.datetime.now(dt.UTC)
    run_log = run_log if run_log is not None else SaasRunLog()
    invoices = f"{INVOICES}_{vendor.slug}"
    lines = f"{INVOICE_LINES}_{vendor.slug}"
    # where each resource's listing is (shared by the copies rest_api makes of the child's paginator)
    at = {name: run_log.positions.setdefault(name, PagePosition(vendor.account)) for name in (invoices, lines)}
    return {
        "client": VendorClient.rest_api_client(vendor.account, http),
        "resource_defaults": {
            "write_disposition": S.WRITE_DISPOSITION,
            "endpoint": {"data_selector": "data"},
        },
        "resources": [
            {
                "name": invoices,
                "table_name": INVOICES,
                "primary_key": list(S.INVOICES_KEY),
                "columns": S.INVOICE_COLUMNS,
                "endpoint": {
                    "path": S.INVOICES_PATH,
                    "paginator": StartingAfterPaginator(at[invoices], page_limit),
                    "response_actions": [response_check(at[invoices], http, list_object="list")],
                    # the cursor is the mapped row's created_at (dlt applies incremental after the map step);
                    # sent to the API as created[gte]=<unix seconds>
                    "incremental": {
                        "start_param": "created[gte]",
                        "cursor_path": "created_at",
                        "initial_value": dt.datetime.fromtimestamp(int(initial_created), dt.UTC),
                        "lag": int(lookback_days * 86_400),  # seconds: re-read the recent invoices every run
                        "convert": H.unix,
                    },
                },
                "processing_steps": [{"map": H.invoice_mapper(vendor, loaded_at, run_log)}],
            },
            {
                "name": lines,
                "table_name": INVOICE_LINES,
                "primary_key": list(S.LINES_KEY),
                "merge_key": list(S.LINES_MERGE_KEY),
                "columns": S.LINE_COLUMNS,
                "include_from_parent": ["id"],
                "endpoint": {
                    "path": S.LINES_PATH % invoices,
                    "paginator": StartingAfterPaginator(at[lines], page_limit),
                    "response_actions": [response_check(at[lines], http, list_object="list")],
                },
                "processing_steps": [
                    {"map": H.line_mapper(vendor, make_parent_key_name(invoices, "id"), loaded_at, run_log)}
                ],
            },
        ],
    }


@dlt.source(name=S.SOURCE_NAME, max_table_nesting=0)
def saas_invoices(
    vendors: TSecretValue | None = dlt.secrets.value,
    start_date: str | None = None,
    lookback_days: float = S.DEFAULT_LOOKBACK_DAYS,
    page_limit: int = S.DEFAULT_PAGE_LIMIT,
    request_timeout_s: float = 60.0,
    max_attempts: int = 6,
    backoff_factor: float = 1.0,
    max_retry_delay_s: float = 60.0,
    run_log: SaasRunLog | None = None,
) -> Any:
    """Invoices and invoice lines of every configured SaaS vendor.

    Args:
        vendors: a list (or its JSON) of ``{"name", "base_url", "api_key"}`` (secret
            ``SOURCES__SAAS_INVOICES__VENDORS``); ``name`` is written to the ``vendor`` column.
        start_date: first run: invoices created at or after this ISO date/datetime (UTC); default: all.
        lookback_days: every run re-reads invoices created up to this many days before the newest loaded one
            (status changes merge; default 35).
        page_limit: objects per page (Stripe: 1..100; default 100).
        request_timeout_s, max_attempts, backoff_factor, max_retry_delay_s: timeout (s) and retry policy of the
            REST sources' shared HTTP client (:mod:`ingestion._common.http`).
        run_log: filled with the rows mapped per vendor and table (for the runner).
    """
    parsed = H.parse_vendors(vendors)
    if lookback_days < 0:
        raise VendorApiError(f"{S.LOOKBACK_DAYS_ENV} must be >= 0, got {lookback_days}")
    http = HttpSettings(request_timeout_s, max_attempts, backoff_factor, max_retry_delay_s)
    loaded_at = dt.datetime.now(dt.UTC)
    log = run_log if run_log is not None else SaasRunLog()
    initial = H.epoch(start_date)
    resources = []
    for vendor in parsed:
        resources += rest_api_resources(
            vendor_config(
                vendor,
                initial_created=initial,
                lookback_days=lookback_days,
                page_limit=page_limit,
                http=http,
                loaded_at=loaded_at,
                run_log=log,
            )
        )
    return resources
