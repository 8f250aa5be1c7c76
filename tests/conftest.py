"""Session-wide test setup. `make test` runs every test on two pytest-xdist workers (``-n 2 --dist loadfile``: each
test file runs whole on one worker, so a module-scoped warehouse is built once); `make test-fast` runs the tests not
marked ``slow`` (the edit loop). Every test writes its own warehouse, landing zone, dlt pipelines and DAGSTER_HOME
under its tmp_path (xdist gives each worker its own); the one thing shared is dbt_project/target/manifest.json,
which the Dagster definitions parse on first use: prepared here once, before the workers start, so that two workers
never run ``dbt parse`` into the same target folder at the same time."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    xdist_controller = not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))
    if xdist_controller and not config.option.collectonly:
        from orchestration.lib.dbt import prepare_dbt_project

        prepare_dbt_project()
