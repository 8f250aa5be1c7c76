"""The business-KPI source as the warehouse runs it, without Dagster (the Dagster asset and the tests call this).

* :func:`source_arguments` reads the configuration when called (environment variables or ``.dlt/`` config and
  secrets, through dlt; never at import time): the CSV drop (``SOURCES__BUSINESS_KPIS__CSV_PATH``, default
  ``<landing>/business_kpis``) and the SQL table (``SOURCES__BUSINESS_KPIS__CREDENTIALS`` + ``TABLE_NAME``,
  ``DB_SCHEMA``, ``CURSOR_COLUMN``).
* :func:`load_business_kpis` runs the dlt source into the warehouse DuckDB with the billing exports' pipeline layout
  (pipeline and dataset ``business_kpis``) and returns a :class:`KpiLoadReport`. Nothing configured (no drop folder,
  no credentials) is not an error: the tables are created empty and the report says ``configured=False``.
* :func:`ensure_kpi_tables` creates ``business_kpis.daily_volumes`` and ``business_kpis.quarantine`` empty when they
  do not exist, with the declared columns (so dbt's staging compiles); called by
  :func:`~ingestion._common.source.ensure_raw_tables`.

Errors surface as :class:`~ingestion.business_kpis.helpers.BusinessKpiError` with the password scrubbed and no
exception chain (the driver's message may hold the URL).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt

from ingestion._common.errors import BadInputError, find_in_chain
from ingestion._common.tables import drop_pending

from . import helpers as H
from . import settings as S

log = logging.getLogger("finops.ingestion")

# dlt config names (sources.business_kpis.<name>) of the source arguments
CONFIG_ARGS = ("csv_path", "table_name", "db_schema", "cursor_column")


def _lookup(accessor: Any, name: str) -> Any:
    for key in (f"sources.{S.DATASET}.{S.DATASET}.{name}", f"sources.{S.DATASET}.{name}"):
        value = accessor.get(key)
        if value is not None and value != "":
            return value
    return None


def default_csv_path(landing: str | None) -> str | None:
    if not landing:
        return None
    return f"{str(landing).rstrip('/')}/{S.LANDING_PREFIX}"


def source_arguments(landing: str | None = None) -> dict[str, Any]:
    """The source's arguments from the configuration found now: ``csv_path`` (configured, else
    ``<landing>/business_kpis``), ``credentials`` when set, and the SQL table options when set."""
    args: dict[str, Any] = {}
    for name in CONFIG_ARGS:
        value = _lookup(dlt.config, name)
        if value is not None:
            args[name] = str(value)
    args.setdefault("csv_path", default_csv_path(landing))
    if not args["csv_path"]:
        args.pop("csv_path")
    credentials = _lookup(dlt.secrets, "credentials")
    if credentials:
        args["credentials"] = str(credentials)
    return args


def _exists(path: str) -> bool:
    import fsspec

    try:
        if "://" in path:
            fs, p = fsspec.core.url_to_fs(path)
            return bool(fs.isdir(p))
        return Path(path).expanduser().is_dir()
    except (OSError, ValueError, ImportError):
        return False


@dataclass
class KpiLoadReport:
    configured: bool = False
    csv_path: str | None = None
    csv_configured: bool = False  # the drop folder exists
    sql_configured: bool = False  # credentials are set
    sql_source: str | None = None  # "<url without password> table <t>"
    rows_loaded: int = 0  # rows written to daily_volumes by this run (dlt's row count)
    rows_by_source: dict[str, int] = field(default_factory=lambda: {S.CSV_SYSTEM: 0, S.SQL_SYSTEM: 0})
    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    quarantined: list[BadInputError] = field(default_factory=list)  # found by this run
    still_quarantined: list[BadInputError] = field(default_factory=list)  # of unchanged files, found before
    tables_created: list[str] = field(default_factory=list)
    hint: str = ""

    @property
    def ok(self) -> bool:
        return not (self.quarantined or self.still_quarantined)

    @property
    def all_quarantined(self) -> list[BadInputError]:
        return [*self.quarantined, *self.still_quarantined]

    def summary(self) -> str:
        if not self.configured:
            return f"{S.DATASET}: not configured, nothing loaded: {self.hint}"
        parts = []
        if self.csv_configured:
            parts.append(f"CSV drop {self.csv_path}: {len(self.files_loaded)} file(s) read, "
                         f"{len(self.files_skipped)} unchanged, {self.rows_by_source[S.CSV_SYSTEM]:,} rows")
        if self.sql_configured:
            parts.append(f"SQL {self.sql_source}: {self.rows_by_source[S.SQL_SYSTEM]:,} new or changed rows")
        bad = len(self.all_quarantined)
        return (f"{S.DATASET}: {self.rows_loaded:,} rows loaded ({'; '.join(parts)})"
                + (f"; {bad} quarantined row(s) (finops quarantine)" if bad else ""))


NOT_CONFIGURED_HINT = (f"drop CSV files into <FINOPS_LANDING>/{S.LANDING_PREFIX}/ (or set {S.CSV_PATH_ENV}) and/or "
                       f"set {S.CREDENTIALS_ENV} to the SQLAlchemy URL of the KPI database "
                       f"({S.TABLE_NAME_ENV}, default {S.DEFAULT_SQL_TABLE})")


def load_business_kpis(warehouse: str, landing: str | None = None, full_refresh: bool = False) -> KpiLoadReport:
    """Load the CSV drop and the SQL table with the configuration found now; see the module doc."""
    from ingestion._common.source import make_pipeline

    from . import business_kpis

    args = source_arguments(landing)
    report = KpiLoadReport(csv_path=args.get("csv_path"))
    report.csv_configured = bool(report.csv_path) and _exists(report.csv_path)
    report.sql_configured = bool(args.get("credentials"))
    if not report.csv_configured:
        args.pop("csv_path", None)
    report.configured = report.csv_configured or report.sql_configured
    secrets: list[str] = []
    if report.sql_configured:
        db = H.SqlDatabase(args["credentials"], args.get("table_name") or S.DEFAULT_SQL_TABLE,
                           args.get("db_schema"), args.get("cursor_column") or S.DEFAULT_CURSOR)
        report.sql_source = f"{db.safe_url} table {db.qualified_table}"
        secrets = db.secrets
    if not report.configured:
        report.hint = NOT_CONFIGURED_HINT
        log.debug("%s", report.summary())
        report.tables_created = ensure_kpi_tables(warehouse)
        return report

    run_log = H.KpiRunLog()
    pipeline = make_pipeline(S.DATASET, warehouse)
    try:
        if pipeline.has_pending_data:  # a crashed run: finish its load first
            pipeline.run()
        pipeline.run(business_kpis(**args, full_refresh=full_refresh, run_log=run_log))
    except Exception as e:  # noqa: BLE001 - re-raised without the chain, password scrubbed
        drop_pending(pipeline)
        cause = find_in_chain(e, H.BusinessKpiError)
        msg = str(cause) if cause is not None else f"{S.DATASET}: load failed: {type(_root(e)).__name__}: {_root(e)}"
        raise H.BusinessKpiError(H.scrub(msg, secrets)) from None
    finally:
        for engine in run_log.engines:
            engine.dispose()
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    report.rows_loaded = int(counts.get(S.TABLE, 0))
    report.rows_by_source = dict(run_log.rows)
    report.files_loaded, report.files_skipped = run_log.files_loaded, run_log.files_skipped
    report.quarantined, report.still_quarantined = run_log.quarantined, run_log.still_quarantined
    report.tables_created = ensure_kpi_tables(warehouse)  # e.g. no quarantine table yet
    for e in report.quarantined:
        log.warning("%s: quarantined: %s", S.DATASET, e)
    log.debug("%s", report.summary())  # callers report it (the Dagster asset logs it once)
    return report


def _root(exc: BaseException) -> BaseException:
    """The innermost exception dlt wrapped (the driver's or the source's own)."""
    inner = getattr(exc, "exception", None)
    while isinstance(inner, BaseException) and getattr(inner, "exception", None) is not None:
        inner = inner.exception
    return inner if isinstance(inner, BaseException) else (exc.__cause__ or exc)


def ensure_kpi_tables(warehouse: str, existing: set[tuple[str, str]] | None = None) -> list[str]:
    """Create, empty, ``business_kpis.daily_volumes`` and ``business_kpis.quarantine`` if missing. Returns the
    ``dataset.table`` names created."""
    from ingestion._common.tables import ensure_tables

    from . import table_hints

    return ensure_tables(warehouse, S.DATASET, table_hints(), existing)
