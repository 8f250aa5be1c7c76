"""Streaming writers: Parquet part files, gzip CSV, gzip NDJSON. None of them holds more
than one batch in memory. gzip output is deterministic (header mtime = 0)."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def _mkparent(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)


class ParquetPartWriter:
    """Writes batches to ``<dir>/<prefix>-00001.snappy.parquet``, rolling to a new part
    file every ``max_rows_per_file`` rows."""

    def __init__(
        self,
        directory: Path,
        prefix: str,
        schema: pa.Schema,
        max_rows_per_file: int = 1_000_000,
        name_fn: Callable[[int], str] | None = None,
    ):
        self.dir = Path(directory)
        self.prefix = prefix
        self.schema = schema
        self.max_rows = max_rows_per_file
        self.name_fn = name_fn or (lambda n: f"{prefix}-{n:05d}.snappy.parquet")
        self.files: list[Path] = []
        self.rows_per_file: list[int] = []
        self._w: pq.ParquetWriter | None = None
        self._rows_in_file = 0
        self.rows = 0

    def _open(self) -> None:
        path = self.dir / self.name_fn(len(self.files) + 1)
        _mkparent(path)
        self._w = pq.ParquetWriter(str(path), self.schema, compression="snappy", write_statistics=True)
        self.files.append(path)
        self.rows_per_file.append(0)
        self._rows_in_file = 0

    def write(self, table: pa.Table) -> None:
        offset = 0
        n = table.num_rows
        while offset < n:
            if self._w is None or self._rows_in_file >= self.max_rows:
                self.close_current()
                self._open()
            take = min(n - offset, self.max_rows - self._rows_in_file)
            self._w.write_table(table.slice(offset, take), row_group_size=max(take, 1))
            self._rows_in_file += take
            self.rows_per_file[-1] += take
            self.rows += take
            offset += take

    def close_current(self) -> None:
        if self._w is not None:
            self._w.close()
            self._w = None

    def close(self) -> list[Path]:
        if not self.files:  # always produce at least one (possibly empty) file
            self._open()
        self.close_current()
        return self.files


class GzipCsvWriter:
    """Streams Arrow tables into one gzip CSV file (header written once)."""

    def __init__(self, path: Path, bom: bool = False):
        self.path = Path(path)
        _mkparent(self.path)
        self._raw = open(self.path, "wb")  # noqa: SIM115 - closed by close(); the writer owns the handle
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
        if bom:
            self._gz.write("\ufeff".encode())
        self._header = True
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=self._header, quoting_style="needed"))
        self._gz.write(buf.getvalue())
        self._header = False
        self.rows += table.num_rows

    def close(self) -> Path:
        self._gz.close()
        self._raw.close()
        return self.path


class GzipJsonLinesWriter:
    def __init__(self, path: Path):
        self.path = Path(path)
        _mkparent(self.path)
        self._raw = open(self.path, "wb")  # noqa: SIM115 - closed by close(); the writer owns the handle
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=6)
        self.rows = 0

    def write_rows(self, rows: list[dict]) -> None:
        dumps = json.dumps
        self._gz.write(("\n".join(dumps(r, separators=(",", ":")) for r in rows) + "\n").encode())
        self.rows += len(rows)

    def close(self) -> Path:
        self._gz.close()
        self._raw.close()
        return self.path


def write_json(path: Path, obj: dict) -> Path:
    path = Path(path)
    _mkparent(path)
    path.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")
    return path


def size_of(path: Path) -> int:
    return os.path.getsize(path)
