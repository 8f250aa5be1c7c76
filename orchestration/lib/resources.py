"""The Dagster resources: the warehouse, the landing zone and dbt. Assets, checks and sensors take them as
parameters (``warehouse: WarehouseResource``) instead of reading the environment themselves; the definitions bind
them once (``orchestration/defs/resources.py``), tests pass :func:`finops_resources` or their own.

The warehouse and landing resources resolve their location when a run (or sensor evaluation) uses them, not when the
definitions load: empty, they read FINOPS_WAREHOUSE / FINOPS_LANDING then (:mod:`orchestration.lib.settings`), so one
loaded set of definitions follows the environment a run is started in (``finops run``, the tests)."""

from __future__ import annotations

import os

import dagster as dg
from dagster_dbt import DbtCliResource

from .dbt import dbt_executable, dbt_project
from .settings import resolve_landing, resolve_warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file the loaders write, dbt builds and the checks read."""

    path: str = ""
    """The DuckDB file; empty: FINOPS_WAREHOUSE, else warehouse/finops.duckdb (resolved when used)."""

    def location(self) -> str:
        """The absolute path of the warehouse file."""
        return resolve_warehouse(self.path)

    def export(self) -> str:
        """The location, also set as FINOPS_WAREHOUSE for the child processes that read it (dbt's profiles.yml)."""
        location = self.location()
        os.environ["FINOPS_WAREHOUSE"] = location
        return location


class LandingResource(dg.ConfigurableResource):
    """The landing zone: where the providers' billing exports and the file drops (finance, business KPIs) land."""

    root: str = ""
    """A folder or an fsspec URL (s3://, az://, gs://); empty: FINOPS_LANDING, else demo/landing (resolved when
    used)."""

    def location(self) -> str:
        """The landing root: an absolute folder, or the URL as given."""
        return resolve_landing(self.root)


def dbt_resource() -> DbtCliResource:
    """dbt on the project (:data:`orchestration.lib.dbt.dbt_project`), with the virtualenv's dbt."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


def finops_resources() -> dict[str, dg.ConfigurableResource]:
    """The resources by the names the assets ask for: ``warehouse``, ``landing``, ``dbt``."""
    return {"warehouse": WarehouseResource(), "landing": LandingResource(), "dbt": dbt_resource()}
