"""Business KPIs (daily volumes per product) -> dataset ``business_kpis``, table ``daily_volumes``.

``business_kpis()`` is a dlt source (``@dlt.source(name="business_kpis")``) with two resources writing ONE table,
:data:`~.settings.TABLE`, with identical columns (kpi_date, product, kpi_name, kpi_value DECIMAL(38,10), kpi_unit,
source_system, source_ref, + bookkeeping):

* ``csv_drop`` - every ``*.csv`` / ``*.csv.gz`` under ``csv_path`` (a folder or fsspec URL; the runner's default is
  ``<FINOPS_LANDING>/business_kpis``). Cursor: the file fingerprint (path, size, version) per file in the resource
  state; an unchanged file is not read again, so a second run loads nothing. Bad rows (unparseable date or number,
  missing product, ...) are quarantined with file, row and field; the file's other rows load.
* ``sql_database`` - one table (``table_name``, default ``daily_volumes``) of the database at ``credentials`` (a
  SQLAlchemy URL: ``sqlite:///...`` in the demo, ``postgresql://...`` for real), read with dlt's ``sql_table``
  and ``dlt.sources.incremental(cursor_column)`` (default ``updated_at``): only rows changed since the last load
  are read; rows at the boundary are de-duplicated by (kpi_date, product, kpi_name).

Both: ``write_disposition`` merge (delete-insert), ``primary_key`` = (kpi_date, product, kpi_name, source_system),
so a corrected value replaces the value that source reported before. Quarantined rows go to ``quarantine``
(merge on delivery_id, source_file, row_number, field; the billing loaders' columns). When both sources report the
same (kpi_date, product, kpi_name), both rows are kept here; staging applies the precedence (sql_database wins).

Secrets: ``SOURCES__BUSINESS_KPIS__CREDENTIALS``; the password is never logged, stored or shown in an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from typing import Any

import dlt
from dlt.common.typing import TSecretValue

from ingestion._common import filedrop as F
from ingestion._common.sqlsource import check_rows, incremental_table, validate_sql_url

from . import helpers as H
from . import settings as S
from .helpers import BusinessKpiError, KpiRunLog, SqlDatabase
from .settings import DATASET, TABLE

__all__ = ["DATASET", "TABLE", "BusinessKpiError", "KpiRunLog", "SqlDatabase", "business_kpis", "table_hints"]


def table_hints() -> dict[str, dict[str, Any]]:
    """Every table's dlt hints as the resources declare them (used to create the tables empty when nothing is
    configured, so that dbt's staging compiles)."""
    return {
        TABLE: {
            "write_disposition": S.WRITE_DISPOSITION,
            "primary_key": list(S.PRIMARY_KEY),
            "merge_key": [],
            "columns": S.COLUMNS,
        },
        S.QUARANTINE_TABLE: F.quarantine_hints(),
    }


def _volumes(rows: list[dict[str, Any]]) -> Any:
    """Rows of ``daily_volumes`` with the declared columns. The columns are applied with the data, not on the
    resource decorator, because the ``quarantine`` table variant would inherit them from there."""
    return dlt.mark.with_hints(rows, dlt.mark.make_hints(columns=S.COLUMNS))


def _csv_resource(csv_path: str, loaded_at: str, log: KpiRunLog, full_refresh: bool):
    @dlt.resource(
        name=S.CSV_RESOURCE, table_name=TABLE, write_disposition=S.WRITE_DISPOSITION, primary_key=list(S.PRIMARY_KEY)
    )
    def csv_drop() -> Iterator[Any]:
        state = dlt.current.resource_state()
        seen: dict[str, dict[str, Any]] = state.setdefault("files", {})
        try:
            files = F.drop_files(csv_path, S.CSV_SUFFIXES)
        except FileNotFoundError:
            return  # no drop folder (yet): nothing to load
        name = F.drop_name(csv_path, S.LANDING_PREFIX)
        latest: dict[tuple, dict[str, Any]] = {}  # natural key -> row; a later file wins within one run
        for ref, source, fp in F.changed_files(files, name, seen, full_refresh, log, H.ROW_HINT):
            rows, errors = F.read_file(ref, source, fp, H.LAYOUT, H.validate, S.KPI_KEY, H.ROW_HINT)
            for r in rows:
                latest[tuple(r[c] for c in S.KPI_KEY)] = {
                    **r,
                    "source_system": S.CSV_SYSTEM,
                    "source_ref": source,
                    "source_fingerprint": fp,
                    "source_updated_at": None,
                    "loaded_at": loaded_at,
                }
            F.finish_file(seen, ref, source, fp, len(rows), errors, log)
            if errors:
                yield F.quarantined(errors, loaded_at)
        if latest:
            log.rows[S.CSV_SYSTEM] += len(latest)
            yield _volumes(list(latest.values()))

    return csv_drop()


def _sql_resources(db: SqlDatabase, loaded_at: str, log: KpiRunLog, chunk_size: int):
    """dlt's ``sql_table`` (incremental on the cursor column, state under its own resource name) piped into the
    ``sql_database`` transformer that validates and maps each row to the table's columns."""
    validate_sql_url(db.url, env=S.CREDENTIALS_ENV, system=S.SQL_SYSTEM, error=BusinessKpiError)
    rows, engine = incremental_table(
        db,
        system=S.SQL_SYSTEM,
        required=S.REQUIRED_COLUMNS,
        optional=S.OPTIONAL_COLUMNS,
        key=S.KPI_KEY,
        cursor_env=S.CURSOR_ENV,
        chunk_size=chunk_size,
        error=BusinessKpiError,
    )
    log.engines.append(engine)  # disposed by the runner after the load
    run_id = loaded_at.replace(" ", "T")
    read = [0]  # rows read from the table by this run

    @dlt.transformer(
        name=S.SQL_RESOURCE, table_name=TABLE, write_disposition=S.WRITE_DISPOSITION, primary_key=list(S.PRIMARY_KEY)
    )
    def sql_database(items: list[dict[str, Any]]) -> Iterator[Any]:
        good, errors = check_rows(items, db, run_id, read, partial(H.validate, hint=H.SQL_ROW_HINT))
        out = []
        for raw, value in good:
            cursor = raw.get(db.cursor_column.lower())
            out.append(
                {
                    **value,
                    "source_system": S.SQL_SYSTEM,
                    "source_ref": db.qualified_table,
                    "source_row": None,
                    "source_fingerprint": None,
                    "source_updated_at": cursor if isinstance(cursor, dt.datetime) else None,
                    "loaded_at": loaded_at,
                }
            )
        log.rows[S.SQL_SYSTEM] += len(out)
        yield from F.with_quarantine(out and _volumes(out), errors, loaded_at, log)

    log.sql_table = db.qualified_table
    return rows | sql_database


@dlt.source(name=S.SOURCE_NAME, max_table_nesting=0)
def business_kpis(
    csv_path: str | None = dlt.config.value,
    credentials: TSecretValue | None = dlt.secrets.value,
    table_name: str = S.DEFAULT_SQL_TABLE,
    db_schema: str | None = None,
    cursor_column: str = S.DEFAULT_CURSOR,
    chunk_size: int = 10_000,
    full_refresh: bool = False,
    run_log: KpiRunLog | None = None,
) -> Any:
    """Daily business volumes per product from a CSV drop and/or a SQL table.

    Args:
        csv_path: folder or fsspec URL of the CSV drop (``SOURCES__BUSINESS_KPIS__CSV_PATH``); unset = no CSV drop.
        credentials: SQLAlchemy URL of the KPI database (secret ``SOURCES__BUSINESS_KPIS__CREDENTIALS``);
            unset = no SQL table.
        table_name / db_schema: the SQL table (default ``daily_volumes``, default schema).
        cursor_column: the SQL table's incremental cursor (default ``updated_at``; ``kpi_date`` works but then a
            corrected old day is not read again).
        full_refresh: read every CSV file again, even unchanged ones.
        run_log: filled with files loaded/skipped, rows per source and quarantined rows (for the runner).
    """
    log = run_log if run_log is not None else KpiRunLog()
    loaded_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    resources: list[Any] = []
    if csv_path:
        resources.append(_csv_resource(str(csv_path), loaded_at, log, full_refresh))
    if credentials:
        db = SqlDatabase(
            str(credentials), table_name or S.DEFAULT_SQL_TABLE, db_schema or None, cursor_column or S.DEFAULT_CURSOR
        )
        resources.append(_sql_resources(db, loaded_at, log, chunk_size))
    return resources
