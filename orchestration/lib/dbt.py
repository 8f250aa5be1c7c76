"""dbt wiring for Dagster: the project (:data:`dbt_project`, :func:`prepare_dbt_project`) and the translator that
keys, groups and tags the dbt assets. Running dbt without Dagster (`finops load`) lives in
:mod:`orchestration.lib.dbt_cli` (no Dagster import: the CLI starts fast)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
)

from .dbt_cli import dbt_executable, manifest_is_stale
from .settings import DBT_PROJECT_DIR

__all__ = [
    "DOMAIN_TAG",
    "REFERENCE_DATA_GROUP",
    "FinopsDbtTranslator",
    "dbt_executable",
    "dbt_project",
    "manifest_node_names",
    "prepare_dbt_project",
]

REFERENCE_DATA_GROUP = "reference_data"
DOMAIN_TAG = "domain"


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_dbt_project() -> None:
    """Prepare :data:`dbt_project` where the definitions load: ``dbt parse`` (through :class:`DbtCliResource`,
    with the virtualenv's dbt) when the manifest is missing or older than the project's files, so ``dg dev`` shows an
    edited model on reload and ``finops run``, the tests and a code server all build from a fresh manifest.

    Not dagster-dbt's stock ``DbtProject.prepare_if_dev()``: that parses on every load under ``dg dev`` (each step
    process of a run loads the definitions; a parse takes seconds) and never outside it (``finops run`` and the tests
    would use a stale manifest). A deployment may prepare at build time instead (``dagster-dbt project
    prepare-and-package``); the manifest is then fresh and this does nothing."""
    if manifest_is_stale(dbt_project.project_dir):
        DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()).cli(
            ["parse", "--quiet"], target_path=dbt_project.target_path
        ).wait()


def manifest_node_names(resource_types: tuple[str, ...], schemas: tuple[str, ...] | None = None) -> set[str]:
    """The names of the project's dbt nodes of ``resource_types`` (e.g. ``("model", "seed")``), only those built in
    ``schemas`` when given, from the prepared manifest."""
    import json

    prepare_dbt_project()
    nodes = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))["nodes"].values()
    return {
        n["name"]
        for n in nodes
        if n.get("resource_type") in resource_types and (schemas is None or n.get("schema") in schemas)
    }


class FinopsDbtTranslator(DagsterDbtTranslator):
    """Keys, groups and tags of the dbt assets, by rule from each node's folder (its ``fqn``), so that the groups
    read as the flow and a folder added, merged or renamed in the dbt project needs no change here:

    * groups by layer: ``staging`` and ``intermediate`` (models under ``models/staging``, ``models/intermediate``),
      ``marts_<domain>`` (models under ``models/marts/<domain>/``), ``reference_data`` (every seed: the mappings,
      rules and policies people edit, built in the ``reference`` schema). With the ingest groups
      (``ingest_<dataset>``) and the outputs (``publication``, ``monthly_close``) the asset graph reads
      ingest -> staging -> intermediate -> marts -> outputs, with the reference data beside the ingest;
    * tag ``domain``: the model's or seed's domain folder (``aws_cur``, ``allocation``, ``governance``, ...), to
      select a domain across layers (e.g. the governance seeds the monthly close re-builds);
    * models, seeds and snapshots keyed by name (``[fct_charges]``), whatever schema they build in; sources keep
      dbt's default key ``[source_name, table]``, which equals the dlt asset key ``[dataset, table]``: lineage
      without glue."""

    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(enable_code_references=False, enable_source_tests_as_checks=True)
        )

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            return spec
        folders = (node.get("fqn") or [])[1:-1]  # [layer, domain, ...] for a model, [domain, ...] for a seed
        spec = spec.replace_attributes(
            key=dg.AssetKey([node["name"]]), group_name=self.group(node["resource_type"], folders)
        )
        domain = self.domain(node["resource_type"], folders)
        return spec.merge_attributes(tags={DOMAIN_TAG: domain}) if domain else spec

    @staticmethod
    def group(resource_type: str, folders: list[str]) -> str:
        if resource_type == "seed":
            return REFERENCE_DATA_GROUP
        if not folders:
            return "default"
        layer = folders[0]
        return f"{layer}_{folders[1]}" if layer == "marts" and len(folders) > 1 else layer

    @staticmethod
    def domain(resource_type: str, folders: list[str]) -> str | None:
        within = folders if resource_type == "seed" else folders[1:]
        return within[0] if within else None
