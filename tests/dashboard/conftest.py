"""The published copy the dashboard's browser tests read, and the browser.

No warehouse fixture of the suite can be shared here: each is module- or function-scoped inside its own test file, and
``make test`` runs each file whole on one xdist worker (``--dist loadfile``). So this directory builds one, once per
session: the demo enterprise at its smallest (``finops generate --rows 1500``) through one ``finops run --demo-vendors
--demo-kpis --demo-finance`` (as `make demo`'s first run: every mart, then the publication). Set
``FINOPS_TEST_PUBLISHED`` to an existing published copy (e.g. ``warehouse/published/finops_bi.duckdb`` after `make
demo`) to skip the build in an edit loop; it is copied, never opened for writing.

Screenshots of every page go to ``$FINOPS_TEST_ARTIFACTS/dashboard`` (default: the session's tmp dir)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.dashboard import CHROMIUM, serve

REPO = Path(__file__).resolve().parents[2]
DEMO_SEED, DEMO_ROWS = 42, 1500


def _finops(*args: str, env: dict) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "finops_cli", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 0, (
        f"finops {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n" + (proc.stderr[-5000:])
    )


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """A published copy with every mart: $FINOPS_TEST_PUBLISHED (copied), else the smallest demo built once."""
    base = tmp_path_factory.mktemp("dashboard-warehouse")
    given = os.environ.get("FINOPS_TEST_PUBLISHED")
    if given:
        copy = base / "published" / "finops_bi.duckdb"
        copy.parent.mkdir(parents=True)
        shutil.copyfile(given, copy)
        return copy
    warehouse = base / "warehouse" / "finops.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "FINOPS_"))}
    env.update(
        FINOPS_WAREHOUSE=str(warehouse),
        FINOPS_LANDING=str(base / "landing"),
        DAGSTER_HOME=str(base / "dagster_home"),
        PYTHONUNBUFFERED="1",
    )
    (base / "dagster_home").mkdir()
    _finops("generate", "--seed", str(DEMO_SEED), "--rows", str(DEMO_ROWS), env=env)
    _finops("run", "--demo-vendors", "--demo-kpis", "--demo-finance", env=env)
    from serving.publish import published_path

    copy = published_path(warehouse)
    assert copy.exists(), f"finops run did not publish {copy}"
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
