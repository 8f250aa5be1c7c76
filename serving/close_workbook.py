"""The close pack's readable workbook: ``close_pack_<YYYY-MM>.xlsx``, written by :mod:`serving.close_pack` from the
pack's own CSV files (so the workbook shows exactly the figures of the CSVs, rounded to the cent). No Dagster.

Sheets, in this order:

=====================  ==========================================================================================
sheet                  content
=====================  ==========================================================================================
``Summary``            period, as-of date, complete or provisional; per journal its lines, debits and credits;
                       budgets and reconciliation per currency (totals) and per status; the files with their rows
                       and SHA-256
``Journal``            ``chargeback_journal.csv``
``Budget vs actual``   ``budget_vs_actual.csv`` (the columns a reader needs; the CSV carries every column)
``Reconciliation``     ``invoice_reconciliation.csv`` (idem)
=====================  ==========================================================================================

Every data sheet: a bold header row, frozen, with a filter; column widths from the content; amounts as numbers
rounded to the cent (half up) with a number format that shows their currency (``#,##0.00 "USD"``); ratios (a
budget's consumed 0.93) as percentages; dates as dates; one totals row per currency under the data (a totals row
never adds two currencies: an amount is summed over the rows whose amount currency is the group's), plus a
"Total, all currencies" row for the amounts in one currency on every row (the reporting currency). A total is the
sum of the unrounded CSV amounts, rounded to the cent, so it may differ by a few cents from the sum of the rounded
lines above it; it equals the mart's figure.

The file is byte-reproducible: the same CSVs give the same workbook (document and zip timestamps are the pack's
as-of date), so the manifest's SHA-256 of a re-run month is unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["CENT", "SHEETS", "Column", "Sheet", "cents", "read_pack_csv", "workbook_name", "write_close_workbook"]

CENT = Decimal("0.01")
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"
INT_FORMAT = "#,##0"
MAX_WIDTH = 60
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
TOTAL_FONT = Font(bold=True)
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))


def cents(v: Decimal) -> Decimal:
    """``v`` rounded to the cent, half up (a negative zero shown as 0.00)."""
    return v.quantize(CENT, rounding=ROUND_HALF_UP) + 0


def money_format(currency: str | None) -> str:
    """Excel number format of an amount in ``currency``: thousands separators, two decimals, the ISO code."""
    if not currency:
        return "#,##0.00"
    code = currency.replace('"', "")
    return f'#,##0.00 "{code}";-#,##0.00 "{code}"'


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the CSV column, its header, and how it is shown. ``kind``: text | int | date | bool |
    amount (``currency`` names the column holding the amount's currency) | ratio (a fraction, shown as %)."""

    name: str
    header: str
    kind: str = "text"
    currency: str = "currency"


@dataclass(frozen=True)
class Sheet:
    title: str
    file: str
    columns: tuple[Column, ...]
    total_by: str = "currency"  # one totals row per value of this column


def _amount(name: str, header: str, currency: str = "currency") -> Column:
    return Column(name, header, "amount", currency)


SHEETS = (
    Sheet(
        "Journal",
        "chargeback_journal.csv",
        (
            Column("journal_id", "Journal"),
            Column("posting_date", "Posting date", "date"),
            Column("line_number", "Line", "int"),
            Column("account", "Account"),
            Column("cost_center", "Cost centre"),
            _amount("debit", "Debit"),
            _amount("credit", "Credit"),
            Column("currency", "Currency"),
            Column("allocation_rule_id", "Allocation rule"),
            Column("description", "Description"),
            Column("reference", "Reference"),
        ),
    ),
    Sheet(
        "Budget vs actual",
        "budget_vs_actual.csv",
        (
            Column("budget_id", "Budget ID"),
            Column("scope_type", "Scope"),
            Column("scope_value", "Scope value"),
            Column("owner", "Owner"),
            Column("currency", "Currency"),
            _amount("budget_amount", "Budget"),
            _amount("actual_to_date", "Actual to date"),
            _amount("projected_month_end", "Projected month end"),
            Column("projection_method", "Projection"),
            _amount("variance_amount", "Variance (projected - budget)"),
            Column("variance_pct", "Variance %", "ratio"),
            Column("consumed_pct", "Consumed", "ratio"),
            Column("projected_pct", "Projected", "ratio"),
            Column("warn_threshold_pct", "Warn at", "ratio"),
            Column("alert_threshold_pct", "Alert at", "ratio"),
            Column("threshold_crossed", "Threshold crossed"),
            Column("threshold_basis", "Crossed by"),
            Column("status", "Status"),
            Column("period_state", "Period"),
            Column("as_of_date", "As of", "date"),
        ),
    ),
    Sheet(
        "Reconciliation",
        "invoice_reconciliation.csv",
        (
            Column("vendor", "Vendor"),
            Column("supplier_name", "Supplier"),
            Column("invoice_number", "Invoice"),
            Column("invoice_date", "Invoice date", "date"),
            Column("billing_account_id", "Billing account"),
            Column("currency", "Currency"),
            _amount("billed_amount", "Billed"),
            _amount("invoice_total_amount", "Invoice total"),
            _amount("ledger_in_period_amount", "Ledger in period"),
            _amount("variance", "Variance"),
            _amount("tax_variance", "Tax"),
            _amount("credit_variance", "Credits"),
            _amount("timing_variance", "Timing"),
            _amount("fx_variance", "FX"),
            _amount("rounding_variance", "Rounding"),
            _amount("unexplained_variance", "Unexplained"),
            _amount("tolerance_amount", "Tolerance"),
            Column("status", "Status"),
            _amount("unexplained_variance_reporting", "Unexplained (reporting)", "reporting_currency"),
            Column("reporting_currency", "Reporting currency"),
            Column("reconciliation_gaps", "Gaps"),
            Column("explanation", "Explanation"),
        ),
    ),
)


def workbook_name(period: str) -> str:
    return f"close_pack_{period}.xlsx"


def read_pack_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A close-pack CSV as (header, rows of strings)."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _value(col: Column, text: str):
    """The CSV cell ``text`` as the workbook value of ``col`` (None for an empty cell)."""
    if text == "":
        return None
    if col.kind == "amount":
        return cents(Decimal(text))
    if col.kind == "ratio":
        return Decimal(text)
    if col.kind == "int":
        return int(text)
    if col.kind == "date":
        return dt.date.fromisoformat(text[:10])
    if col.kind == "bool":
        return text == "true"
    return text


def _style(cell, col: Column, currency: str | None) -> None:
    if col.kind == "amount":
        cell.number_format = money_format(currency)
    elif col.kind == "ratio":
        cell.number_format = PERCENT_FORMAT
    elif col.kind == "date":
        cell.number_format = DATE_FORMAT
    elif col.kind == "int":
        cell.number_format = "0" if col.name == "line_number" else INT_FORMAT


def _shown_width(value, col: Column, currency: str | None) -> int:
    if value is None:
        return 0
    if col.kind == "amount":
        return len(f"{value:,.2f}") + len(currency or "") + 1
    if col.kind == "ratio":
        return len(f"{value * 100:.2f}%")
    if isinstance(value, dt.date):
        return 10
    return len(str(value))


def _header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for i, h in enumerate(headers, start=1):
        c = ws.cell(row=row, column=i, value=h)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(vertical="center")


ALL_CURRENCIES = None  # the group of the "Total, all currencies" row


def totals(
    columns: Sequence[Column], rows: Iterable[dict[str, str]], total_by: str = "currency"
) -> list[tuple[str | None, dict[str, tuple[Decimal, str]]]]:
    """The totals rows of a sheet: [(group, {amount column: (total rounded to the cent, its currency)})]. One row
    per value of ``total_by`` (sorted), each summing an amount column over the group's rows when their amount
    currency is one; then, with several groups, group :data:`ALL_CURRENCIES` for the amount columns whose currency
    is the same on every row. Totals are sums of the unrounded CSV amounts, rounded at the end."""
    rows = list(rows)
    amounts = [c for c in columns if c.kind == "amount"]

    def sums(selected: list[dict[str, str]]) -> dict[str, tuple[Decimal, str]]:
        out = {}
        for c in amounts:
            filled = [r for r in selected if r.get(c.name)]
            curs = {r.get(c.currency) or "" for r in filled}
            if len(curs) == 1:  # never add two currencies
                out[c.name] = (cents(sum((Decimal(r[c.name]) for r in filled), Decimal(0))), curs.pop())
        return out

    groups = sorted({r.get(total_by) or "" for r in rows})
    out: list[tuple[str | None, dict[str, tuple[Decimal, str]]]] = [
        (g, sums([r for r in rows if (r.get(total_by) or "") == g])) for g in groups
    ]
    if len(groups) > 1:
        every = sums(rows)
        if every:
            out.append((ALL_CURRENCIES, every))
    return out


def _total_label(group: str | None) -> str:
    return "Total, all currencies" if group is ALL_CURRENCIES else f"Total {group}".rstrip()


def _data_sheet(ws: Worksheet, sheet: Sheet, header: list[str], rows: list[dict[str, str]]) -> None:
    columns = [c for c in sheet.columns if c.name in header]  # a column the mart does not have is left out
    _header(ws, 1, [c.header for c in columns])
    widths = [len(c.header) + 2 for c in columns]
    for r_i, row in enumerate(rows, start=2):
        for c_i, col in enumerate(columns, start=1):
            currency = row.get(col.currency) if col.kind == "amount" else None
            value = _value(col, row.get(col.name, ""))
            cell = ws.cell(row=r_i, column=c_i, value=value)
            _style(cell, col, currency)
            widths[c_i - 1] = max(widths[c_i - 1], _shown_width(value, col, currency) + 2)
    r_i = len(rows) + 2
    for group, sums in totals(columns, rows, sheet.total_by):
        label = _total_label(group)
        ws.cell(row=r_i, column=1, value=label)
        for c_i, col in enumerate(columns, start=1):
            cell = ws.cell(row=r_i, column=c_i)
            cell.font, cell.border = TOTAL_FONT, TOTAL_BORDER
            if col.name in sums:
                amount, currency = sums[col.name]
                cell.value = amount
                _style(cell, col, currency)
                widths[c_i - 1] = max(widths[c_i - 1], _shown_width(amount, col, currency) + 2)
        widths[0] = max(widths[0], len(label) + 2)
        r_i += 1
    for c_i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c_i)].width = min(w, MAX_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _counts(rows: Iterable[dict[str, str]], column: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        key = r.get(column) or "-"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


class _Summary:
    """The summary sheet, written top to bottom: a title, key-value lines, small tables with a header each."""

    def __init__(self, ws: Worksheet):
        self.ws, self.row, self.widths = ws, 1, [0, 0, 0, 0, 0, 0]

    def _note_width(self, col: int, text_len: int) -> None:
        self.widths[col - 1] = max(self.widths[col - 1], text_len + 2)

    def title(self, text: str) -> None:
        self.ws.cell(row=self.row, column=1, value=text).font = TITLE_FONT
        self.row += 2

    def section(self, text: str) -> None:
        self.row += 1
        self.ws.cell(row=self.row, column=1, value=text).font = SECTION_FONT
        self.row += 1

    def line(self, key: str, value) -> None:
        self.ws.cell(row=self.row, column=1, value=key).font = TOTAL_FONT
        cell = self.ws.cell(row=self.row, column=2, value=value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        self._note_width(1, len(key))
        self.row += 1

    def table(self, headers: Sequence[str], rows: Iterable[Sequence], money: Sequence[int] = ()) -> None:
        """``rows`` of values; columns listed in ``money`` hold (amount, currency) pairs (None: no amount, "-")."""
        _header(self.ws, self.row, headers)
        for i, h in enumerate(headers, start=1):
            self._note_width(i, len(h))
        self.row += 1
        for values in rows:
            for i, v in enumerate(values, start=1):
                if i - 1 in money and v is not None:
                    amount, currency = v
                    cell = self.ws.cell(row=self.row, column=i, value=amount)
                    cell.number_format = money_format(currency)
                    self._note_width(i, len(f"{amount:,.2f}") + len(currency) + 1)
                else:
                    cell = self.ws.cell(row=self.row, column=i, value="-" if v is None else v)
                    if isinstance(v, int):
                        cell.number_format = INT_FORMAT
                    self._note_width(i, len(str(v)))
            self.row += 1

    def text(self, text: str) -> None:
        self.ws.cell(row=self.row, column=1, value=text).alignment = Alignment(wrap_text=False)
        self.row += 1

    def finish(self) -> None:
        for i, w in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(max(w, 10), MAX_WIDTH)


def _per_currency(
    s: _Summary, sheet: Sheet, header: list[str], rows: list[dict[str, str]], what: str, keys: Sequence[str]
) -> None:
    """A summary table: per currency the number of rows and the totals of the amount columns ``keys``."""
    cols = [c for c in sheet.columns if c.name in header]
    keys = [k for k in keys if k in header]
    headers = {c.name: c.header for c in cols}
    table = []
    for group, sums in totals(cols, rows, sheet.total_by):
        if group is ALL_CURRENCIES:
            continue
        n = sum(1 for r in rows if (r.get(sheet.total_by) or "") == group)
        table.append((group or "-", n, *(sums.get(k) for k in keys)))
    s.table(("Currency", what, *(headers[k] for k in keys)), table, money=range(2, 2 + len(keys)))


def _summary_sheet(ws: Worksheet, pack, data: dict[str, tuple[list[str], list[dict[str, str]]]]) -> None:
    journal_sheet, budget_sheet, recon_sheet = SHEETS
    s = _Summary(ws)
    s.title(f"Monthly close pack {pack.period}")
    s.line("Billing period", pack.period)
    s.line("Data as of", dt.date.fromisoformat(pack.as_of_date) if pack.as_of_date else "-")
    s.line("Month complete", "yes" if pack.period_complete else "no: provisional, data is not complete for the month")

    _, journal = data[journal_sheet.file]
    s.section("Chargeback journal (debits = credits per journal)")
    rows = []
    for jid in sorted({r["journal_id"] for r in journal}):
        lines = [r for r in journal if r["journal_id"] == jid]
        cur = lines[0]["currency"]
        debit = cents(sum((Decimal(r["debit"]) for r in lines), Decimal(0)))
        credit = cents(sum((Decimal(r["credit"]) for r in lines), Decimal(0)))
        rows.append((jid, cur, len(lines), (debit, cur), (credit, cur)))
    s.table(("Journal", "Currency", "Lines", "Debits", "Credits"), rows, money=(3, 4))

    header, budgets = data[budget_sheet.file]
    s.section("Budget vs actual")
    _per_currency(
        s, budget_sheet, header, budgets, "Budgets", ("budget_amount", "actual_to_date", "projected_month_end")
    )
    s.row += 1
    s.table(("Status", "Budgets"), _counts(budgets, "status").items())
    s.row += 1
    s.table(("Threshold crossed", "Budgets"), _counts(budgets, "threshold_crossed").items())

    header, recon = data[recon_sheet.file]
    s.section("Invoice reconciliation (billing vs invoice vs ledger)")
    _per_currency(s, recon_sheet, header, recon, "Rows", ("invoice_total_amount", "variance", "unexplained_variance"))
    s.row += 1
    s.table(("Status", "Rows"), _counts(recon, "status").items())

    s.section("Files (the CSV files are the record: every column, amounts unrounded)")
    s.table(("File", "Rows", "SHA-256"), [(name, pack.rows.get(name, 0), pack.sha256.get(name, "")) for name in data])
    s.row += 1
    s.text("Amounts are rounded to the cent (half up); a total is the rounded sum of the unrounded amounts.")
    ws.freeze_panes = None
    s.finish()


def _reproducible_zip(wb: Workbook, path: Path, stamp: dt.datetime) -> None:
    """Save ``wb`` to ``path`` with every timestamp (document properties, zip entries) set to ``stamp``."""
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps "modified" with the time of saving: restamped below
    from openpyxl.xml.functions import tostring

    wb.properties.modified = stamp
    core = tostring(wb.properties.to_tree())
    when = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, core if info.filename == "docProps/core.xml" else src.read(info.filename))


def write_close_workbook(folder: Path, pack) -> Path:
    """Write the workbook of ``pack`` (a :class:`~serving.close_pack.ClosePack` whose CSV files are in ``folder``)
    into ``folder``; its path."""
    folder = Path(folder)
    data = {sheet.file: read_pack_csv(folder / sheet.file) for sheet in SHEETS}
    wb = Workbook()
    _summary_sheet(wb.active, pack, data)
    wb.active.title = "Summary"
    for sheet in SHEETS:
        _data_sheet(wb.create_sheet(sheet.title), sheet, *data[sheet.file])
    as_of = dt.date.fromisoformat(pack.as_of_date) if pack.as_of_date else dt.date.fromisoformat(f"{pack.period}-01")
    path = folder / workbook_name(pack.period)
    _reproducible_zip(wb, path, dt.datetime.combine(as_of, dt.time()))
    return path
