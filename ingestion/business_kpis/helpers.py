"""Business-KPI helpers: validating one reported value (date, product, KPI, exact decimal, unit) and the run log
the resources fill while dlt extracts. Finding and reading the CSV drop (:mod:`ingestion._common.filedrop`) and the
SQL URL handling that never shows a password (:mod:`ingestion._common.sqlsource`) are shared with the finance
source; their names are re-exported here.

A row that cannot be loaded becomes a :class:`~ingestion._common.errors.BadInputError` naming the file (or SQL
table), the row and the field; it is written to ``business_kpis.quarantine`` and the rest of the file loads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ingestion._common.errors import BadInputError
from ingestion._common.filedrop import FILE_HINT, ROW_HINT, DropLog, Layout, raw_record
from ingestion._common.sqlsource import SqlDatabase, redact_url, scrub, url_secrets

from . import settings as S

__all__ = [
    "FILE_HINT",
    "LAYOUT",
    "ROW_HINT",
    "SQL_ROW_HINT",
    "BusinessKpiError",
    "KpiRunLog",
    "SqlDatabase",
    "canonical_unit",
    "parse_date",
    "parse_value",
    "redact_url",
    "scrub",
    "url_secrets",
    "validate",
]


class BusinessKpiError(RuntimeError):
    """The business-KPI load failed as a whole (bad configuration, database unreachable, missing columns). The
    message names what to fix and never carries the database password."""


SQL_ROW_HINT = (
    "Fix the row in the database and bump its cursor column (updated_at) so that the next load "
    "reads it again; the other rows are loaded."
)


# ----------------------------------------------------------------------------------------------------------------------
# run log: what the resources did (read by the runner after dlt ran)
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class KpiRunLog(DropLog):
    rows: dict[str, int] = field(default_factory=lambda: {S.CSV_SYSTEM: 0, S.SQL_SYSTEM: 0})  # rows yielded
    sql_table: str | None = None


# ----------------------------------------------------------------------------------------------------------------------
# one reported value
# ----------------------------------------------------------------------------------------------------------------------
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not _DATE.match(text):
        raise ValueError("not an ISO date (YYYY-MM-DD)")
    return dt.date.fromisoformat(text)


def parse_value(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int) and not isinstance(value, bool):
        d = Decimal(value)
    else:  # float (SQLite REAL) through its shortest repr, text as written
        text = str(value).strip()
        if not text:
            raise ValueError("empty")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValueError("not a number") from None
    if not d.is_finite():
        raise ValueError("not a finite number")
    if d < 0:
        raise ValueError("negative volume")
    if d != d.quantize(Decimal("1e-10")) or d >= Decimal("1e28"):
        raise ValueError("does not fit DECIMAL(38,10)")
    return d


_UNITS = {u.lower(): u for u in S.KPI_UNITS}


def canonical_unit(unit: Any, kpi_name: str) -> str:
    text = "" if unit is None else str(unit).strip()
    if text:
        return _UNITS.get(text.lower(), text)
    default = S.DEFAULT_UNITS.get(kpi_name.lower())
    if default is None:
        raise ValueError(f"no unit given and {kpi_name!r} is not a known KPI ({', '.join(S.DEFAULT_UNITS)})")
    return default


def validate(
    raw: Mapping[str, Any], source: str, row: int | None, delivery_id: str, hint: str = ROW_HINT
) -> tuple[dict[str, Any] | None, list[BadInputError]]:
    """``raw`` (column -> value) -> (the validated value's columns, []) or (None, one error per bad field)."""
    out: dict[str, Any] = {}
    errors: list[BadInputError] = []
    record = raw_record(raw)

    def bad(name: str, reason: str) -> None:
        v = raw.get(name)
        errors.append(
            BadInputError(
                source,
                reason,
                row=row,
                field=name,
                value=None if v in (None, "") else str(v),
                hint=hint,
                delivery_id=delivery_id,
                raw_record=record,
            )
        )

    try:
        out["kpi_date"] = parse_date(raw.get("kpi_date"))
    except (TypeError, ValueError) as e:
        bad("kpi_date", "missing date" if raw.get("kpi_date") in (None, "") else f"unparseable date: {e}")
    for name in ("product", "kpi_name"):
        text = "" if raw.get(name) is None else str(raw[name]).strip()
        if not text:
            bad(name, f"missing {name}")
        out[name] = text
    try:
        out["kpi_value"] = parse_value(raw.get("kpi_value"))
    except (TypeError, ValueError) as e:
        bad("kpi_value", "missing value" if raw.get("kpi_value") in (None, "") else f"unparseable number: {e}")
    if out["kpi_name"]:
        try:
            out["kpi_unit"] = canonical_unit(raw.get("kpi_unit"), out["kpi_name"])
        except ValueError as e:
            bad("kpi_unit", str(e))
    return (None, errors) if errors else (out, [])


# the CSV drop's layout (read by ingestion._common.filedrop)
LAYOUT = Layout(
    aliases=S.HEADER_ALIASES,
    required=S.REQUIRED_COLUMNS,
    expected=f"{', '.join(S.REQUIRED_COLUMNS)}[, kpi_unit]",
    file_hint=FILE_HINT,
)
