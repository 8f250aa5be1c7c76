"""Runtime configuration from the environment, read when called (never at import time).

| variable | meaning | default |
|---|---|---|
| FINOPS_WAREHOUSE | DuckDB warehouse file | warehouse/finops.duckdb |
| FINOPS_LANDING | folder or fsspec URL (s3://, az://, gs://) where exports land | demo/landing |
| FINOPS_DUCKDB_MEMORY_LIMIT | DuckDB memory limit for dbt | 4GB |
| FINOPS_DBT_THREADS | dbt threads | 2 |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = "warehouse/finops.duckdb"
DEFAULT_LANDING = "demo/landing"


@dataclass(frozen=True)
class Settings:
    warehouse: str
    landing: str

    @classmethod
    def from_env(cls) -> Settings:
        wh = os.environ.get("FINOPS_WAREHOUSE") or DEFAULT_WAREHOUSE
        landing = os.environ.get("FINOPS_LANDING") or DEFAULT_LANDING
        if "://" not in landing:
            landing = str(Path(landing).expanduser().resolve())
        return cls(warehouse=str(Path(wh).expanduser().resolve()), landing=landing)

    def export(self) -> None:
        """Make the resolved paths visible to subprocesses (dbt reads FINOPS_WAREHOUSE in profiles.yml)."""
        os.environ["FINOPS_WAREHOUSE"] = self.warehouse
        os.environ["FINOPS_LANDING"] = self.landing
