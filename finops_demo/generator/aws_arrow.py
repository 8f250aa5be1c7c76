"""Arrow column helpers of the AWS rows: constants, masked constants, gathered map columns, id strings, times."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

STR = pa.string()


def const(v, n: int) -> pa.Array:
    """``n`` times the string ``v`` (all null for None)."""
    if v is None:
        return pa.nulls(n, STR)
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([v], STR)).cast(STR)


def masked_const(v: str, mask: np.ndarray) -> pa.Array:
    """The string ``v`` where ``mask``, null elsewhere."""
    codes = pa.array(np.zeros(len(mask), dtype=np.int32), mask=~mask)
    return pa.DictionaryArray.from_arrays(codes, pa.array([v], STR)).cast(STR)


def where(cond: np.ndarray, a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(cond), a, b)


def gather_map(src_off: np.ndarray, keys: pa.Array, vals: pa.Array, idx: np.ndarray, typ) -> pa.MapArray:
    """Map column whose row i is entry ``idx[i]`` of a flat (offsets, keys, values) lookup."""
    counts = np.diff(src_off)[idx]
    n = len(idx)
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    total = int(off[-1])
    starts = src_off[idx]
    flat = np.repeat(starts - off[:-1], counts) + np.arange(total, dtype=np.int64)
    return pa.MapArray.from_arrays(
        pa.array(off.astype(np.int32)), keys.take(pa.array(flat)), vals.take(pa.array(flat)), type=typ
    )


def strings_from_matrix(m: np.ndarray) -> pa.Array:
    """One string per row of a (rows, width) uint8 character matrix."""
    n, w = m.shape
    offsets = np.arange(n + 1, dtype=np.int32) * w
    data = pa.py_buffer(np.ascontiguousarray(m).tobytes())
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), data)


def iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dtm(ms: int):
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
