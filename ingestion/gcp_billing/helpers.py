"""GCP billing export: sniffing, readers and the mapping of every encoding to the canonical raw columns.

All three encodings (nested JSON, nested Parquet, flattened CSV) go through one mapping (:func:`_build`)
over an *accessor* that knows how to reach a source field (``service.description``, ``credits``...) in
that encoding. Repeated records (labels, credits, ...) are normalised to the same JSON text everywhere.

Numbers. Money and quantities become DECIMAL(38,10) in the readers, exactly: a float goes through its
shortest text (5e-06 stays 0.000005, never 0.00000499999...), text is parsed as a decimal (exponents
allowed) and rounded half away from zero to 10 places, with Arrow compute (DuckDB 1.5's VARCHAR ->
DECIMAL(38,10) cast costs 5-20 us per value with 4+ integer digits: minutes per million-row file). A value
that is not a finite number raises BadInputError naming file, row and field.

Readers. The shared JSON reader (pyarrow ``open_json``) infers the schema from the first 32 MiB block and
fails when a later block differs (an empty ``labels: []`` first, a non-empty one later), and the shared
header is the first line's keys only (BigQuery omits NULL fields, so a field absent from line 1 would be
read as NULL for the whole file). GCP JSON is therefore read here, by DuckDB ``read_json`` with the
explicit export schema (:data:`settings.JSON_COLUMNS`, every leaf as text). CSV files use the shared reader,
then their Python-repr lists (``[{'name': ..., 'amount': -5e-06, 'full_name': None}]``) are turned into JSON
here, so that a malformed list names its file, row and field. Each format names its reader in
``settings.FORMATS`` (``BillingFormat.reader``).
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.compute as pc

from ingestion._common import readers as _readers
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
    return (
        "usage_start_time" in h
        and "billing_account_id" in h
        and bool(h & {"service.description", "service.id", "sku.id", "sku.description"})
    )


def parquet_read_columns(header: list[str]) -> list[str]:
    return [c for c in header if c in S.JSON_COLUMNS]


# ---------------------------------------------------------------------------------------------- readers

# numbers ---------------------------------------------------------------------------------------------

MONEY_TYPE = pa.decimal128(38, 10)
_WIDE = pa.decimal256(76, 40)
_TEN = Decimal("1e-10")
_LIMIT = Decimal(10) ** 28


class _BadNumber(Exception):
    def __init__(self, index: int, value, path: str):
        super().__init__(path)
        self.index, self.value, self.path = index, value, path


def _slow_money(text: pa.Array, path: str) -> pa.Array:
    out = []
    for i, v in enumerate(text.to_pylist()):
        if v is None:
            out.append(None)
            continue
        try:
            d = Decimal(v)
            ok = d.is_finite() and abs(d) < _LIMIT
        except InvalidOperation:
            ok = False
        if not ok:
            raise _BadNumber(i, v, path)
        out.append(d.quantize(_TEN, ROUND_HALF_UP))
    return pa.array(out, MONEY_TYPE)


def to_money(arr: pa.Array, path: str) -> pa.Array:
    """Any numeric or text Arrow array -> decimal128(38, 10), exactly (see the module docstring)."""
    t = arr.type
    if t == MONEY_TYPE:
        return arr
    if pa.types.is_null(t):
        return pa.nulls(len(arr), MONEY_TYPE)
    if pa.types.is_decimal(t):
        return pc.cast(pc.round(arr, ndigits=10, round_mode="half_towards_infinity"), MONEY_TYPE)
    if pa.types.is_floating(t) or pa.types.is_integer(t):
        text = pc.cast(arr, pa.string())  # shortest round-trip text of a float
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        text = pc.utf8_trim_whitespace(arr)
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    else:
        raise _BadNumber(0, f"<{t}>", path)
    try:
        wide = pc.cast(text, _WIDE)
        return pc.cast(pc.round(wide, ndigits=10, round_mode="half_towards_infinity"), MONEY_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _slow_money(text, path)  # more than 40 decimals, too large, or not a number


def _convert(arr: pa.Array, path: str, numeric: set[str]) -> pa.Array:
    """Convert the numeric leaves (``numeric``: dotted paths) of a possibly nested array."""
    t = arr.type
    if path in numeric:
        return to_money(arr, path)
    if pa.types.is_struct(t):
        children = []
        changed = False
        for k in range(t.num_fields):
            f = t.field(k)
            child = arr.field(k)
            new = _convert(child, f"{path}.{f.name}", numeric)
            changed |= new is not child
            children.append(new)
        if not changed:
            return arr
        mask = arr.is_null() if arr.null_count else None
        return pa.StructArray.from_arrays(children, names=[t.field(k).name for k in range(t.num_fields)], mask=mask)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        if not any(n.startswith(path + ".") for n in numeric):
            return arr
        offsets = arr.offsets
        base = offsets[0].as_py()
        values = arr.flatten()
        try:
            new = _convert(values, path, numeric)
        except _BadNumber as e:
            import numpy as np

            row = int(np.searchsorted(np.asarray(offsets) - base, e.index, side="right")) - 1
            raise _BadNumber(row, e.value, e.path) from None
        if new is values:
            return arr
        mask = arr.is_null() if arr.null_count else None
        return pa.ListArray.from_arrays(pc.subtract(offsets, base), new, mask=mask)
    return arr


def _money_batch(batch: pa.RecordBatch, first_row: int, ref: FileRef) -> pa.RecordBatch:
    numeric = set(S.NUMERIC_FIELDS)
    arrays = list(batch.columns)
    for i, name in enumerate(batch.schema.names):
        try:
            arrays[i] = _convert(arrays[i], name, numeric)
        except _BadNumber as e:
            raise BadInputError(
                ref.rel,
                "value cannot be parsed",
                row=first_row + e.index,
                field=e.path,
                value=str(e.value)[:2000],
                raw_record=_raw_record(batch, e.index),
            ) from None
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _raw_record(batch: pa.RecordBatch, i: int) -> str | None:
    try:
        rec = batch.slice(i, 1).to_pylist()[0]
        return json.dumps(rec, default=str, ensure_ascii=False)[:20_000]
    except Exception:  # noqa: BLE001 - best effort context for the quarantine record
        return None


# readers ---------------------------------------------------------------------------------------------


def _duckdb_json_source(con: duckdb.DuckDBPyConnection, ref: FileRef) -> str:
    if "://" in ref.url and not ref.url.startswith("file://"):
        fs, _ = fsspec.core.url_to_fs(ref.url)
        con.register_filesystem(fs)
        return ref.url
    return ref.url.removeprefix("file://")


def iter_jsonl(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    """Newline-delimited JSON (gzip by extension) -> nested Arrow batches with the export schema."""
    con = duckdb.connect(":memory:", config={"threads": 1})
    row = 1
    try:
        path = _duckdb_json_source(con, ref)
        compression = "gzip" if ref.url.lower().endswith(".gz") else "none"
        columns = "{" + ", ".join(f"{lit(k)}: {lit(v)}" for k, v in S.JSON_COLUMNS.items()) + "}"
        try:
            rel = con.execute(
                f"SELECT * FROM read_json({lit(path)}, format='newline_delimited', compression={lit(compression)}, "
                f"columns={columns}, maximum_object_size=67108864)"
            )
            reader = rel.to_arrow_reader(_readers.BATCH_ROWS)
            batches = iter(reader)
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                yield _money_batch(batch, row, ref), row
                row += batch.num_rows
        except (duckdb.Error, pa.ArrowInvalid) as e:
            raise BadInputError(
                ref.rel, f"malformed JSON or corrupt compression at or after row {row} ({e})", row=row
            ) from e
    finally:
        con.close()


def iter_parquet(ref: FileRef, columns: list[str] | None) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The shared Parquet reader, numeric leaves converted to DECIMAL(38,10)."""
    for batch, first_row in _readers.iter_batches(ref, columns):
        yield _money_batch(batch, first_row, ref), first_row


def _plain(v):
    """A leaf of a parsed CSV list -> text; floats keep their shortest text (repr)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v, default=str)


# numpy / Decimal wrappers that pandas and numpy 2 write into a repr: np.float64(-2.5), Decimal('1.5')
_WRAPPERS = {
    "float64",
    "float32",
    "float16",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint64",
    "uint32",
    "float",
    "int",
    "Decimal",
    "str_",
    "bool_",
    "str",
}


def _py_literal(node: ast.AST):
    """``ast.literal_eval`` for a Python repr of records, also accepting numpy/Decimal scalar wrappers."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_py_literal(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {_py_literal(k): _py_literal(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _py_literal(node.operand)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(v, str):  # Decimal('1.5') etc. came back as text
            return ("-" + v) if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
        if name in _WRAPPERS:
            return _py_literal(node.args[0])
    raise ValueError(f"unsupported element {ast.dump(node)[:80]}")


def parse_record_list(text: str | None, field: str) -> list[dict] | None:
    """A repeated record as written in a flattened CSV (Python repr or JSON) -> list of records with
    every leaf as text (numbers keep their exact text). ``None``/'' -> None. Raises ValueError."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if s == "[]":
        return []
    try:
        value = json.loads(s, parse_float=str, parse_int=str)
    except ValueError:
        try:
            value = _py_literal(ast.parse(s, mode="eval").body)
        except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
            raise ValueError(f"{field} is neither a JSON nor a Python list of records") from e
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, dict) for x in value):
        raise ValueError(f"{field} is not a list of records")
    return [{str(k): _plain(v) for k, v in x.items()} for x in value]


def _record_list_type(path: str) -> pa.DataType:
    return pa.list_(pa.struct([(f, pa.string()) for f in S.LIST_FIELDS[path]]))


def iter_csv(ref: FileRef) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The shared CSV reader; repeated-record columns parsed into lists, numeric columns to DECIMAL(38,10)."""
    for batch, first_row in _readers.iter_batches(ref):
        names = batch.schema.names
        arrays = list(batch.columns)
        for i, name in enumerate(names):
            if name not in S.LIST_FIELDS:
                continue
            out = []
            fields = S.LIST_FIELDS[name]
            for j, v in enumerate(arrays[i].to_pylist()):
                try:
                    recs = parse_record_list(v, name)
                except ValueError as e:
                    raise BadInputError(
                        ref.rel, f"value cannot be parsed: {e}", row=first_row + j, field=name, value=(v or "")[:2000]
                    ) from None
                out.append(None if recs is None else [{f: r.get(f) for f in fields} for r in recs])
            arrays[i] = pa.array(out, _record_list_type(name))
        batch = pa.RecordBatch.from_arrays(arrays, names=names)
        yield _money_batch(batch, first_row, ref), first_row


# ------------------------------------------------------------------------------------------- accessors


class _Flat:
    """Flattened CSV: ``service.description`` is a column; repeated records are lists (see iter_csv)."""

    def __init__(self, header: list[str]):
        self.header = set(header)

    def scalar(self, path: str) -> str | None:
        return q(path) if path in self.header else None

    def is_timestamp(self, path: str) -> bool:
        return False

    def records(self, path: str) -> tuple[str, set[str]] | None:
        return (q(path), set(S.LIST_FIELDS[path])) if path in self.header else None


class _Null(_Flat):
    """Schema only (no file): every source column absent, so every output column is a typed NULL."""

    def __init__(self):
        super().__init__([])


class _Nested:
    """Nested JSON/Parquet: ``service.description`` is a struct field; repeated records are lists."""

    def __init__(self, schema: pa.Schema):
        self.scalars: dict[str, pa.DataType] = {}
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
                self.scalars[prefix] = typ

        for f in schema:
            walk(f.name, f.type)

    @staticmethod
    def _expr(path: str) -> str:
        return ".".join(q(p) for p in path.split("."))

    def scalar(self, path: str) -> str | None:
        return self._expr(path) if path in self.scalars else None

    def is_timestamp(self, path: str) -> bool:
        return pa.types.is_timestamp(self.scalars.get(path, pa.null()))

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

_TS_FORMATS = ["%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S.%f UTC", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"]


def _raw(expr: str) -> str:
    return f"NULLIF(TRIM(CAST({expr} AS VARCHAR)), '')"


def _text(b: SelectBuilder, out: str, expr: str | None) -> None:
    b.add(out, _raw(expr) if expr else "CAST(NULL AS VARCHAR)")


def _number(b: SelectBuilder, out: str, expr: str | None) -> None:
    """Already DECIMAL(38,10) and validated by the readers (see ``to_money``)."""
    b.add(out, f"CAST({expr} AS {MONEY})" if expr else f"CAST(NULL AS {MONEY})")


def _timestamp(b: SelectBuilder, out: str, expr: str | None, field: str, typed: bool) -> None:
    if not expr:
        b.add(out, "CAST(NULL AS TIMESTAMP)")
        return
    if typed:  # Parquet TIMESTAMP (UTC)
        b.add(out, f"CAST(TIMEZONE('UTC', CAST({expr} AS TIMESTAMPTZ)) AS TIMESTAMP)")
        return
    raw = _raw(expr)
    fmts = "[" + ", ".join(lit(f) for f in _TS_FORMATS) + "]"
    # BigQuery's own text first (fast), then any ISO 8601 form with a zone, normalised to UTC
    parsed = (
        f"COALESCE(TRY_STRPTIME({raw}, {fmts}), CAST(TIMEZONE('UTC', TRY_CAST({raw} AS TIMESTAMPTZ)) AS TIMESTAMP))"
    )
    b.checks.append((field, raw, f"{raw} IS NOT NULL AND {parsed} IS NULL"))
    b.add(out, parsed)


def _records(src, path: str) -> str | None:
    """Repeated record -> DuckDB list of structs with every wanted field (missing ones NULL); text fields
    as VARCHAR, numeric ones (credits.amount) as DECIMAL(38,10)."""
    found = src.records(path)
    if not found:
        return None
    expr, present = found
    parts = []
    for f in S.LIST_FIELDS[path]:
        if f not in present:
            value = f"CAST(NULL AS {MONEY})" if f"{path}.{f}" in S.NUMERIC_FIELDS else "CAST(NULL AS VARCHAR)"
        elif f"{path}.{f}" in S.NUMERIC_FIELDS:
            value = f"CAST(x.{q(f)} AS {MONEY})"
        else:
            value = _raw("x." + q(f))
        parts.append(f"{lit(f)}: {value}")
    return f"list_transform({expr}, lambda x: {{{', '.join(parts)}}})"


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
            _number(b, out, expr)
        else:
            _timestamp(b, out, expr, path, src.is_timestamp(path))
    for out, path in _LISTS:
        _json_list(b, out, _records(src, path))

    # credits: JSON text with decimal amounts, and their sum
    credits = _records(src, "credits")
    if credits:
        b.add("credits", f"CAST(to_json(COALESCE({credits}, [])) AS VARCHAR)")
        b.add(
            "credits_amount", f"CAST(COALESCE(list_sum(list_transform({credits}, lambda c: c.amount)), 0) AS {MONEY})"
        )
    else:
        b.add("credits", "CAST('[]' AS VARCHAR)")
        b.add("credits_amount", f"CAST(0 AS {MONEY})")

    # billing period: invoice.month (YYYYMM), else the layout's period, else the usage month
    month = src.scalar("invoice.month")
    fallback = lit(delivery.period) if delivery is not None and delivery.period else "NULL"
    start = dict(b.exprs)["usage_start_time"]
    usage_month = f"strftime({start}, '%Y-%m')"
    if month:
        m = _raw(month)
        ok = f"regexp_full_match({m}, '\\d{{4}}(0[1-9]|1[0-2])')"
        b.checks.append(("invoice.month", m, f"{m} IS NOT NULL AND NOT {ok}"))
        b.add(
            "x_billing_period",
            f"CAST(COALESCE(CASE WHEN {ok} THEN substr({m}, 1, 4) || '-' || substr({m}, 5, 2) END, "
            f"{fallback}, {usage_month}) AS VARCHAR)",
        )
    else:
        b.add("x_billing_period", f"CAST(COALESCE({fallback}, {usage_month}) AS VARCHAR)")


def build_select_csv(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    _build(b, _Flat(b.header) if ref is not None else _Null(), delivery)


def build_select_jsonl(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    global _JSON_SCHEMA
    if _JSON_SCHEMA is None:
        _JSON_SCHEMA = _json_schema()
    b.header[:] = list(S.JSON_COLUMNS)  # the reader yields every export column, present in the file or not
    _build(b, _Nested(_JSON_SCHEMA) if ref is not None else _Null(), delivery)


def build_select_parquet(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    if ref is None:
        _build(b, _Null(), delivery)
        return
    import pyarrow.parquet as pq

    try:
        with fsspec.open(ref.url, "rb") as fh:
            schema = pq.ParquetFile(fh).schema_arrow
    except (OSError, pa.ArrowInvalid) as e:
        raise BadInputError(ref.rel, f"corrupt or truncated Parquet file ({e})", row=0) from e
    _build(b, _Nested(pa.schema([f for f in schema if f.name in S.JSON_COLUMNS])), delivery)


def read_jsonl(ref: FileRef, columns: list[str] | None = None) -> Iterator[tuple[pa.RecordBatch, int]]:
    """``BillingFormat.reader`` of ``gcp_billing_jsonl``: every column (the projection does not apply)."""
    return iter_jsonl(ref)


def read_csv(ref: FileRef, columns: list[str] | None = None) -> Iterator[tuple[pa.RecordBatch, int]]:
    """``BillingFormat.reader`` of ``gcp_billing_csv``: every column (the projection does not apply)."""
    return iter_csv(ref)
