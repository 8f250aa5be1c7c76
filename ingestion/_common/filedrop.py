"""File drops of the non-billing sources (business KPIs, finance): folders (or fsspec URLs) where someone drops CSV
or XLSX files that a dlt resource reads whole, one file at a time.

* finding the files (:func:`drop_files`), the file cursor (:func:`fingerprint`, kept per file in the resource
  state by :func:`changed_files` / :func:`finish_file`: an unchanged file is not read again),
* reading a file's rows with a header mapped through aliases (:func:`read_rows`: CSV, gzip CSV, XLSX first sheet),
  refusing a file that lacks a required column (a :class:`~ingestion._common.errors.BadInputError` at row 0),
* validating them one by one (:func:`read_file`: a bad row becomes one error per bad field, a key repeated within
  the file is refused, the file's other rows load),
* the ``quarantine`` table those errors go to (the billing loaders' columns, :func:`quarantine_hints`,
  :func:`quarantined`), kept to the current state by :func:`supersede_quarantine` (a file read again replaces its
  earlier records: none left when it is now clean), and reading a source's configuration through dlt
  (:func:`config_value`).

Text files are decoded as UTF-8 (with or without BOM) or UTF-16 (by its BOM); the delimiter of a CSV is sniffed from
its header line (``,`` ``;`` tab ``|``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import posixpath
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec

from .errors import BadInputError
from .landing import FileRef, LandingPathError, list_files
from .pipeline import make_pipeline
from .source import QUARANTINE_COLUMNS, QUARANTINE_KEY, QUARANTINE_TABLE
from .sqlsource import SqlDatabase, row_counts, run_scrubbed
from .tables import existing_table

log = logging.getLogger("finops.ingestion")

# hidden files, the loaders' own "_" files and Excel's lock files ("~$book.xlsx") are never read
SKIP_PREFIXES = (".", "_", "~$")
# at most this many quarantine records per file are kept in the state (to report them again while unchanged)
STATE_ERRORS = 200

# what a file-drop error tells the person who dropped the file: a bad row (the file's other rows load), a bad file
ROW_HINT = "Fix the row and drop the file again (a changed file is read again; its other rows are loaded already)."
FILE_HINT = "Fix or re-export the file and drop it again; nothing of it was loaded."

# (row number, the value found, its errors): what a row validator returns
Validator = Callable[[Mapping[str, Any], str, int, str], tuple[dict[str, Any] | None, list[BadInputError]]]


@dataclass(frozen=True)
class Layout:
    """How a drop's files are laid out: header aliases (lower-case header -> column), the required columns, how
    the header is described in errors, and the hint of a file-level error."""

    aliases: Mapping[str, str]
    required: tuple[str, ...]
    expected: str  # e.g. "kpi_date, product, kpi_name, kpi_value[, kpi_unit]"
    file_hint: str
    labels: Mapping[str, str] = field(default_factory=dict)  # column -> the header name the source writes


@dataclass
class DropLog:
    """What a source's resources did (read by its runner after dlt ran)."""

    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)  # unchanged since their last load
    quarantined: list[BadInputError] = field(default_factory=list)  # found by this run
    still_quarantined: list[BadInputError] = field(default_factory=list)  # of unchanged files, found before
    engines: list[Any] = field(default_factory=list, repr=False)  # SQLAlchemy engines to dispose after the load


@dataclass
class DropLoadReport:
    """What a source's runner reports: files read or unchanged, quarantined rows, tables created empty, and what to
    configure when nothing is."""

    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    quarantined: list[BadInputError] = field(default_factory=list)  # found by this run
    still_quarantined: list[BadInputError] = field(default_factory=list)  # of unchanged files, found before
    tables_created: list[str] = field(default_factory=list)
    hint: str = ""

    @property
    def ok(self) -> bool:
        return not (self.quarantined or self.still_quarantined)

    @property
    def all_quarantined(self) -> list[BadInputError]:
        return [*self.quarantined, *self.still_quarantined]

    def summary(self) -> str:  # pragma: no cover - every source words its own
        raise NotImplementedError

    def nothing_configured(self, hint: str, tables_created: list[str]) -> DropLoadReport:
        """This report when nothing is configured: ``hint`` says what to set; the tables were created empty."""
        self.hint, self.tables_created = hint, tables_created
        log.debug("%s", self.summary())
        return self

    def take(self, run_log: DropLog, dataset: str, tables_created: list[str]) -> None:
        """Copy what the resources did from ``run_log``; log the quarantined rows (warning) and the summary (debug:
        callers report it, the Dagster asset logs it once)."""
        self.files_loaded, self.files_skipped = run_log.files_loaded, run_log.files_skipped
        self.quarantined, self.still_quarantined = run_log.quarantined, run_log.still_quarantined
        self.tables_created = tables_created
        for e in self.quarantined:
            log.warning("%s: quarantined: %s", dataset, e)
        log.debug("%s", self.summary())


# ----------------------------------------------------------------------------------------------------------------------
# configuration (read at call time, through dlt: environment variables first, then .dlt/*.toml)
# ----------------------------------------------------------------------------------------------------------------------
def config_value(accessor: Any, dataset: str, name: str) -> Any:
    """``sources.<dataset>.<dataset>.<name>`` then ``sources.<dataset>.<name>`` (``SOURCES__<DATASET>__<NAME>``);
    ``name`` may be dotted (``ledger.credentials``). None when unset or empty."""
    for key in (f"sources.{dataset}.{dataset}.{name}", f"sources.{dataset}.{name}"):
        value = accessor.get(key)
        if value is not None and value != "":
            return value
    return None


def folder_exists(path: str) -> bool:
    """Whether a drop folder (local or fsspec URL) exists; False when it cannot be checked."""
    try:
        if "://" in path:
            fs, p = fsspec.core.url_to_fs(path)
            return bool(fs.isdir(p))
        return Path(path).expanduser().is_dir()
    except (OSError, ValueError, ImportError):
        return False


# ----------------------------------------------------------------------------------------------------------------------
# the files and their cursor
# ----------------------------------------------------------------------------------------------------------------------
def drop_files(path: str, suffixes: tuple[str, ...]) -> list[FileRef]:
    """The drop's files ending in one of ``suffixes`` (any depth), sorted by path. FileNotFoundError when the
    folder does not exist."""

    def keep(p: str) -> bool:
        base = posixpath.basename(p).lower()
        return base.endswith(suffixes) and not base.startswith(SKIP_PREFIXES)

    return list_files(path, keep)


def drop_name(path: str, default: str) -> str:
    """The drop folder's own name (``business_kpis``), or ``default``."""
    return posixpath.basename(path.rstrip("/").split("://", 1)[-1]) or default


def fingerprint(ref: FileRef) -> str:
    return hashlib.sha256(f"{ref.rel}\0{ref.size}\0{ref.version}".encode()).hexdigest()


def error_from_record(r: Mapping[str, Any], hint: str) -> BadInputError:
    return BadInputError(
        r["source_file"],
        r["reason"],
        row=r.get("row_number"),
        field=r.get("field") or None,
        value=r.get("value"),
        hint=r.get("hint") or hint,
        delivery_id=r.get("delivery_id"),
        raw_record=r.get("raw_record"),
    )


def changed_files(
    files: list[FileRef], prefix: str, seen: dict[str, dict[str, Any]], full_refresh: bool, log: DropLog, row_hint: str
) -> Iterator[tuple[FileRef, str, str]]:
    """(file, its name in errors and lineage ``<prefix>/<rel>``, fingerprint) of every file changed since its last
    load (``seen``: the resource state's files). Unchanged files are logged as skipped, with the quarantine records
    they had (an unchanged file is not read again, so they are still there)."""
    for ref in files:
        fp = fingerprint(ref)
        source = f"{prefix}/{ref.rel}"
        prev = seen.get(ref.rel) or {}
        if not full_refresh and prev.get("fingerprint") == fp:
            log.files_skipped.append(source)
            log.still_quarantined += [error_from_record(r, row_hint) for r in prev.get("quarantined", [])]
            continue
        yield ref, source, fp


def finish_file(
    seen: dict[str, dict[str, Any]],
    ref: FileRef,
    source: str,
    fp: str,
    rows: int,
    errors: list[BadInputError],
    log: DropLog,
) -> None:
    """Record a file as read: in the run log and in the resource state (its cursor, and its name in the quarantine
    for :func:`supersede_quarantine`)."""
    log.files_loaded.append(source)
    log.quarantined += errors
    seen[ref.rel] = {
        "fingerprint": fp,
        "rows": rows,
        "source": source,
        "quarantined": [e.as_record() for e in errors[:STATE_ERRORS]],
    }


def file_delivery_id(source: str, fp: str) -> str:
    """The quarantine ``delivery_id`` of one read of a file: ``<source>|<fingerprint[:12]>``."""
    return f"{source}|{fp[:12]}"


def _files_read(state: Any) -> Iterator[tuple[str, str]]:
    """(source, fingerprint) of every file entry (``{"fingerprint", "source", ...}``) anywhere in a state tree."""
    if isinstance(state, Mapping):
        if isinstance(state.get("fingerprint"), str) and isinstance(state.get("source"), str):
            yield state["source"], state["fingerprint"]
            return
        for v in state.values():
            yield from _files_read(v)


def supersede_quarantine(pipeline: Any) -> int:
    """Delete the quarantine records of earlier reads of every file the pipeline has read: a file read again (new
    fingerprint) keeps only the records of its latest read, none when it is now clean. The latest read of each file
    is the resource state's (committed with the load that wrote that read's records), so call this after a
    successful load; it is idempotent, and a crash before it only delays the cleanup to the next load. Records of a
    SQL table's rows and of files never read with this version (no ``source`` in their state) are left alone.
    Returns the records deleted."""
    latest = {src: file_delivery_id(src, fp) for src, fp in _files_read(pipeline.state.get("sources", {}))}
    if not latest:
        return 0
    with existing_table(pipeline, QUARANTINE_TABLE) as (c, t):
        if t is None:
            return 0
        pairs = c.execute_sql(f"select source_file, delivery_id, count(*) from {t} group by 1, 2") or []
        stale = [(f, d, n) for f, d, n in pairs if f in latest and d != latest[f]]
        for f, d, _ in stale:
            c.execute_sql(f"delete from {t} where source_file = %s and delivery_id = %s", f, d)
    n = sum(int(k) for _, _, k in stale)
    if n:
        log.info("%s: %s quarantine records of files read again removed", pipeline.dataset_name, n)
    return n


def run_drop_source(
    dataset: str,
    warehouse: str,
    make_source: Callable[[], Any],
    *,
    error: type[Exception],
    db: SqlDatabase | None,
    engines: list[Any],
) -> dict[str, int]:
    """Run a file-drop source (and its optional SQL table ``db``) into the warehouse with the billing exports'
    pipeline layout (pipeline and dataset ``dataset``): failures re-raised as ``error`` with ``db``'s password
    scrubbed (:func:`~ingestion._common.sqlsource.run_scrubbed`), then the quarantine records of files read again
    superseded. Returns the rows per table written by the run."""
    pipeline = make_pipeline(dataset, warehouse)
    secrets = db.secrets if db is not None else []
    run_scrubbed(pipeline, make_source, error=error, secrets=secrets, label=dataset, engines=engines)
    supersede_quarantine(pipeline)  # a file read again replaces its earlier quarantine records
    return row_counts(pipeline)


# ----------------------------------------------------------------------------------------------------------------------
# reading a file
# ----------------------------------------------------------------------------------------------------------------------
def normalise_header(names: list[Any], aliases: Mapping[str, str]) -> list[str]:
    """Header cells -> column names: trimmed, lower-cased, inner whitespace collapsed, then through ``aliases``."""
    out = []
    for n in names:
        key = re.sub(r"\s+", " ", ("" if n is None else str(n)).replace("\ufeff", "").strip().lower())
        out.append(aliases.get(key, key))
    return out


def _check_header(header: list[str], layout: Layout, source: str, delivery_id: str) -> None:
    missing = [c for c in layout.required if c not in header]
    if missing:
        named = ", ".join(f"{c} ({layout.labels[c]!r})" if c in layout.labels else c for c in missing)
        raise BadInputError(
            source,
            f"missing required column(s) {named} (the header must have {layout.expected})",
            row=0,
            field=missing[0],
            hint=layout.file_hint,
            delivery_id=delivery_id,
        )


def _read_bytes(ref: FileRef, source: str, delivery_id: str, hint: str) -> bytes:
    try:
        with fsspec.open(ref.url, "rb", compression="infer") as fh:
            return fh.read()
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise BadInputError(
            source, f"unreadable file ({type(e).__name__}: {e})", row=0, hint=hint, delivery_id=delivery_id
        ) from None
    except LandingPathError as e:  # pragma: no cover - list_files refuses these first
        raise BadInputError(source, str(e), row=0, hint=hint, delivery_id=delivery_id) from None


def _is_empty(values: Any) -> bool:
    return not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def decode_text(data: bytes, source: str, delivery_id: str, hint: str) -> str:
    """A text file's bytes as text: UTF-16 (LE or BE, by its BOM), else UTF-8 with or without BOM; anything else
    raises :class:`BadInputError` (row 0) saying to save the file as UTF-8."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BadInputError(
            source,
            f"unreadable file ({type(e).__name__}: {e}); save it as UTF-8",
            row=0,
            hint=hint,
            delivery_id=delivery_id,
        ) from None


def read_csv(ref: FileRef, source: str, delivery_id: str, layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(data row number, {column: text}) for every non-empty row of a CSV (or gzip CSV) file; raises
    :class:`BadInputError` (row 0) when the file cannot be read or lacks a required column."""
    data = _read_bytes(ref, source, delivery_id, layout.file_hint)
    text = decode_text(data, source, delivery_id, layout.file_hint)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t", "|"], key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = normalise_header(next(reader), layout.aliases)
    except StopIteration:
        return  # an empty file: nothing to load
    except csv.Error as e:
        raise BadInputError(
            source, f"unreadable CSV header ({e})", row=0, hint=layout.file_hint, delivery_id=delivery_id
        ) from None
    _check_header(header, layout, source, delivery_id)
    row_no = 0
    try:
        for values in reader:
            if _is_empty(values):
                continue
            row_no += 1
            yield row_no, {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
    except csv.Error as e:
        raise BadInputError(
            source, f"malformed CSV ({e})", row=row_no + 1, hint=layout.file_hint, delivery_id=delivery_id
        ) from None


def read_xlsx(ref: FileRef, source: str, delivery_id: str, layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(data row number, {column: cell value}) for every non-empty row of the workbook's first sheet; the header is
    its first non-empty row. Cell values are as openpyxl reads them (text, int, float, datetime; formulas as their
    cached value). Raises :class:`BadInputError` (row 0) like :func:`read_csv`."""
    from openpyxl import load_workbook

    data = _read_bytes(ref, source, delivery_id, layout.file_hint)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - zip, XML or openpyxl's own errors: the file is not a readable workbook
        raise BadInputError(
            source,
            f"unreadable XLSX workbook ({type(e).__name__}: {e})",
            row=0,
            hint=layout.file_hint,
            delivery_id=delivery_id,
        ) from None
    try:
        if not wb.worksheets:
            return
        header: list[str] | None = None
        row_no = 0
        for values in wb.worksheets[0].iter_rows(values_only=True):
            if _is_empty(values):
                continue
            if header is None:
                header = normalise_header(list(values), layout.aliases)
                _check_header(header, layout, source, delivery_id)
                continue
            row_no += 1
            yield row_no, {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}
    finally:
        wb.close()


def read_rows(ref: FileRef, source: str, delivery_id: str, layout: Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """:func:`read_xlsx` for ``*.xlsx``, else :func:`read_csv`."""
    reader = read_xlsx if ref.rel.lower().endswith(".xlsx") else read_csv
    return reader(ref, source, delivery_id, layout)


def read_file(
    ref: FileRef, source: str, fp: str, layout: Layout, validate: Validator, key: tuple[str, ...], row_hint: str
) -> tuple[list[dict[str, Any]], list[BadInputError]]:
    """Read and validate one file: (its good rows, each with ``source_row``; the errors). A file-level error means
    no rows and that one error; a bad row means one error per bad field and the other rows; a ``key`` repeated
    within the file is refused from its second occurrence."""
    delivery_id = file_delivery_id(source, fp)
    try:
        raw_rows = list(read_rows(ref, source, delivery_id, layout))  # a file-level error: nothing of it loads
    except BadInputError as e:
        return [], [e]
    rows: list[dict[str, Any]] = []
    errors: list[BadInputError] = []
    first_row: dict[tuple, int] = {}
    for row_no, raw in raw_rows:
        value, bad = validate(raw, source, row_no, delivery_id)
        if bad or value is None:
            errors += bad
            continue
        k = tuple(value[c] for c in key)
        if k in first_row:
            errors.append(
                BadInputError(
                    source,
                    f"duplicate of row {first_row[k]} (same {', '.join(key)})",
                    row=row_no,
                    field=key[-1],
                    value=str(value[key[-1]]),
                    hint=row_hint,
                    delivery_id=delivery_id,
                    raw_record=raw_record(raw),
                )
            )
            continue
        first_row[k] = row_no
        rows.append({**value, "source_row": row_no})
    return rows, errors


def raw_record(raw: Mapping[str, Any]) -> str:
    """A row as read, for the quarantine's ``raw_record`` (JSON, every value as text)."""

    def text(v: Any) -> str | None:
        if v is None:
            return None
        return v.isoformat() if isinstance(v, dt.date) else str(v)

    return json.dumps({k: text(v) for k, v in raw.items()}, sort_keys=True)


# ----------------------------------------------------------------------------------------------------------------------
# the quarantine table
# ----------------------------------------------------------------------------------------------------------------------
def quarantine_columns() -> dict[str, dict[str, Any]]:
    """The billing loaders' quarantine columns, copied with their names (several share one dict there)."""
    return {name: {**col, "name": name} for name, col in QUARANTINE_COLUMNS.items()}


def quarantine_hints() -> dict[str, Any]:
    """The ``quarantine`` table's hints, as :func:`~ingestion._common.tables.ensure_tables` takes them."""
    return {
        "write_disposition": "merge",
        "primary_key": QUARANTINE_KEY,
        "merge_key": [],
        "columns": quarantine_columns(),
    }


def quarantined(errors: list[BadInputError], at: str) -> Any:
    """Quarantine records routed to the ``quarantine`` table from inside a resource (a table variant: the
    resource's own table, keys and columns do not apply to it)."""
    import dlt

    return dlt.mark.with_hints(
        [{**e.as_record(), "quarantined_at": at} for e in errors],
        dlt.mark.make_hints(
            table_name=QUARANTINE_TABLE,
            write_disposition="merge",
            primary_key=QUARANTINE_KEY,
            merge_key=[],
            columns=quarantine_columns(),
        ),
        create_table_variant=True,
    )


def with_quarantine(rows: Any, errors: list[BadInputError], at: str, log: DropLog) -> list[Any]:
    """What a resource yields for one batch: the quarantine records of ``errors`` (logged in ``log``), then
    ``rows`` (the table's rows with their hints) when there are any."""
    log.quarantined += errors
    return ([quarantined(errors, at)] if errors else []) + ([rows] if rows else [])
