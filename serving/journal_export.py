"""Export one billing month of the chargeback journal (``marts.fct_chargeback_journal``) as a ledger-ready CSV.

No Dagster import: the CLI (``finops export-journal YYYY-MM --out FILE``) and the tests call it. The warehouse is
opened read-only. Before anything is written the journal is checked: it must exist for the month, and debits must
equal credits per journal (month x currency) and per allocation rule; otherwise :class:`UnbalancedJournalError`
is raised and no file is produced - an unbalanced journal cannot be exported.

CSV layout (UTF-8, comma, header row, one line per journal line, ordered by journal and line number):

=====================  ===================================================================================
column                 meaning
=====================  ===================================================================================
journal_id             ``CHB-<YYYY-MM>-<currency>``: one balanced journal per month and currency
posting_date           last day of the billing month, ``YYYY-MM-DD``
line_number            1-based within the journal
account                GL account: the expense account (debits) or the clearing account (credits), dbt vars
cost_center            cost centre charged; the clearing cost centre on clearing lines
debit, credit          amounts in ``currency`` with 2 decimals (one of them is 0.00)
currency               ISO 4217
allocation_rule_id     the allocation rule the amounts come from (``unallocated`` for the remainder)
description            human-readable line text
reference              ``fct_cost_allocated:<YYYY-MM>:<rule>``
=====================  ===================================================================================
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import duckdb

__all__ = ["JOURNAL_COLUMNS", "UnbalancedJournalError", "export_journal"]

RELATION = "marts.fct_chargeback_journal"
JOURNAL_COLUMNS = (
    "journal_id",
    "posting_date",
    "line_number",
    "account",
    "cost_center",
    "debit",
    "credit",
    "currency",
    "allocation_rule_id",
    "description",
    "reference",
)


class UnbalancedJournalError(RuntimeError):
    """The journal does not balance (or is missing); nothing was written."""


def export_journal(warehouse: str | Path, period: str, out: str | Path, relation: str = RELATION) -> dict:
    """Write ``period``'s journal lines to ``out`` (CSV). Returns {lines, journals, debits per currency}."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        raise ValueError(f"billing period must be YYYY-MM, got {period!r}")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            rows = con.execute(
                f"select {', '.join(JOURNAL_COLUMNS)} from {relation} where billing_period = ? "
                "order by journal_id, line_number",
                [period],
            ).fetchall()
        except duckdb.CatalogException as e:
            raise UnbalancedJournalError(
                f"{relation} does not exist in {warehouse}: run the pipeline first (`finops run`)"
            ) from e
    if not rows:
        raise UnbalancedJournalError(
            f"no chargeback journal lines for {period} in {warehouse}: "
            "is the month loaded and allocated? (`finops summary`)"
        )
    col = {c: i for i, c in enumerate(JOURNAL_COLUMNS)}
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for r in rows:
        for key in ((r[col["journal_id"]], ""), (r[col["journal_id"]], r[col["allocation_rule_id"]])):
            t = totals.setdefault(key, [Decimal(0), Decimal(0)])
            t[0] += r[col["debit"]]
            t[1] += r[col["credit"]]
    unbalanced = {k: v for k, v in totals.items() if v[0] != v[1]}
    if unbalanced:
        detail = "; ".join(
            f"{j}{' rule ' + rule if rule else ''}: debits {d} != credits {c}"
            for (j, rule), (d, c) in sorted(unbalanced.items())[:10]
        )
        raise UnbalancedJournalError(f"the chargeback journal for {period} does not balance, nothing written: {detail}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(JOURNAL_COLUMNS)
        for r in rows:
            w.writerow(["" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) else str(v)) for v in r])
    tmp.replace(out)
    journals = sorted({j for j, rule in totals if not rule})
    return {"lines": len(rows), "journals": journals, "debits": {j: totals[(j, "")][0] for j in journals}}
