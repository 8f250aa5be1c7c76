"""The same dbt project on Spark and on DuckDB, compared row for row (``make compare-engines``, ``make test-spark``).

    python -m tools.compare_engines [--warehouse W] [--lake DIR] [--selector spark] [--no-build]

1. The raw layer of the DuckDB warehouse ``W`` (built by ``make demo`` or ``finops run``) is written to the Parquet
   lake (:func:`ingestion._common.lake.write_lake`; ``--lake``, else ``$FINOPS_LAKE``, else ``<W dir>/lake``).
2. dbt seeds and runs the selector's models on the ``spark`` target (``FINOPS_DBT_TARGET=spark``: PySpark in this
   machine's Java 17, the raw sources read from the lake; ``dbt_project/selectors.yml``) into ``<lake>/_spark``.
3. Every model of the selection that is a table or view on both engines is read from Spark (written to Parquet)
   and compared with the DuckDB relation of the same name: each Spark column cast to the DuckDB column's type,
   then ``EXCEPT ALL`` both ways. Equal means the same rows, every column, every decimal to its last digit.

Prints one line per relation and, for a difference, the columns that differ with examples; exits 1 on any
difference (or a failed build), 0 when every relation is equal. The report goes to ``<lake>/_compare.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from orchestration.lib.dbt_cli import dbt_executable
from orchestration.lib.settings import DBT_PROJECT_DIR

SPARK_TARGET_PATH = "target-spark"


@dataclass
class Comparison:
    relation: str
    duckdb_rows: int
    spark_rows: int
    only_duckdb: int
    only_spark: int
    columns: dict[str, dict] = field(default_factory=dict)  # column -> {"type", "only_duckdb": [...], ...}

    @property
    def equal(self) -> bool:
        return self.only_duckdb == 0 and self.only_spark == 0 and self.duckdb_rows == self.spark_rows

    def line(self) -> str:
        verdict = "equal" if self.equal else "DIFFERENT"
        return (
            f"{self.relation}: {verdict} (duckdb {self.duckdb_rows:,} rows, spark {self.spark_rows:,}; "
            f"only in duckdb {self.only_duckdb:,}, only in spark {self.only_spark:,})"
        )


def spark_env(lake: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FINOPS_DBT_TARGET="spark", FINOPS_LAKE=str(lake), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no lookup of this host's name on a closed network
    return env


def dbt(args: list[str], env: dict[str, str], log=None) -> str:
    """``dbt <args>`` on the spark target (its own target path); dbt's stdout, or SystemExit with its error lines."""
    cmd = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    cmd += ["--target-path", SPARK_TARGET_PATH]
    if log:
        log(f"spark: dbt {' '.join(args)}")
    proc = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        lines = [ln for ln in proc.stdout.splitlines() if "ERROR" in ln or "Error" in ln or "error" in ln]
        raise SystemExit(f"dbt {' '.join(args)} on spark failed (exit {proc.returncode}):\n" + "\n".join(lines[-20:]))
    return proc.stdout


def selected_relations(selector: str, env: dict[str, str]) -> list[tuple[str, str]]:
    """(schema.name, materialization) of the selector's models, from dbt ls on the spark target."""
    out = dbt(
        ["ls", "--selector", selector, "--resource-type", "model", "--output", "json"]
        + ["--output-keys", "schema alias name config", "--quiet"],
        env,
    )
    rels = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        node = json.loads(line)
        materialized = node["config"]["materialized"]
        if materialized != "ephemeral":
            rels.append((f"{node['schema']}.{node.get('alias') or node['name']}", materialized))
    return sorted(rels)


def spark_settings(env: dict[str, str]) -> dict[str, str]:
    """The spark target's ``server_side_parameters`` as dbt renders them (``env_var`` from ``env``), with the one
    dbt-spark adds itself (ANSI mode off, dbt/adapters/spark/connections.py): the same SQL semantics here as in the
    dbt run, from one place (``dbt_project/profiles.yml``)."""
    import jinja2
    import yaml

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise SystemExit(f"dbt_project/profiles.yml (spark target) needs the environment variable {name}")
        return default

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    params = profile["finops_ai"]["outputs"]["spark"]["server_side_parameters"]
    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined)
    settings = {str(k): jinja.from_string(str(v)).render(env_var=env_var) for k, v in params.items()}
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def spark_session(lake: Path):
    """A SparkSession as dbt-spark's ``session`` method builds it (Hive support, the profile's settings), on the
    metastore of the spark build in ``lake``."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport().appName("finops-compare-engines")
    for key, value in spark_settings(spark_env(lake)).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def compare(warehouse: Path, lake: Path, relations: list[str], log, examples: int = 3) -> list[Comparison]:
    import duckdb

    session = spark_session(lake)
    scratch = Path(tempfile.mkdtemp(prefix="compare-engines-"))
    results = []
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            con.execute("set TimeZone = 'UTC'")
            for rel in relations:
                schema, name = rel.split(".", 1)
                cols = con.execute(
                    "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                    "order by column_index",
                    [schema, name],
                ).fetchall()
                if not cols:
                    raise SystemExit(f"{rel}: not in the DuckDB warehouse {warehouse}; build it first (make demo).")
                out = scratch / rel
                session.table(rel).write.parquet(str(out))
                select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in cols)
                spark_sql = f"select {select} from read_parquet('{out}/*.parquet')"
                duck_sql = f'select {select} from "{schema}"."{name}"'
                (n_duck,) = con.execute(f"select count(*) from ({duck_sql})").fetchone()
                (n_spark,) = con.execute(f"select count(*) from ({spark_sql})").fetchone()
                (a,) = con.execute(f"select count(*) from ({duck_sql} except all {spark_sql})").fetchone()
                (b,) = con.execute(f"select count(*) from ({spark_sql} except all {duck_sql})").fetchone()
                result = Comparison(rel, n_duck, n_spark, a, b)
                if not result.equal:
                    for c, t in cols:
                        one = f'select "{c}" from ({duck_sql}) except all select "{c}" from ({spark_sql})'
                        other = f'select "{c}" from ({spark_sql}) except all select "{c}" from ({duck_sql})'
                        left = con.execute(f"{one} limit {examples}").fetchall()
                        right = con.execute(f"{other} limit {examples}").fetchall()
                        if left or right:
                            result.columns[c] = {
                                "type": t,
                                "only_duckdb": [str(r[0]) for r in left],
                                "only_spark": [str(r[0]) for r in right],
                            }
                log(result.line())
                for c, d in result.columns.items():
                    log(f"    {c} ({d['type']}): duckdb {d['only_duckdb']} | spark {d['only_spark']}")
                results.append(result)
    finally:
        session.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    from ingestion._common.lake import write_lake

    ap = argparse.ArgumentParser(prog="python -m tools.compare_engines", description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--warehouse", type=Path, default=Path(os.environ.get("FINOPS_WAREHOUSE", "warehouse/finops.duckdb"))
    )
    ap.add_argument("--lake", type=Path, default=None, help="the Parquet lake (default $FINOPS_LAKE or <W dir>/lake)")
    ap.add_argument("--selector", default="spark", help="dbt selector of the models to build and compare")
    ap.add_argument("--no-build", action="store_true", help="compare what the last spark build left")
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, flush=True)

    warehouse = args.warehouse.resolve()
    if not warehouse.exists():
        log(f"No DuckDB warehouse at {warehouse}: run `make demo` first (or set FINOPS_WAREHOUSE).")
        return 66
    lake = (args.lake or Path(os.environ.get("FINOPS_LAKE") or warehouse.parent / "lake")).resolve()
    started = time.monotonic()
    env = spark_env(lake)
    timings: dict[str, float] = {}
    if not args.no_build:
        t = time.monotonic()
        log(write_lake(warehouse, lake).summary())
        timings["lake_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        dbt(["seed"], env, log)
        timings["spark_seed_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        dbt(["run", "--selector", args.selector], env, log)
        timings["spark_run_s"] = round(time.monotonic() - t, 1)
    relations = [rel for rel, _ in selected_relations(args.selector, env)]
    t = time.monotonic()
    results = compare(warehouse, lake, relations, log)
    timings["compare_s"] = round(time.monotonic() - t, 1)
    different = [r for r in results if not r.equal]
    report = {
        "warehouse": str(warehouse),
        "lake": str(lake),
        "selector": args.selector,
        "relations": [asdict(r) | {"equal": r.equal} for r in results],
        "timings": timings,
        "seconds": round(time.monotonic() - started, 1),
    }
    (lake / "_compare.json").write_text(json.dumps(report, indent=1))
    log(
        f"{len(results) - len(different)} of {len(results)} relations equal on Spark and DuckDB "
        f"({report['seconds']} s; report {lake / '_compare.json'})"
    )
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
