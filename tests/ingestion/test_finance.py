"""Finance source (ingestion/finance): AP invoice lines (CSV and XLSX), card and expense transactions, FX rates and
the general-ledger journal lines (SQLite; Postgres when one is available) through dlt into a temporary DuckDB
warehouse, as the warehouse runs it (runner.load_finance): exact decimal totals, a second run loads nothing, a
re-exported invoice replaces all its lines, bad rows are quarantined with file/row/field while the rest loads,
XLSX float cells give exact decimals, the ledger is read incrementally, the password never shows. Plus the Dagster
asset."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import logging
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from openpyxl import Workbook

from ingestion.finance import helpers as H
from ingestion.finance import settings as S
from ingestion.finance.runner import demo_ledger_database, ensure_finance_tables, load_finance
from tests.support import column_types, query

PASSWORD = "s3cr3t-Ledger-Pa55-7c6b5a"
AP_HEADER = list(S.AP_HEADERS)
CARD_HEADER = list(S.CARD_HEADERS)
EXPENSE_HEADER = list(S.EXPENSE_HEADERS)
FX_HEADER = list(S.FX_HEADERS)
GL_COLUMNS = (
    "journal_id",
    "line_number",
    "period",
    "posting_date",
    "gl_account",
    "cost_center",
    "vendor_name",
    "vendor_id",
    "amount",
    "currency",
    "reference",
    "description",
    "updated_at",
)


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """Nothing configured (no SOURCES__FINANCE__* variable), a landing folder without finance drops, a temporary
    warehouse."""
    for k in [k for k in os.environ if k.startswith("SOURCES__FINANCE")]:
        monkeypatch.delenv(k)
    landing = tmp_path / "landing"
    landing.mkdir()
    for var, value in {"FINOPS_WAREHOUSE": tmp_path / "wh" / "finops.duckdb", "FINOPS_LANDING": landing}.items():
        monkeypatch.setenv(var, str(value))
    return tmp_path


def _warehouse(env: Path) -> str:
    return str(env / "wh" / "finops.duckdb")


def _load(env: Path, **kw):
    return load_finance(_warehouse(env), str(env / "landing"), **kw)


def _sql(env: Path, q: str, *args):
    return query(_warehouse(env), q, *args)


def _one(env: Path, q: str):
    return _sql(env, q)[0][0]


def _bump(path: Path) -> Path:
    st = path.stat()  # a rewrite within the same second still changes the fingerprint (size or mtime)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000))
    return path


def _drop(env: Path, drop: str, name: str) -> Path:
    path = env / "landing" / S.LANDING_PREFIX / drop / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write_csv(path: Path, header: list[str], rows: list[list], gz: bool = False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return _bump(path)


def _write_xlsx(path: Path, header: list, rows: list[list], blank_rows: int = 0, formats: dict[int, str] | None = None):
    wb = Workbook()
    ws = wb.active
    ws.title = "AP lines"
    for _ in range(blank_rows):
        ws.append([None])
    ws.append(header)
    for r in rows:
        ws.append(r)
        for col, fmt in (formats or {}).items():
            ws.cell(row=ws.max_row, column=col + 1).number_format = fmt
    wb.create_sheet("Notes").append(["not read"])
    wb.save(path)
    return _bump(path)


def _ledger(path: Path, rows: list[tuple], table: str = "gl_journal_lines") -> str:
    con = sqlite3.connect(path)
    with con:
        con.execute(
            f"create table if not exists {table} (journal_id text, line_number integer, period text, "
            "posting_date date, gl_account text, cost_center text, vendor_name text, vendor_id text, "
            "amount numeric(38, 10), currency text, reference text, description text, updated_at timestamp, "
            "approved_by text)"
        )
        con.executemany(f"insert into {table} ({', '.join(GL_COLUMNS)}) values ({', '.join('?' * 13)})", rows)
    con.close()
    return f"sqlite:///{path}"


# the ERP's AP export: US dates, thousands separators, accounting negatives, lower-case currency, no tax
AP_ROWS = [
    [
        "Amazon Web Services, Inc.",
        "V-10001",
        "420000000001",
        "INV-AWS-10",
        "11/03/2026",
        "2026-10",
        "1",
        "Amazon EC2",
        "1,234.56",
        "101.85",
        "usd",
        "6150-CLOUD",
        "CC-3100",
        "PO-77",
    ],
    [
        "Amazon Web Services, Inc.",
        "V-10001",
        "420000000001",
        "INV-AWS-10",
        "11/03/2026",
        "2026-10",
        "2",
        "Amazon Bedrock",
        "10,000.0000000001",
        "825.00",
        "USD",
        "6150-CLOUD",
        "CC-1100",
        "PO-77",
    ],
    [
        "Amazon Web Services, Inc.",
        "V-10001",
        "420000000001",
        "INV-AWS-10",
        "11/03/2026",
        "2026-10",
        "3",
        "Credit",
        "(12.00)",
        "",
        "USD",
        "6150-CLOUD",
        "CC-3100",
        "PO-77",
    ],
    [
        "OpenAI, L.L.C.",
        "V-10005",
        "org-northwind",
        "INV-OAI-10",
        "2026-11-01",
        "2026-10",
        "1",
        "API usage",
        "5,100.42",
        "0",
        "USD",
        "6160-AI",
        "CC-1100",
        "",
    ],
    [
        "OpenAI, L.L.C.",
        "V-10005",
        "org-northwind",
        "INV-OAI-10",
        "2026-11-01",
        "2026-10",
        "2",
        "Promotional credit",
        "-250.00",
        "0",
        "USD",
        "6160-AI",
        "CC-1100",
        "",
    ],
]
CARD_ROWS = [
    ["T-1001", "2026-10-02", "Ann Lee", "E-1", "MIDJOURNEY INC.", "Pro plan", "60.00", "USD", "CC-4200", "Software"],
    ["T-1002", "2026-10-03", "Ann Lee", "E-1", "AIRBNB * HMXX", "Offsite", "1,480.25", "usd", "CC-4200", "Lodging"],
    ["T-1003", "2026-10-09", "Raj Patel", "E-7", "PERPLEXITY.AI", "refund", "(20.00)", "USD", "CC-7100", "Software"],
]
EXPENSE_ROWS = [
    ["ER-1-1", "10/04/2026", "Bo Chen", "E-9", "OTTER.AI", "Meeting notes", "16.99", "USD", "CC-6100", "Software"],
    [
        "ER-1-2",
        "10/05/2026",
        "Bo Chen",
        "E-9",
        "CLAUDE.AI SUBSCRIPTION",
        "Claude Pro",
        "20.00",
        "EUR",
        "CC-6100",
        "Software",
    ],
]
FX_ROWS = [
    ["2026-10-01", "EUR", "USD", "1.0862", "ECB euro foreign exchange reference rates"],
    ["2026-10-01", "GBP", "USD", "1.2718", "ECB euro foreign exchange reference rates"],
    ["2026-10-02", "EUR", "USD", "1.08705", "ECB euro foreign exchange reference rates"],
]
GL_ROWS = [
    (
        "JE-1",
        1,
        "2026-10",
        "2026-11-13",
        "6150-CLOUD",
        "CC-3100",
        "AWS",
        "V-10001",
        "1222.56",
        "USD",
        "INV-AWS-10",
        "EC2 net of credit",
        "2026-11-13 10:00:00",
    ),
    (
        "JE-1",
        2,
        "2026-10",
        "2026-11-13",
        "6150-CLOUD",
        "CC-1100",
        "AWS",
        "V-10001",
        "10000.0000000001",
        "USD",
        "INV-AWS-10",
        "Bedrock",
        "2026-11-13 10:00:00",
    ),
    (
        "JE-1",
        3,
        "2026-10",
        "2026-11-13",
        "1410-TAX-INPUT",
        None,
        "AWS",
        "V-10001",
        926.85,
        "USD",
        "INV-AWS-10",
        "tax",
        "2026-11-13 10:00:00",
    ),
    (
        "JE-1",
        4,
        "2026-10",
        "2026-11-13",
        "2000-AP",
        None,
        "AWS",
        "V-10001",
        "-12149.4100000001",
        "usd",
        "INV-AWS-10",
        "AP",
        "2026-11-13 10:00:00",
    ),
]


@pytest.fixture()
def all_parts(env, monkeypatch):
    """Every drop and the SQLite ledger, configured."""
    _write_csv(_drop(env, S.AP_DROP, "ap_invoices_2026-10.csv"), AP_HEADER, AP_ROWS)
    _write_csv(_drop(env, S.CARDS_DROP, "amex_2026-10.csv.gz"), CARD_HEADER, CARD_ROWS, gz=True)
    _write_csv(_drop(env, S.EXPENSES_DROP, "expenses_2026-10.csv"), EXPENSE_HEADER, EXPENSE_ROWS)
    _write_csv(_drop(env, S.FX_DROP, "rates_2026-10.csv"), FX_HEADER, FX_ROWS)
    monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, _ledger(env / "ledger.sqlite", GL_ROWS))
    return env


# ------------------------------------------------------------------------------------------------------------- load
def test_every_part_loads_with_declared_types_and_exact_totals(all_parts):
    report = _load(all_parts)
    assert report.configured and all(report.parts.values()) and report.ok
    assert report.rows == {"ap_invoice_lines": 5, "card_transactions": 5, "fx_rates": 3, "gl_journal_lines": 4}
    assert sorted(report.files_loaded) == [
        "finance/ap/ap_invoices_2026-10.csv",
        "finance/cards/amex_2026-10.csv.gz",
        "finance/expenses/expenses_2026-10.csv",
        "finance/fx_rates/rates_2026-10.csv",
    ]
    for table, cols in S.COLUMNS.items():
        types = column_types(_warehouse(all_parts), f"finance.{table}")
        assert set(cols) <= set(types) and "approved_by" not in types, table
        for name, col in cols.items():
            if col["data_type"] == "decimal":
                assert types[name] == "DECIMAL(38,10)", (table, name)
    nulls = dict(
        _sql(
            all_parts,
            "select column_name, is_nullable from information_schema.columns "
            "where table_schema = 'finance' and table_name = 'ap_invoice_lines'",
        )
    )
    assert nulls["amount"] == "NO" and nulls["vendor_account_id"] == "YES"

    # exact totals, to the cent and beyond
    assert _sql(all_parts, "select sum(amount), sum(tax_amount) from finance.ap_invoice_lines") == [
        (Decimal("16072.9800000001"), Decimal("926.85"))
    ]
    assert _sql(all_parts, "select channel, sum(amount) from finance.card_transactions group by 1 order by 1") == [
        ("card", Decimal("1520.25")),
        ("expense", Decimal("36.99")),
    ]
    assert _one(all_parts, "select sum(rate) from finance.fx_rates") == Decimal("3.44505")
    assert _one(all_parts, "select sum(amount) from finance.gl_journal_lines") == 0
    assert _one(all_parts, "select sum(amount) from finance.gl_journal_lines where amount > 0") == Decimal(
        "12149.4100000001"
    )

    ap = {
        (r[0], r[1]): r[2:]
        for r in _sql(
            all_parts,
            "select invoice_number, line_number, amount, currency, invoice_date, billing_period, "
            "vendor_account_id, po_number, source_file, source_row, source_fingerprint is not null "
            "from finance.ap_invoice_lines",
        )
    }
    assert ap[("INV-AWS-10", 3)] == (
        Decimal("-12.00"),
        "USD",
        dt.date(2026, 11, 3),
        "2026-10",
        "420000000001",
        "PO-77",
        "finance/ap/ap_invoices_2026-10.csv",
        3,
        True,
    )
    assert ap[("INV-OAI-10", 1)][2] == dt.date(2026, 11, 1) and ap[("INV-OAI-10", 1)][5] is None  # "" -> NULL
    card = {
        r[0]: r[1:]
        for r in _sql(
            all_parts,
            "select transaction_id, channel, merchant, employee_name, "
            "description, expense_category, currency, transaction_date "
            "from finance.card_transactions",
        )
    }
    assert card["T-1002"] == ("card", "AIRBNB * HMXX", "Ann Lee", "Offsite", "Lodging", "USD", dt.date(2026, 10, 3))
    assert card["ER-1-2"] == (
        "expense",
        "CLAUDE.AI SUBSCRIPTION",
        "Bo Chen",
        "Claude Pro",
        "Software",
        "EUR",
        dt.date(2026, 10, 5),
    )
    gl = _sql(
        all_parts,
        "select currency, source_updated_at, posting_date from finance.gl_journal_lines where line_number = 4",
    )
    assert gl == [("USD", dt.datetime(2026, 11, 13, 10, tzinfo=dt.UTC), dt.date(2026, 11, 13))]
    assert "ap_invoice_lines 5" in report.summary() and "ledger sqlite:///" in report.summary()


def test_second_run_loads_nothing(all_parts):
    _load(all_parts)
    before = {t: _sql(all_parts, f"select * exclude (_dlt_id) from finance.{t} order by all") for t in S.TABLES}
    report = _load(all_parts)
    # dlt's own row count: nothing written, every file skipped by fingerprint, the ledger cursor unchanged
    assert report.rows_loaded == 0 and report.files_loaded == [] and len(report.files_skipped) == 4
    assert {t: _sql(all_parts, f"select * exclude (_dlt_id) from finance.{t} order by all") for t in S.TABLES} == before
    for t in S.TABLES:
        assert _one(all_parts, f"select count(distinct _dlt_load_id) from finance.{t}") == 1, t


def test_a_reexported_invoice_replaces_all_its_lines(env):
    ap = _drop(env, S.AP_DROP, "ap_invoices_2026-10.csv")
    _write_csv(ap, AP_HEADER, AP_ROWS)
    assert _load(env).rows[S.AP_TABLE] == 5
    # the ERP re-exports the month: the AWS invoice lost its credit line (3) and line 2 was corrected
    rows = [r[:] for r in AP_ROWS if r[6] != "3"]
    rows[1][8] = "9,990.00"
    _write_csv(ap, AP_HEADER, rows)
    report = _load(env)
    assert report.files_loaded == ["finance/ap/ap_invoices_2026-10.csv"] and report.rows[S.AP_TABLE] == 4
    assert _sql(env, "select invoice_number, line_number, amount from finance.ap_invoice_lines order by 1, 2") == [
        ("INV-AWS-10", 1, Decimal("1234.56")),
        ("INV-AWS-10", 2, Decimal(9990)),
        ("INV-OAI-10", 1, Decimal("5100.42")),
        ("INV-OAI-10", 2, Decimal(-250)),
    ]
    # a correction of one invoice dropped as a new file (XLSX) replaces that invoice only, whole
    fix = _drop(env, S.AP_DROP, "ap_invoices_2026-10_fix.xlsx")
    _write_xlsx(
        fix,
        AP_HEADER,
        [
            [
                "OpenAI, L.L.C.",
                "V-10005",
                "org-northwind",
                "INV-OAI-10",
                dt.datetime(2026, 11, 1),
                "2026-10",
                1,
                "API usage (corrected)",
                5000.5,
                0,
                "USD",
                "6160-AI",
                "CC-1100",
                None,
            ]
        ],
    )
    report = _load(env)
    assert report.files_loaded == ["finance/ap/ap_invoices_2026-10_fix.xlsx"] and report.rows[S.AP_TABLE] == 1
    assert _sql(
        env,
        "select invoice_number, line_number, amount, source_file from finance.ap_invoice_lines "
        "where invoice_number = 'INV-OAI-10'",
    ) == [("INV-OAI-10", 1, Decimal("5000.5"), "finance/ap/ap_invoices_2026-10_fix.xlsx")]
    assert _one(env, "select count(*) from finance.ap_invoice_lines") == 3
    assert (
        _one(
            env,
            "select count(*) from (select supplier_id, invoice_number, line_number from "
            "finance.ap_invoice_lines group by all having count(*) > 1)",
        )
        == 0
    )


def test_the_later_file_of_one_run_wins_the_whole_invoice(env):
    _write_csv(_drop(env, S.AP_DROP, "a_first.csv"), AP_HEADER, AP_ROWS[:3])
    _write_csv(_drop(env, S.AP_DROP, "b_reexport.csv"), AP_HEADER, [AP_ROWS[0]])
    report = _load(env)
    assert report.rows[S.AP_TABLE] == 1 and report.ok
    assert _sql(env, "select line_number, source_file from finance.ap_invoice_lines") == [
        (1, "finance/ap/b_reexport.csv")
    ]


def test_bad_rows_are_quarantined_with_file_row_and_field_and_the_rest_loads(env, caplog):
    bad = [r[:] for r in AP_ROWS]
    bad[0][8] = "1.234,56"  # row 1: European decimal comma
    bad[1][10] = "US"  # row 2: not an ISO currency
    bad[2][4] = "2026-13-01"  # row 3: no such date
    bad[3][1] = ""  # row 4: no supplier number
    bad.append(AP_ROWS[4])  # row 6: duplicate of row 5
    _write_csv(_drop(env, S.AP_DROP, "ap.csv"), AP_HEADER, bad)
    _write_csv(
        _drop(env, S.FX_DROP, "fx.csv"),
        FX_HEADER,
        [
            ["2026-10-01", "EUR", "USD", "0", "ECB"],
            ["2026-10-01", "GBP", "USD", "-1.2", "ECB"],
            ["2026-10-02", "EUR", "USD", "1.09", "ECB"],
            ["2026-10-02", "usd", "USD", "1", "ECB"],
        ],
    )
    _write_csv(
        _drop(env, S.CARDS_DROP, "cards.csv"),
        CARD_HEADER,
        [["T-1", "2026-10-02", "Ann", "E-1", "", "x", "1.00", "USD", "", ""], CARD_ROWS[0]],
    )
    caplog.set_level(logging.WARNING, logger="finops.ingestion")
    report = _load(env)
    assert not report.ok
    assert report.rows == {"ap_invoice_lines": 1, "card_transactions": 1, "fx_rates": 1, "gl_journal_lines": 0}
    got = {(e.file, e.row, e.field): str(e) for e in report.quarantined}
    assert set(got) == {
        ("finance/ap/ap.csv", 1, "amount"),
        ("finance/ap/ap.csv", 2, "currency"),
        ("finance/ap/ap.csv", 3, "invoice_date"),
        ("finance/ap/ap.csv", 4, "supplier_id"),
        ("finance/ap/ap.csv", 6, "line_number"),
        ("finance/fx_rates/fx.csv", 1, "rate"),
        ("finance/fx_rates/fx.csv", 2, "rate"),
        ("finance/fx_rates/fx.csv", 4, "quote_currency"),
        ("finance/cards/cards.csv", 1, "merchant"),
    }
    msg = got[("finance/ap/ap.csv", 1, "amount")]
    assert msg.startswith("finance/ap/ap.csv, row 1, field 'amount': not a number") and "'1.234,56'" in msg
    assert "ISO 4217" in got[("finance/ap/ap.csv", 2, "currency")]
    assert "duplicate of row 5" in got[("finance/ap/ap.csv", 6, "line_number")]
    assert "must be > 0" in got[("finance/fx_rates/fx.csv", 2, "rate")]
    assert "finance/ap/ap.csv, row 2, field 'currency'" in caplog.text  # logged, not silently dropped
    q = _sql(
        env,
        "select source_file, row_number, field, value, raw_record from finance.quarantine "
        "where source_file = 'finance/ap/ap.csv' and row_number = 2",
    )
    assert q[0][:4] == ("finance/ap/ap.csv", 2, "currency", "US") and '"invoice_number": "INV-AWS-10"' in q[0][4]
    assert _one(env, "select count(*) from finance.quarantine") == 9
    assert {e.file for e in report.quarantined_for(S.CARD_TABLE)} == {"finance/cards/cards.csv"}
    assert _sql(env, "select invoice_number, line_number from finance.ap_invoice_lines") == [("INV-OAI-10", 2)]

    # unchanged files: nothing read or loaded again, but the rows are still reported until the files are fixed
    again = _load(env)
    assert again.rows_loaded == 0 and again.quarantined == [] and len(again.still_quarantined) == 9
    _write_csv(_drop(env, S.AP_DROP, "ap.csv"), AP_HEADER, AP_ROWS)
    fixed = _load(env)
    assert fixed.rows[S.AP_TABLE] == 5 and len(fixed.all_quarantined) == 4  # FX and cards still bad


def test_a_file_without_a_required_column_or_unreadable_is_quarantined_whole(env):
    header = [h for h in AP_HEADER if h != "Invoice Number"]
    _write_csv(_drop(env, S.AP_DROP, "a.csv"), header, [r[:3] + r[4:] for r in AP_ROWS])
    _drop(env, S.AP_DROP, "b.xlsx").write_bytes(b"this is not a workbook")
    _write_csv(_drop(env, S.AP_DROP, "c.csv"), AP_HEADER, AP_ROWS[3:])
    report = _load(env)
    errors = {e.file: e for e in report.quarantined}
    e = errors["finance/ap/a.csv"]
    assert (e.row, e.field) == (0, "invoice_number")
    assert "missing required column(s) invoice_number ('Invoice Number')" in str(e)
    assert "nothing of it was loaded" in str(e)
    assert "unreadable XLSX workbook" in str(errors["finance/ap/b.xlsx"]) and errors["finance/ap/b.xlsx"].row == 0
    assert report.rows[S.AP_TABLE] == 2 and len(report.quarantined) == 2


def test_xlsx_float_and_date_cells_give_exact_values(env):
    # an ERP workbook: blank rows before the header (the first non-empty row), snake_case and ERP headers mixed in
    # any case, amounts as float cells with a 2-decimal format, dates as datetime cells, ids typed as numbers
    header = [
        "supplier_name",
        "Supplier Number",
        "supplier account",
        "Invoice Number",
        "Invoice Date",
        "Service Period",
        "LINE",
        "description",
        "Net Amount",
        "Tax Amount",
        "currency",
    ]
    amounts = [0.1, 0.2, 1234.56, 33.33, 0.07, 1e-10, 19.99]
    rows = [
        [
            "Jasper AI, Inc.",
            "V-20001",
            84012345.0,
            "J-2026-10",
            dt.datetime(2026, 10, 31),
            dt.datetime(2026, 10, 1),
            float(i + 1),
            f"seat block {i}",
            a,
            a * 0.2,
            "usd",
        ]
        for i, a in enumerate(amounts)
    ]
    path = _drop(env, S.AP_DROP, "ap_invoices_2026-10.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append([])
    ws.append([None, "  "])
    ws.append(header)
    for r in rows:
        ws.append(r)
        ws.cell(row=ws.max_row, column=9).number_format = "#,##0.00"
    wb.save(path)
    report = _load(env)
    assert report.ok and report.rows[S.AP_TABLE] == 7
    total = sum(Decimal(str(a)) for a in amounts)
    assert total == Decimal("1288.2500000001")
    # tax cells carry binary noise (0.1 * 0.2 = 0.020000000000000004): rounded to the warehouse's 10 places
    assert _sql(env, "select sum(amount), sum(tax_amount) from finance.ap_invoice_lines") == [
        (total, Decimal("257.65"))
    ]
    assert _sql(env, "select amount from finance.ap_invoice_lines where line_number = 1") == [(Decimal("0.1"),)]
    assert _sql(
        env, "select distinct vendor_account_id, invoice_date, billing_period, currency from finance.ap_invoice_lines"
    ) == [("84012345", dt.date(2026, 10, 31), "2026-10", "USD")]
    assert _sql(env, "select min(source_row), max(source_row) from finance.ap_invoice_lines") == [(1, 7)]


def test_values_in_the_erp_spellings():
    assert H.parse_amount("1,234.56") == Decimal("1234.56")
    assert H.parse_amount("(12.00)") == Decimal("-12.00") and H.parse_amount("12.00-") == Decimal("-12.00")
    assert H.parse_amount(0.1 + 0.2) == Decimal("0.3") and H.parse_amount(Decimal("1.5")) == Decimal("1.5")
    assert H.parse_amount("123456789012345678.1234567890") == Decimal("123456789012345678.1234567890")
    for bad in ("1.234,56", "12,34", "1e5", "abc", "0.00000000001", "1" * 29):
        with pytest.raises(ValueError):
            H.parse_amount(bad)
    assert H.parse_date("02/03/2026") == dt.date(2026, 2, 3)  # MM/DD/YYYY
    assert H.parse_date("2026-02-03") == H.parse_date(dt.datetime(2026, 2, 3, 0, 0)) == dt.date(2026, 2, 3)
    assert H.parse_period("2026-10") == H.parse_period("10/2026") == H.parse_period(dt.date(2026, 10, 1)) == "2026-10"
    assert H.parse_currency(" eur ") == "EUR" and H.parse_int(3.0) == 3 and H.parse_text(84012345.0) == "84012345"
    with pytest.raises(ValueError):
        H.parse_currency("EURO")


# ------------------------------------------------------------------------------------------------------------ ledger
def test_ledger_reads_only_changed_rows_and_quarantines_hard_failures(env, monkeypatch):
    db = env / "ledger.sqlite"
    monkeypatch.setenv(
        S.LEDGER_CREDENTIALS_ENV,
        _ledger(
            db,
            GL_ROWS
            + [
                (
                    None,
                    1,
                    "2026-10",
                    "2026-11-13",
                    "2000-AP",
                    None,
                    None,
                    None,
                    "1",
                    "USD",
                    None,
                    None,
                    "2026-11-13 11:00",
                ),
                (
                    "JE-2",
                    1,
                    "2026-10",
                    "2026-11-13",
                    "2000-AP",
                    None,
                    None,
                    None,
                    "n/a",
                    "USD",
                    None,
                    None,
                    "2026-11-13 11:00",
                ),
                (
                    "JE-2",
                    2,
                    "2026-10",
                    "2026-11-13",
                    "2000-AP",
                    None,
                    None,
                    None,
                    "5",
                    "DOLLARS",
                    None,
                    None,
                    "2026-11-13 11:00",
                ),
            ],
        ),
    )
    report = _load(env)
    assert report.rows[S.GL_TABLE] == 4 and report.parts["ledger"] and not report.parts[S.AP_DROP]
    assert {(e.file, e.field) for e in report.quarantined} == {
        ("gl_journal_lines", "journal_id"),
        ("gl_journal_lines", "amount"),
        ("gl_journal_lines", "currency"),
    }
    assert all(H.table_of(e.file) == S.GL_TABLE for e in report.quarantined)
    assert _one(env, "select count(*) from finance.quarantine") == 3
    assert _load(env).rows_loaded == 0
    # the ledger corrects one line and bumps updated_at: only that row is read, and it replaces the old one
    con = sqlite3.connect(db)
    with con:
        con.execute(
            "update gl_journal_lines set amount = '1222.57', updated_at = '2026-11-20 08:00:00' "
            "where journal_id = 'JE-1' and line_number = 1"
        )
    con.close()
    report = _load(env)
    assert report.rows == {"ap_invoice_lines": 0, "card_transactions": 0, "fx_rates": 0, "gl_journal_lines": 1}
    assert _sql(
        env,
        "select amount, source_updated_at from finance.gl_journal_lines where journal_id = 'JE-1' and line_number = 1",
    ) == [(Decimal("1222.57"), dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC))]
    assert _one(env, "select count(*) from finance.gl_journal_lines") == 4


def test_ledger_rows_without_a_cursor_value_load_and_are_reported(env, monkeypatch):
    no_cursor = ("JE-7", 1, "2026-10", "2026-10-31", "6100-RENT", None, None, None, "9000", "USD", None, "rent", None)
    monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, _ledger(env / "ledger.sqlite", [*GL_ROWS, no_cursor]))
    first = _load(env)
    assert first.ok and first.rows[S.GL_TABLE] == 5 and first.ledger_rows_without_cursor == 1
    # the query cannot tell whether such a row changed: it is read (and merged, not duplicated) on every run
    again = _load(env)
    assert again.rows[S.GL_TABLE] == 1 and "1 without a cursor value" in again.summary()
    assert _sql(env, "select count(*), sum(amount) from finance.gl_journal_lines") == [(5, Decimal(9000))]


def test_a_ledger_without_the_columns_fails_clearly(env, monkeypatch):
    db = env / "other.sqlite"
    con = sqlite3.connect(db)
    con.execute("create table gl_journal_lines (journal_id text, line_number int, amount numeric)")
    con.close()
    monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, f"sqlite:///{db}")
    with pytest.raises(
        H.FinanceError,
        match=r"has no column\(s\) period, posting_date, gl_account, currency, "
        r"updated_at",
    ):
        _load(env)
    monkeypatch.setenv(S.LEDGER_TABLE_ENV, "no_such_table")
    with pytest.raises(H.FinanceError, match="cannot read table no_such_table"):
        _load(env)


def _files_containing(root: Path, needle: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://ledger_reader:{PASSWORD}@127.0.0.1:1/erp",  # unreachable
        f"postgresql+psycopg2://ledger_reader:{PASSWORD}@127.0.0.1:notaport/erp",  # malformed port
        f"no-such-dialect://ledger_reader:{PASSWORD}@127.0.0.1/erp",
    ],
)
def test_the_password_never_appears_in_errors_logs_reports_or_files(env, monkeypatch, caplog, url):
    _write_csv(_drop(env, S.FX_DROP, "fx.csv"), FX_HEADER, FX_ROWS)
    monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, url)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(H.FinanceError) as e:
        _load(env)
    assert PASSWORD not in str(e.value) and PASSWORD not in repr(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__  # no chained driver message
    assert PASSWORD not in caplog.text
    assert _files_containing(env, PASSWORD) == []  # not in the warehouse, dlt's state or its traces


def test_the_report_shows_the_ledger_without_its_password(env, monkeypatch):
    url = _ledger(env / "ledger.sqlite", GL_ROWS)
    # a SQLite URL has no password; the report's URL rendering is the one that hides it (checked on a Postgres URL)
    monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, url)
    report = _load(env)
    assert report.ledger_source == f"{url} table gl_journal_lines"
    from ingestion._common.sqlsource import SqlDatabase

    db = SqlDatabase(f"postgresql://ledger_reader:{PASSWORD}@erp.internal:5432/erp", "gl_journal_lines", "gl")
    assert db.safe_url == "postgresql://ledger_reader:***@erp.internal:5432/erp" and PASSWORD not in repr(db)


# ------------------------------------------------------------------------------------------------------ Postgres
def _postgres_url() -> str | None:
    return os.environ.get("FINOPS_TEST_POSTGRES_URL")


@pytest.mark.skipif(not _postgres_url(), reason="set FINOPS_TEST_POSTGRES_URL to a PostgreSQL database to run")
def test_postgres_ledger_loads_incrementally(env, monkeypatch, caplog):
    import sqlalchemy as sa

    pytest.importorskip("psycopg")
    url = _postgres_url()
    schema = f"finops_ledger_test_{os.getpid()}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as con:
            con.execute(sa.text(f"create schema {schema}"))
            con.execute(
                sa.text(
                    f"create table {schema}.gl_journal_lines (journal_id text, line_number int, period text, "
                    "posting_date date, gl_account text, cost_center text, vendor_name text, vendor_id text, "
                    "amount numeric(38, 10), currency text, reference text, description text, updated_at timestamptz)"
                )
            )
            con.execute(
                sa.text(
                    f"insert into {schema}.gl_journal_lines values "
                    "('JE-9', 1, '2026-10', '2026-11-01', '6160-AI', 'CC-1100', 'OpenAI', 'V-10005', 4850.4200000001, "
                    "'USD', 'INV-OAI-10', 'API', '2026-11-01 02:00+00'), "
                    "('JE-9', 2, '2026-10', '2026-11-01', '2000-AP', null, 'OpenAI', 'V-10005', -4850.4200000001, "
                    "'USD', 'INV-OAI-10', 'AP', '2026-11-01 02:00+00')"
                )
            )
        monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, url)
        monkeypatch.setenv(S.LEDGER_SCHEMA_ENV, schema)
        caplog.set_level(logging.DEBUG)
        report = _load(env)
        assert report.rows[S.GL_TABLE] == 2 and report.ledger_source.endswith(f"table {schema}.gl_journal_lines")
        assert _one(env, "select max(amount) from finance.gl_journal_lines") == Decimal("4850.4200000001")
        assert _load(env).rows_loaded == 0
        with engine.begin() as con:
            con.execute(
                sa.text(
                    f"update {schema}.gl_journal_lines set amount = 4850.43, updated_at = now() where line_number = 1"
                )
            )
        assert _load(env).rows[S.GL_TABLE] == 1
        assert _one(env, "select max(amount) from finance.gl_journal_lines") == Decimal("4850.43")
        password = sa.engine.make_url(url).password
        if password:
            assert password not in report.summary() and password not in caplog.text
            assert _files_containing(env, password) == []
            # a wrong password: the server's refusal is reported, neither password is
            bad_url = sa.engine.make_url(url).set(password=f"{password}-{PASSWORD}")
            monkeypatch.setenv(S.LEDGER_CREDENTIALS_ENV, bad_url.render_as_string(hide_password=False))
            with pytest.raises(H.FinanceError, match="cannot read table") as e:
                _load(env)
            assert not {bad_url.password, password, PASSWORD} & set(str(e.value).split(":"))
            assert password not in str(e.value) and PASSWORD not in str(e.value)
    finally:
        with engine.begin() as con:
            con.execute(sa.text(f"drop schema if exists {schema} cascade"))
        engine.dispose()


# ------------------------------------------------------------------------------------------------ configuration
def test_not_configured_creates_the_tables_empty(env):
    report = _load(env)
    assert not report.configured and report.rows_loaded == 0
    assert S.LEDGER_CREDENTIALS_ENV in report.hint and "finance/ap/" in report.hint
    assert sorted(report.tables_created) == [f"finance.{t}" for t in sorted([*S.TABLES, "quarantine"])]
    types = column_types(_warehouse(env), "finance.ap_invoice_lines")
    assert types["amount"] == "DECIMAL(38,10)" and types["invoice_date"] == "DATE" and "_dlt_load_id" in types
    assert _one(env, "select count(*) from finance.gl_journal_lines") == 0
    assert ensure_finance_tables(_warehouse(env)) == []  # exists now: nothing to create
    # an empty drop folder counts as configured (it is the place where files will land)
    (env / "landing" / "finance" / "fx_rates").mkdir(parents=True)
    report = _load(env)
    assert report.configured and report.parts[S.FX_DROP] and not report.parts[S.AP_DROP]


def test_drop_paths_are_configurable_and_the_landing_plan_leaves_finance_alone(env, monkeypatch):
    from ingestion.catalogue import plan

    elsewhere = env / "erp_exports"
    elsewhere.mkdir()
    _write_csv(elsewhere / "ap.csv", AP_HEADER, AP_ROWS[:1])
    monkeypatch.setenv(S.PATH_ENVS[S.AP_DROP], str(elsewhere))
    report = _load(env)
    assert report.paths[S.AP_DROP] == str(elsewhere) and report.rows[S.AP_TABLE] == 1
    assert _one(env, "select source_file from finance.ap_invoice_lines") == "finance/ap/ap.csv"
    _write_csv(_drop(env, S.CARDS_DROP, "c.csv"), CARD_HEADER, CARD_ROWS)
    planned = plan(str(env / "landing"))
    assert planned.deliveries == [] and planned.unrecognised == []
    assert planned.other_sources == [("finance/cards/c.csv", "finance")]


def test_demo_ledger_database_points_the_ledger_at_the_demo_file(env):
    landing = env / "landing"
    with pytest.raises(FileNotFoundError, match="finops generate"), demo_ledger_database(landing):
        pass
    (landing / "finance").mkdir()
    _ledger(landing / "finance" / S.DEMO_LEDGER_FILE, GL_ROWS)
    with demo_ledger_database(landing) as url:
        assert os.environ[S.LEDGER_CREDENTIALS_ENV] == url == f"sqlite:///{landing.resolve()}/finance/ledger.sqlite"
        assert _load(env).rows[S.GL_TABLE] == 4
    assert S.LEDGER_CREDENTIALS_ENV not in os.environ
    from click.testing import CliRunner

    from finops_cli.run import run

    assert "--demo-finance" in CliRunner().invoke(run, ["--help"]).output


# ------------------------------------------------------------------------------------------------------ Dagster
def _materialize():
    from orchestration.defs.ingest.finance import ingest_finance
    from orchestration.lib.resources import finops_resources

    result = dg.materialize(
        [ingest_finance], instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, resources=finops_resources()
    )
    mats = {
        m.asset_key.path[-1]: {k: getattr(v, "value", v) for k, v in m.metadata.items()}
        for m in result.asset_materializations_for_node("ingest_finance")
    }
    assert isinstance(mats.pop("quarantine")["quarantined_this_run"], int)  # the quarantine table, materialized too
    checks = {c.asset_key.path[-1]: c for c in result.get_asset_check_evaluations()}
    return result, mats, checks


def test_asset_not_configured_materializes_every_table_empty(env):
    result, mats, checks = _materialize()
    assert result.success and set(mats) == set(S.TABLES) == set(checks)
    assert all(m["configured"] is False and m["rows_loaded"] == 0 and m["created_empty"] is True for m in mats.values())
    assert S.LEDGER_CREDENTIALS_ENV in mats["gl_journal_lines"]["to_configure"]
    assert all(c.passed for c in checks.values())


def test_asset_loads_reports_and_fails_only_the_bad_tables_check(all_parts):
    _write_csv(_drop(all_parts, S.FX_DROP, "zz_bad.csv"), FX_HEADER, [["2026-10-05", "EUR", "USD", "x", "ECB"]])
    result, mats, checks = _materialize()
    assert result.success
    assert {t: m["rows_loaded"] for t, m in mats.items()} == {
        "ap_invoice_lines": 5,
        "card_transactions": 5,
        "fx_rates": 3,
        "gl_journal_lines": 4,
    }
    assert mats["card_transactions"]["files_loaded"] == [
        "finance/cards/amex_2026-10.csv.gz",
        "finance/expenses/expenses_2026-10.csv",
    ]
    assert mats["gl_journal_lines"]["sources"]["ledger"].endswith("table gl_journal_lines")
    assert mats["fx_rates"]["quarantined"] == 1 and mats["ap_invoice_lines"]["quarantined"] == 0
    assert not checks["fx_rates"].passed and checks["fx_rates"].severity == dg.AssetCheckSeverity.ERROR
    assert "finance/fx_rates/zz_bad.csv, row 1, field 'rate'" in checks["fx_rates"].description
    assert all(checks[t].passed for t in ("ap_invoice_lines", "card_transactions", "gl_journal_lines"))


def test_asset_keys_are_the_dbt_source_keys_and_share_the_warehouse_pool():
    from orchestration.defs.ingest.finance import ingest_finance

    assert set(ingest_finance.keys) == {dg.AssetKey(["finance", t]) for t in (*S.TABLES, "quarantine")}
    assert ingest_finance.op.pool == "warehouse"
    assert {k.name for k in ingest_finance.check_keys} == {"no_quarantined_rows"}
    assert len(ingest_finance.check_keys) == len(S.TABLES)
