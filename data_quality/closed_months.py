"""Closed months that changed after their close: the chargeback journal of every month with a close pack
(``<close dir>/<YYYY-MM>/close_manifest.json``, written by :mod:`serving.close_pack`, ``finops close``) compared
with the journal the warehouse computes now (``marts.fct_chargeback_journal``). Pure Python + DuckDB, no Dagster: the
asset check ``closed_months_unchanged`` (``orchestration/defs/quality/closed_months.py``) and the tests call it.

Late charges for a closed month are normally booked in the open month they are invoiced in (FOCUS: BillingPeriodStart
is the invoice's period, ChargePeriodStart the usage's; ChargeClass ``Correction``), and the closed month does not
move. A provider that instead restates the closed month itself (re-delivers its files, or sends rows stating its
billing period) changes the figures finance has already posted: this module finds such months, per journal, with
the debits at close, now, and the difference. The warehouse is opened read-only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from ingestion._common.relations import relation_exists

__all__ = ["JOURNAL", "MANIFEST", "ClosedMonthChange", "closed_month_changes"]

JOURNAL = "marts.fct_chargeback_journal"
MANIFEST = "close_manifest.json"


@dataclass(frozen=True)
class ClosedMonthChange:
    period: str
    journal_id: str
    debits_at_close: Decimal
    debits_now: Decimal
    closed_at: str

    @property
    def difference(self) -> Decimal:
        return self.debits_now - self.debits_at_close

    def line(self) -> str:
        return (
            f"closed month {self.period} changed after close ({self.closed_at or 'date unknown'}): journal "
            f"{self.journal_id} debits {self.debits_at_close:,.2f} at close, {self.debits_now:,.2f} now "
            f"({self.difference:+,.2f}). Book the difference in the open month, or re-run "
            f"`finops close {self.period}` to re-issue the month's pack."
        )


def closed_month_changes(warehouse: str | Path, close_root: str | Path) -> tuple[list[str], list[ClosedMonthChange]]:
    """(the closed months found, their journals whose debits differ from the close pack's, or that appeared or
    disappeared since). No close pack, or no journal mart yet: ([], [])."""
    manifests = sorted(Path(close_root).glob(f"*/{MANIFEST}"))
    if not manifests or not Path(warehouse).exists():
        return [], []
    periods, changes = [], []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not relation_exists(con, JOURNAL):
            return [], []
        for path in manifests:
            doc = json.loads(path.read_text(encoding="utf-8"))
            period = doc["period"]
            periods.append(period)
            at_close = {j: Decimal(v) for j, v in (doc.get("journal_debits") or {}).items()}
            now = dict(
                con.execute(
                    f"select journal_id, sum(debit) from {JOURNAL} where billing_period = ? group by journal_id",
                    [period],
                ).fetchall()
            )
            for j in sorted(set(at_close) | set(now)):
                before, after = at_close.get(j, Decimal(0)), now.get(j) or Decimal(0)
                if before != after:
                    changes.append(ClosedMonthChange(period, j, before, after, doc.get("written_at") or ""))
    return periods, changes
