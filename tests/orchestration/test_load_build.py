"""What `finops load` builds (orchestration/lib/dbt_cli.py): the FOCUS record and the quarantine view with everything
upstream and the data tests that guard them, not every mart; seeds only when the warehouse does not hold them as
the project has them now; the summary after the load shows the record only and says the marts are not rebuilt."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from click.testing import CliRunner

from orchestration.lib.dbt_cli import LOAD_TARGETS, _upstream, load_build_args, load_nodes, prepare_manifest
from tests.support import SAMPLES


def _manifest() -> dict:
    return json.loads(prepare_manifest().read_text(encoding="utf-8"))


def test_load_builds_the_record_its_lineage_and_every_test_on_it(tmp_path):
    m = _manifest()
    nodes = set(load_nodes(str(tmp_path / "none.duckdb"), m))  # no warehouse yet: every seed is loaded
    lineage = _upstream(m, LOAD_TARGETS)
    names = {m["nodes"][u]["name"] for u in nodes}
    assert {
        "focus_cost_and_usage",
        "fct_charges",
        "fct_quarantined_records",
        "int_charges_unioned",
        "int_fx_rates_daily",
        "stg_aws_cur__line_items",
        "int_aws__focus_charges",
        "int_charge_source_keys",
        "aws_regions",
    } <= names
    # the marts downstream of the record are left to `finops run`, and so are unit tests
    assert not names & {
        "fct_cost_allocated",
        "fct_ai_model_costs_daily",
        "fct_invoice_reconciliation",
        "fct_budget_vs_actual",
        "dim_ai_workloads",
    }
    assert not any(u.startswith("unit_test.") for u in nodes)
    assert {u for u in lineage if u.startswith(("model.", "seed."))} <= nodes
    # every data test on the lineage, none that also reads a mart not rebuilt
    tests = {u for u, n in m["nodes"].items() if n["resource_type"] == "test"}
    on_lineage = {u for u in tests if set(m["nodes"][u]["depends_on"]["nodes"]) <= lineage}
    assert nodes & tests == on_lineage
    assert any("fct_charges" in m["nodes"][u]["depends_on"]["nodes"][0] for u in on_lineage)
    assert len(on_lineage) > 150 and len(tests - on_lineage) > 100


@pytest.mark.slow
def test_load_reseeds_only_what_changed_and_summarises_the_record_only(tmp_path, monkeypatch):
    from finops_cli import main

    wh = tmp_path / "wh.duckdb"
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(wh))
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "aws" / "cur_legacy_sample.csv", drop / "cur_legacy_sample.csv")

    result = CliRunner().invoke(main, ["load", str(drop)], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "Spend by provider" in result.output and "Amazon Web Services" in result.output  # AWS: its catalogue name
    assert "marts are not (run `finops run` to refresh them)" in result.output
    assert "Allocation (rules" not in result.output  # a mart the load did not rebuild is not summarised
    m = _manifest()
    seeds = {u for u in _upstream(m, LOAD_TARGETS) if u.startswith("seed.")}
    rel = {u: f"{m['nodes'][u]['schema']}.{m['nodes'][u]['alias']}" for u in seeds}
    with duckdb.connect(str(wh), read_only=True) as con:
        recorded = dict(con.execute("select seed_relation, checksum from dbt_state.seed_loads").fetchall())
        marts = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert {rel[u]: m["nodes"][u]["checksum"]["checksum"] for u in seeds}.items() <= recorded.items()
    assert {"fct_charges", "focus_cost_and_usage", "fct_quarantined_records"} <= marts
    assert "fct_cost_allocated" not in marts

    # the next load leaves the seeds alone: none is selected, nor a test on seeds only
    args = load_build_args(str(wh))
    seed_names = {m["nodes"][u]["name"] for u in seeds}
    assert not seed_names & set(args)
    assert "fct_charges" in args and "focus_cost_and_usage" in args
    # only what the load changed: another source's staging tests and its tables (present) are left alone; the
    # record's own tests always run
    m = _manifest()
    by_name = {n["name"]: u for u, n in m["nodes"].items() if n["resource_type"] in ("model", "seed")}
    nodes = set(load_nodes(str(wh), m, datasets={"aws_cur"}))
    tests_on = {d for u in nodes if u.startswith("test.") for d in m["nodes"][u]["depends_on"]["nodes"]}
    only_on = {tuple(m["nodes"][u]["depends_on"]["nodes"]) for u in nodes if u.startswith("test.")}
    assert by_name["int_aws__focus_charges"] in tests_on and by_name["fct_charges"] in tests_on
    assert by_name["int_charges_unioned"] in tests_on and by_name["fct_quarantined_records"] in tests_on
    assert (by_name["int_azure__focus_charges"],) not in only_on  # its own tests: left alone
    assert (by_name["int_aws__focus_charges"],) in only_on
    assert by_name["int_ai_api_charges"] not in nodes and by_name["int_saas_charges"] not in nodes  # tables, present
    assert by_name["stg_azure_cost_details__cost_details"] in nodes  # views are always re-created
    assert by_name["int_azure__focus_charges"] in nodes
    every = set(load_nodes(str(wh), m))
    assert nodes < every and len([u for u in every - nodes if u.startswith("test.")]) > 50
    # a table that is missing is built, with its tests
    with duckdb.connect(str(wh)) as con:
        con.execute("drop table " + ".".join([m["nodes"][by_name["int_saas_charges"]]["schema"], "int_saas_charges"]))
    nodes = set(load_nodes(str(wh), m, datasets={"aws_cur"}))
    assert by_name["int_saas_charges"] in nodes
    assert (by_name["int_azure__focus_charges"],) not in {
        tuple(m["nodes"][u]["depends_on"]["nodes"]) for u in nodes if u.startswith("test.")
    }
    assert any(
        by_name["int_saas_charges"] in m["nodes"][u]["depends_on"]["nodes"] for u in nodes if u.startswith("test.")
    )

    # a seed whose file changed since its load (another checksum recorded), or whose table is gone, is loaded again
    changed, dropped = sorted(seeds)[:2]
    with duckdb.connect(str(wh)) as con:
        con.execute("update dbt_state.seed_loads set checksum = 'older' where seed_relation = ?", [rel[changed]])
        con.execute(f"drop table {rel[dropped]}")
    args = load_build_args(str(wh))
    assert seed_names & set(args) == {m["nodes"][changed]["name"], m["nodes"][dropped]["name"]}
