"""The AI vendor API sources (OpenAI, Anthropic) as the warehouse runs them, without Dagster.

* :func:`load_api_source` reads the vendor's configuration when called (environment variables or ``.dlt/``
  secrets and config, through dlt; never at import time), runs the dlt source into the warehouse DuckDB with the
  same pipeline layout as the billing exports (pipeline and dataset ``<dataset>``, pipelines dir
  :func:`~ingestion._common.pipeline.pipelines_dir`), and returns an :class:`ApiLoadReport` (rows per table,
  organisations, window). A vendor without a key is not an error: nothing is fetched, the report says
  ``configured=False`` and names the variable to set.
* :func:`ensure_api_tables` creates every table of these datasets that does not exist yet, empty, with the columns
  the resources declare (so dbt's staging views on them compile when a vendor is not configured). It is called by
  :func:`load_api_source` and by :func:`~ingestion.catalogue.ensure_raw_tables`.

The vendor APIs themselves (:class:`ApiSource`, one per source package) are listed by the catalogue
(:func:`ingestion.catalogue.api_sources`), which calls these functions with them.

Errors (401/403, HTTP after the retries, malformed pages) surface as :class:`ApiSourceError` carrying the source's
own message (organisation, endpoint, page, the secret to set), never a key. A failure after the retries (429, 5xx,
timeouts, a malformed or truncated page) commits nothing: dlt's extract step fails before its load package and the
resource state (the cursor) are committed, so the warehouse and the cursor stay as the last successful run left them
and a re-run fetches the same window again; the message says so (:data:`RERUN_HINT`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import dlt

from .filedrop import config_value
from .http import VendorApiError, VendorAuthError
from .pipeline import make_pipeline
from .tables import ensure_tables, existing_tables, finish_pending

log = logging.getLogger("finops.ingestion")

# the source arguments read from dlt config and shown as the load window in reports
WINDOW_ARGS = ("start_date", "end_date", "lookback_days", "bucket_width")


class ApiSourceError(RuntimeError):
    """A vendor API load failed; the message is the source's own (no secret)."""


# what to do after a vendor API failed past its retries (429, 5xx, timeouts, malformed or truncated pages)
RERUN_HINT = (
    "Nothing from this run was loaded and the load state (cursor) is unchanged, so nothing is lost or "
    "counted twice: re-run once the vendor API answers correctly (the next run fetches the same window "
    "again). If it keeps failing, check the vendor's status page and the configured base_url."
)


def with_rerun_hint(message: str) -> str:
    """``message`` + :data:`RERUN_HINT` (once)."""
    message = message.rstrip()
    if RERUN_HINT in message:
        return message
    return f"{message}{'' if message.endswith('.') else '.'} {RERUN_HINT}"


@dataclass(frozen=True)
class ApiSource:
    """One vendor API dataset: its dlt source, its tables and where its secrets come from."""

    dataset: str
    vendor: str
    key_env: str  # one organisation's admin key
    orgs_env: str  # several organisations: JSON list of {name, api_key, base_url}
    default_base_url: str
    source: Callable[..., Any]  # the @dlt.source function
    table_hints: Callable[[], dict[str, dict[str, Any]]]
    parse_organizations: Callable[..., list[Any]]

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self.table_hints())

    @property
    def secret_hint(self) -> str:
        return (
            f"set {self.key_env} (one organisation) or {self.orgs_env} (JSON list of "
            f'{{"name", "api_key", "base_url"}}), or sources.{self.dataset} in .dlt/secrets.toml'
        )


# ----------------------------------------------------------------------------------------------------------------------
# configuration (read at call time, through dlt: environment variables first, then .dlt/*.toml)
# ----------------------------------------------------------------------------------------------------------------------
def _lookup(accessor: Any, dataset: str, name: str) -> Any:
    """``sources.<dataset>.<dataset>.<name>`` then ``sources.<dataset>.<name>``, as dlt resolves the source's
    arguments (``SOURCES__OPENAI_USAGE__API_KEY`` is the second)."""
    return config_value(accessor, dataset, name)


def source_arguments(dataset: str) -> dict[str, Any] | None:
    """The organisation arguments for the dataset's source, or None when no key is configured.

    ``organizations`` (JSON list, takes precedence) or ``api_key`` with ``organization_name`` / ``base_url`` when
    set. Every other argument (``start_date``, ``lookback_days``, ...) is left to dlt's own injection from config.
    """
    orgs = _lookup(dlt.secrets, dataset, "organizations")
    if orgs:
        return {"organizations": orgs}
    key = _lookup(dlt.secrets, dataset, "api_key")
    if not key:
        return None
    args: dict[str, Any] = {"api_key": key}
    for name in ("organization_name", "base_url"):
        value = _lookup(dlt.config, dataset, name)
        if value:
            args[name] = value
    return args


def organization_names(s: ApiSource, args: dict[str, Any]) -> list[str]:
    """The configured organisations' names (validates the configuration with the source's own parser: a bad
    organisation list fails here with the source's message)."""
    orgs = s.parse_organizations(
        args.get("organizations"),
        args.get("api_key"),
        args.get("organization_name") or "default",
        args.get("base_url") or s.default_base_url,
    )
    return [o.name for o in orgs]


def window(dataset: str) -> dict[str, str]:
    """The configured load window, for reports (unset values show the source's default)."""
    defaults = {"start_date": "30 days ago (first run)", "end_date": "now", "lookback_days": "3", "bucket_width": "1d"}
    return {name: str(_lookup(dlt.config, dataset, name) or defaults[name]) for name in WINDOW_ARGS}


# ----------------------------------------------------------------------------------------------------------------------
# load
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class ApiLoadReport:
    dataset: str
    configured: bool
    organizations: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows loaded by this run (every table listed)
    window: dict[str, str] = field(default_factory=dict)
    tables_created: list[str] = field(default_factory=list)  # created empty by this run
    hint: str = ""  # what to set when not configured

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        if not self.configured:
            return f"{self.dataset}: not configured, nothing loaded: {self.hint}"
        return (
            f"{self.dataset}: {len(self.organizations)} organisation(s) ({', '.join(self.organizations)}), "
            f"{self.total_rows:,} rows loaded from the API"
        )


def _vendor_error(exc: BaseException) -> BaseException | None:
    """The shared HTTP client's error behind ``exc`` (dlt wraps it), if any."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, VendorApiError):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return None


def load_api_source(s: ApiSource, warehouse: str) -> ApiLoadReport:
    """Load one vendor API dataset into ``warehouse`` with the configuration found now; see the module doc."""
    dataset = s.dataset
    report = ApiLoadReport(dataset, configured=False, rows=dict.fromkeys(s.tables, 0), window=window(dataset))
    args = source_arguments(dataset)
    if args is None:
        report.hint = s.secret_hint
        log.debug("%s: no %s admin key configured, nothing loaded: %s", dataset, s.vendor, s.secret_hint)
        report.tables_created = ensure_api_tables(warehouse, [s])
        return report
    report.configured = True
    try:
        report.organizations = organization_names(s, args)
    except VendorApiError as e:  # a bad organisation list: the message names the variable to fix
        raise ApiSourceError(f"{dataset}: {e}") from e
    pipeline = make_pipeline(dataset, warehouse)
    try:
        finish_pending(pipeline)  # a crashed run: finish its load first
        pipeline.run(s.source(**args))
    except Exception as e:  # dlt wraps the source's errors (PipelineStepFailed, extraction errors)
        cause = _vendor_error(e)
        if cause is None:
            raise
        message = f"{dataset}: {cause}"
        raise ApiSourceError(message if isinstance(cause, VendorAuthError) else with_rerun_hint(message)) from cause
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    report.rows = {t: int(counts.get(t, 0)) for t in s.tables}
    report.tables_created = ensure_api_tables(warehouse, [s])  # tables the API had no rows for
    log.debug("%s", report.summary())  # callers report it (the Dagster asset logs it once)
    return report


# ----------------------------------------------------------------------------------------------------------------------
# empty tables
# ----------------------------------------------------------------------------------------------------------------------
def ensure_api_tables(
    warehouse: str, sources: Iterable[ApiSource], existing: set[tuple[str, str]] | None = None
) -> list[str]:
    """Create, empty, every table of the vendor API ``sources`` that does not exist yet. Returns ``dataset.table``
    created."""
    existing = existing_tables(warehouse) if existing is None else existing
    created: list[str] = []
    for s in sorted(sources, key=lambda s: s.dataset):
        created += ensure_tables(warehouse, s.dataset, s.table_hints(), existing)
    return created
