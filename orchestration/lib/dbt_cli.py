"""Running dbt without Dagster (the `finops` CLI, :mod:`finops_cli.load`): the dbt executable, the manifest, and what
`finops load` builds. No Dagster import here, so that `finops load` starts in a fraction of the time `finops run`
needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .settings import DBT_PROJECT_DIR

_WATCHED = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")

# `finops load` builds the FOCUS record and the quarantine view with everything upstream of them (seeds, staging,
# intermediate), and the data tests whose models are all among them (indirect selection "buildable": a test that
# also reads a mart not rebuilt here is left to `finops run`, which builds everything). No unit tests: they test
# the SQL, not the data (`make test` runs them).
LOAD_TARGETS = ("model.finops_ai.focus_cost_and_usage", "model.finops_ai.fct_quarantined_records")


def dbt_executable() -> str:
    """dbt from the same virtualenv as this interpreter (dagster-dbt otherwise looks on PATH only)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    """Whether the manifest is missing or older than any of the project's files: when to parse again (by
    :func:`prepare_manifest` here, by the Dagster definitions' ``DbtProject`` preparer in
    :mod:`orchestration.lib.dbt`)."""
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
    """Run `dbt parse` when the manifest is missing or older than the project's files (`finops load`, without
    Dagster)."""
    if manifest_is_stale(project_dir):
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--quiet",
            ],
            check=True,
            cwd=project_dir,
        )
    return project_dir / "target" / "manifest.json"


class DbtFailed(click.ClickException):
    """A dbt command failed; dbt's own output (above it on the console) names the models and tests."""


def _upstream(manifest: Mapping[str, Any], roots: tuple[str, ...]) -> set[str]:
    parents = manifest["parent_map"]
    seen: set[str] = set()
    todo = [r for r in roots if r in parents]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(parents.get(node, []))
    return seen


def _relation(node: Mapping[str, Any]) -> str:
    """``schema.name`` a dbt model or seed node builds."""
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def stale_seeds(
    warehouse: str, manifest: Mapping[str, Any], seeds: list[str], tables: set[str] | None = None
) -> set[str]:
    """The seeds (unique ids) of ``seeds`` the warehouse does not hold as the project has them now: table missing,
    or its file checksum or column types differ from what dbt_state.seed_loads (macros/seed_loads.sql) recorded at
    its last load. Every seed when the warehouse has no record yet. ``tables``: the warehouse's relations
    (:func:`ingestion._common.relations.warehouse_relations`), when the caller has them."""
    import duckdb

    from ingestion._common.relations import warehouse_relations

    tables = warehouse_relations(warehouse) if tables is None else tables
    if "dbt_state.seed_loads" not in tables:
        return set(seeds)
    with duckdb.connect(warehouse, read_only=True) as con:
        loaded = {
            rel: (checksum, json.loads(types))
            for rel, checksum, types in con.execute(
                "select seed_relation, checksum, column_types from dbt_state.seed_loads"
            ).fetchall()
        }
    stale = set()
    for uid in seeds:
        node = manifest["nodes"][uid]
        now = (node["checksum"]["checksum"], node["config"].get("column_types") or {})
        if _relation(node) not in tables or loaded.get(_relation(node)) != now:
            stale.add(uid)
    return stale


def _downstream(manifest: Mapping[str, Any], roots: set[str], within: set[str]) -> set[str]:
    children = manifest["child_map"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node not in seen and node in within:
            seen.add(node)
            todo.extend(children.get(node, []))
    return seen


def load_nodes(warehouse: str, manifest: Mapping[str, Any], datasets: set[str] | None = None) -> list[str]:
    """The dbt nodes (unique ids) `finops load` builds: the models upstream of ``LOAD_TARGETS`` and the targets, the
    seeds among their parents that this warehouse does not hold unchanged (:func:`stale_seeds`), and the data tests
    whose parents are all in the targets' lineage.

    With ``datasets`` (the raw datasets this load wrote: ``aws_cur``, ``focus_exports``, ...), only what the load
    changed is built and tested: the sources of those datasets and of ``landing_zone`` (the files read), the stale
    seeds and every model downstream of them in the lineage are *affected*; views are always re-created (cheap, and
    they pick up a changed SQL), tables only when affected or missing; a test runs when one of its parents was
    affected or built here. Tests on another source's staging or on seeds left alone passed when that data was
    last built, and the record's own tests (``int_charges_unioned``, ``fct_charges``, ``focus_cost_and_usage``,
    the quarantine view) always run, since every load affects them. Without ``datasets``, every test on the lineage
    runs (but those on seeds left alone)."""
    lineage = _upstream(manifest, LOAD_TARGETS)
    models = {u for u in lineage if u.startswith("model.")}
    seeds = sorted(u for u in lineage if u.startswith("seed."))
    from ingestion._common.relations import warehouse_relations

    existing = warehouse_relations(warehouse)
    stale = stale_seeds(warehouse, manifest, seeds, existing)
    if datasets is None:
        changed = models | stale | {u for u in lineage if u.startswith("source.")}
        build = models
    else:
        sources = {
            u
            for u in lineage
            if u.startswith("source.") and manifest["sources"][u]["source_name"] in (set(datasets) | {"landing_zone"})
        }
        changed = _downstream(manifest, sources | stale, lineage)
        missing = {u for u in models if _relation(manifest["nodes"][u]) not in existing}
        build = {u for u in models if manifest["nodes"][u]["config"]["materialized"] == "view"} | (
            (changed | missing) & models
        )
        changed |= missing
    tests = {
        u
        for u, n in manifest["nodes"].items()
        if n["resource_type"] == "test"
        and set(n["depends_on"]["nodes"]) <= lineage
        and set(n["depends_on"]["nodes"]) & changed
    }
    return sorted(build | stale | tests)


def load_build_args(warehouse: str, datasets: set[str] | None = None) -> list[str]:
    """``dbt build`` arguments of `finops load` (:func:`load_nodes`, named one by one; no indirect selection)."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    names = [manifest["nodes"][u]["name"] for u in load_nodes(warehouse, manifest, datasets)]
    # --no-write-json: no manifest.json / run_results.json rewrite (seconds); prepare_manifest re-parses on change
    return ["build", "--select", *names, "--indirect-selection", "empty", "--no-write-json"]


def run_dbt(args: list[str]) -> None:
    """dbt ``args`` on the project in a child process (its output on the console); :class:`DbtFailed` if it fails.
    The warehouse and settings come from the environment (:meth:`Settings.export`)."""
    env = dict(os.environ)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")  # no network call home on every load
    proc = subprocess.run(
        [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        check=False,
        cwd=DBT_PROJECT_DIR,
        env=env,
    )
    if proc.returncode:
        raise DbtFailed(f"dbt {' '.join(args)} failed (exit {proc.returncode}); see the output above.")
