"""Finance helpers: parsing the values finance files and ledgers carry (exact money amounts in the ERP's
spellings, ISO and US dates, periods, ISO 4217 currencies, XLSX cells), validating one row of each table, the drops'
layouts and the run log the resources fill while dlt extracts.

A row that cannot be loaded becomes one :class:`~ingestion._common.errors.BadInputError` per bad field, naming the
file (or ledger table), the row and the field; it is written to ``finance.quarantine`` and the rest loads.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from ingestion._common.errors import BadInputError
from ingestion._common.filedrop import FILE_HINT, ROW_HINT, DropLog, Layout, raw_record

from . import settings as S


class FinanceError(RuntimeError):
    """The finance load failed as a whole (bad configuration, ledger unreachable, missing ledger columns). The
    message names what to fix and never carries the database password."""


SQL_ROW_HINT = (
    "Fix the row in the ledger and bump its cursor column (updated_at) so that the next load reads it "
    "again; the other rows are loaded."
)


# ----------------------------------------------------------------------------------------------------------------------
# run log: what the resources did (read by the runner after dlt ran)
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class FinanceRunLog(DropLog):
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(S.TABLES, 0))  # rows yielded per table
    ledger_table: str | None = None
    ledger_rows_without_cursor: int = 0  # loaded, read again on every run


def table_of(source_file: str) -> str:
    """The table a quarantine record belongs to, from its ``source_file`` (``finance/<drop>/...``, else the
    ledger table)."""
    parts = source_file.split("/")
    if len(parts) > 2 and parts[0] == S.LANDING_PREFIX:
        return {
            S.AP_DROP: S.AP_TABLE,
            S.CARDS_DROP: S.CARD_TABLE,
            S.EXPENSES_DROP: S.CARD_TABLE,
            S.FX_DROP: S.FX_TABLE,
        }.get(parts[1], S.GL_TABLE)
    return S.GL_TABLE


# ----------------------------------------------------------------------------------------------------------------------
# the drops' layouts
# ----------------------------------------------------------------------------------------------------------------------
def _layout(headers: Mapping[str, str], aliases: Mapping[str, str], required: tuple[str, ...]) -> Layout:
    labels = {col: name for name, col in headers.items()}
    return Layout(
        aliases={**{k.lower(): v for k, v in headers.items()}, **aliases},
        required=required,
        expected=", ".join(labels[c] for c in required) + " (or the column names: " + ", ".join(required) + ")",
        file_hint=FILE_HINT,
        labels=labels,
    )


AP_LAYOUT = _layout(S.AP_HEADERS, S.AP_ALIASES, S.AP_REQUIRED)
_CARD_ALIASES = {**{k.lower(): v for k, v in S.EXPENSE_HEADERS.items()}, **S.CARD_ALIASES}
CARD_LAYOUT = _layout(S.CARD_HEADERS, _CARD_ALIASES, S.CARD_REQUIRED)
EXPENSE_LAYOUT = _layout(
    S.EXPENSE_HEADERS, {**{k.lower(): v for k, v in S.CARD_HEADERS.items()}, **S.CARD_ALIASES}, S.CARD_REQUIRED
)
FX_LAYOUT = _layout(S.FX_HEADERS, S.FX_ALIASES, S.FX_REQUIRED)


# ----------------------------------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------------------------------
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_US_PERIOD = re.compile(r"^(\d{1,2})/(\d{4})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# an amount as ERPs write it: optional sign, digits with or without thousands commas, optional decimals
_AMOUNT = re.compile(r"^(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?P<frac>\.\d+)?$")
_SCALE = Decimal("1e-10")
_MAX = Decimal("1e28")  # DECIMAL(38,10): 28 digits before the point


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def float_to_decimal(value: float) -> Decimal:
    """A binary float (an XLSX number cell, a SQLite REAL) as the decimal it was typed as: rounded to 10 places
    (the warehouse's scale) through its text, never ``Decimal(float)`` (0.1 + 0.2 is 0.3, not 0.300000000000000044)."""
    return Decimal(str(round(value, 10)))


def parse_text(value: Any) -> str:
    """Text of a cell: trimmed; an integral number cell (an XLSX id typed as a number) without its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_amount(value: Any) -> Decimal:
    """An exact amount: ``1234.56``, ``1,234.56``, ``-12.00``, ``(12.00)`` (accounting negative), ``12.00-``
    (trailing minus), a currency symbol before or after; a number cell or database numeric as is (floats through
    :func:`float_to_decimal`). Must fit DECIMAL(38,10)."""
    if isinstance(value, bool):
        raise TypeError("not a number (a boolean)")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        d = float_to_decimal(value)
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1]
        elif text.endswith("-") and not text.startswith(("-", "+")):
            negative, text = True, text[:-1]
        text = text.strip("$€£¥")
        m = _AMOUNT.match(text)
        if not text or not m or not (m["int"] or m["frac"]) or (negative and m["sign"]):
            raise ValueError("not a number (write 1234.56, 1,234.56, -12.00 or (12.00))")
        d = Decimal(text.replace(",", ""))
        if negative:
            d = d.copy_negate()  # exact (unary minus would round to the context's precision)
    if not d.is_finite():
        raise ValueError("not a finite number")
    with localcontext() as ctx:
        ctx.prec = 80  # the check itself must not round
        if d.copy_abs() >= _MAX or d != d.quantize(_SCALE):
            raise ValueError("does not fit DECIMAL(38,10) (at most 10 decimals, 28 digits before the point)")
    return d


def parse_date(value: Any) -> dt.date:
    """A date: ISO ``YYYY-MM-DD`` (a midnight time part is accepted), the US ERP form ``MM/DD/YYYY``, or a date /
    datetime cell."""
    if isinstance(value, dt.date):  # a date or datetime cell / database value
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    if m := _ISO_DATE.match(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _US_DATE.match(text):
        mo, d, y = int(m[1]), int(m[2]), int(m[3])
    else:
        raise ValueError("not a date (YYYY-MM-DD or MM/DD/YYYY)")
    try:
        return dt.date(y, mo, d)
    except ValueError as e:
        raise ValueError(f"no such date ({e})") from None


def parse_period(value: Any) -> str:
    """A month ``YYYY-MM``: written so, as ``MM/YYYY``, or a date (cell or text: its month)."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value).strip()
    if m := _PERIOD.match(text):
        y, mo = int(m[1]), int(m[2])
    elif m := _US_PERIOD.match(text):
        mo, y = int(m[1]), int(m[2])
    else:
        try:
            d = parse_date(text)
        except ValueError:
            raise ValueError("not a month (YYYY-MM)") from None
        y, mo = d.year, d.month
    if not 1 <= mo <= 12:
        raise ValueError("no such month")
    return f"{y:04d}-{mo:02d}"


def parse_currency(value: Any) -> str:
    """An ISO 4217 code, three letters, upper-cased."""
    text = str(value).strip().upper()
    if not _CURRENCY.match(text):
        raise ValueError("not an ISO 4217 currency code (three letters, e.g. USD)")
    return text


def parse_int(value: Any) -> int:
    """A whole number: an int, an integral float cell (``3.0``) or text of digits."""
    if isinstance(value, bool):
        raise TypeError("not a whole number (a boolean)")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError("not a whole number")
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        raise ValueError("not a whole number")
    text = str(value).strip()
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueError("not a whole number")
    return int(text)


def parse_rate(value: Any) -> Decimal:
    d = parse_amount(value)
    if d <= 0:
        raise ValueError("an FX rate must be > 0")
    return d


def parse_timestamp(value: Any) -> dt.datetime | None:
    """The ledger's cursor value as a timestamp (naive = UTC), None when it is not one."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# ----------------------------------------------------------------------------------------------------------------------
# one row
# ----------------------------------------------------------------------------------------------------------------------
Parser = Callable[[Any], Any]
# column -> (parser, required, value when empty and not required)
Fields = dict[str, tuple[Parser, bool, Any]]

AP_FIELDS: Fields = {
    "supplier_name": (parse_text, True, None),
    "supplier_id": (parse_text, True, None),
    "vendor_account_id": (parse_text, False, None),
    "invoice_number": (parse_text, True, None),
    "invoice_date": (parse_date, True, None),
    "billing_period": (parse_period, False, None),
    "line_number": (parse_int, True, None),
    "line_description": (parse_text, True, None),
    "amount": (parse_amount, True, None),
    "tax_amount": (parse_amount, False, Decimal(0)),
    "currency": (parse_currency, True, None),
    "gl_account": (parse_text, False, None),
    "cost_center": (parse_text, False, None),
    "po_number": (parse_text, False, None),
}
CARD_FIELDS: Fields = {
    "transaction_id": (parse_text, True, None),
    "transaction_date": (parse_date, True, None),
    "employee_id": (parse_text, False, None),
    "employee_name": (parse_text, False, None),
    "merchant": (parse_text, True, None),
    "description": (parse_text, False, None),
    "amount": (parse_amount, True, None),
    "currency": (parse_currency, True, None),
    "cost_center": (parse_text, False, None),
    "expense_category": (parse_text, False, None),
}
FX_FIELDS: Fields = {
    "rate_date": (parse_date, True, None),
    "base_currency": (parse_currency, True, None),
    "quote_currency": (parse_currency, True, None),
    "rate": (parse_rate, True, None),
    "rate_source": (parse_text, True, None),
}
GL_FIELDS: Fields = {
    "journal_id": (parse_text, True, None),
    "line_number": (parse_int, True, None),
    "period": (parse_period, True, None),
    "posting_date": (parse_date, True, None),
    "gl_account": (parse_text, True, None),
    "cost_center": (parse_text, False, None),
    "vendor_name": (parse_text, False, None),
    "vendor_id": (parse_text, False, None),
    "amount": (parse_amount, True, None),
    "currency": (parse_currency, True, None),
    "reference": (parse_text, False, None),
    "description": (parse_text, False, None),
}


def validate(
    fields: Fields, raw: Mapping[str, Any], source: str, row: int | None, delivery_id: str, hint: str = ROW_HINT
) -> tuple[dict[str, Any] | None, list[BadInputError]]:
    """``raw`` (column -> value) -> (the row's columns, []) or (None, one error per bad field)."""
    out: dict[str, Any] = {}
    errors: list[BadInputError] = []
    for name, (parse, required, default) in fields.items():
        v = raw.get(name)
        if is_empty(v):
            if required:
                errors.append(
                    BadInputError(
                        source,
                        f"missing {name}",
                        row=row,
                        field=name,
                        hint=hint,
                        delivery_id=delivery_id,
                        raw_record=raw_record(raw),
                    )
                )
            out[name] = default
            continue
        try:
            out[name] = parse(v)
        except (TypeError, ValueError, InvalidOperation) as e:
            errors.append(
                BadInputError(
                    source,
                    str(e) or f"bad {name}",
                    row=row,
                    field=name,
                    value=v.isoformat() if isinstance(v, dt.date) else str(v),
                    hint=hint,
                    delivery_id=delivery_id,
                    raw_record=raw_record(raw),
                )
            )
    if not errors and "base_currency" in out and out["base_currency"] == out["quote_currency"]:
        errors.append(
            BadInputError(
                source,
                "base and quote currency are the same",
                row=row,
                field="quote_currency",
                value=out["quote_currency"],
                hint=hint,
                delivery_id=delivery_id,
                raw_record=raw_record(raw),
            )
        )
    return (None, errors) if errors else (out, [])


def validator(fields: Fields) -> Callable[..., tuple[dict[str, Any] | None, list[BadInputError]]]:
    """A row validator for :func:`ingestion._common.filedrop.read_file`."""

    def check(raw: Mapping[str, Any], source: str, row: int, delivery_id: str):
        return validate(fields, raw, source, row, delivery_id)

    return check
