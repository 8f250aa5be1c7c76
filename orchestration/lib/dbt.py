"""dbt wiring: the project handle, manifest preparation and the one translator override."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from .settings import DBT_PROJECT_DIR

_WATCHED = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def dbt_executable() -> str:
    """dbt from the same virtualenv as this interpreter (dagster-dbt otherwise looks on PATH only)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in _WATCHED:
        p = project_dir / name
        files = [p] if p.is_file() else p.rglob("*") if p.exists() else []
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


def prepare_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files."""
    if manifest_is_stale(project_dir):
        subprocess.run(
            [dbt_executable(), "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--quiet"],
            check=True, cwd=project_dir,
        )
    return project_dir / "target" / "manifest.json"


def manifest_node_names(resource_types: tuple[str, ...], schemas: tuple[str, ...] | None = None) -> set[str]:
    """The names of the project's dbt nodes of ``resource_types`` (e.g. ``("model", "seed")``), only those built in
    ``schemas`` when given, from the prepared manifest."""
    import json

    nodes = json.loads(prepare_manifest().read_text(encoding="utf-8"))["nodes"].values()
    return {n["name"] for n in nodes
            if n.get("resource_type") in resource_types and (schemas is None or n.get("schema") in schemas)}


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
