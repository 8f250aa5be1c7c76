"""The Dagster definitions as a committed snapshot: every asset key (with its group), asset check, job, schedule and
sensor. A change to the graph (a model added, a group renamed, a check dropped) shows in review as a diff of
``snapshots/definitions.txt``; this test fails until the snapshot is regenerated:

    FINOPS_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest -q tests/orchestration/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.txt"
UPDATE_ENV = "FINOPS_UPDATE_SNAPSHOT"


def definitions_snapshot(defs: dg.Definitions) -> str:
    """One line per asset (``asset <key> [<group>]``), asset check, job, schedule and sensor, sorted in sections."""
    graph = defs.resolve_asset_graph()
    lines = [f"# Dagster definitions (tests/orchestration/test_definitions_snapshot.py; regenerate: {UPDATE_ENV}=1)"]
    assets = sorted(
        (k.to_user_string(), graph.get(k).group_name, graph.get(k).is_materializable)
        for k in graph.get_all_asset_keys()
    )
    lines += [f"\n## assets ({len(assets)})"]
    lines += [
        f"asset {key} [{group}]" + ("" if materializable else " (external)") for key, group, materializable in assets
    ]
    checks = sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys)
    lines += [f"\n## asset checks ({len(checks)})", *(f"check {c}" for c in checks)]
    jobs = sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__"))
    lines += [f"\n## jobs ({len(jobs)})", *(f"job {j}" for j in jobs)]
    schedules = sorted(
        f"{s.name} {s.cron_schedule} -> {s.job_name}"
        for s in (defs.resolve_schedule_def(u.name) for u in defs.schedules or [])
    )
    lines += [f"\n## schedules ({len(schedules)})", *(f"schedule {s}" for s in schedules)]
    sensors = sorted(s.name for s in defs.sensors or [])
    lines += [f"\n## sensors ({len(sensors)})", *(f"sensor {s}" for s in sensors)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def snapshot() -> str:
    from orchestration.definitions import defs

    return definitions_snapshot(defs())


def test_definitions_match_the_snapshot(snapshot):
    if os.environ.get(UPDATE_ENV):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(snapshot, encoding="utf-8")
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if committed != snapshot:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                snapshot.splitlines(keepends=True),
                fromfile=f"{SNAPSHOT.name} (committed)",
                tofile="definitions (now)",
            )
        )
        pytest.fail(
            f"The Dagster definitions differ from {SNAPSHOT}. If the change is intended, regenerate it with "
            f"`{UPDATE_ENV}=1 .venv/bin/python -m pytest -q tests/orchestration/test_definitions_snapshot.py`"
            f" and commit it.\n{diff}",
            pytrace=False,
        )


def test_snapshot_lists_every_kind_of_definition(snapshot):
    """The snapshot is not empty of any kind: the sections it guards are all there."""
    for section, example in (
        ("assets", "asset fct_charges [marts_finops]"),
        ("asset checks", "check focus_cost_and_usage:focus_1_2_conformance"),
        ("jobs", "job refresh_all"),
        ("schedules", "schedule daily_refresh 0 6 * * * -> refresh_all"),
        ("sensors", "sensor landing_zone_sensor"),
    ):
        assert f"## {section} (" in snapshot and example in snapshot.splitlines(), example
