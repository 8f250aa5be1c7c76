"""Runtime configuration from the environment, read when called (never at import time).

| variable | meaning | default |
|---|---|---|
| FINOPS_WAREHOUSE | DuckDB warehouse file | warehouse/finops.duckdb |
| FINOPS_LANDING | folder or fsspec URL (s3://, az://, gs://) where exports land | demo/landing |
| FINOPS_CLOSE_DIR | where the monthly close packs go | <warehouse dir>/close |
| FINOPS_DUCKDB_MEMORY_LIMIT | DuckDB memory limit for dbt (spills beyond it) | set in dbt_project/profiles.yml |
| FINOPS_DBT_THREADS | dbt threads | set in dbt_project/profiles.yml |

The Dagster definitions read the warehouse and the landing root through their resources
(:mod:`orchestration.lib.resources`), which resolve these variables when a run starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = "warehouse/finops.duckdb"
DEFAULT_LANDING = "demo/landing"
CLOSE_DIR_ENV = "FINOPS_CLOSE_DIR"


def resolve_warehouse(path: str | None = None) -> str:
    """The warehouse file: ``path``, else FINOPS_WAREHOUSE, else the default; absolute."""
    wh = path or os.environ.get("FINOPS_WAREHOUSE") or DEFAULT_WAREHOUSE
    return str(Path(wh).expanduser().resolve())


def resolve_landing(root: str | None = None) -> str:
    """The landing root: ``root``, else FINOPS_LANDING, else the default; a local folder made absolute, a URL as is."""
    landing = root or os.environ.get("FINOPS_LANDING") or DEFAULT_LANDING
    return landing if "://" in landing else str(Path(landing).expanduser().resolve())


def close_root(warehouse: str) -> Path:
    """Where the monthly close packs go: ``$FINOPS_CLOSE_DIR``, else ``<warehouse dir>/close``."""
    root = os.environ.get(CLOSE_DIR_ENV)
    return Path(root).expanduser().resolve() if root else Path(warehouse).expanduser().resolve().parent / "close"


@dataclass(frozen=True)
class Settings:
    warehouse: str
    landing: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(warehouse=resolve_warehouse(), landing=resolve_landing())

    def export(self) -> None:
        """Make the resolved paths visible to subprocesses (dbt reads FINOPS_WAREHOUSE in profiles.yml)."""
        os.environ["FINOPS_WAREHOUSE"] = self.warehouse
        os.environ["FINOPS_LANDING"] = self.landing
