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
        raise BadInputError(ref.rel, "the file is empty or has no header row", row=0,
                            hint="Deliver the export again; an export always starts with a header row.")
    delimiter = max([",", ";", "\t", "|"], key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return CsvDialect(encoding, delimiter, [h.strip() for h in header])


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
    return BadInputError(ref.rel, f"corrupt or truncated compressed file: it breaks off after {rows:,} complete data "
                                  f"row(s), in row {rows + 1:,} ({e})", row=rows + 1, value=broken or None)


def read_header(ref: FileRef) -> list[str]:
    """Column names (top-level) of a file, cheaply."""
    kind = file_kind(ref.url)
    if kind == "parquet":
        with fsspec.open(ref.url, "rb") as fh:
            return pq.ParquetFile(fh).schema_arrow.names
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
    with fsspec.open(ref.url, "rb") as fh:
        return {f.name: f.type for f in pq.ParquetFile(fh).schema_arrow}


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
        raise BadInputError(ref.rel, f"corrupt or truncated compressed file after about {row - 1} rows ({e})", row=row) from e
    except pa.ArrowInvalid as e:
        raise BadInputError(ref.rel, f"malformed JSON near row {row} ({e})", row=row) from e


def _iter_csv(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    dialect = sniff_csv(ref)
    names = dialect.header
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise BadInputError(ref.rel, f"duplicate column names {dupes}", row=0, field=dupes[0])
    read_opts = pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=dialect.encoding,
                                  block_size=CSV_BLOCK_BYTES)
    parse_opts = pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True)
    conv_opts = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                     quoted_strings_can_be_null=False)
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
        raise BadInputError(ref.rel, f"malformed CSV near row {row} ({e})", row=row,
                            hint="Check the delimiter, quoting and encoding of the file, then deliver it again.") from e
