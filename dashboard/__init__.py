"""The executive web app (Streamlit) over the *published read-only copy* of the warehouse.

``finops dashboard`` (or ``make dashboard``) serves it on http://127.0.0.1:8501. It opens
``<warehouse dir>/published/finops_bi.duckdb`` (:func:`serving.publish.published_path`) with ``read_only=True`` and
never the warehouse file itself, so it never holds the pipeline's write lock.

| module | what |
|---|---|
| :mod:`dashboard.queries` | every figure's SQL, one named function each (the one place a figure's data comes from) |
| :mod:`dashboard.ui` | formatting, drawing charts, drill-downs and CSV downloads |
| :mod:`dashboard.charts` | vega-lite chart specs as plain dicts, in the part of Altair's API the pages use |
| :mod:`dashboard.pages` | the ten pages |
| :mod:`dashboard.app` | the Streamlit entry point: sidebar filters and navigation |

Layer: imports ``serving`` and shared helpers, never ``orchestration`` or the demo package.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# the published copy the app reads; `finops dashboard` sets it, else it follows FINOPS_WAREHOUSE
DB_ENV = "FINOPS_DASHBOARD_DB"
DEFAULT_WAREHOUSE = "warehouse/finops.duckdb"


def published_copy() -> Path:
    """The published copy to read: ``$FINOPS_DASHBOARD_DB``, else the published copy of ``$FINOPS_WAREHOUSE``."""
    from serving.publish import published_path

    explicit = os.environ.get(DB_ENV)
    if explicit:
        return Path(explicit).expanduser().resolve()
    return published_path(os.environ.get("FINOPS_WAREHOUSE", DEFAULT_WAREHOUSE))


def streamlit_command(host: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The ``streamlit run dashboard/app.py`` command line: headless, no usage statistics, no file watcher, the
    viewer's toolbar only (set FINOPS_DASHBOARD_DB in its environment to choose the published copy)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(Path(__file__).resolve().parent / "app.py"),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--global.developmentMode",
        "false",
    ]
