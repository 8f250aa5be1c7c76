"""dbt wiring for Dagster: the project handle and the one translator override. Running dbt, the manifest and the
`finops load` build live in :mod:`orchestration.lib.dbt_cli` (no Dagster import: the CLI starts fast)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from .dbt_cli import dbt_executable, manifest_is_stale, manifest_node_names, prepare_manifest
from .settings import DBT_PROJECT_DIR

__all__ = ["FinopsDbtTranslator", "dbt_executable", "dbt_project", "manifest_is_stale", "manifest_node_names",
           "prepare_manifest"]


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class FinopsDbtTranslator(DagsterDbtTranslator):
    """Models keyed by name; groups from the model's folder (staging, intermediate, marts_<dir>); sources keep dbt's default key
    [source_name, table], which equals the dlt asset key [dataset, table]: lineage without glue."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=False))

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        fqn = node.get("fqn") or []
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            # models are keyed by name alone ([fct_charges]), whatever schema they build in
            spec = spec.replace_attributes(key=dg.AssetKey([node["name"]]))
        if node.get("resource_type") in ("model", "seed", "snapshot") and len(fqn) > 2:
            layer = fqn[1]
            group = f"marts_{fqn[2]}" if layer == "marts" and len(fqn) > 3 else layer
            spec = spec.replace_attributes(group_name=group)
        elif node.get("resource_type") == "seed":
            spec = spec.replace_attributes(group_name="reference")
        return spec

