"""Vega-lite chart specs as plain dicts, with the part of Altair's API the pages use (``Chart(df).mark_bar()
.encode(x=X("field:Q", axis=Axis(...)), ...)``, ``+`` to layer, ``X`` / ``Y`` / ``Color`` / ``Tooltip`` / ``Axis`` /
``Scale`` / ``Legend`` / ``EncodingSortField`` / ``condition`` / ``value``), drawn by Streamlit's bundled vega-lite.

Why not Altair itself: building a chart with Altair costs tens of milliseconds a channel (each encoding is wrapped in
its schema class, which hashes the vega-lite JSON schema) and a layered chart hashes the text repr of its data frame;
on the budgets page that was most of the script's time on every page view. The specs here are fixed shapes whose
fields the pages name, so they need no schema validation; the browser tests see every chart drawn.

Shorthand as Altair's: ``"field:Q"`` (Q quantitative, N nominal, O ordinal, T temporal), ``"sum(field):Q"``,
``"count():Q"``; without a type, the type follows the column (numbers quantitative, dates temporal, else nominal).
The data goes inline (``data.values``), amounts as numbers, dates as ISO text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from numbers import Number
from typing import Any

import pandas as pd

TYPES = {"Q": "quantitative", "N": "nominal", "O": "ordinal", "T": "temporal"}
_AGGREGATE = re.compile(r"(\w+)\((\w*)\)")
_NO_TYPE = {"x2", "y2"}  # secondary channels take the primary channel's type


def _shorthand(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if re.search(r":[QNOT]$", text):
        text, kind = text[:-2], text[-1]
        out["type"] = TYPES[kind]
    m = _AGGREGATE.fullmatch(text)
    if m:
        out["aggregate"] = m[1]
        if m[2]:
            out["field"] = m[2]
        out.setdefault("type", "quantitative")
    else:
        out["field"] = text
    return out


def _channel(shorthand: str | None = None, **kw: Any) -> dict[str, Any]:
    out = _shorthand(shorthand) if shorthand else {}
    out.update(kw)
    return out


def X(shorthand: str | None = None, **kw: Any) -> dict[str, Any]:  # noqa: N802 - Altair's names
    return _channel(shorthand, **kw)


Y = Color = Tooltip = X


def Axis(**kw: Any) -> dict[str, Any]:  # noqa: N802
    return dict(kw)


Scale = Legend = Axis


def EncodingSortField(field: str, op: str | None = None, order: str | None = None) -> dict[str, Any]:  # noqa: N802
    return {k: v for k, v in {"field": field, "op": op, "order": order}.items() if v is not None}


def value(v: Any) -> dict[str, Any]:
    return {"value": v}


def condition(test: str, if_true: dict[str, Any], if_false: dict[str, Any]) -> dict[str, Any]:
    return {"condition": {"test": test, **if_true}, **if_false}


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "nominal"
    if pd.api.types.is_numeric_dtype(series):
        return "quantitative"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "temporal"
    first = series.dropna()
    v = first.iloc[0] if len(first) else None
    if isinstance(v, bool):
        return "nominal"
    if isinstance(v, Number):
        return "quantitative"
    if isinstance(v, dt.date):
        return "temporal"
    return "nominal"


def _plain(v: Any) -> Any:
    """A JSON value for vega: numbers as numbers, dates as ISO text, missing as null."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, Decimal):
        return None if v.is_nan() else float(v)
    if isinstance(v, pd.Timestamp | dt.datetime | dt.date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return _plain(v.item())
    return v


def _values(df: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(df.columns)
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in df.itertuples(index=False, name=None)]


class Chart:
    """One mark over a data frame."""

    def __init__(self, data: pd.DataFrame) -> None:
        self.data = data
        self.mark: dict[str, Any] = {"type": "point"}
        self.encoding: dict[str, Any] = {}

    def _marked(self, kind: str, **kw: Any) -> Chart:
        c = Chart(self.data)
        c.mark, c.encoding = {"type": kind, **kw}, dict(self.encoding)
        return c

    def mark_bar(self, **kw: Any) -> Chart:
        return self._marked("bar", **kw)

    def mark_line(self, **kw: Any) -> Chart:
        return self._marked("line", **kw)

    def mark_area(self, **kw: Any) -> Chart:
        return self._marked("area", **kw)

    def mark_circle(self, **kw: Any) -> Chart:
        return self._marked("circle", **kw)

    def mark_tick(self, **kw: Any) -> Chart:
        return self._marked("tick", **kw)

    def encode(self, **channels: Any) -> Chart:
        c = Chart(self.data)
        c.mark = dict(self.mark)
        c.encoding = {**self.encoding, **{k: v for k, v in channels.items() if v is not None}}
        return c

    def _def(self, channel: str, spec: Any) -> Any:
        if isinstance(spec, list):
            return [self._def(channel, s) for s in spec]
        d = _shorthand(spec) if isinstance(spec, str) else dict(spec)
        if channel in _NO_TYPE:
            d.pop("type", None)
        elif "field" in d and "type" not in d and "value" not in d:
            d["type"] = _kind(self.data[d["field"]]) if d["field"] in self.data else "nominal"
        return d

    def layer_spec(self) -> dict[str, Any]:
        return {"mark": self.mark, "encoding": {k: self._def(k, v) for k, v in self.encoding.items()}}

    def to_dict(self) -> dict[str, Any]:
        return {"data": {"values": _values(self.data)}, **self.layer_spec()}

    def __add__(self, other: Chart | Layer) -> Layer:
        return Layer([self]) + other


class Layer:
    """Charts drawn over each other (``chart + chart``), on one data frame."""

    def __init__(self, charts: list[Chart]) -> None:
        self.charts = charts

    def __add__(self, other: Chart | Layer) -> Layer:
        return Layer(self.charts + (other.charts if isinstance(other, Layer) else [other]))

    def to_dict(self) -> dict[str, Any]:
        data = self.charts[0].data
        if all(c.data is data for c in self.charts):
            return {"data": {"values": _values(data)}, "layer": [c.layer_spec() for c in self.charts]}
        return {"layer": [c.to_dict() for c in self.charts]}
