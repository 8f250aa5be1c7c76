"""`finops run` shows a person what they need (a line per finished step, problems, the summary) and writes the
rest (dbt's output, Dagster's log) to <warehouse dir>/logs/finops-run-<run id>.log, named at the start and end."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from finops_cli import main

# the small demo's AWS CUR deliveries loaded (ingest, GX checks) and two dbt seeds with their tests (a dbt build)
SELECTION = "group:ingest_aws_cur or key:aws_regions or key:aws_service_categories"
MAX_LINES = 20  # the start line, a line per step (3), the outcome, the summary (none: no marts), the log file


@pytest.mark.slow
def test_run_prints_progress_and_summary_and_logs_the_detail(tmp_path, monkeypatch):
    from finops_demo import generator as demo

    landing = tmp_path / "landing"
    demo.generate(landing, seed=7, rows=300, redelivery=False)
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "wh" / "finops.duckdb"))
    monkeypatch.setenv("FINOPS_LANDING", str(landing))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))

    result = CliRunner().invoke(main, ["run", "--select", SELECTION], catch_exceptions=False)

    out = result.output
    lines = out.splitlines()
    logs = sorted((tmp_path / "wh" / "logs").glob("finops-run-*.log"))
    assert len(logs) == 1, out
    log = logs[0]
    assert str(log) in lines[0] and str(log) in lines[-1], out  # named at the start and at the end
    assert len(lines) <= MAX_LINES, out
    assert re.search(r"\[ *\d+/\d+\] finops_dbt  ok ", out), out  # a line per finished step
    assert "SUCCESS" in out and "checks passed" in out, out
    # the detail is in the log file, not on the console
    detail = log.read_text()
    assert re.search(r"\d+ of \d+ START seed file \w+\.aws_regions", detail), detail[-3000:]
    assert re.search(r"\d+ of \d+ PASS unique_aws_regions_region_id", detail), detail[-3000:]
    assert "dagster - INFO" in detail or "STEP_SUCCESS" in detail, detail[-3000:]
    assert not re.search(r"\d+ of \d+ (START|OK|PASS)", out), out
    assert "dagster - INFO" not in out and "\x1b[" not in out, out
    assert result.exit_code == 0, out
