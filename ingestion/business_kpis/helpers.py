"""Business-KPI helpers: finding and reading the CSV drop (fsspec, like the billing landing zone), validating one
reported value (date, product, KPI, exact decimal, unit), the SQL URL handling that never shows a password, and the
run log the resources fill while dlt extracts.

A row that cannot be loaded becomes a :class:`~ingestion._common.errors.BadInputError` naming the file (or SQL
table), the row and the field; it is written to ``business_kpis.quarantine`` and the rest of the file loads.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import posixpath
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import fsspec

from ingestion._common.errors import BadInputError
from ingestion._common.landing import FileRef, LandingPathError, list_files

from . import settings as S


class BusinessKpiError(RuntimeError):
    """The business-KPI load failed as a whole (bad configuration, database unreachable, missing columns). The
    message names what to fix and never carries the database password."""


ROW_HINT = ("Fix the row and drop the file again (a changed file is read again; its other rows are loaded "
            "already).")
SQL_ROW_HINT = ("Fix the row in the database and bump its cursor column (updated_at) so that the next load "
                "reads it again; the other rows are loaded.")
FILE_HINT = "Fix or re-export the file and drop it again; nothing of it was loaded."


# ----------------------------------------------------------------------------------------------------------------------
# run log: what the resources did (read by the runner after dlt ran)
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class KpiRunLog:
    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)  # unchanged since their last load
    rows: dict[str, int] = field(default_factory=lambda: {S.CSV_SYSTEM: 0, S.SQL_SYSTEM: 0})  # rows yielded
    quarantined: list[BadInputError] = field(default_factory=list)  # found by this run
    still_quarantined: list[BadInputError] = field(default_factory=list)  # of unchanged files, found before
    sql_table: str | None = None
    engines: list[Any] = field(default_factory=list, repr=False)  # SQLAlchemy engines to dispose after the load


# ----------------------------------------------------------------------------------------------------------------------
# the SQL database URL: parsed once, shown only without the password
# ----------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SqlDatabase:
    url: str = field(repr=False)
    table: str = S.DEFAULT_SQL_TABLE
    schema: str | None = None
    cursor_column: str = S.DEFAULT_CURSOR

    def __repr__(self) -> str:  # never the password
        return f"SqlDatabase({self.safe_url!r}, table={self.qualified_table!r})"

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table

    @property
    def safe_url(self) -> str:
        return redact_url(self.url)

    @property
    def secrets(self) -> list[str]:
        return url_secrets(self.url)

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets)


def _parse_url(url: str):
    from sqlalchemy.engine import make_url

    return make_url(url)


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (``<unparseable URL>`` when SQLAlchemy cannot read it)."""
    try:
        return _parse_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is never echoed: it may hold the password anywhere
        return "<unparseable SQLAlchemy URL>"


def url_secrets(url: str) -> list[str]:
    """Strings that must never appear in a message: the password (raw and URL-encoded) and the full URL when it
    holds one (or cannot be parsed)."""
    out: list[str] = []
    try:
        pw = _parse_url(url).password
    except Exception:  # noqa: BLE001 - unparseable: the whole value may hide the password anywhere
        out.append(url)
        pw = None
        m = re.match(r"^[^:/]+://[^:/@]*:([^@]*)@", url)  # best effort on an unparseable URL
        if m:
            pw = m.group(1)
    if pw:
        out.append(url)
    if pw:
        out += [str(pw), quote(str(pw), safe=""), quote_plus(str(pw))]
    return sorted({s for s in out if s and len(s) >= 3}, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return text


def validate_sql_url(url: str) -> None:
    """Raise :class:`BusinessKpiError` (without the URL) when SQLAlchemy cannot parse it, or when it names a SQLite
    file that does not exist (SQLite would create an empty database)."""
    try:
        parsed = _parse_url(url)
    except Exception:  # noqa: BLE001
        raise BusinessKpiError(
            f"{S.CREDENTIALS_ENV} is not a valid SQLAlchemy URL (expected e.g. sqlite:////path/kpis.sqlite or "
            "postgresql://user:password@host:5432/dbname); the value is not shown") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not parsed.database.startswith("file:") and not Path(parsed.database).is_file():
        raise BusinessKpiError(f"{S.SQL_SYSTEM}: the SQLite database {parsed.database} does not exist "
                               f"({S.CREDENTIALS_ENV}); run `finops generate` for the demo one")


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


def validate(raw: Mapping[str, Any], source: str, row: int | None, delivery_id: str,
             hint: str = ROW_HINT) -> tuple[dict[str, Any] | None, list[BadInputError]]:
    """``raw`` (column -> value) -> (the validated value's columns, []) or (None, one error per bad field)."""
    out: dict[str, Any] = {}
    errors: list[BadInputError] = []
    record = json.dumps({k: (None if v is None else str(v)) for k, v in raw.items()}, sort_keys=True)

    def bad(name: str, reason: str) -> None:
        v = raw.get(name)
        errors.append(BadInputError(source, reason, row=row, field=name, value=None if v in (None, "") else str(v),
                                    hint=hint, delivery_id=delivery_id, raw_record=record))

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


# ----------------------------------------------------------------------------------------------------------------------
# the CSV drop
# ----------------------------------------------------------------------------------------------------------------------
def csv_files(path: str) -> list[FileRef]:
    """The CSV files of the drop (``*.csv``, ``*.csv.gz``, any depth), sorted by path. FileNotFoundError when the
    folder does not exist."""
    return [f for f in list_files(path) if f.rel.lower().endswith(S.CSV_SUFFIXES)]


def drop_name(path: str) -> str:
    """The drop folder's own name (``business_kpis``): prefixes ``source_ref`` so that it reads like a landing path."""
    return posixpath.basename(path.rstrip("/").split("://", 1)[-1]) or S.LANDING_PREFIX


def fingerprint(ref: FileRef) -> str:
    return hashlib.sha256(f"{ref.rel}\0{ref.size}\0{ref.version}".encode()).hexdigest()


def _header(names: list[str]) -> list[str]:
    out = []
    for n in names:
        key = (n or "").strip().lower().lstrip("\ufeff")
        out.append(S.HEADER_ALIASES.get(key, key))
    return out


def read_csv(ref: FileRef, source: str, delivery_id: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(data row number, {column: text}) for every non-empty row; raises :class:`BadInputError` (row 0) when the
    file cannot be read or lacks a required column."""
    try:
        with fsspec.open(ref.url, "rb", compression="infer") as fh:
            data = fh.read()
        text = data.decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError, zlib.error, gzip.BadGzipFile) as e:
        raise BadInputError(source, f"unreadable file ({type(e).__name__}: {e})", row=0, hint=FILE_HINT,
                            delivery_id=delivery_id) from None
    except LandingPathError as e:  # pragma: no cover - list_files refuses these first
        raise BadInputError(source, str(e), row=0, hint=FILE_HINT, delivery_id=delivery_id) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(reader))
    except StopIteration:
        return  # an empty file: nothing to load
    except csv.Error as e:
        raise BadInputError(source, f"unreadable CSV header ({e})", row=0, hint=FILE_HINT,
                            delivery_id=delivery_id) from None
    missing = [c for c in S.REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BadInputError(source, f"missing required column(s) {', '.join(missing)} (the header must have "
                            f"{', '.join(S.REQUIRED_COLUMNS)}[, kpi_unit])", row=0, field=missing[0],
                            hint=FILE_HINT, delivery_id=delivery_id)
    row_no = 0
    try:
        for values in reader:
            if not values or all(not v.strip() for v in values):
                continue
            row_no += 1
            yield row_no, {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
    except csv.Error as e:
        raise BadInputError(source, f"malformed CSV ({e})", row=row_no + 1, hint=FILE_HINT,
                            delivery_id=delivery_id) from None
