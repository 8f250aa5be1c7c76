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
import re
from collections.abc import Iterator
from typing import Any

import dlt
from dlt.common.typing import TSecretValue

from ingestion._common.errors import BadInputError
from ingestion._common.source import QUARANTINE_COLUMNS

from . import helpers as H
from . import settings as S
from .helpers import BusinessKpiError, KpiRunLog, SqlDatabase
from .settings import DATASET, TABLE

__all__ = ["DATASET", "TABLE", "BusinessKpiError", "KpiRunLog", "SqlDatabase", "business_kpis", "table_hints"]

QUARANTINE_KEY = ["delivery_id", "source_file", "row_number", "field"]


def _quarantine_columns() -> dict[str, dict[str, Any]]:
    """The billing loaders' quarantine columns, copied with their names (several share one dict there)."""
    return {name: {**col, "name": name} for name, col in QUARANTINE_COLUMNS.items()}


def table_hints() -> dict[str, dict[str, Any]]:
    """Every table's dlt hints as the resources declare them (used to create the tables empty when nothing is
    configured, so that dbt's staging compiles)."""
    return {
        TABLE: {"write_disposition": S.WRITE_DISPOSITION, "primary_key": list(S.PRIMARY_KEY), "merge_key": [],
                "columns": S.COLUMNS},
        S.QUARANTINE_TABLE: {"write_disposition": "merge", "primary_key": QUARANTINE_KEY, "merge_key": [],
                             "columns": _quarantine_columns()},
    }


def _quarantine(errors: list[BadInputError], at: str) -> Any:
    """Quarantine records routed to the ``quarantine`` table from inside a resource."""
    return dlt.mark.with_hints(
        [{**e.as_record(), "quarantined_at": at} for e in errors],
        dlt.mark.make_hints(table_name=S.QUARANTINE_TABLE, write_disposition="merge", primary_key=QUARANTINE_KEY,
                            merge_key=[], columns=_quarantine_columns()),
        create_table_variant=True,
    )


def _volumes(rows: list[dict[str, Any]]) -> Any:
    """Rows of ``daily_volumes`` with the declared columns. The columns are applied with the data, not on the
    resource decorator, because the ``quarantine`` table variant would inherit them from there."""
    return dlt.mark.with_hints(rows, dlt.mark.make_hints(columns=S.COLUMNS))


def _error_from_record(r: dict[str, Any]) -> BadInputError:
    return BadInputError(r["source_file"], r["reason"], row=r.get("row_number"), field=r.get("field") or None,
                         value=r.get("value"), hint=r.get("hint") or H.ROW_HINT, delivery_id=r.get("delivery_id"),
                         raw_record=r.get("raw_record"))


# at most this many quarantine records per file are kept in the state (to report them again while unchanged)
_STATE_ERRORS = 200


def _csv_resource(csv_path: str, loaded_at: str, log: KpiRunLog, full_refresh: bool):
    @dlt.resource(name=S.CSV_RESOURCE, table_name=TABLE, write_disposition=S.WRITE_DISPOSITION,
                  primary_key=list(S.PRIMARY_KEY))
    def csv_drop() -> Iterator[Any]:
        state = dlt.current.resource_state()
        seen: dict[str, dict[str, Any]] = state.setdefault("files", {})
        try:
            files = H.csv_files(csv_path)
        except FileNotFoundError:
            return  # no drop folder (yet): nothing to load
        name = H.drop_name(csv_path)
        latest: dict[tuple, dict[str, Any]] = {}  # natural key -> row; a later file wins within one run
        for ref in files:
            fp = H.fingerprint(ref)
            source = f"{name}/{ref.rel}"
            prev = seen.get(ref.rel) or {}
            if not full_refresh and prev.get("fingerprint") == fp:
                log.files_skipped.append(source)
                log.still_quarantined += [_error_from_record(r) for r in prev.get("quarantined", [])]
                continue
            delivery_id = f"{source}|{fp[:12]}"
            errors: list[BadInputError] = []
            rows: list[dict[str, Any]] = []
            try:
                raw_rows = list(H.read_csv(ref, source, delivery_id))  # a file-level error: nothing of it loads
            except BadInputError as e:
                errors.append(e)
                raw_rows = []
            first_row: dict[tuple, int] = {}
            for row_no, raw in raw_rows:
                value, bad = H.validate(raw, source, row_no, delivery_id)
                if bad:
                    errors += bad
                    continue
                key = (value["kpi_date"], value["product"], value["kpi_name"])
                if key in first_row:
                    errors.append(BadInputError(
                        source, f"duplicate of row {first_row[key]} (same kpi_date, product, kpi_name)",
                        row=row_no, field="kpi_name", value=value["kpi_name"], hint=H.ROW_HINT,
                        delivery_id=delivery_id))
                    continue
                first_row[key] = row_no
                rows.append({**value, "source_system": S.CSV_SYSTEM, "source_ref": source, "source_row": row_no,
                             "source_fingerprint": fp, "source_updated_at": None, "loaded_at": loaded_at})
            for r in rows:
                latest[(r["kpi_date"], r["product"], r["kpi_name"])] = r
            log.files_loaded.append(source)
            log.quarantined += errors
            if errors:
                yield _quarantine(errors, loaded_at)
            seen[ref.rel] = {"fingerprint": fp, "rows": len(rows),
                             "quarantined": [e.as_record() for e in errors[:_STATE_ERRORS]]}
        if latest:
            log.rows[S.CSV_SYSTEM] += len(latest)
            yield _volumes(list(latest.values()))

    return csv_drop()


def _sql_resources(db: SqlDatabase, loaded_at: str, log: KpiRunLog, chunk_size: int):
    """dlt's ``sql_table`` (incremental on the cursor column, state under its own resource name) piped into the
    ``sql_database`` transformer that validates and maps each row to the table's columns."""
    from dlt.sources.sql_database import sql_table
    from sqlalchemy import create_engine
    from sqlalchemy.types import NullType

    H.validate_sql_url(db.url)
    wanted = {*S.REQUIRED_COLUMNS, *S.OPTIONAL_COLUMNS, db.cursor_column}

    def keep_kpi_columns(table: Any) -> Any:
        """table_adapter_callback: select only the KPI columns; fail clearly when a required one is missing."""
        cols = {c.name.lower(): c for c in table.columns}
        missing = [c for c in (*S.REQUIRED_COLUMNS, db.cursor_column) if c not in cols]
        if missing:
            raise BusinessKpiError(
                f"{S.SQL_SYSTEM} table {db.qualified_table} ({db.safe_url}) has no column(s) {', '.join(missing)}; "
                f"it needs {', '.join(S.REQUIRED_COLUMNS)}, the cursor column {db.cursor_column!r} (set "
                f"{S.CURSOR_ENV}) and optionally kpi_unit - create a view with these names")
        for name, col in cols.items():
            if name not in wanted:
                table._columns.remove(col)
            elif name != db.cursor_column.lower():
                # raw values, no SQLAlchemy result processing: a bad value in a typeless SQLite column must become a
                # quarantined row (validated below), not fail the whole read
                col.type = NullType()
        return table

    try:
        engine = create_engine(db.url)
    except ModuleNotFoundError as e:
        raise BusinessKpiError(
            f"{S.SQL_SYSTEM}: the database driver for {db.safe_url} is not installed (module {e.name}); install it "
            "(PyPI: psycopg[binary] for postgresql://, psycopg2-binary for postgresql+psycopg2://) or name an "
            "installed driver in the URL") from None
    # every run starts from the cursor kept for THIS table: a different table gets its own state
    raw_name = "sql_table_" + re.sub(r"\W+", "_", db.qualified_table.lower())
    rows = sql_table(
        credentials=engine,
        table=db.table,
        schema=db.schema,
        incremental=dlt.sources.incremental(db.cursor_column, primary_key=S.KPI_KEY),
        chunk_size=chunk_size,
        reflection_level="minimal",  # types come from the declared columns below, never from the source table
        table_adapter_callback=keep_kpi_columns,
    ).with_name(raw_name)

    run_id = loaded_at.replace(" ", "T")
    read = [0]  # rows read from the table by this run

    @dlt.transformer(name=S.SQL_RESOURCE, table_name=TABLE, write_disposition=S.WRITE_DISPOSITION,
                     primary_key=list(S.PRIMARY_KEY))
    def sql_database(items: list[dict[str, Any]]) -> Iterator[Any]:
        out, errors = [], []
        for item in items:
            read[0] += 1
            raw = {k.lower(): v for k, v in item.items()}
            # a bad SQL row has no file row number: its key in the quarantine is (this run, position in the read)
            value, bad = H.validate(raw, db.qualified_table, read[0], f"{db.qualified_table}|{run_id}",
                                    hint=H.SQL_ROW_HINT)
            if bad:
                errors += bad
                continue
            cursor = raw.get(db.cursor_column.lower())
            out.append({**value, "source_system": S.SQL_SYSTEM, "source_ref": db.qualified_table,
                        "source_row": None, "source_fingerprint": None,
                        "source_updated_at": cursor if isinstance(cursor, dt.datetime) else None,
                        "loaded_at": loaded_at})
        log.rows[S.SQL_SYSTEM] += len(out)
        log.quarantined += errors
        if errors:
            yield _quarantine(errors, loaded_at)
        if out:
            yield _volumes(out)

    log.sql_table = db.qualified_table
    log.engines.append(engine)  # disposed by the runner after the load
    return rows | sql_database


@dlt.source(name=S.SOURCE_NAME, max_table_nesting=0)
def business_kpis(
    csv_path: str | None = None,
    credentials: TSecretValue | None = None,
    table_name: str = S.DEFAULT_SQL_TABLE,
    db_schema: str | None = None,
    cursor_column: str = S.DEFAULT_CURSOR,
    chunk_size: int = 10_000,
    full_refresh: bool = False,
    run_log: KpiRunLog | None = None,
) -> Any:
    """Daily business volumes per product from a CSV drop and/or a SQL table.

    Args:
        csv_path: folder or fsspec URL of the CSV drop (``SOURCES__BUSINESS_KPIS__CSV_PATH``); None = no CSV drop.
        credentials: SQLAlchemy URL of the KPI database (secret ``SOURCES__BUSINESS_KPIS__CREDENTIALS``);
            None = no SQL table.
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
        db = SqlDatabase(str(credentials), table_name or S.DEFAULT_SQL_TABLE, db_schema or None,
                         cursor_column or S.DEFAULT_CURSOR)
        try:
            sql = _sql_resources(db, loaded_at, log, chunk_size)
        except BusinessKpiError:
            raise
        except Exception as e:  # noqa: BLE001 - reflection failed: unreachable database, no such table, ...
            raise BusinessKpiError(f"{S.SQL_SYSTEM}: cannot read table {db.qualified_table} from {db.safe_url}: "
                                   f"{type(e).__name__}: {db.scrub(str(e)).splitlines()[0][:500]}") from None
        resources.append(sql)
    return resources
