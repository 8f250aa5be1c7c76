"""What every page shares: running a figure's query (cached per published copy and filters), formatting amounts
with their currency, empty states, charts (vega-lite specs of :mod:`dashboard.charts`, drawn by
``st.vega_lite_chart``: rendered by Streamlit's bundled vega, no network), and each figure's drill-down with a CSV
download."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from . import charts as alt
from . import published_copy
from . import queries as q


# ---------------------------------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------------------------------
def copy_key() -> tuple[str, int] | None:
    """The published copy and its modification time (a new publication is a new file: the caches follow it)."""
    path = published_copy()
    try:
        return str(path), os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published copy, shared by every session (each query runs on its own cursor)."""
    return duckdb.connect(path, read_only=True)


@st.cache_data(show_spinner=False, ttl=3600, max_entries=2000)
def _run(path: str, mtime_ns: int, name: str, filters: tuple, kw: tuple) -> pd.DataFrame:
    cur = _connection(path, mtime_ns).cursor()
    try:
        return q.FIGURES[name].fn(cur, q.Filters(*filters), **dict(kw))
    finally:
        cur.close()


def data(name: str, f: q.Filters, quiet: bool = False, **kw: Any) -> pd.DataFrame | None:
    """The figure ``name``'s rows for the filters; None (with the empty state shown, unless ``quiet``) when its
    tables are missing."""
    key = copy_key()
    if key is None:
        st.error(f"No published copy at {published_copy()}.")
        return None
    try:
        return _run(*key, name, (f.period, f.business_unit, f.provider), tuple(sorted(kw.items())))
    except q.MissingData as e:
        if not quiet:
            st.info(str(e), icon=":material/info:")
        return None


# ---------------------------------------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------------------------------------
def money(value: Any, currency: str | None) -> str:
    """``USD 1,234.56`` (rounded to the cent), ``-`` when there is no amount."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    return f"{currency or ''} {Decimal(str(value)).quantize(Decimal('0.01')):,.2f}".strip()


def pct(ratio: Any, digits: int = 1) -> str:
    """A ratio as a percentage: ``0.3912`` -> ``39.1 %``."""
    if ratio is None or (isinstance(ratio, float) and pd.isna(ratio)):
        return "-"
    return f"{float(ratio) * 100:.{digits}f} %"


# ---------------------------------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------------------------------
def header(title: str, source: str) -> None:
    st.subheader(title)
    st.caption(source)


def table(df: pd.DataFrame, key: str) -> None:
    """The rows as a table and a CSV download."""
    st.dataframe(df, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        df.to_csv(index=False).encode("utf-8"),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"csv-{key}",
    )


PREVIEW_ROWS = 10


def preview(df: pd.DataFrame, n: int = PREVIEW_ROWS) -> None:
    """The first ``n`` rows as a static table (``st.table``: plain HTML, drawn at once; the interactive data grid
    loads and draws far slower in a fresh page, so it is kept for the folded rows)."""
    st.table(df.head(n), hide_index=True)
    if len(df) > n:
        st.caption(f"The first {n} of {len(df):,} rows.")


def rows(df: pd.DataFrame, key: str, label: str = "Rows behind this figure") -> None:
    """The rows as a table and a CSV download, folded: drawn only once the expander is opened (a folded expander's
    content is otherwise built, serialised and drawn on every page view: a data grid and a CSV per figure)."""
    with st.expander(f"{label} ({len(df):,} rows)", key=f"rows-{key}", on_change="rerun") as box:
        if box.open:
            table(df, key)


def drill(title: str, key: str, picker: str, options: list[str], name: str, f: q.Filters, param: str) -> None:
    """A folded drill-down: pick one of ``options`` (``picker``), then the figure ``name``'s rows for it
    (``param=choice``); the query runs only once the drill-down is switched on."""
    with st.expander(title, expanded=_on(key)):
        if not lazy("Load the rows", key):
            return
        choice = st.selectbox(picker, options, key=f"pick-{key}")
        found = data(name, f, **{param: choice})
        if found is not None:
            capped = f" (the first {q.DRILL_LIMIT:,})" if len(found) >= q.DRILL_LIMIT else ""
            st.caption(f"{len(found):,} rows{capped}")
            table(found, f"{key}-{choice}")


def vega(c: alt.Chart | alt.Layer) -> None:
    """Draw a chart (:mod:`dashboard.charts`: a vega-lite spec with its data inline) with Streamlit's bundled
    vega-lite; the container sizes it. Not ``st.altair_chart``, nor Altair itself (see :mod:`dashboard.charts`)."""
    st.vega_lite_chart(c.to_dict(), width="stretch")


def figure(
    title: str,
    name: str,
    f: q.Filters,
    draw,
    empty: str = "Nothing for these filters.",
    key: str | None = None,
    **kw: Any,
) -> pd.DataFrame | None:
    """A titled figure: its source (the query's docstring), the chart ``draw(df)`` returns, the rows behind it.
    Returns the rows (None or empty: an empty state was shown instead)."""
    st.subheader(title)
    st.caption(q.FIGURES[name].doc.split("\n\n")[0].replace("\n", " "))
    df = data(name, f, **kw)
    if df is None:
        return None
    if df.empty:
        st.info(empty, icon=":material/info:")
        return df
    key = key or name + ("-" + "-".join(str(v) for v in kw.values()) if kw else "")
    if draw is None:  # a table figure: its first rows in view (static), every row in the grid with its CSV below
        preview(df)
        rows(df, key, "Every row" if len(df) > PREVIEW_ROWS else "As a grid")
        return df
    c = draw(df)
    if c is not None:
        vega(c)
    rows(df, key)
    return df


def focus_drill(f: q.Filters, df: pd.DataFrame, key: str, by: tuple[str, ...] = ("provider_name", "service_name")):
    """Drill from a spend figure to its FOCUS rows (with x_SourceFile / x_SourceRow): pick a provider (and service)."""
    # kept open once switched on: the toggle reruns the page
    with st.expander("Drill down to the FOCUS rows (source file and row)", expanded=_on(key)):
        if not lazy("Load the FOCUS rows", key):
            return
        cols = st.columns(len(by))
        picked: dict[str, str | None] = {}
        for col, field in zip(cols, by, strict=True):
            options = sorted({str(v) for v in df[field].dropna().unique()}) if field in df else []
            choice = col.selectbox(field.replace("_", " "), ["(all)", *options], key=f"drill-{key}-{field}")
            picked[field] = None if choice == "(all)" else choice
        kw = {
            "provider": picked.get("provider_name"),
            "service": picked.get("service_name"),
            "category": picked.get("category"),
            "model": picked.get("model_name"),
        }
        found = data("focus_rows", f, **{k: v for k, v in kw.items() if v is not None})
        if found is not None:
            capped = " (the first rows, largest first)" if len(found) >= q.DRILL_LIMIT else ""
            shown = {"period": f.period, "provider": f.provider, **kw}
            st.caption(
                f"{len(found):,} FOCUS rows{capped}; "
                + ", ".join(f"{k} {v}" for k, v in shown.items() if v is not None)
            )
            table(found, f"focus-rows-{key}")


def _on(key: str) -> bool:
    return bool(st.session_state.get(f"load-{key}", False))


def lazy(label: str, key: str) -> bool:
    """An expander's switch: drill-downs run their query only when asked for."""
    return st.toggle(label, key=f"load-{key}")


def bar(df: pd.DataFrame, x: str, y: str, color: str | None = None, horizontal: bool = False, **enc: Any):
    """A bar chart; amounts on the quantitative axis."""
    base = alt.Chart(df).mark_bar()
    qx, ny = (alt.X(f"{y}:Q", title=y.replace("_", " ")), alt.Y(f"{x}:N", sort="-x", title=None))
    if not horizontal:
        qx, ny = alt.X(f"{x}:N", title=None), alt.Y(f"{y}:Q", title=y.replace("_", " "))
    encodings: dict[str, Any] = {"x": qx, "y": ny, "tooltip": list(df.columns)[:12]}
    if color:
        encodings["color"] = alt.Color(f"{color}:N")
    return base.encode(**encodings, **enc)


def path_note() -> str:
    key = copy_key()
    return f"Published copy: {Path(key[0]).name} ({key[0]})" if key else "No published copy"
