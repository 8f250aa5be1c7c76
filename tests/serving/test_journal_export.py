"""`finops export-journal`: a balanced month is written in the documented layout; an unbalanced or missing one is
refused and nothing is written."""

from __future__ import annotations

import csv
from decimal import Decimal

import duckdb
import pytest

from serving.journal_export import JOURNAL_COLUMNS, UnbalancedJournalError, export_journal

LINES = [  # journal_id, period, posting_date, line, account, cost_center, debit, credit, currency, rule
    ("CHB-2026-10-USD", "2026-10", "2026-10-31", 1, "6150", "CC-1", "10.00", "0.00", "USD", "r1"),
    ("CHB-2026-10-USD", "2026-10", "2026-10-31", 2, "6150", "CC-2", "5.01", "0.00", "USD", "r1"),
    ("CHB-2026-10-USD", "2026-10", "2026-10-31", 3, "2990", "CC-0", "0.00", "15.01", "USD", "r1"),
    ("CHB-2026-10-EUR", "2026-10", "2026-10-31", 1, "6150", "CC-1", "0.00", "2.50", "EUR", "r2"),
    ("CHB-2026-10-EUR", "2026-10", "2026-10-31", 2, "2990", "CC-0", "2.50", "0.00", "EUR", "r2"),
    ("CHB-2026-09-USD", "2026-09", "2026-09-30", 1, "6150", "CC-1", "1.00", "0.00", "USD", "r1"),
    ("CHB-2026-09-USD", "2026-09", "2026-09-30", 2, "2990", "CC-0", "0.00", "1.00", "USD", "r1"),
]


def _warehouse(path, lines):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_chargeback_journal (journal_id varchar, billing_period varchar, "
            "posting_date date, line_number bigint, account varchar, cost_center varchar, "
            "debit decimal(38,2), credit decimal(38,2), currency varchar, allocation_rule_id varchar, "
            "description varchar, reference varchar)"
        )
        for r in lines:
            con.execute(
                "insert into marts.fct_chargeback_journal values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'd', 'ref')", list(r)
            )
    return path


def test_balanced_month_is_written_in_the_documented_layout(tmp_path):
    wh = _warehouse(tmp_path / "w.duckdb", LINES)
    res = export_journal(wh, "2026-10", tmp_path / "out" / "journal.csv")
    assert res["journals"] == ["CHB-2026-10-EUR", "CHB-2026-10-USD"]
    assert res["debits"] == {"CHB-2026-10-EUR": Decimal("2.50"), "CHB-2026-10-USD": Decimal("15.01")}
    with (tmp_path / "out" / "journal.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == JOURNAL_COLUMNS and len(rows) == res["lines"] == 5
    assert [(r["journal_id"], r["line_number"], r["cost_center"], r["debit"], r["credit"]) for r in rows][:3] == [
        ("CHB-2026-10-EUR", "1", "CC-1", "0.00", "2.50"),
        ("CHB-2026-10-EUR", "2", "CC-0", "2.50", "0.00"),
        ("CHB-2026-10-USD", "1", "CC-1", "10.00", "0.00"),
    ]
    assert rows[0]["posting_date"] == "2026-10-31"


def test_an_unbalanced_journal_cannot_be_produced(tmp_path):
    tampered = [*LINES[:2], (*LINES[2][:7], "15.00", *LINES[2][8:]), *LINES[3:]]
    wh = _warehouse(tmp_path / "w.duckdb", tampered)
    out = tmp_path / "journal.csv"
    with pytest.raises(UnbalancedJournalError, match=r"CHB-2026-10-USD.*debits 15.01 != credits 15.00"):
        export_journal(wh, "2026-10", out)
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))
    # the other month still balances and exports
    assert export_journal(wh, "2026-09", out)["lines"] == 2


def test_missing_month_and_bad_period_are_clear(tmp_path):
    wh = _warehouse(tmp_path / "w.duckdb", LINES)
    with pytest.raises(UnbalancedJournalError, match="no chargeback journal lines for 2026-11"):
        export_journal(wh, "2026-11", tmp_path / "j.csv")
    with pytest.raises(ValueError, match="YYYY-MM"):
        export_journal(wh, "2026-1", tmp_path / "j.csv")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(UnbalancedJournalError, match="run the pipeline first"):
        export_journal(empty, "2026-10", tmp_path / "j.csv")
