"""The finance source as the warehouse runs it, without Dagster (the Dagster asset, the CLI and the tests call this).

* :func:`source_arguments` reads the configuration when called (environment variables or ``.dlt/`` config and
  secrets, through dlt; never at import time): the drops (``SOURCES__FINANCE__AP_PATH``, ``__CARDS_PATH``,
  ``__EXPENSES_PATH``, ``__FX_RATES_PATH``; defaults ``<landing>/finance/<ap|cards|expenses|fx_rates>``) and the
  ledger (``SOURCES__FINANCE__LEDGER__CREDENTIALS`` + ``__TABLE_NAME``, ``__DB_SCHEMA``, ``__CURSOR_COLUMN``).
* :func:`load_finance` runs the dlt source into the warehouse DuckDB with the billing exports' pipeline layout
  (pipeline and dataset ``finance``) and returns a :class:`FinanceLoadReport`. Nothing configured (no drop folder,
  no ledger) is not an error: the tables are created empty and the report says ``configured=False``.
* :func:`ensure_finance_tables` creates the finance tables and ``finance.quarantine`` empty when they do not exist,
  with the declared columns (so dbt's staging compiles); called by
  :func:`~ingestion.catalogue.ensure_raw_tables`.
* :func:`demo_ledger_database` points the ledger at the demo's SQLite file for a run (``finops run --demo-finance``).

Errors surface as :class:`~ingestion.finance.helpers.FinanceError` with the password scrubbed and no exception chain
(the driver's message may hold the URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt

from ingestion._common.errors import BadInputError
from ingestion._common.filedrop import DropLoadReport, config_value, folder_exists, run_drop_source
from ingestion._common.sqlsource import configured_database, sqlite_env
from ingestion._common.tables import ensure_tables

from . import finance, table_hints
from . import helpers as H
from . import settings as S

# drop -> the source argument (and dlt config name sources.finance.<name>) of its folder
PATH_ARGS = {
    S.AP_DROP: "ap_path",
    S.CARDS_DROP: "cards_path",
    S.EXPENSES_DROP: "expenses_path",
    S.FX_DROP: "fx_rates_path",
}
# dlt config name sources.finance.ledger.<name> -> the source argument
LEDGER_ARGS = {
    "table_name": "ledger_table_name",
    "db_schema": "ledger_db_schema",
    "cursor_column": "ledger_cursor_column",
}
# report parts: the drops and the ledger
LEDGER_PART = "ledger"
PART_TABLES = {
    S.AP_DROP: S.AP_TABLE,
    S.CARDS_DROP: S.CARD_TABLE,
    S.EXPENSES_DROP: S.CARD_TABLE,
    S.FX_DROP: S.FX_TABLE,
    LEDGER_PART: S.GL_TABLE,
}


def default_path(landing: str | None, drop: str) -> str | None:
    if not landing:
        return None
    return f"{str(landing).rstrip('/')}/{S.LANDING_PREFIX}/{drop}"


def source_arguments(landing: str | None = None) -> dict[str, Any]:
    """The source's arguments from the configuration found now: each drop's path (configured, else
    ``<landing>/finance/<drop>``), ``ledger_credentials`` when set, and the ledger table options when set."""
    args: dict[str, Any] = {}
    for drop, arg in PATH_ARGS.items():
        path = config_value(dlt.config, S.DATASET, arg) or default_path(landing, drop)
        if path:
            args[arg] = str(path)
    for name, arg in LEDGER_ARGS.items():
        value = config_value(dlt.config, S.DATASET, f"ledger.{name}")
        if value is not None:
            args[arg] = str(value)
    credentials = config_value(dlt.secrets, S.DATASET, "ledger.credentials")
    if credentials:
        args["ledger_credentials"] = str(credentials)
    return args


@dataclass
class FinanceLoadReport(DropLoadReport):
    paths: dict[str, str | None] = field(default_factory=dict)  # drop -> folder or URL
    parts: dict[str, bool] = field(default_factory=lambda: dict.fromkeys([*S.DROPS, LEDGER_PART], False))
    ledger_source: str | None = None  # "<url without password> table <t>"
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(S.TABLES, 0))  # written by this run (dlt)
    ledger_rows_without_cursor: int = 0  # ledger rows whose cursor (updated_at) is NULL: read on every run

    @property
    def configured(self) -> bool:
        return any(self.parts.values())

    @property
    def rows_loaded(self) -> int:
        return sum(self.rows.values())

    def configured_for(self, table: str) -> bool:
        return any(on for part, on in self.parts.items() if PART_TABLES[part] == table)

    def quarantined_for(self, table: str) -> list[BadInputError]:
        return [e for e in self.all_quarantined if H.table_of(e.file) == table]

    def files_for(self, table: str, files: list[str]) -> list[str]:
        return [f for f in files if H.table_of(f) == table]

    def summary(self) -> str:
        if not self.configured:
            return f"{S.DATASET}: not configured, nothing loaded: {self.hint}"
        parts = []
        for drop in S.DROPS:
            if self.parts[drop]:
                prefix = f"{S.LANDING_PREFIX}/{drop}/"
                read = sum(f.startswith(prefix) for f in self.files_loaded)
                same = sum(f.startswith(prefix) for f in self.files_skipped)
                parts.append(f"{drop} {self.paths[drop]}: {read} file(s) read, {same} unchanged")
        if self.parts[LEDGER_PART]:
            parts.append(
                f"ledger {self.ledger_source}: {self.rows[S.GL_TABLE]:,} new or changed rows"
                + (
                    f" ({self.ledger_rows_without_cursor:,} without a cursor value, read on every run: set "
                    "their updated_at)"
                    if self.ledger_rows_without_cursor
                    else ""
                )
            )
        rows = ", ".join(f"{t} {n:,}" for t, n in self.rows.items())
        bad = len(self.all_quarantined)
        return f"{S.DATASET}: {self.rows_loaded:,} rows loaded ({rows}; {'; '.join(parts)})" + (
            f"; {bad} quarantined row(s) (finops quarantine)" if bad else ""
        )


NOT_CONFIGURED_HINT = (
    f"drop the ERP's AP export (CSV/XLSX) into <FINOPS_LANDING>/{S.LANDING_PREFIX}/{S.AP_DROP}/, card statements "
    f"into .../{S.CARDS_DROP}/, expense reports into .../{S.EXPENSES_DROP}/, FX rates into .../{S.FX_DROP}/ (or set "
    f"{', '.join(S.PATH_ENVS.values())}) and/or set {S.LEDGER_CREDENTIALS_ENV} to the SQLAlchemy URL of the ledger "
    f"({S.LEDGER_TABLE_ENV}, default {S.DEFAULT_LEDGER_TABLE})"
)


def load_finance(warehouse: str, landing: str | None = None, full_refresh: bool = False) -> FinanceLoadReport:
    """Load the finance drops and the ledger with the configuration found now; see the module doc."""
    args = source_arguments(landing)
    report = FinanceLoadReport()
    for drop, arg in PATH_ARGS.items():
        report.paths[drop] = args.get(arg)
        report.parts[drop] = bool(args.get(arg)) and folder_exists(args[arg])
        if not report.parts[drop]:
            args.pop(arg, None)
    db = configured_database(args, S.DEFAULT_LEDGER_TABLE, S.DEFAULT_CURSOR, prefix="ledger_")
    report.parts[LEDGER_PART] = db is not None
    if db is not None:
        report.ledger_source = db.shown
    if not report.configured:
        return report.nothing_configured(NOT_CONFIGURED_HINT, ensure_finance_tables(warehouse))

    run_log = H.FinanceRunLog()
    counts = run_drop_source(
        S.DATASET,
        warehouse,
        lambda: finance(**args, full_refresh=full_refresh, run_log=run_log),
        error=H.FinanceError,
        db=db,
        engines=run_log.engines,
    )
    report.rows = {t: counts.get(t, 0) for t in S.TABLES}
    report.ledger_rows_without_cursor = run_log.ledger_rows_without_cursor
    report.take(run_log, S.DATASET, ensure_finance_tables(warehouse))  # the parts not configured, no quarantine yet
    return report


def ensure_finance_tables(warehouse: str, existing: set[tuple[str, str]] | None = None) -> list[str]:
    """Create, empty, every finance table and ``finance.quarantine`` if missing. Returns the ``dataset.table``
    names created."""
    return ensure_tables(warehouse, S.DATASET, table_hints(), existing)


def demo_ledger_path(landing: str | Path) -> Path:
    return Path(landing) / S.LANDING_PREFIX / S.DEMO_LEDGER_FILE


@contextmanager
def demo_ledger_database(landing: str | Path) -> Iterator[str]:
    """Point the ledger at the demo's SQLite file ``<landing>/finance/ledger.sqlite`` for the duration (sets
    ``SOURCES__FINANCE__LEDGER__CREDENTIALS``; the caller's value is restored on exit). Yields the URL.
    FileNotFoundError when the demo has not been generated there."""
    with sqlite_env(S.LEDGER_CREDENTIALS_ENV, demo_ledger_path(landing), "demo ledger database") as url:
        yield url
