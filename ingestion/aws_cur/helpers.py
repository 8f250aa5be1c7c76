"""Sniffers, column-name translation and the ``build_select`` functions of the AWS CUR formats.

All the work per row is one DuckDB SELECT (built here, run by ``ingestion._common.transform``):

* CUR 2.0 Parquet: typed columns are cast directly (doubles -> DECIMAL(38,10), timestamps -> UTC TIMESTAMP);
  only the projected columns are read (``read_columns_cur2``); MAP columns are serialised with ``to_json``.
* CUR 2.0 CSV: every value is text; numbers and dates are parsed and validated; maps arrive as JSON text
  and are checked with ``json_valid``.
* Legacy CUR CSV: ``category/Name`` headers are translated to CUR 2.0 names (``lineItem/UnblendedCost`` ->
  ``line_item_unblended_cost``); the flat ``resourceTags/*``, ``costCategory/*``, ``discount/*`` and the
  ``product/*`` attributes that CUR 2.0 keeps only in its ``product`` map are packed into JSON objects with
  DuckDB list/map functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import pyarrow as pa

from ingestion._common.landing import Delivery, FileRef
from ingestion._common.readers import iter_batches
from ingestion._common.transform import MONEY, SelectBuilder, decimal_from_text, lit, q

from .settings import (
    CANONICAL_COLUMNS,
    CANONICAL_NAMES,
    CUR2_MARKERS,
    CUR2_STATIC_PRODUCT_COLUMNS,
    DERIVED_FROM_MAP,
    JSON,
    LEGACY_MARKERS,
    MAP_COLUMNS,
    NUMBER,
    TEXT,
    TS,
)

# ----------------------------------------------------------------------------------------------------------
# names
# ----------------------------------------------------------------------------------------------------------
_CAMEL = re.compile(r"([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@cache
def athena_name(name: str) -> str:
    """AWS's column-name normalisation (the one behind the CUR Athena columns and CUR 2.0 names and map keys):
    an underscore before every capital, lower case, anything not ``[a-z0-9]`` becomes ``_``, runs of ``_``
    collapse, no leading/trailing ``_``. ``UnblendedCost`` -> ``unblended_cost``, ``SavingsPlanARN`` ->
    ``savings_plan_a_r_n``, ``user:CostCenter`` -> ``user_cost_center``, ``aws:createdBy`` -> ``aws_created_by``."""
    s = _CAMEL.sub(r"_\1", name).lower()
    return _NON_WORD.sub("_", s).strip("_")


_SPECIAL_LEGACY = {
    "product/instanceSKU": "product_instancesku",
}


@cache
def legacy_to_cur2(column: str) -> str | None:
    """CUR 2.0 column name of a legacy CUR header column (``None`` for tag and cost-category columns, which
    only go into JSON columns). ``lineItem/UnblendedCost`` -> ``line_item_unblended_cost``,
    ``bill/BillingPeriodStartDate`` -> ``bill_billing_period_start_date``."""
    if column in _SPECIAL_LEGACY:
        return _SPECIAL_LEGACY[column]
    if "/" not in column:
        return None
    category, name = column.split("/", 1)
    if category in ("resourceTags", "costCategory"):
        return None
    return f"{athena_name(category)}_{athena_name(name)}"


def legacy_tag_key(column: str) -> str:
    """CUR 2.0 ``resource_tags`` key of a legacy ``resourceTags/<scheme>:<key>`` column:
    ``resourceTags/user:CostCenter`` -> ``user_cost_center``; ``resourceTags/aws:createdBy`` -> ``aws_created_by``."""
    return athena_name(column.split("/", 1)[1])


# ----------------------------------------------------------------------------------------------------------
# sniffing and projection
# ----------------------------------------------------------------------------------------------------------
def _is_parquet(rel: str) -> bool:
    return rel.lower().endswith(".parquet")


def _has_cur2_markers(header: list[str]) -> bool:
    cols = set(header)
    return any(m in cols for m in CUR2_MARKERS) and "BilledCost" not in cols


def sniff_cur2_parquet(header: list[str], rel: str) -> bool:
    return _is_parquet(rel) and _has_cur2_markers(header)


def sniff_cur2_csv(header: list[str], rel: str) -> bool:
    return not _is_parquet(rel) and _has_cur2_markers(header)


def sniff_legacy(header: list[str], rel: str) -> bool:
    return any(c.startswith(LEGACY_MARKERS) for c in header)


_FLAT_PREFIXES = ("resource_tags_", "cost_category_", "discount_", "product_")


def read_columns_cur2(header: list[str]) -> list[str]:
    """Parquet projection: only the columns the transform reads (the flat tag/product columns of the legacy
    CUR Parquet flavour only when the corresponding CUR 2.0 map column is absent)."""
    wanted = set(CANONICAL_NAMES) | set(MAP_COLUMNS)
    flat = tuple(
        p for p, m in zip(_FLAT_PREFIXES, ("resource_tags", "cost_category", "discount", "product")) if m not in header
    )
    return [c for c in header if c in wanted or (flat and c.startswith(flat))]


def read_columns_legacy(header: list[str]) -> list[str]:
    cur2 = set(CANONICAL_NAMES)
    return [
        c
        for c in header
        if legacy_to_cur2(c) in cur2 or c.startswith(("resourceTags/", "costCategory/", "discount/", "product/"))
    ]


def read_cur2_parquet(ref: FileRef, columns: list[str] | None) -> Iterator[tuple[pa.RecordBatch, int]]:
    """The shared Parquet reader, with every MAP column handed over as LIST<STRUCT<key, value>>.

    A zero-copy view of the same buffers (a MAP *is* a list of key/value structs in Arrow), but DuckDB imports
    Arrow MAPs slowly (it verifies the keys of every map: ~0.35 s per map column per 262k rows), while a list
    of structs costs next to nothing; the transform builds the JSON text from the entries itself."""
    for batch, first_row in iter_batches(ref, columns):
        if any(pa.types.is_map(f.type) for f in batch.schema):
            arrays, fields = [], []
            for f, arr in zip(batch.schema, batch.columns):
                if pa.types.is_map(f.type):
                    arr = _map_as_list(arr)
                    f = pa.field(f.name, arr.type)
                arrays.append(arr)
                fields.append(f)
            batch = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
        yield batch, first_row


def _map_as_list(arr: pa.MapArray) -> pa.ListArray:
    if arr.offset:  # a sliced array: compact it first so that offsets and children line up
        arr = pa.concat_arrays([arr])
    entries = pa.StructArray.from_arrays([arr.keys, arr.items], names=["key", "value"])
    return pa.ListArray.from_arrays(arr.offsets, entries, mask=arr.is_null() if arr.null_count else None)


# ----------------------------------------------------------------------------------------------------------
# typed Parquet expressions
# ----------------------------------------------------------------------------------------------------------
def _parquet_types(ref: FileRef | None) -> dict:
    """Arrow types of a Parquet file's columns (metadata only); {} when unknown."""
    if ref is None or not _is_parquet(ref.url):
        return {}
    import fsspec
    import pyarrow.parquet as pq

    with fsspec.open(ref.url, "rb") as fh:
        schema = pq.ParquetFile(fh).schema_arrow
    return {f.name: f.type for f in schema}


def _kind_of(arrow_type) -> str:
    import pyarrow as pa

    if arrow_type is None:
        return "unknown"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_integer(arrow_type) or pa.types.is_decimal(arrow_type):
        return "exact"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "timestamp"
    if pa.types.is_map(arrow_type):
        return "map"
    if pa.types.is_struct(arrow_type):
        return "struct"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    return "text"


def _number(b: SelectBuilder, out: str, col: str | None) -> None:
    """A DECIMAL(38,10) column: the builder casts typed Parquet numbers directly and parses text on its fast
    DECIMAL(18,10) path; NaN, infinities and unparseable text are reported (file, row, field)."""
    if col is None:
        b.add(out, f"CAST(NULL AS {MONEY})")
    else:
        b.number(out, col)


def _text(b: SelectBuilder, out: str, col: str | None, kind: str) -> None:
    if col is not None and kind == "string":
        b.add(out, f"NULLIF({q(col)}, '')")  # Parquet strings: no cast, AWS does not pad values
    else:
        b.text(out, *([col] if col else []))


def _timestamp(b: SelectBuilder, out: str, col: str | None, kind: str) -> None:
    if col is not None and kind == "timestamp":
        # TIMESTAMPTZ -> TIMESTAMP uses the transform connection's TimeZone (UTC); naive values are UTC already
        b.add(out, f"CAST({q(col)} AS TIMESTAMP)")
    else:
        b.timestamp(out, *([col] if col else []))


def _map_json(b: SelectBuilder, out: str, col: str, kind: str) -> None:
    """A CUR 2.0 map column as JSON text (NULL when empty)."""
    if kind == "native_map":  # DuckDB MAP (read_parquet): to_json gives the same text, natively
        b.add(out, f"CASE WHEN cardinality({q(col)}) > 0 THEN CAST(to_json({q(col)}) AS VARCHAR) END")
    elif kind == "map":
        # read_cur2_parquet hands MAP columns over as LIST<STRUCT<key, value>> (see there); the JSON object
        # text is built from the entries without creating a DuckDB MAP
        c = q(col)
        b.add(
            out,
            f"CASE WHEN len({c}) > 0 THEN '{{' || array_to_string(list_transform({c}, "
            f"e -> to_json(e.key) || ':' || to_json(e.value)), ',') || '}}' END",
        )
    elif kind == "struct":
        b.add(out, f"NULLIF(CAST(to_json({q(col)}) AS VARCHAR), '{{}}')")
    else:  # CSV: JSON text already; validate it
        raw = f"NULLIF(NULLIF(TRIM(CAST({q(col)} AS VARCHAR)), ''), '{{}}')"
        # a JSON object, or the file is quarantined (the dbt model reads these as maps)
        b.add(out, f"CASE WHEN json_valid({raw}) AND left({raw}, 1) = '{{' THEN {raw} END")
        b.checks.append((col, raw, f"{raw} IS NOT NULL AND (NOT json_valid({raw}) OR left({raw}, 1) <> '{{')"))


def _map_value(col: str, kind: str, key: str) -> str:
    """Text of one key of a map column (Parquet MAP or JSON text)."""
    if kind == "native_map":
        return f"NULLIF(TRIM(CAST(map_extract_value({q(col)}, {lit(key)}) AS VARCHAR)), '')"
    if kind == "map":  # LIST<STRUCT<key, value>>, see read_cur2_parquet
        return f"NULLIF(TRIM(CAST(list_filter({q(col)}, e -> e.key = {lit(key)})[1].value AS VARCHAR)), '')"
    if kind == "struct":
        return f"NULLIF(TRIM(CAST(struct_extract({q(col)}, {lit(key)}) AS VARCHAR)), '')"
    raw = f"NULLIF(TRIM(CAST({q(col)} AS VARCHAR)), '')"
    return f"NULLIF(TRIM(CASE WHEN json_valid({raw}) THEN json_extract_string({raw}, {lit('$.' + key)}) END), '')"


def _pack_json(pairs: list[tuple[str, str]], numeric: bool = False) -> str:
    """A JSON object from (key, source column) pairs: keys with a NULL/empty value are left out; NULL when
    no key has a value. Columns mapping to the same key are coalesced (first non-empty wins)."""
    if not pairs:
        return "CAST(NULL AS VARCHAR)"
    by_key: dict[str, list[str]] = {}
    for key, col in pairs:
        by_key.setdefault(key, []).append(col)
    entries = []
    for key, cols in by_key.items():
        vals = [f"NULLIF(TRIM(CAST({q(c)} AS VARCHAR)), '')" for c in cols]
        v = vals[0] if len(vals) == 1 else f"COALESCE({', '.join(vals)})"
        if numeric:
            v = f"TRY_CAST({v} AS DOUBLE)"
        entries.append(f"{{'k': {lit(key)}, 'v': {v}}}")
    lst = f"list_filter([{', '.join(entries)}], x -> x.v IS NOT NULL)"
    return f"NULLIF(CAST(to_json(map_from_entries({lst})) AS VARCHAR), '{{}}')"


PLACEHOLDERS = ("null", "n/a", "none", "not applicable")
# in number columns of the CSV flavours: the text a writer leaves for a missing value. AWS writes an empty cell
# where a line has no savings-plan rate; a CUR re-written by a script (or generated by koku-nise, which writes
# Python's str(None)) has 'None' there. It is read as the empty cell it stands for; any other text still
# quarantines the delivery (a number column never gets a guessed value).
NUMBER_NULL_WORDS = ("null", "none", "n/a")


def _null_placeholders(b: SelectBuilder) -> None:
    """CSV flavours: text values that only say "no value" ('NULL', 'N/A', 'None', ...) become NULL (FOCUS
    null handling; CSV writers such as pandas leave such strings behind). Parquet keeps real NULLs."""
    text_cols = {n for n, k in CANONICAL_COLUMNS if k == TEXT}
    ph = ", ".join(lit(v) for v in PLACEHOLDERS)
    b.exprs[:] = [
        (out, f"CASE WHEN lower({expr}) IN ({ph}) THEN NULL ELSE {expr} END" if out in text_cols else expr)
        for out, expr in b.exprs
    ]


def _billing_period(b: SelectBuilder) -> None:
    expr = dict(b.exprs)["bill_billing_period_start_date"]
    b.add("x_billing_period", f"strftime({expr}, '%Y-%m')")


# ----------------------------------------------------------------------------------------------------------
# CUR 2.0 (Parquet and CSV)
# ----------------------------------------------------------------------------------------------------------
def build_select_cur2(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    """CUR 2.0, Parquet (typed, MAP columns) or gzip CSV (text, maps as JSON). Also reads the legacy CUR's
    Parquet flavour, whose tags/cost categories/product attributes are flat ``resource_tags_user_x`` style
    columns instead of maps."""
    types = b.types or _parquet_types(ref)
    kinds = {c: _kind_of(types.get(c)) for c in b.header} if types else dict.fromkeys(b.header, "text")
    if not types:
        b.null_words = NUMBER_NULL_WORDS
    if b.native_maps:
        kinds = {c: "native_map" if k == "map" else k for c, k in kinds.items()}
    header = set(b.header)

    for name, kind in CANONICAL_COLUMNS:
        col = name if name in header else None
        if kind == TEXT:
            if col is None and name in DERIVED_FROM_MAP:
                map_col, key = DERIVED_FROM_MAP[name]
                b.add(name, _map_value(map_col, kinds[map_col], key) if map_col in header else "CAST(NULL AS VARCHAR)")
            else:
                _text(b, name, col, kinds.get(col, "text") if col else "text")
        elif kind == NUMBER:
            if col is None and name in DERIVED_FROM_MAP and DERIVED_FROM_MAP[name][0] in header:
                map_col, key = DERIVED_FROM_MAP[name]
                raw = _map_value(map_col, kinds[map_col], key)
                parsed = decimal_from_text(raw)
                b.add(name, parsed)
                b.checks.append((f"{map_col}.{key}", raw, f"{raw} IS NOT NULL AND {parsed} IS NULL"))
            else:
                _number(b, name, col)
        elif kind == TS:
            _timestamp(b, name, col, kinds.get(col, "text") if col else "text")
        elif kind == JSON:
            if col is not None:
                _map_json(b, name, col, kinds[col])
            else:
                b.add(name, _flat_json(b.header, name))
    if not types:
        _null_placeholders(b)
    _billing_period(b)


def _flat_json(header: list[str], map_name: str) -> str:
    """Legacy CUR Parquet: pack ``resource_tags_user_x`` / ``cost_category_x`` / ``discount_x`` /
    non-static ``product_x`` columns into the JSON column ``map_name``."""
    canonical = set(CANONICAL_NAMES)
    if map_name == "resource_tags":
        pairs = [(c[len("resource_tags_") :], c) for c in header if c.startswith("resource_tags_")]
    elif map_name == "cost_category":
        pairs = [(c[len("cost_category_") :], c) for c in header if c.startswith("cost_category_")]
    elif map_name == "discount":
        pairs = [(c[len("discount_") :], c) for c in header if c.startswith("discount_") and c not in canonical]
        return _pack_json(pairs, numeric=True)
    else:
        pairs = [
            (c[len("product_") :], c)
            for c in header
            if c.startswith("product_")
            and c not in CUR2_STATIC_PRODUCT_COLUMNS
            and c not in canonical - {"product_product_name"}
        ]
        pairs = [("product_name" if c == "product_product_name" else k, c) for k, c in pairs]
    return _pack_json(pairs)


# ----------------------------------------------------------------------------------------------------------
# legacy CUR (CSV / CSV.gz)
# ----------------------------------------------------------------------------------------------------------
def build_select_legacy(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    """Legacy CUR CSV: ``category/Name`` headers; everything is text, parsed and validated here."""
    b.null_words = NUMBER_NULL_WORDS
    by_cur2: dict[str, str] = {}
    for c in b.header:
        n = legacy_to_cur2(c)
        if n is not None and n not in by_cur2:
            by_cur2[n] = c
    # older reports: product/region holds the region code when product/regionCode is absent or empty
    region_cols = [c for c in ("product/regionCode", "product/region") if c in b.header]

    for name, kind in CANONICAL_COLUMNS:
        col = by_cur2.get(name)
        if name == "product_region_code":
            # the first non-empty one: a report can carry product/regionCode empty and product/region filled
            vals = [f"NULLIF(TRIM(CAST({q(c)} AS VARCHAR)), '')" for c in region_cols]
            b.add(
                name,
                "CAST(NULL AS VARCHAR)" if not vals else vals[0] if len(vals) == 1 else f"COALESCE({', '.join(vals)})",
            )
        elif kind == TEXT:
            b.text(name, *([col] if col else []))
        elif kind == NUMBER:
            b.number(name, *([col] if col else []))
        elif kind == TS:
            b.timestamp(name, *([col] if col else []))
        elif name == "resource_tags":
            b.add(name, _pack_json([(legacy_tag_key(c), c) for c in b.header if c.startswith("resourceTags/")]))
        elif name == "cost_category":
            # CUR 2.0 keeps cost category names as they are defined: costCategory/BusinessUnit -> BusinessUnit
            b.add(name, _pack_json([(c.split("/", 1)[1], c) for c in b.header if c.startswith("costCategory/")]))
        elif name == "discount":
            b.add(
                name,
                _pack_json(
                    [(athena_name(c.split("/", 1)[1]), c) for c in b.header if c.startswith("discount/")], numeric=True
                ),
            )
        elif name == "product":
            pairs = []
            for c in b.header:
                if not c.startswith("product/"):
                    continue
                n = legacy_to_cur2(c)
                if n in CUR2_STATIC_PRODUCT_COLUMNS:
                    continue
                pairs.append((n[len("product_") :], c))
            b.add(name, _pack_json(pairs))
        else:  # pragma: no cover - every canonical column is handled above
            raise AssertionError(name)
    _null_placeholders(b)
    _billing_period(b)
