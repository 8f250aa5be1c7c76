"""Session-wide test setup. `make test` runs every test on two pytest-xdist workers (``-n 2 --dist loadfile``: each
test file runs whole on one worker, so a module-scoped warehouse is built once); `make test-fast` runs the tests not
marked ``slow`` (the edit loop). Every test writes its own warehouse, landing zone, dlt pipelines and DAGSTER_HOME
under its tmp_path (xdist gives each worker its own); the one thing shared is dbt_project/target/manifest.json,
which the Dagster definitions parse on first use: prepared here once, before the workers start, so that two workers
never run ``dbt parse`` into the same target folder at the same time.

Built states shared by the whole session (across workers, built once: tests/support/shared_state.py):

* ``demo_pipeline``: the small demo enterprise (seed 7, 8,000 rows a format) run once through Dagster's job
  refresh_all, as `make demo` runs it (billing exports, vendor APIs from the local servers, business KPIs, finance,
  dbt, every check, the BI publication). A dict: ``warehouse`` (Path of finops.duckdb), ``published`` (the
  read-only BI copy), ``landing``, ``root``, ``evaluations`` (the run's asset check evaluations), ``generated``
  (the generator's account of what it wrote). Read-only: open it with
  ``duckdb.connect(str(p["warehouse"]), read_only=True)``; to write, take a copy with
  ``tests.support.shared_state.writable_copy(p["warehouse"], tmp_path)`` (or ``writable_copy_of_state(p, tmp_path)``
  for the landing zone and the dlt state as well, to run the pipeline again). Mark the tests that use it ``slow``
  (the first user of a session waits for the run: about 3 min of CPU, once per session)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

# The test files that take longest (per file, fixtures included: `pytest --durations=120` of a `make test` run on the
# 2-core machine, summed per file), longest first, except that the users of the shared demo_pipeline come late (its
# builder, the end-to-end test, first). They are collected first, and `make test` hands files out in collection order
# (`--dist loadfile --no-loadscope-reorder`; xdist's default reorder puts files with few tests last, e.g. the one-test
# end-to-end run): the long files start at once and the short ones fill in, so both workers finish together. Refresh
# the list when a file becomes one of the long ones; order only, no test depends on it.
LONGEST_FIRST = (
    "tests/e2e/test_demo_pipeline.py",  # first: it builds the shared demo_pipeline the others wait for
    "tests/benchmarks/test_bench_harness.py",
    "tests/contracts/test_anthropic_contract.py",
    "tests/orchestration/test_ai_price_book_fail_closed.py",
    "tests/fidelity/test_focus_export_fidelity.py",
    "tests/orchestration/test_dbt_spill.py",
    "tests/reliability/test_security.py",
    "tests/fidelity/test_nise_exports.py",
    "tests/contracts/test_openai_contract.py",
    "tests/orchestration/test_load_build.py",
    "tests/orchestration/test_cli.py",
    "tests/reliability/test_concurrent_runs.py",
    "tests/ingestion/test_azure_cost_details.py",
    "tests/orchestration/test_dbt_project.py",
    "tests/orchestration/test_governance_waste.py",
    "tests/reliability/test_crash_recovery.py",
    "tests/orchestration/test_ai_anthropic_analytics_models.py",
    "tests/data_quality/test_gx_suites.py",
    "tests/dashboard/test_dashboard_browser.py",
    "tests/spark/test_compare_engines.py",  # ~6 min: the demo built on Spark (73 models) and compared
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable: the rest keep order


def pytest_configure(config: pytest.Config) -> None:
    xdist_controller = not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))
    if xdist_controller and not config.option.collectonly:
        from orchestration.lib.dbt import prepare_dbt_project

        prepare_dbt_project()


@pytest.fixture(scope="session")
def demo_pipeline(tmp_path_factory):
    """The small demo run once through Dagster, shared read-only by every test of the session (see the module
    docstring)."""
    import dagster as dg

    from tests.support.shared_state import build_demo_pipeline, build_once, fingerprint

    state = build_once(tmp_path_factory, "demo_pipeline", build_demo_pipeline)
    p = {k: Path(v) for k, v in state.items() if k not in ("evaluations", "generated")}
    p["evaluations"] = dg.deserialize_value(state["evaluations"], list)
    p["generated"] = pickle.loads(Path(state["generated"]).read_bytes())
    before = fingerprint(p["warehouse"])
    yield p
    assert fingerprint(p["warehouse"]) == before, (
        f"a test wrote the shared demo warehouse {p['warehouse']}: open it read_only=True, or write a writable_copy"
    )
