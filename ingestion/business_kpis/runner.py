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
  :func:`~ingestion.catalogue.ensure_raw_tables`.

Errors surface as :class:`~ingestion.business_kpis.helpers.BusinessKpiError` with the password scrubbed and no
exception chain (the driver's message may hold the URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dlt

from ingestion._common.filedrop import DropLoadReport, config_value, folder_exists, run_drop_source
from ingestion._common.sqlsource import configured_database
from ingestion._common.tables import ensure_tables

from . import business_kpis, table_hints
from . import helpers as H
from . import settings as S

# dlt config names (sources.business_kpis.<name>) of the source arguments
CONFIG_ARGS = ("csv_path", "table_name", "db_schema", "cursor_column")


def default_csv_path(landing: str | None) -> str | None:
    if not landing:
        return None
    return f"{str(landing).rstrip('/')}/{S.LANDING_PREFIX}"


def source_arguments(landing: str | None = None) -> dict[str, Any]:
    """The source's arguments from the configuration found now: ``csv_path`` (configured, else
    ``<landing>/business_kpis``), ``credentials`` when set, and the SQL table options when set."""
    args: dict[str, Any] = {}
    for name in CONFIG_ARGS:
        value = config_value(dlt.config, S.DATASET, name)
        if value is not None:
            args[name] = str(value)
    args.setdefault("csv_path", default_csv_path(landing))
    if not args["csv_path"]:
        args.pop("csv_path")
    credentials = config_value(dlt.secrets, S.DATASET, "credentials")
    if credentials:
        args["credentials"] = str(credentials)
    return args


@dataclass
class KpiLoadReport(DropLoadReport):
    configured: bool = False
    csv_path: str | None = None
    csv_configured: bool = False  # the drop folder exists
    sql_configured: bool = False  # credentials are set
    sql_source: str | None = None  # "<url without password> table <t>"
    rows_loaded: int = 0  # rows written to daily_volumes by this run (dlt's row count)
    rows_by_source: dict[str, int] = field(default_factory=lambda: {S.CSV_SYSTEM: 0, S.SQL_SYSTEM: 0})

    def summary(self) -> str:
        if not self.configured:
            return f"{S.DATASET}: not configured, nothing loaded: {self.hint}"
        parts = []
        if self.csv_configured:
            parts.append(
                f"CSV drop {self.csv_path}: {len(self.files_loaded)} file(s) read, "
                f"{len(self.files_skipped)} unchanged, {self.rows_by_source[S.CSV_SYSTEM]:,} rows"
            )
        if self.sql_configured:
            parts.append(f"SQL {self.sql_source}: {self.rows_by_source[S.SQL_SYSTEM]:,} new or changed rows")
        bad = len(self.all_quarantined)
        return f"{S.DATASET}: {self.rows_loaded:,} rows loaded ({'; '.join(parts)})" + (
            f"; {bad} quarantined row(s) (finops quarantine)" if bad else ""
        )


NOT_CONFIGURED_HINT = (
    f"drop CSV files into <FINOPS_LANDING>/{S.LANDING_PREFIX}/ (or set {S.CSV_PATH_ENV}) and/or "
    f"set {S.CREDENTIALS_ENV} to the SQLAlchemy URL of the KPI database "
    f"({S.TABLE_NAME_ENV}, default {S.DEFAULT_SQL_TABLE})"
)


def load_business_kpis(warehouse: str, landing: str | None = None, full_refresh: bool = False) -> KpiLoadReport:
    """Load the CSV drop and the SQL table with the configuration found now; see the module doc."""
    args = source_arguments(landing)
    report = KpiLoadReport(csv_path=args.get("csv_path"))
    report.csv_configured = bool(report.csv_path) and folder_exists(report.csv_path)
    db = configured_database(args, S.DEFAULT_SQL_TABLE, S.DEFAULT_CURSOR)
    report.sql_configured = db is not None
    if not report.csv_configured:
        args.pop("csv_path", None)
    report.configured = report.csv_configured or report.sql_configured
    if db is not None:
        report.sql_source = db.shown
    if not report.configured:
        return report.nothing_configured(NOT_CONFIGURED_HINT, ensure_kpi_tables(warehouse))

    run_log = H.KpiRunLog()
    counts = run_drop_source(
        S.DATASET,
        warehouse,
        lambda: business_kpis(**args, full_refresh=full_refresh, run_log=run_log),
        error=H.BusinessKpiError,
        db=db,
        engines=run_log.engines,
    )
    report.rows_loaded = int(counts.get(S.TABLE, 0))
    report.rows_by_source = dict(run_log.rows)
    report.take(run_log, S.DATASET, ensure_kpi_tables(warehouse))  # tables_created: e.g. no quarantine table yet
    return report


def ensure_kpi_tables(warehouse: str, existing: set[tuple[str, str]] | None = None) -> list[str]:
    """Create, empty, ``business_kpis.daily_volumes`` and ``business_kpis.quarantine`` if missing. Returns the
    ``dataset.table`` names created."""
    return ensure_tables(warehouse, S.DATASET, table_hints(), existing)
