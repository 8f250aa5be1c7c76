"""The monthly close pack of one billing month: three CSV files, a workbook and a manifest, written from the
warehouse's marts.
No Dagster import: the ``close_pack`` asset (``orchestration/defs/governance/close.py``, ``finops close YYYY-MM``)
and the tests call it. The warehouse is opened read-only.

``<out_dir>`` (by default ``<warehouse dir>/close/<YYYY-MM>/``) receives:

==============================  =====================================================================================
file                            content
==============================  =====================================================================================
``chargeback_journal.csv``      the month's chargeback journal, ledger layout of :mod:`serving.journal_export`
                                (refused, nothing written, unless debits = credits per journal and allocation rule)
``invoice_reconciliation.csv``  ``marts.fct_invoice_reconciliation`` rows of billing period YYYY-MM (every column)
``budget_vs_actual.csv``        ``marts.fct_budget_vs_actual`` rows of period YYYY-MM (every column)
``close_pack_<YYYY-MM>.xlsx``   the three reports as formatted sheets behind a summary sheet, amounts rounded to the
                                cent with their currency, ratios as percentages, totals per currency
                                (:mod:`serving.close_workbook`, written from the CSV files above)
``close_manifest.json``         period, as-of date, whether the month is complete, per file its rows (CSV) and SHA-256,
                                journal totals, reconciliation and budget status counts
==============================  =====================================================================================

CSV: UTF-8, comma, header row; decimals written in full (no exponent), dates ISO, booleans ``true``/``false``,
NULL empty. The pack is written to a staging folder and swapped in whole, so re-running a month replaces it
(idempotent) and a failed run leaves the previous pack untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from serving.close_workbook import workbook_name, write_close_workbook
from serving.folders import swap_in
from serving.journal_export import export_journal

__all__ = ["CLOSE_FILES", "ClosePack", "ClosePackError", "default_close_dir", "workbook_name", "write_close_pack"]

RECONCILIATION = "marts.fct_invoice_reconciliation"
BUDGETS = "marts.fct_budget_vs_actual"
JOURNAL_FILE = "chargeback_journal.csv"
RECONCILIATION_FILE = "invoice_reconciliation.csv"
BUDGET_FILE = "budget_vs_actual.csv"
MANIFEST_FILE = "close_manifest.json"
CLOSE_FILES = (JOURNAL_FILE, RECONCILIATION_FILE, BUDGET_FILE)


class ClosePackError(RuntimeError):
    """The close pack cannot be written (a mart is missing, the journal does not balance); nothing was written."""


@dataclass
class ClosePack:
    period: str
    out_dir: str
    files: dict[str, str] = field(default_factory=dict)  # file name -> path
    rows: dict[str, int] = field(default_factory=dict)  # file name -> data rows
    sha256: dict[str, str] = field(default_factory=dict)
    journals: list[str] = field(default_factory=list)
    journal_debits: dict[str, str] = field(default_factory=dict)  # journal id -> debits (= credits)
    reconciliation_status: dict[str, int] = field(default_factory=dict)
    unexplained_variance: dict[str, str] = field(default_factory=dict)  # currency -> sum of unexplained variance
    budget_status: dict[str, int] = field(default_factory=dict)
    budget_thresholds: dict[str, int] = field(default_factory=dict)
    as_of_date: str | None = None
    period_complete: bool = False
    written_at: str = ""

    def manifest(self) -> dict:
        out = asdict(self)
        out["files"] = {name: Path(p).name for name, p in self.files.items()}
        out.pop("out_dir")
        return out


def default_close_dir(warehouse: str | Path, period: str) -> Path:
    """``<warehouse dir>/close/<YYYY-MM>``."""
    return Path(warehouse).expanduser().resolve().parent / "close" / period


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    return str(v)


def _write_csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(v) for v in r])


def _select(con: duckdb.DuckDBPyConnection, relation: str, where: str, period: str, order_by: str):
    try:
        cur = con.execute(f"select * from {relation} where {where} = ? order by {order_by}", [period])
    except duckdb.CatalogException as e:
        raise ClosePackError(f"{relation} does not exist: run the pipeline first (`finops run`)") from e
    return [d[0] for d in cur.description], cur.fetchall()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_close_pack(warehouse: str | Path, period: str, out_dir: str | Path | None = None) -> ClosePack:
    """Write ``period``'s close pack to ``out_dir`` (replacing an earlier pack of the month); what was written."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise ValueError(f"billing period must be YYYY-MM, got {period!r}")
    if not Path(warehouse).exists():
        raise ClosePackError(f"no warehouse at {warehouse}: run the pipeline first (`finops run`)")
    out = Path(out_dir) if out_dir else default_close_dir(warehouse, period)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        recon_cols, recon = _select(con, RECONCILIATION, "billing_period", period, "vendor, reconciliation_id")
        budget_cols, budgets = _select(con, BUDGETS, "period", period, "budget_id")
        as_of = con.execute(f"select max(as_of_date) from {BUDGETS}").fetchone()[0]
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        try:
            journal = export_journal(warehouse, period, staging / JOURNAL_FILE)
        except Exception as e:  # UnbalancedJournalError, a missing journal: the whole pack is refused
            raise ClosePackError(str(e)) from e
        _write_csv(staging / RECONCILIATION_FILE, recon_cols, recon)
        _write_csv(staging / BUDGET_FILE, budget_cols, budgets)
        month_end = (dt.date.fromisoformat(f"{period}-01") + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(
            days=1
        )
        pack = ClosePack(
            period=period,
            out_dir=str(out),
            as_of_date=as_of.isoformat() if as_of else None,
            period_complete=bool(as_of and as_of >= month_end),
            written_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        pack.rows = {JOURNAL_FILE: journal["lines"], RECONCILIATION_FILE: len(recon), BUDGET_FILE: len(budgets)}
        pack.journals = list(journal["journals"])
        pack.journal_debits = {j: format(v, "f") for j, v in journal["debits"].items()}
        status_i = recon_cols.index("status")
        cur_i, unexpl_i = recon_cols.index("currency"), recon_cols.index("unexplained_variance")
        unexplained: dict[str, Decimal] = {}
        for r in recon:
            pack.reconciliation_status[r[status_i]] = pack.reconciliation_status.get(r[status_i], 0) + 1
            unexplained[r[cur_i]] = unexplained.get(r[cur_i], Decimal(0)) + (r[unexpl_i] or Decimal(0))
        pack.unexplained_variance = {c: f"{v:.2f}" for c, v in sorted(unexplained.items())}
        b_status, b_thr = budget_cols.index("status"), budget_cols.index("threshold_crossed")
        for r in budgets:
            pack.budget_status[r[b_status]] = pack.budget_status.get(r[b_status], 0) + 1
            pack.budget_thresholds[r[b_thr]] = pack.budget_thresholds.get(r[b_thr], 0) + 1
        pack.sha256 = {name: _sha256(staging / name) for name in CLOSE_FILES}
        workbook = write_close_workbook(staging, pack).name  # byte-reproducible: same CSVs, same workbook
        pack.sha256[workbook] = _sha256(staging / workbook)
        pack.files = {name: str(out / name) for name in (*CLOSE_FILES, workbook, MANIFEST_FILE)}
        (staging / MANIFEST_FILE).write_text(
            json.dumps(pack.manifest(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        # swap the whole pack in: a re-run replaces the month's files, a failure above left the old pack as it was
        swap_in(staging, out)
        return pack
    finally:
        shutil.rmtree(staging, ignore_errors=True)
