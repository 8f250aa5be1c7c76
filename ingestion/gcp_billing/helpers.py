"""GCP billing export: sniffing, readers and the mapping of every encoding to the canonical raw columns.

All three encodings (nested JSON, nested Parquet, flattened CSV) go through one mapping (:func:`_build`)
over an *accessor* that knows how to reach a source field (``service.description``, ``credits``...) in
that encoding. Repeated records (labels, credits, ...) are normalised to the same JSON text everywhere;
money and quantities go through their shortest text form into DECIMAL(38,10), so 5e-06 stays 0.000005.

Readers. The shared JSON reader (pyarrow ``open_json``) infers the schema from the first 32 MiB block and
fails when a later block differs (an empty ``labels: []`` first, a non-empty one later), and the shared
header is the first line's keys only (BigQuery omits NULL fields, so a field absent from line 1 would be
read as NULL for the whole file). GCP JSON is therefore read here, by DuckDB ``read_json`` with the
explicit export schema (:data:`settings.JSON_COLUMNS`, every leaf as text). CSV files use the shared reader,
then their Python-repr lists (``[{'name': ..., 'amount': -5e-06, 'full_name': None}]``) are turned into JSON
here, so that a malformed list names its file, row and field. The shared loader has no per-format reader
hook, so :func:`_claim` routes the files that these formats claim (and only those) to these readers by
wrapping ``ingestion._common.source.iter_batches``; every other file goes to the shared reader unchanged.
"""
from __future__ import annotations

import ast
import json
from typing import Iterator

import duckdb
import fsspec
import pyarrow as pa

from ingestion._common import readers as _readers
from ingestion._common import source as _source
from ingestion._common.errors import BadInputError
from ingestion._common.landing import Delivery, FileRef
from ingestion._common.transform import MONEY, SelectBuilder, lit, q

from . import settings as S

# --------------------------------------------------------------------------------------------- sniffing

_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


def _core_nested(header: list[str]) -> bool:
    h = set(header)
    return "usage_start_time" in h and "billing_account_id" in h and ("service" in h or "sku" in h)


def sniff_jsonl(header: list[str], rel_path: str) -> bool:
    return rel_path.lower().endswith(_JSON_SUFFIXES) and _core_nested(header)


def sniff_parquet(header: list[str], rel_path: str) -> bool:
    return rel_path.lower().endswith(".parquet") and _core_nested(header)


def sniff_csv(header: list[str], rel_path: str) -> bool:
    h = set(header)
    return ("usage_start_time" in h and "billing_account_id" in h
            and bool(h & {"service.description", "service.id", "sku.id", "sku.description"}))


def parquet_read_columns(header: list[str]) -> list[str]:
    return [c for c in header if c in S.JSON_COLUMNS]


# ---------------------------------------------------------------------------------------------- readers

_CLAIMED: dict[str, str] = {}   # file URL -> "jsonl" | "csv": files read by the readers below


def _routed_iter_batches(ref: FileRef, columns: list[str] | None = None):
    kind = _CLAIMED.get(ref.url)
    if kind == "jsonl":
        return iter_jsonl(ref)
    if kind == "csv":
        return iter_csv(ref)
    return _readers.iter_batches(ref, columns)


def _claim(ref: FileRef | None, kind: str) -> None:
    """Route ``ref`` to this package's reader (see the module docstring)."""
    if ref is None:
        return
    if _source.iter_batches is not _routed_iter_batches:
        _source.iter_batches = _routed_iter_batches
    _CLAIMED[ref.url] = kind


def _duckdb_json_source(con: duckdb.DuckDBPyConnection, ref: FileRef) -> str:
    if "://" in ref.url and not ref.url.startswith("file://"):
        fs, _ = fsspec.core.url_to_fs(ref.url)
        con.register_filesystem(fs)
        return ref.url
    return ref.url[len("file://"):] if ref.url.startswith("file://") else ref.url


def iter_jsonl(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Newline-delimited JSON (gzip by extension) -> nested Arrow batches with the export schema."""
    con = duckdb.connect(":memory:", config={"threads": 1})
    row = 1
    try:
        path = _duckdb_json_source(con, ref)
        compression = "gzip" if ref.url.lower().endswith(".gz") else "none"
        columns = "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in S.JSON_COLUMNS.items()) + "}"
        rel = con.execute(
            f"SELECT * FROM read_json({lit(path)}, format='newline_delimited', compression={lit(compression)}, "
            f"columns={columns}, maximum_object_size=67108864)"
        )
        reader = rel.fetch_record_batch(_readers.BATCH_ROWS)
        for batch in reader:
            yield batch, row
            row += batch.num_rows
    except duckdb.Error as e:
        raise BadInputError(ref.rel, f"malformed JSON or corrupt compression at or after row {row} ({e})",
                            row=row) from e
    finally:
        con.close()


def _to_plain(v):
    """A parsed list element value -> JSON-safe value; floats keep their shortest text as a Decimal string."""
    if isinstance(v, float):
        return repr(v)              # shortest text; nan/inf are reported as unparseable by the transform
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v is None or isinstance(v, str):
        return v
    return json.dumps(v)


def parse_record_list(text: str | None, field: str) -> str | None:
    """A repeated record as written in a flattened CSV (Python repr or JSON) -> canonical JSON text with
    every leaf as a string (numbers keep their exact text). ``None``/'' -> None. Raises ValueError."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if s == "[]":
        return "[]"
    try:
        value = json.loads(s, parse_float=str, parse_int=str)
    except ValueError:
        try:
            value = ast.literal_eval(s)
        except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
            raise ValueError(f"{field} is neither a JSON nor a Python list of records") from e
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, dict) for x in value):
        raise ValueError(f"{field} is not a list of records")
    return json.dumps([{str(k): _to_plain(v) for k, v in x.items()} for x in value], ensure_ascii=False)


def iter_csv(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The shared CSV reader, with the repeated-record columns rewritten as canonical JSON text."""
    for batch, first_row in _readers.iter_batches(ref):
        names = batch.schema.names
        arrays = list(batch.columns)
        for i, name in enumerate(names):
            if name not in S.LIST_FIELDS:
                continue
            out = []
            for j, v in enumerate(arrays[i].to_pylist()):
                try:
                    out.append(parse_record_list(v, name))
                except ValueError as e:
                    raise BadInputError(ref.rel, f"value cannot be parsed: {e}", row=first_row + j, field=name,
                                        value=(v or "")[:2000]) from None
            arrays[i] = pa.array(out, pa.string())
        yield pa.RecordBatch.from_arrays(arrays, names=names), first_row


# ------------------------------------------------------------------------------------------- accessors

class _Flat:
    """Flattened CSV: ``service.description`` is a column; repeated records are JSON text."""

    def __init__(self, header: list[str]):
        self.header = set(header)

    def scalar(self, path: str) -> str | None:
        return q(path) if path in self.header else None

    def records(self, path: str) -> tuple[str, set[str]] | None:
        if path not in self.header:
            return None
        fields = S.LIST_FIELDS[path]
        typ = json.dumps([{f: "VARCHAR" for f in fields}])
        return f"from_json({q(path)}, {lit(typ)})", set(fields)


class _Nested:
    """Nested JSON/Parquet: ``service.description`` is a struct field; repeated records are lists."""

    def __init__(self, schema: pa.Schema):
        self.scalars: set[str] = set()
        self.lists: dict[str, set[str]] = {}

        def walk(prefix: str, typ: pa.DataType) -> None:
            if pa.types.is_struct(typ):
                for k in range(typ.num_fields):
                    f = typ.field(k)
                    walk(f"{prefix}.{f.name}" if prefix else f.name, f.type)
            elif pa.types.is_list(typ) or pa.types.is_large_list(typ):
                el = typ.value_type
                if pa.types.is_struct(el):
                    self.lists[prefix] = {el.field(k).name for k in range(el.num_fields)}
            else:
                self.scalars.add(prefix)

        for f in schema:
            walk(f.name, f.type)

    @staticmethod
    def _expr(path: str) -> str:
        return ".".join(q(p) for p in path.split("."))

    def scalar(self, path: str) -> str | None:
        return self._expr(path) if path in self.scalars else None

    def records(self, path: str) -> tuple[str, set[str]] | None:
        if path not in self.lists:
            return None
        return self._expr(path), self.lists[path]


def _json_schema() -> pa.Schema:
    """The Arrow schema of :func:`iter_jsonl` batches (from the DuckDB column types)."""
    con = duckdb.connect(":memory:")
    try:
        cols = ", ".join(f"CAST(NULL AS {t}) AS {q(k)}" for k, t in S.JSON_COLUMNS.items())
        return con.execute(f"SELECT {cols} LIMIT 0").to_arrow_table().schema
    finally:
        con.close()


_JSON_SCHEMA: pa.Schema | None = None


# --------------------------------------------------------------------------------------------- mapping

def _raw(expr: str) -> str:
    return f"NULLIF(TRIM(CAST({expr} AS VARCHAR)), '')"


def _text(b: SelectBuilder, out: str, expr: str | None) -> None:
    b.add(out, _raw(expr) if expr else "CAST(NULL AS VARCHAR)")


def _number(b: SelectBuilder, out: str, expr: str | None, field: str) -> None:
    if not expr:
        b.add(out, f"CAST(NULL AS {MONEY})")
        return
    raw = _raw(expr)
    parsed = f"TRY_CAST({raw} AS {MONEY})"
    b.checks.append((field, raw, f"{raw} IS NOT NULL AND {parsed} IS NULL"))
    b.add(out, parsed)


def _timestamp(b: SelectBuilder, out: str, expr: str | None, field: str) -> None:
    if not expr:
        b.add(out, "CAST(NULL AS TIMESTAMP)")
        return
    raw = _raw(expr)
    parsed = f"CAST(TIMEZONE('UTC', TRY_CAST({raw} AS TIMESTAMPTZ)) AS TIMESTAMP)"
    b.checks.append((field, raw, f"{raw} IS NOT NULL AND {parsed} IS NULL"))
    b.add(out, parsed)


def _records(src, path: str) -> str | None:
    """Repeated record -> DuckDB list of structs with every wanted field as VARCHAR (missing ones NULL)."""
    found = src.records(path)
    if not found:
        return None
    expr, present = found
    parts = ", ".join(
        f"{lit(f)}: {_raw('x.' + q(f)) if f in present else 'CAST(NULL AS VARCHAR)'}" for f in S.LIST_FIELDS[path]
    )
    return f"list_transform({expr}, lambda x: {{{parts}}})"


def _json_list(b: SelectBuilder, out: str, lst: str | None) -> None:
    b.add(out, f"CAST(to_json(COALESCE({lst}, [])) AS VARCHAR)" if lst else "CAST('[]' AS VARCHAR)")


_SCALARS = [  # (raw column, source path, kind)
    ("billing_account_id", "billing_account_id", "text"),
    ("service_id", "service.id", "text"),
    ("service_description", "service.description", "text"),
    ("sku_id", "sku.id", "text"),
    ("sku_description", "sku.description", "text"),
    ("usage_start_time", "usage_start_time", "ts"),
    ("usage_end_time", "usage_end_time", "ts"),
    ("project_id", "project.id", "text"),
    ("project_number", "project.number", "text"),
    ("project_name", "project.name", "text"),
    ("project_ancestry_numbers", "project.ancestry_numbers", "text"),
    ("location_location", "location.location", "text"),
    ("location_country", "location.country", "text"),
    ("location_region", "location.region", "text"),
    ("location_zone", "location.zone", "text"),
    ("resource_name", "resource.name", "text"),
    ("resource_global_name", "resource.global_name", "text"),
    ("export_time", "export_time", "ts"),
    ("cost", "cost", "number"),
    ("currency", "currency", "text"),
    ("currency_conversion_rate", "currency_conversion_rate", "number"),
    ("usage_amount", "usage.amount", "number"),
    ("usage_unit", "usage.unit", "text"),
    ("usage_amount_in_pricing_units", "usage.amount_in_pricing_units", "number"),
    ("usage_pricing_unit", "usage.pricing_unit", "text"),
    ("invoice_month", "invoice.month", "text"),
    ("invoice_publisher_type", "invoice.publisher_type", "text"),
    ("cost_type", "cost_type", "text"),
    ("adjustment_info_id", "adjustment_info.id", "text"),
    ("adjustment_info_description", "adjustment_info.description", "text"),
    ("adjustment_info_mode", "adjustment_info.mode", "text"),
    ("adjustment_info_type", "adjustment_info.type", "text"),
    ("cost_at_list", "cost_at_list", "number"),
    ("price_effective_price", "price.effective_price", "number"),
    ("price_tier_start_amount", "price.tier_start_amount", "number"),
    ("price_unit", "price.unit", "text"),
    ("price_pricing_unit_quantity", "price.pricing_unit_quantity", "number"),
    ("transaction_type", "transaction_type", "text"),
    ("seller_name", "seller_name", "text"),
    ("subscription_instance_id", "subscription.instance_id", "text"),
    ("consumption_model_id", "consumption_model.id", "text"),
    ("consumption_model_description", "consumption_model.description", "text"),
]

_LISTS = [  # (raw column, source path)
    ("project_labels", "project.labels"),
    ("project_ancestors", "project.ancestors"),
    ("labels", "labels"),
    ("system_labels", "system_labels"),
    ("tags", "tags"),
]


def _build(b: SelectBuilder, src, delivery: Delivery | None) -> None:
    for out, path, kind in _SCALARS:
        expr = src.scalar(path)
        if kind == "text":
            _text(b, out, expr)
        elif kind == "number":
            _number(b, out, expr, path)
        else:
            _timestamp(b, out, expr, path)
    for out, path in _LISTS:
        _json_list(b, out, _records(src, path))

    # credits: JSON text with decimal amounts, their validated sum, and a row-level check of every amount
    credits = _records(src, "credits")
    if credits:
        amount = f"TRY_CAST(c.amount AS {MONEY})"
        b.add("credits", (
            f"CAST(to_json(COALESCE(list_transform({credits}, lambda c: {{'name': c.name, 'amount': {amount}, "
            f"'full_name': c.full_name, 'id': c.id, 'type': c.type}}), [])) AS VARCHAR)"))
        b.add("credits_amount", f"CAST(COALESCE(list_sum(list_transform({credits}, lambda c: {amount})), 0) AS {MONEY})")
        bad = f"COALESCE(list_bool_or(list_transform({credits}, lambda c: c.amount IS NOT NULL AND {amount} IS NULL)), false)"
        b.checks.append(("credits.amount", f"to_json({credits})", bad))
    else:
        b.add("credits", "CAST('[]' AS VARCHAR)")
        b.add("credits_amount", f"CAST(0 AS {MONEY})")

    # billing period: invoice.month (YYYYMM), else the layout's period, else the usage month
    month = src.scalar("invoice.month")
    fallback = lit(delivery.period) if delivery is not None and delivery.period else "NULL"
    start = src.scalar("usage_start_time")
    usage_month = (f"strftime(CAST(TIMEZONE('UTC', TRY_CAST({_raw(start)} AS TIMESTAMPTZ)) AS TIMESTAMP), '%Y-%m')"
                   if start else "NULL")
    if month:
        m = _raw(month)
        ok = f"regexp_full_match({m}, '\\d{{4}}(0[1-9]|1[0-2])')"
        b.checks.append(("invoice.month", m, f"{m} IS NOT NULL AND NOT {ok}"))
        b.add("x_billing_period", f"CAST(COALESCE(CASE WHEN {ok} THEN substr({m}, 1, 4) || '-' || substr({m}, 5, 2) END, "
                                  f"{fallback}, {usage_month}) AS VARCHAR)")
    else:
        b.add("x_billing_period", f"CAST(COALESCE({fallback}, {usage_month}) AS VARCHAR)")


def build_select_csv(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    _claim(ref, "csv")
    _build(b, _Flat(b.header), delivery)


def build_select_jsonl(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    global _JSON_SCHEMA
    _claim(ref, "jsonl")
    if _JSON_SCHEMA is None:
        _JSON_SCHEMA = _json_schema()
    b.header[:] = list(S.JSON_COLUMNS)   # the reader yields every export column, present in the file or not
    _build(b, _Nested(_JSON_SCHEMA), delivery)


def build_select_parquet(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    if ref is None:
        global _JSON_SCHEMA
        if _JSON_SCHEMA is None:
            _JSON_SCHEMA = _json_schema()
        schema = _JSON_SCHEMA
    else:
        import pyarrow.parquet as pq

        try:
            with fsspec.open(ref.url, "rb") as fh:
                schema = pq.ParquetFile(fh).schema_arrow
        except (OSError, pa.ArrowInvalid) as e:
            raise BadInputError(ref.rel, f"corrupt or truncated Parquet file ({e})", row=0) from e
        schema = pa.schema([f for f in schema if f.name in S.JSON_COLUMNS])
    _build(b, _Nested(schema), delivery)
