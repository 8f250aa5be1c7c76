"""Finance (accounts payable, cards and expenses, FX rates, the general ledger) -> dataset ``finance``.

``finance()`` is a dlt source (``@dlt.source(name="finance")``) with one resource per table:

* ``ap_invoice_lines`` - every ``*.csv`` / ``*.csv.gz`` / ``*.xlsx`` (first sheet) under ``ap_path`` (default
  ``<FINOPS_LANDING>/finance/ap``): the ERP's accounts-payable export, one row per invoice line. Merge
  (delete-insert) on (supplier_id, invoice_number, line_number) with merge key (supplier_id, invoice_number): a
  re-exported invoice replaces ALL its lines (a line dropped from the re-export disappears); within one run the
  invoice as in the later file (by path) wins.
* ``card_transactions`` - card statement CSVs under ``cards_path`` (``channel = 'card'``) and expense-report CSVs
  under ``expenses_path`` (``channel = 'expense'``) in one table; merge on (channel, transaction_id).
* ``fx_rates`` - treasury's daily rates, CSVs under ``fx_rates_path``; merge on (rate_date, base_currency,
  quote_currency, rate_source); a rate must be > 0.
* ``gl_journal_lines`` - the ledger table (default ``gl_journal_lines``) of the database at ``ledger_credentials``
  (SQLAlchemy URL: ``sqlite:///...`` in the demo, ``postgresql://...`` for real) read with dlt's ``sql_table``,
  incremental on ``updated_at``; merge on (journal_id, line_number).

File cursor: the fingerprint (path, size, version) per file in the resource state; an unchanged file is not read
again, so a second run loads nothing. Amounts are exact decimals (DECIMAL(38,10)); XLSX float cells are converted
through their text rounded to 10 places, never as binary floats. Bad rows go to ``quarantine`` (file, row, field,
reason, raw record) and the rest loads; a file that cannot be read or lacks a required column is quarantined whole.

Secrets: ``SOURCES__FINANCE__LEDGER__CREDENTIALS``; the password is never logged, stored or shown in an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import dlt
from dlt.common.typing import TSecretValue

from ingestion._common import filedrop as F
from ingestion._common.sqlsource import SqlDatabase, check_rows, incremental_table, validate_sql_url

from . import helpers as H
from . import settings as S
from .helpers import FinanceError, FinanceRunLog
from .settings import DATASET, TABLES

__all__ = ["DATASET", "TABLES", "FinanceError", "FinanceRunLog", "finance", "table_hints"]


def table_hints() -> dict[str, dict[str, Any]]:
    """Every table's dlt hints as the resources declare them (used to create the tables empty when nothing is
    configured, so that dbt's staging compiles)."""
    hints = {
        t: {
            "write_disposition": S.WRITE_DISPOSITION,
            "primary_key": list(S.PRIMARY_KEYS[t]),
            "merge_key": list(S.MERGE_KEYS.get(t, ())),
            "columns": S.COLUMNS[t],
        }
        for t in TABLES
    }
    return {**hints, S.QUARANTINE_TABLE: F.quarantine_hints()}


def _rows(table: str, rows: list[dict[str, Any]]) -> Any:
    """Rows of ``table`` with its declared columns. The columns are applied with the data, not on the resource
    decorator, because the ``quarantine`` table variant would inherit them from there."""
    return dlt.mark.with_hints(rows, dlt.mark.make_hints(columns=S.COLUMNS[table]))


def _resource(table: str, fn: Callable[[], Iterator[Any]], data_from: Any = None) -> Any:
    """``fn`` as the resource (or transformer of ``data_from``) writing ``table`` with its keys."""
    extra = {"merge_key": list(S.MERGE_KEYS[table])} if table in S.MERGE_KEYS else {}
    kw = {
        "name": table,
        "table_name": table,
        "write_disposition": S.WRITE_DISPOSITION,
        "primary_key": list(S.PRIMARY_KEYS[table]),
        **extra,
    }
    if data_from is not None:
        return data_from | dlt.transformer(fn, **kw)
    return dlt.resource(fn, **kw)()


@dataclass(frozen=True)
class Drop:
    """One folder of a file resource: where it is, how its files look, what its rows get."""

    name: str  # state key and the path prefix in lineage: finance/<name>/<file>
    path: str
    suffixes: tuple[str, ...]
    layout: F.Layout
    constants: dict[str, Any] = field(default_factory=dict)  # e.g. {"channel": "card"}


def _file_resource(
    table: str,
    drops: list[Drop],
    fields: H.Fields,
    key: tuple[str, ...],
    replace_key: tuple[str, ...],
    loaded_at: str,
    log: FinanceRunLog,
    full_refresh: bool,
) -> Any:
    """A resource reading every changed file of ``drops`` into ``table``. ``key`` must be unique within a file;
    rows are grouped by ``replace_key`` and, within one run, the group as in the later file wins whole (an AP
    invoice: all its lines from the later export)."""
    validate = H.validator(fields)
    lineage_fp = "source_fingerprint" in S.COLUMNS[table]

    def read() -> Iterator[Any]:
        state = dlt.current.resource_state()
        latest: dict[tuple, list[dict[str, Any]]] = {}
        for drop in drops:
            seen: dict[str, dict[str, Any]] = state.setdefault("files", {}).setdefault(drop.name, {})
            try:
                files = F.drop_files(drop.path, drop.suffixes)
            except FileNotFoundError:
                continue  # no drop folder (yet): nothing to load
            prefix = f"{S.LANDING_PREFIX}/{drop.name}"
            for ref, source, fp in F.changed_files(files, prefix, seen, full_refresh, log, H.ROW_HINT):
                rows, errors = F.read_file(ref, source, fp, drop.layout, validate, key, H.ROW_HINT)
                groups: dict[tuple, list[dict[str, Any]]] = {}
                for r in rows:
                    row = {**r, **drop.constants, "source_file": source, "loaded_at": loaded_at}
                    if lineage_fp:
                        row["source_fingerprint"] = fp
                    groups.setdefault(tuple(row[c] for c in replace_key), []).append(row)
                latest.update(groups)
                F.finish_file(seen, ref, source, fp, len(rows), errors, log)
                if errors:
                    yield F.quarantined(errors, loaded_at)
        out = [r for group in latest.values() for r in group]
        if out:
            log.rows[table] += len(out)
            yield _rows(table, out)

    return _resource(table, read)


def _ledger_resource(db: SqlDatabase, loaded_at: str, log: FinanceRunLog, chunk_size: int) -> Any:
    """dlt's ``sql_table`` on the ledger (incremental on the cursor column, state under its own resource name)
    piped into the ``gl_journal_lines`` transformer that validates and maps each row."""
    validate_sql_url(db.url, env=S.LEDGER_CREDENTIALS_ENV, system=S.LEDGER_SYSTEM, error=FinanceError)
    rows, engine = incremental_table(
        db,
        system=S.LEDGER_SYSTEM,
        required=S.GL_REQUIRED,
        optional=S.GL_OPTIONAL,
        key=S.GL_PRIMARY_KEY,
        cursor_env=S.LEDGER_CURSOR_ENV,
        chunk_size=chunk_size,
        error=FinanceError,
        on_cursor_value_missing="include",
    )
    log.engines.append(engine)  # disposed by the runner after the load
    log.ledger_table = db.qualified_table
    run_id = loaded_at.replace(" ", "T")
    read = [0]  # rows read from the table by this run

    def journal_lines(items: list[dict[str, Any]]) -> Iterator[Any]:
        good, errors = check_rows(items, db, run_id, read, partial(H.validate, H.GL_FIELDS, hint=H.SQL_ROW_HINT))
        out = [
            {**value, "source_updated_at": H.parse_timestamp(raw.get(db.cursor_column.lower())), "loaded_at": loaded_at}
            for raw, value in good
        ]
        log.rows[S.GL_TABLE] += len(out)
        # loaded, but read again on every run (the query cannot tell whether they changed): reported
        log.ledger_rows_without_cursor += sum(raw.get(db.cursor_column.lower()) is None for raw, _ in good)
        yield from F.with_quarantine(out and _rows(S.GL_TABLE, out), errors, loaded_at, log)

    return _resource(S.GL_TABLE, journal_lines, data_from=rows)


@dlt.source(name=S.SOURCE_NAME, max_table_nesting=0)
def finance(
    ap_path: str | None = dlt.config.value,
    cards_path: str | None = dlt.config.value,
    expenses_path: str | None = dlt.config.value,
    fx_rates_path: str | None = dlt.config.value,
    ledger_credentials: TSecretValue | None = dlt.secrets.value,
    ledger_table_name: str = S.DEFAULT_LEDGER_TABLE,
    ledger_db_schema: str | None = None,
    ledger_cursor_column: str = S.DEFAULT_CURSOR,
    chunk_size: int = 10_000,
    full_refresh: bool = False,
    run_log: FinanceRunLog | None = None,
) -> Any:
    """The finance tables from the AP, card, expense and FX file drops and the ledger table.

    Args:
        ap_path / cards_path / expenses_path / fx_rates_path: folder or fsspec URL of each drop
            (``SOURCES__FINANCE__AP_PATH``, ...; the runner's defaults are ``<FINOPS_LANDING>/finance/<drop>``);
            unset = that drop is not read.
        ledger_credentials: SQLAlchemy URL of the ledger database (secret ``SOURCES__FINANCE__LEDGER__CREDENTIALS``);
            unset = no ledger.
        ledger_table_name / ledger_db_schema: the ledger table (default ``gl_journal_lines``, default schema).
        ledger_cursor_column: its incremental cursor (default ``updated_at``).
        full_refresh: read every file again, even unchanged ones.
        run_log: filled with files loaded/skipped, rows per table and quarantined rows (for the runner).
    """
    log = run_log if run_log is not None else FinanceRunLog()
    loaded_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    resources: list[Any] = []
    if ap_path:
        resources.append(
            _file_resource(
                S.AP_TABLE,
                [Drop(S.AP_DROP, str(ap_path), S.AP_SUFFIXES, H.AP_LAYOUT)],
                H.AP_FIELDS,
                S.AP_PRIMARY_KEY,
                S.AP_MERGE_KEY,
                loaded_at,
                log,
                full_refresh,
            )
        )
    card_drops = (
        [Drop(S.CARDS_DROP, str(cards_path), S.CSV_SUFFIXES, H.CARD_LAYOUT, {"channel": S.CARD_CHANNEL})]
        if cards_path
        else []
    )
    if expenses_path:
        card_drops.append(
            Drop(S.EXPENSES_DROP, str(expenses_path), S.CSV_SUFFIXES, H.EXPENSE_LAYOUT, {"channel": S.EXPENSE_CHANNEL})
        )
    if card_drops:
        resources.append(
            _file_resource(
                S.CARD_TABLE,
                card_drops,
                H.CARD_FIELDS,
                ("transaction_id",),
                S.CARD_PRIMARY_KEY,
                loaded_at,
                log,
                full_refresh,
            )
        )
    if fx_rates_path:
        resources.append(
            _file_resource(
                S.FX_TABLE,
                [Drop(S.FX_DROP, str(fx_rates_path), S.CSV_SUFFIXES, H.FX_LAYOUT)],
                H.FX_FIELDS,
                S.FX_PRIMARY_KEY,
                S.FX_PRIMARY_KEY,
                loaded_at,
                log,
                full_refresh,
            )
        )
    if ledger_credentials:
        db = SqlDatabase(
            str(ledger_credentials),
            ledger_table_name or S.DEFAULT_LEDGER_TABLE,
            ledger_db_schema or None,
            ledger_cursor_column or S.DEFAULT_CURSOR,
        )
        resources.append(_ledger_resource(db, loaded_at, log, chunk_size))
    return resources
