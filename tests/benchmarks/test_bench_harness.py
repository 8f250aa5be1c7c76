"""The `make bench` harness on a tiny input: it runs end to end and writes the figures it promises.
Speed is never asserted here; only that the JSON has its keys and every stage figure is positive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the benchmark harness (ingest, dbt build, checks) end to end

REPO = Path(__file__).resolve().parents[2]

TOP_KEYS = {
    "rows",
    "ours_s",
    "floor_s",
    "peer_s",
    "ours_over_floor",
    "record_s",
    "record_over_floor",
    "ours_over_peer",
    "peak_rss_mb",
    "incremental_over_full",
    "load_s",
    "load",
    "inputs",
    "machine",
    "versions",
    "git",
    "summary",
}


def test_bench_harness_tiny(tmp_path: Path) -> None:
    results = tmp_path / "results" / "latest.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--sizes",
            "20k",
            "--skip-peer",
            "--data-dir",
            str(tmp_path / "data"),
            "--results",
            str(results),
            "--threads",
            "2",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(results.read_text())

    assert doc.keys() >= TOP_KEYS
    assert doc["rows"] == 20_000
    assert doc["machine"]["cores"] >= 1 and doc["machine"]["ram_gb"] > 0
    assert doc["versions"]["dlt"] and doc["versions"]["duckdb"]
    assert doc["git"]["commit"]
    assert doc["peer_s"] is None and doc["ours_over_peer"] is None  # --skip-peer

    inp = doc["inputs"]["cur2_20k"]
    assert set(inp["stages"]) == {"ingest", "record", "transform", "checks", "floor"}
    for name, stage in inp["stages"].items():
        assert stage["ok"], (name, stage.get("error"))
        assert stage["wall_s"] > 0 and stage["peak_rss_mb"] > 0 and stage["rows_per_s"] > 0, name
    ingest = inp["stages"]["ingest"]["detail"]
    assert ingest["rows"] == 20_000
    assert all(ingest[f"{k}_s"] > 0 for k in ("extract", "normalize", "load"))
    # the FOCUS record and its lineage first, every other model after it: each built once
    record, rest = (set(inp["stages"][k]["detail"]["models"]) for k in ("record", "transform"))
    assert {"int_charges_unioned", "fct_charges", "focus_cost_and_usage"} <= record and not record & rest
    assert {"fct_cost_allocated", "int_spend_forecast_paths"} <= rest
    assert inp["record_s"] == round(inp["stages"]["ingest"]["wall_s"] + inp["stages"]["record"]["wall_s"], 3)
    assert inp["stages"]["floor"]["detail"]["rows"] == 20_000
    assert inp["stages"]["checks"]["detail"]["dbt_test"]["tests"] > 0
    assert doc["peak_rss_mb"] == max(s["peak_rss_mb"] for k, s in inp["stages"].items() if k != "floor")
    for key in ("ours_s", "record_s", "floor_s", "ours_over_floor", "record_over_floor", "incremental_over_full"):
        assert doc[key] > 0, key

    incr = inp["incremental"]
    assert incr["rows"] == round(20_000 / 30)
    assert incr["stages"]["ingest"]["detail"]["rows"] == incr["rows"]  # only the new day was read
    assert all(s["wall_s"] > 0 and s["peak_rss_mb"] > 0 for s in incr["stages"].values())

    # `finops load` of a 1,000-row file: a first one into a fresh warehouse, then the timed (warm) second one
    load = doc["load"]
    assert set(load["stages"]) == {"first", "warm"}
    first, warm = (load["stages"][k]["record_rows"] for k in ("first", "warm"))
    assert first >= 1_000 and warm - first >= 1_000
    assert all(s["ok"] and s["wall_s"] > 0 and s["peak_rss_mb"] > 0 for s in load["stages"].values())
    assert doc["load_s"] == load["stages"]["warm"]["wall_s"] == doc["summary"]["load_s"]
    assert "load_s<=15" in doc["summary"]["targets"]
