"""`mf query` of every metric table, for the test that the tables equal MetricFlow's own answer.

Runs MetricFlow's CLI command ``query`` (dbt-metricflow, the same click command as ``mf query``, with its dbt-adapter
SQL client on the project's dbt profile) once per table of :data:`serving.metrics.METRIC_TABLES`, in one process so
that the dbt project and adapter are loaded once (a separate ``mf`` process per table costs ~20 s of start-up each).
Run it in a subprocess (:func:`mf_query_tables`): the dbt adapter opens the warehouse read-write and keeps it open.

    python -m tests.support.mf_query OUT_DIR       (cwd: dbt_project, FINOPS_WAREHOUSE: the warehouse)

writes ``OUT_DIR/<table>.csv`` (no file when MetricFlow returns no row, as ``mf query --csv`` does).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CENT = Decimal("0.01")


def _is_time(group_by: str) -> bool:
    from serving.metrics import _is_time as is_time

    return is_time(group_by)


def main(out_dir: str) -> None:
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration
    from dbt_metricflow.cli.main import query

    from serving.metrics import METRIC_TABLES

    cfg = CLIConfiguration()
    cfg.setup()
    for table in METRIC_TABLES:
        args = ["--metrics", ",".join(table.metrics), "--group-by", ",".join(table.group_by)]
        query.main(
            [*args, "--csv", str(Path(out_dir) / f"{table.name}.csv"), "--quiet"], obj=cfg, standalone_mode=False
        )


def mf_query_tables(warehouse: str | os.PathLike, out_dir: str | os.PathLike) -> dict[str, list[dict[str, str]]]:
    """``mf query`` of every metric table on ``warehouse``: table name -> rows (MetricFlow's column names, values as
    MetricFlow's CSV writes them)."""
    import json

    manifest = json.loads((REPO / "dbt_project" / "target" / "semantic_manifest.json").read_text(encoding="utf-8"))
    catalogs = {m["node_relation"]["database"] for m in manifest["semantic_models"]}
    assert catalogs == {Path(warehouse).stem}, (
        f"mf query reads the relations of the semantic manifest, parsed against a warehouse named {catalogs}: "
        f"the warehouse compared must have the same file name, not {Path(warehouse).name}"
    )
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "FINOPS_WAREHOUSE": str(Path(warehouse).resolve()), "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.support.mf_query", str(out_dir)],
        cwd=REPO / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"mf query failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    from serving.metrics import METRIC_TABLES

    out = {}
    for table in METRIC_TABLES:
        path = Path(out_dir) / f"{table.name}.csv"
        out[table.name] = list(csv.DictReader(path.open())) if path.exists() else []
    return out


def _normalise(value: object, kind: str) -> object:
    """One value as compared: money and counts to the cent, ratios to 1e-9, times as ISO days, empty as None."""
    if value is None or value == "":
        return None
    if kind == "time":
        return str(value)[:10]
    if kind == "ratio":
        return round(float(value), 9)
    if kind == "money":
        return Decimal(str(value)).quantize(CENT)
    return str(value)


def assert_metric_tables_equal_mf_query(warehouse: str | os.PathLike, out_dir: str | os.PathLike) -> dict[str, int]:
    """Every ``metrics.<table>`` of ``warehouse`` equals ``mf query`` of its metrics by its group-by on the same
    warehouse, row for row: money to the cent, ratios to 1e-9. Returns the rows compared per table."""
    import duckdb

    from serving.metrics import METRIC_TABLES, SemanticLayer, column_name

    layer = SemanticLayer()
    answers = mf_query_tables(warehouse, out_dir)
    compared = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in METRIC_TABLES:
            kinds = {column_name(g): "time" if _is_time(g) else "text" for g in table.group_by}
            kinds |= {m: "ratio" if layer.metric(m)["type"] in ("ratio", "derived") else "money" for m in table.metrics}
            names = {column_name(g): g for g in table.group_by} | {m: m for m in table.metrics}
            cur = con.execute(f"select * from {table.relation}")
            columns = [d[0] for d in cur.description]
            assert columns == list(table.columns), (table.name, columns)
            ours = sorted(
                (tuple(_normalise(v, kinds[c]) for c, v in zip(columns, row, strict=True)) for row in cur.fetchall()),
                key=repr,
            )
            theirs = sorted(
                (tuple(_normalise(r[names[c]], kinds[c]) for c in columns) for r in answers[table.name]), key=repr
            )
            assert ours == theirs, f"metrics.{table.name} differs from mf query: {set(ours) ^ set(theirs)}"
            compared[table.name] = len(ours)
    return compared


if __name__ == "__main__":
    main(sys.argv[1])
