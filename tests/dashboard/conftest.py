"""The published copy the dashboard's browser tests read, and the browser.

The published copy is the session's shared small demo (``demo_pipeline`` in ``tests/conftest.py``: the demo enterprise
at 8,000 rows through one run of job ``refresh_all``, as `make demo`'s first run, built once per session for every
xdist worker), copied so the app never holds the shared file. Set ``FINOPS_TEST_PUBLISHED`` to an existing published
copy (e.g. ``warehouse/published/finops_bi.duckdb`` after `make demo`) to skip the build in an edit loop; it is
copied, never opened for writing.

Screenshots of every page go to ``$FINOPS_TEST_ARTIFACTS/dashboard`` (default: the session's tmp dir)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.dashboard import CHROMIUM, serve


@pytest.fixture(scope="session")
def published(tmp_path_factory, request) -> Path:
    """A published copy with every mart: $FINOPS_TEST_PUBLISHED, else the session's shared demo; copied."""
    given = os.environ.get("FINOPS_TEST_PUBLISHED") or request.getfixturevalue("demo_pipeline")["published"]
    copy = tmp_path_factory.mktemp("dashboard-warehouse") / "published" / "finops_bi.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(given, copy)
    return copy


@pytest.fixture(scope="session")
def app(published: Path, tmp_path_factory) -> str:
    """The dashboard served on a free port over the published copy; its base URL."""
    log = tmp_path_factory.mktemp("dashboard-log") / "streamlit.log"
    with serve(published, log=log) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium; CI installs it)")
    from playwright.sync_api import sync_playwright

    from benchmarks.dashboard import launch

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.fixture()
def context(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    root = os.environ.get("FINOPS_TEST_ARTIFACTS")
    out = Path(root) / "dashboard" if root else tmp_path_factory.mktemp("dashboard-screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def focus_record_only(published: Path, out: Path) -> Path:
    """A copy of ``published`` holding the FOCUS record only (marts.fct_charges, marts.focus_cost_and_usage): no
    metric tables, no other mart, no reference data, as the 10M-row benchmark warehouse before `finops run`."""
    own = out / "published" / "finops_bi.duckdb"
    own.parent.mkdir(parents=True)
    shutil.copyfile(published, own)
    own.chmod(0o644)
    with duckdb.connect(str(own)) as con:
        for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall():
            if table not in ("fct_charges", "focus_cost_and_usage"):
                con.execute(f'drop table marts."{table}"')
        con.execute("drop schema reference cascade")
        con.execute("drop schema metrics cascade")
    return own
