"""The SaaS invoices source as the warehouse runs it, without Dagster (the Dagster asset and the tests call this).

* :func:`source_arguments` reads the configuration when called (environment variables or ``.dlt/`` config and
  secrets, through dlt; never at import time): ``SOURCES__SAAS_INVOICES__VENDORS`` (secret) and the optional
  ``START_DATE``, ``LOOKBACK_DAYS``, ``PAGE_LIMIT``.
* :func:`load_saas_invoices` runs the dlt source into the warehouse DuckDB with the billing exports' pipeline
  layout (pipeline and dataset ``saas_invoices``) and returns a :class:`SaasLoadReport`. No vendor configured is
  not an error: both tables are created empty with their declared columns and the report says
  ``configured=False``.
* :func:`ensure_saas_tables` creates ``saas_invoices.invoices`` and ``saas_invoices.invoice_lines`` empty when they
  do not exist (so dbt's staging compiles); called by :func:`~ingestion._common.source.ensure_raw_tables`.

Errors surface as :class:`~ingestion._common.http.VendorApiError` (``VendorApiError``) naming the vendor, the
request and its page and the variable to fix (the shared HTTP client's error mapping), with every configured key
scrubbed and no exception chain. A failure after the
retries (429, 5xx, timeouts, a malformed or truncated page) commits nothing (no package, cursor unchanged) and says
that a re-run is safe (:data:`~ingestion._common.api_sources.RERUN_HINT`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import dlt

from ingestion._common.api_sources import with_rerun_hint
from ingestion._common.errors import find_in_chain
from ingestion._common.http import HttpSettings, VendorApiError, VendorAuthError, transport_error
from ingestion._common.tables import drop_pending, finish_pending

from . import helpers as H
from . import settings as S

log = logging.getLogger("finops.ingestion")

# dlt config names (sources.saas_invoices.<name>) passed to the source when set, with their types
CONFIG_ARGS: dict[str, type] = {
    "start_date": str,
    "lookback_days": float,
    "page_limit": int,
    "request_timeout_s": float,
    "max_attempts": int,
    "backoff_factor": float,
    "max_retry_delay_s": float,
}
NOT_CONFIGURED_HINT = (
    f'set {S.VENDORS_ENV} to a JSON list of {{"name", "base_url", "api_key"}} (one entry per '
    f"vendor billing through a Stripe-style invoices API), or {S.VENDORS_TOML} in "
    ".dlt/secrets.toml"
)


def _lookup(accessor: Any, name: str) -> Any:
    """``sources.saas_invoices.saas_invoices.<name>`` then ``sources.saas_invoices.<name>``, as dlt resolves the
    source's arguments (``SOURCES__SAAS_INVOICES__VENDORS`` is the second)."""
    for key in (f"sources.{S.DATASET}.{S.DATASET}.{name}", f"sources.{S.DATASET}.{name}"):
        value = accessor.get(key)
        if value is not None and value != "":
            return value
    return None


def source_arguments() -> dict[str, Any] | None:
    """The source's arguments from the configuration found now, or None when no vendor is configured."""
    vendors = _lookup(dlt.secrets, "vendors")
    if not vendors:
        return None
    args: dict[str, Any] = {"vendors": vendors}
    for name, kind in CONFIG_ARGS.items():
        value = _lookup(dlt.config, name)
        if value is None:
            continue
        try:
            args[name] = kind(value)
        except (TypeError, ValueError):
            raise VendorApiError(
                f"SOURCES__SAAS_INVOICES__{name.upper()}: expected {kind.__name__}, got {value!r}"
            ) from None
    return args


@dataclass
class SaasLoadReport:
    configured: bool = False
    vendors: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys((S.INVOICES, S.INVOICE_LINES), 0))
    rows_by_vendor: dict[str, dict[str, int]] = field(default_factory=dict)  # vendor -> table -> rows read
    window: dict[str, str] = field(default_factory=dict)
    tables_created: list[str] = field(default_factory=list)  # created empty by this run
    hint: str = ""  # what to set when not configured
    dataset: str = S.DATASET

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        if not self.configured:
            return f"{S.DATASET}: not configured, nothing loaded: {self.hint}"
        return (
            f"{S.DATASET}: {len(self.vendors)} vendor(s) ({', '.join(self.vendors)}), "
            f"{self.rows[S.INVOICES]:,} invoices and {self.rows[S.INVOICE_LINES]:,} invoice lines loaded "
            f"(look-back {self.window.get('lookback_days')} days)"
        )


def _failure(exc: BaseException, vendors: list[H.Vendor], run_log: H.SaasRunLog, http: HttpSettings) -> str:
    """A one-line message for a failed load: the shared HTTP client's (or the source's) own error when there is one,
    else, for a request that failed below HTTP after the retries, the failing resource's vendor, request and page,
    else the innermost error."""
    import requests
    from dlt.extract.exceptions import ResourceExtractionError

    own = find_in_chain(exc, VendorApiError)
    if own is not None:
        return str(own)
    rex = find_in_chain(exc, ResourceExtractionError)
    position = run_log.positions.get(rex.pipe_name) if rex is not None else None
    transport = find_in_chain(exc, requests.RequestException)
    if transport is not None and not isinstance(transport, requests.HTTPError):
        return str(transport_error(transport, position, http, label=S.DATASET))
    where = position.account.label if position is not None else S.DATASET
    root, seen = exc, set()
    while id(root) not in seen:  # the innermost error dlt wrapped (the HTTP library's, ...)
        seen.add(id(root))
        inner = getattr(root, "exception", None) or root.__cause__ or root.__context__
        if not isinstance(inner, BaseException):
            break
        root = inner
    text = str(root).splitlines()[0][:400] if str(root) else ""
    return f"{where}: load failed: {type(root).__name__}: {text}"


def load_saas_invoices(warehouse: str, **overrides: Any) -> SaasLoadReport:
    """Load every configured vendor's invoices and lines into ``warehouse``; see the module doc.

    ``overrides`` replace configured source arguments (``vendors``, ``start_date``, ``lookback_days``,
    ``page_limit``, ...), e.g. for tests. To re-read older invoices, raise ``lookback_days`` for one run (rows
    merge on their keys, nothing is duplicated)."""
    from ingestion._common.source import make_pipeline

    from . import saas_invoices

    args = source_arguments() or {}
    args.update({k: v for k, v in overrides.items() if v is not None})
    report = SaasLoadReport(
        window={
            "start_date": str(args.get("start_date") or "all invoices (first run)"),
            "lookback_days": str(args.get("lookback_days", S.DEFAULT_LOOKBACK_DAYS)),
        }
    )
    if not args.get("vendors"):
        report.hint = NOT_CONFIGURED_HINT
        log.debug("%s", report.summary())
        report.tables_created = ensure_saas_tables(warehouse)
        return report
    report.configured = True
    vendors = H.parse_vendors(args["vendors"])  # a bad configuration fails here, naming the entry
    report.vendors = [v.name for v in vendors]
    run_log = H.SaasRunLog()
    pipeline = make_pipeline(S.DATASET, warehouse)
    try:
        finish_pending(pipeline)  # a crashed run: finish its load first
        pipeline.run(saas_invoices(**args, run_log=run_log))
    except Exception as e:  # noqa: BLE001 - re-raised without the chain (it may hold request details), keys scrubbed
        drop_pending(pipeline)
        http = HttpSettings(max_attempts=args.get("max_attempts", HttpSettings.max_attempts))
        msg = _failure(e, vendors, run_log, http)
        for v in vendors:
            msg = v.account.scrub(msg)
        if find_in_chain(e, VendorAuthError) is None:  # a rejected key: the message says what to set
            msg = with_rerun_hint(msg)
        raise VendorApiError(msg) from None
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    report.rows = {t: int(counts.get(t, 0)) for t in (S.INVOICES, S.INVOICE_LINES)}
    report.rows_by_vendor = {
        v.name: {t: run_log.rows[(v.name, t)] for t in (S.INVOICES, S.INVOICE_LINES)} for v in vendors
    }
    report.tables_created = ensure_saas_tables(warehouse)  # e.g. no invoice at all yet
    log.debug("%s", report.summary())  # callers report it (the Dagster asset logs it once)
    return report


def ensure_saas_tables(warehouse: str, existing: set[tuple[str, str]] | None = None) -> list[str]:
    """Create, empty, ``saas_invoices.invoices`` and ``saas_invoices.invoice_lines`` if missing. Returns the
    ``dataset.table`` names created."""
    from ingestion._common.tables import ensure_tables

    from . import table_hints

    return ensure_tables(warehouse, S.DATASET, table_hints(), existing)
