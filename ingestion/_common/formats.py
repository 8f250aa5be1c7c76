"""The billing-format plug-in contract. Each export format (one per provider export flavour) declares
how to recognise it from its header and how its columns map to its raw table; a :class:`BillingDataset` groups a
dataset's formats with its dlt source (the catalogue, :mod:`ingestion.catalogue`, lists them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from .landing import Delivery, FileRef
from .transform import SelectBuilder


@dataclass(frozen=True)
class BillingFormat:
    id: str  # e.g. "aws_cur2"; accepted by `finops load --format`
    dataset: str  # dlt dataset = DuckDB schema = dbt source name, e.g. "aws_cur"
    table: str  # raw table inside the dataset, e.g. "line_items"
    label: str  # human name for messages
    sniff: Callable[[list[str], str], bool]  # (header columns, relative path) -> is it mine?
    build_select: Callable[[SelectBuilder, FileRef, Delivery], None]
    """Fill the builder with the raw table's canonical columns. It must output ``x_billing_period``
    ('YYYY-MM', from the rows) and may call ``builder.require(...)`` for columns without which the file
    cannot be loaded."""
    required_columns: tuple[str, ...] = ()  # checked before reading (any of the aliases)
    read_columns: Callable[[list[str]], list[str]] | None = None  # Parquet projection from the header
    priority: int = 100  # lower sniffs first
    reader: Callable[[FileRef, list[str] | None], Iterator[tuple[pa.RecordBatch, int]]] | None = None
    """Own streaming reader (file, projected columns) -> (batch, first data row); default: the shared one."""
    sample_header: tuple[str, ...] = ()
    """A header with every source column the format reads (as strings): used to create the raw table,
    empty, before the first delivery arrives, so that dbt models always find their sources."""
    duckdb_parquet: bool = False
    """Local Parquet files are read by DuckDB itself (``read_parquet`` + the format SQL, multi-threaded, see
    ``_common/duckread.py``) instead of pyarrow batches; the format SQL must accept MAPs as LIST<STRUCT>."""


@dataclass(frozen=True)
class BillingDataset:
    """One billing-export dataset as :mod:`ingestion.catalogue` lists it: the dlt dataset, its raw table, the
    formats that load into it and the package's ``@dlt.source`` (called as ``source(deliveries, quarantined,
    full_refresh)`` with planned ``(Delivery, BillingFormat)`` pairs)."""

    name: str  # dlt dataset = DuckDB schema = dbt source name, e.g. "aws_cur"
    table: str  # its raw table, e.g. "line_items"
    formats: tuple[BillingFormat, ...]
    source: Callable[..., Any]


def by_priority(formats: Iterable[BillingFormat]) -> tuple[BillingFormat, ...]:
    """The formats in the order they sniff (lower ``priority`` first)."""
    return tuple(sorted(formats, key=lambda f: f.priority))


def format_by_id(formats: Iterable[BillingFormat], format_id: str) -> BillingFormat:
    """The format ``format_id`` of ``formats``; ValueError naming the known ones."""
    formats = tuple(formats)
    for f in formats:
        if f.id == format_id:
            return f
    known = ", ".join(f.id for f in formats)
    raise ValueError(f"Unknown format {format_id!r}. Known formats: {known}.")


def detect_format(formats: Iterable[BillingFormat], header: list[str], rel_path: str) -> BillingFormat | None:
    """The first format (by priority) whose ``sniff`` recognises a file's header and path, else None."""
    for f in by_priority(formats):
        if f.sniff(header, rel_path):
            return f
    return None
