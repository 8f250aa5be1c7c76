"""The Streamlit entry point: ``streamlit run dashboard/app.py`` (``finops dashboard`` does it for you).

The sidebar holds the filters (billing period, business unit, provider / vendor; also settable by URL:
``?period=2026-10&business_unit=research&provider=AWS``) and the navigation between the pages of
:mod:`dashboard.pages`. Everything is read from the published read-only copy (:func:`dashboard.published_copy`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the repository: make the package importable
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from dashboard import pages as p  # noqa: E402
from dashboard import published_copy, ui  # noqa: E402
from dashboard import queries as q  # noqa: E402

ALL = "(all)"


def _choice(label: str, options: list[str], param: str, default: str | None = None) -> str | None:
    """A sidebar select box, initialised from the URL's query parameter; ``(all)`` is None."""
    choices = [ALL, *options] if default is None else options
    wanted = st.query_params.get(param, default)
    index = choices.index(wanted) if wanted in choices else 0
    picked = st.sidebar.selectbox(label, choices, index=index, key=f"filter-{param}")
    return None if picked == ALL else picked


def _options(name: str) -> list[str]:
    """A sidebar filter's choices; none when its table is missing (the pages say what is missing)."""
    df = ui.data(name, q.Filters(), quiet=True)
    return [] if df is None else [str(v) for v in df.iloc[:, 0]]


def no_published_copy() -> None:
    st.title("FinOps for AI")
    st.error(
        f"There is no published copy at {published_copy()}. The dashboard reads only the read-only copy the "
        "pipeline publishes after the marts. Build it: `make demo` (the demo enterprise), or load your own export "
        "with `finops load FILE` then `finops run` (or `finops publish` on an already built warehouse)."
    )


def main() -> None:
    # no page or page_icon icons: Streamlit makes the page's material icon the favicon, fetched from Google (offline)
    st.set_page_config(page_title="FinOps for AI", layout="wide")
    if ui.copy_key() is None:
        no_published_copy()
        return
    st.sidebar.header("Filters")
    periods = _options("periods")
    period = _choice("Billing period", periods, "period", default=periods[0] if periods else None)
    filters = q.Filters(
        period=period,
        business_unit=_choice("Business unit", _options("business_units"), "business_unit"),
        provider=_choice("Provider / vendor", _options("providers"), "provider"),
    )
    st.sidebar.caption(ui.path_note())

    def bind(fn):
        def run() -> None:
            fn(filters)

        run.__name__ = fn.__name__
        return run

    nav = st.navigation(
        [st.Page(bind(fn), title=title, url_path=path, default=i == 0) for i, (path, title, fn) in enumerate(p.PAGES)]
    )
    nav.run()


main()
