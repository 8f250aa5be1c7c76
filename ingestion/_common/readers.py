"""Streaming readers: one export file -> Arrow record batches, with the data row number of each batch's
first row, so that errors can name the row. CSV columns are read as strings (parsing and validation
happen in the transform, where a bad value can be reported); Parquet and JSON keep their types.

Handles gzip (by extension), UTF-8 BOM, UTF-16 (by BOM) and the delimiter (`,` `;` tab `|`, sniffed).
Corrupt or truncated input raises :class:`BadInputError` naming the file and the row reached."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import fsspec
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from .errors import BadInputError
from .landing import FileRef

BATCH_ROWS = 262_144
CSV_BLOCK_BYTES = 32 << 20


def file_kind(path: str) -> str:
    low = path.lower()
    if low.endswith(".parquet"):
        return "parquet"
    if low.endswith((".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")):
        return "jsonl"
    return "csv"


def _open(ref: FileRef):
    compression = "gzip" if ref.url.lower().endswith(".gz") else None
    return fsspec.open(ref.url, "rb", compression=compression)


@dataclass
class CsvDialect:
    encoding: str
    delimiter: str
    header: list[str]


def sniff_csv(ref: FileRef) -> CsvDialect:
    try:
        with _open(ref) as fh:
            head = fh.read(256 << 10)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise _broken_compression(ref, e) from e
    not_text = not_a_text_file(ref.rel, head)
    if not_text:
        raise BadInputError(ref.rel, not_text[0], row=0, hint=not_text[1])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        text = head.decode("utf-16", errors="ignore")
    else:
        encoding = "utf8"
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            # a multi-byte char cut at the buffer end is fine; anything else is not UTF-8
            try:
                text = head[:-4].decode("utf-8-sig")
            except UnicodeDecodeError:
                text = head.decode("latin-1")
                encoding = "latin1"
    text = text.lstrip("\ufeff")
    first = text.splitlines()[0] if text else ""
    if not first.strip():
        raise BadInputError(
            ref.rel,
            "the file is empty or has no header row",
            row=0,
            hint="Deliver the export again; an export always starts with a header row.",
        )
    delimiter = max([",", ";", "\t", "|"], key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return CsvDialect(encoding, delimiter, [h.strip() for h in header])


# what a file that should be CSV text really is, by its first bytes: (magic, what it is, what to do)
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (
        b"%PDF",
        "a PDF document, not a CSV file",
        (
            "An invoice PDF cannot be loaded: load the provider's billing export (CSV, CSV.GZ, Parquet or JSON lines) "
            "of that period instead."
        ),
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel 97-2003 workbook (XLS), not a CSV file",
        "XLS is not supported: open it and save the sheet as CSV (UTF-8), then load that file.",
    ),
    (b"PAR1", "a Parquet file, not a CSV file", "Rename it to end in .parquet and load it again."),
    (
        b"\x1f\x8b",
        "gzip-compressed, but its name does not end in .gz",
        "Rename it to end in .csv.gz (or .json.gz) and load it again.",
    ),
    (b"BZh", "bzip2-compressed, not a CSV file", "Decompress it (bunzip2) and load the CSV inside."),
    (b"\xfd7zXZ\x00", "xz-compressed, not a CSV file", "Decompress it (unxz) and load the CSV inside."),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive, not a CSV file", "Extract it and load the CSV files inside."),
    (
        b"SQLite format 3\x00",
        "a SQLite database, not a CSV file",
        "Export the table as CSV, or load business KPIs and ledgers through their own sources (finops run).",
    ),
)


def not_a_text_file(name: str, head: bytes) -> tuple[str, str] | None:
    """(what the file is, what to do) when the first bytes of a file read as CSV text show another kind of file
    (an XLSX or a PDF renamed .csv, a zip, a Parquet file without its suffix), else None."""
    if head.startswith(b"PK\x03\x04"):  # a zip container: XLSX, ODS, or a plain zip
        if b"xl/" in head[:4096] or name.lower().endswith((".xlsx", ".xlsm")):
            return (
                "an Excel workbook (XLSX), not a CSV file",
                "XLSX is not supported: open it and save the sheet as CSV (UTF-8), then load that file.",
            )
        if b"opendocument.spreadsheet" in head[:4096] or name.lower().endswith(".ods"):
            return (
                "an OpenDocument spreadsheet (ODS), not a CSV file",
                "ODS is not supported: save the sheet as CSV (UTF-8), then load that file.",
            )
        return (
            "a ZIP archive, not a CSV file",
            "Extract it and load the files inside (a compressed CSV is loaded as .csv.gz).",
        )
    for magic, what, todo in _MAGIC:
        if head.startswith(magic):
            return what, todo
    sample = head[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            "a binary file, not CSV text (it holds NUL bytes)",
            "Load the provider's billing export as delivered (CSV, CSV.GZ, Parquet or JSON lines).",
        )
    return None


def _broken_compression(ref: FileRef, e: BaseException) -> BadInputError:
    """The error of a gzip text file that cannot be decompressed to its end: garbage from the start (row 0), or cut
    off (a truncated upload) after some complete lines, counted again here (every byte that still decompresses) so
    that the error names the first row that could not be read, with its readable start as the value."""
    lines, tail = 0, b""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        with fsspec.open(ref.url, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                while chunk:
                    out = d.decompress(chunk)
                    lines += out.count(b"\n")
                    tail = (tail + out)[-4096:]
                    chunk = d.unused_data if d.eof else b""  # the next member of a multi-member gzip
                    if d.eof:
                        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    except (OSError, zlib.error):
        pass
    if lines == 0:
        return BadInputError(ref.rel, f"cannot read the file: corrupt or truncated compression ({e})", row=0)
    rows = lines - 1  # the header line
    broken = tail.rsplit(b"\n", 1)[-1][:200].decode("utf-8", "replace")
    return BadInputError(
        ref.rel,
        f"corrupt or truncated compressed file: it breaks off after {rows:,} complete data "
        f"row(s), in row {rows + 1:,} ({e})",
        row=rows + 1,
        value=broken or None,
    )


def read_header(ref: FileRef) -> list[str]:
    """Column names (top-level) of a file, cheaply."""
    kind = file_kind(ref.url)
    if kind == "parquet":
        return list(_parquet_schema(ref).names)
    if kind == "jsonl":
        import json

        with _open(ref) as fh:
            line = fh.readline()
        try:
            return list(json.loads(line).keys())
        except ValueError as e:
            raise BadInputError(ref.rel, f"first line is not a JSON object ({e})", row=1) from e
    return sniff_csv(ref).header


def read_types(ref: FileRef) -> dict[str, pa.DataType]:
    """Column types where the file has them (Parquet); empty for text formats."""
    if file_kind(ref.url) != "parquet":
        return {}
    return {f.name: f.type for f in _parquet_schema(ref)}


def _parquet_schema(ref: FileRef) -> pa.Schema:
    """The Arrow schema of a Parquet file; an empty file, a CSV named .parquet or a file cut off before its footer is
    a :class:`BadInputError` naming what the file is."""
    try:
        with fsspec.open(ref.url, "rb") as fh:
            return pq.ParquetFile(fh).schema_arrow
    except (OSError, pa.ArrowInvalid) as e:
        with fsspec.open(ref.url, "rb") as fh:
            head = fh.read(8192)
        if not head:
            reason, hint = "the file is empty", "Deliver the export again; a Parquet file is never empty."
        elif not head.startswith(b"PAR1"):
            what = not_a_text_file(ref.rel, head)
            reason, hint = (
                (what[0].replace("not a CSV file", "not a Parquet file"), what[1])
                if what
                else (
                    "not a Parquet file (it does not start with PAR1; CSV text?)",
                    "If it is CSV, rename it to end in .csv; else deliver the Parquet export again.",
                )
            )
        else:
            reason, hint = (
                f"corrupt or truncated Parquet file ({e})",
                "Deliver the export again; the previous delivery of this period stays loaded.",
            )
        raise BadInputError(ref.rel, reason, row=0, hint=hint) from e


def iter_batches(ref: FileRef, columns: list[str] | None = None) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Yield (batch, first_row_number) for the file. Row numbers are 1-based data rows."""
    kind = file_kind(ref.url)
    if kind == "parquet":
        yield from _iter_parquet(ref, columns)
    elif kind == "jsonl":
        yield from _iter_jsonl(ref)
    else:
        yield from _iter_csv(ref)


def _iter_parquet(ref: FileRef, columns: list[str] | None) -> Iterator[tuple[pa.RecordBatch, int]]:
    row = 1
    try:
        with fsspec.open(ref.url, "rb") as fh:
            pf = pq.ParquetFile(fh)
            cols = [c for c in columns if c in pf.schema_arrow.names] if columns else None
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=cols):
                yield batch, row
                row += batch.num_rows
    except (OSError, pa.ArrowInvalid) as e:
        raise BadInputError(ref.rel, f"corrupt or truncated Parquet file ({e})", row=row) from e


def _iter_jsonl(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    row = 1
    try:
        with _open(ref) as fh:
            reader = pajson.open_json(fh, read_options=pajson.ReadOptions(block_size=CSV_BLOCK_BYTES))
            for batch in reader:
                yield batch, row
                row += batch.num_rows
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise BadInputError(
            ref.rel, f"corrupt or truncated compressed file after about {row - 1} rows ({e})", row=row
        ) from e
    except pa.ArrowInvalid as e:
        raise BadInputError(ref.rel, f"malformed JSON near row {row} ({e})", row=row) from e


def _iter_csv(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    dialect = sniff_csv(ref)
    names = dialect.header
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise BadInputError(ref.rel, f"duplicate column names {dupes}", row=0, field=dupes[0])
    read_opts = pacsv.ReadOptions(
        column_names=names, skip_rows=1, encoding=dialect.encoding, block_size=CSV_BLOCK_BYTES
    )
    parse_opts = pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True)
    conv_opts = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    row = 1
    try:
        with _open(ref) as fh:
            raw = fh
            if dialect.encoding == "utf8":
                # pyarrow skips a UTF-8 BOM only at the very start; we pass the header ourselves
                raw = io.BufferedReader(fh) if not hasattr(fh, "peek") else fh
            reader = pacsv.open_csv(raw, read_options=read_opts, parse_options=parse_opts, convert_options=conv_opts)
            for batch in reader:
                yield batch, row
                row += batch.num_rows
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise _broken_compression(ref, e) from e
    except pa.ArrowInvalid as e:
        raise BadInputError(
            ref.rel,
            f"malformed CSV near row {row} ({e})",
            row=row,
            hint="Check the delimiter, quoting and encoding of the file, then deliver it again.",
        ) from e
