"""deploy/dagster.yaml, the instance for a deployment beyond one machine, against a real PostgreSQL (CI starts one:
.ci/postgres.sh): runs, event logs and schedules in PostgreSQL, shared by every process that loads the same file;
the run queue; the warehouse pool limited to one step at a time; no secret in the file."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "dagster.yaml"
PG_URL = os.environ.get("FINOPS_TEST_POSTGRES_URL", "")

requires_postgres = pytest.mark.skipif(
    not PG_URL, reason="FINOPS_TEST_POSTGRES_URL is not set (.ci/postgres.sh starts PostgreSQL and prints it)"
)


def test_the_file_holds_no_secret_and_reads_the_url_from_the_environment():
    config = yaml.safe_load(DEPLOY.read_text())
    assert config["storage"]["postgres"]["postgres_url"] == {"env": "DAGSTER_POSTGRES_URL"}
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert re.search(r"://[^\s<>@:/]+:[^\s<>@]+@", DEPLOY.read_text()) is None  # no user:password@ in a URL


@requires_postgres
def test_runs_are_stored_in_postgres_and_shared(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY, home / "dagster.yaml")
    # SQLAlchemy 2.1 maps postgresql:// to psycopg 3, whose server-side parameters break dagster-postgres's NOTIFY:
    # the documented URL names psycopg2 (docs/scale-out.md)
    url = PG_URL.replace("postgresql://", "postgresql+psycopg2://", 1)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", url)

    @dg.asset(pool="warehouse", name=f"deploy_probe_{os.getpid()}")
    def probe() -> int:
        return 1

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        result = dg.materialize([probe], instance=instance)
        assert result.success
        run_id = result.run_id

    # another process's instance (a webserver, the daemon) loading the same file sees the run and its events
    with dg.DagsterInstance.from_config(str(home)) as other:
        run = other.get_run_by_id(run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        materialized = other.get_latest_materialization_event(dg.AssetKey(probe.key.path))
        assert materialized is not None and materialized.run_id == run_id
