"""The Dagster graph: loads without env, lineage from dlt to dbt without glue, checks, pools, automation."""

from __future__ import annotations

import dagster as dg
import pytest

from ingestion import catalogue
from orchestration.defs.automation.sensors import changed_deliveries
from orchestration.defs.transform.dbt_assets import dbt_build_args


@pytest.fixture(scope="module")
def defs(monkeypatch_module=None) -> dg.Definitions:
    from orchestration.definitions import defs as load

    return load()


def test_dbt_build_args_exclude_unit_tests():
    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(full_refresh=True) == ["build", "--exclude-resource-type", "unit_test", "--full-refresh"]


def test_changed_deliveries_are_new_or_redelivered():
    assert changed_deliveries(
        {"a|2026-09": "1", "b|2026-09": "2"}, {"a|2026-09": "1", "b|2026-09": "3", "c|2026-10": "4"}
    ) == ["b|2026-09", "c|2026-10"]
    assert changed_deliveries({"a": "1"}, {"a": "1"}) == []


def test_ingest_asset_keys_are_the_dbt_source_keys(defs):
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    raw = {f"{f.dataset}/{f.table}" for f in catalogue.formats()}
    assert raw <= keys
    staging = {
        "aws_cur/line_items": "stg_aws_cur__line_items",
        "azure_cost_details/cost_details": "stg_azure_cost_details__cost_details",
        "gcp_billing/billing_export_rows": "stg_gcp_billing__billing_export_rows",
        "focus_exports/focus_rows": "stg_focus_exports__focus_rows",
    }
    for raw_key, model in staging.items():
        parents = {p.to_user_string() for p in graph.get(dg.AssetKey(model)).parent_keys}
        assert raw_key in parents, f"{model} should depend on the dlt asset {raw_key}, has {parents}"
    # the FOCUS export sits downstream of every raw table
    assert {"fct_charges", "focus_cost_and_usage", "int_charges_unioned"} <= keys


def test_vendor_api_assets_are_the_dbt_source_keys(defs):
    from ingestion.catalogue import api_tables

    graph = defs.resolve_asset_graph()
    for dataset, tables in api_tables().items():
        keys = {dg.AssetKey([dataset, t]) for t in tables}
        assert keys <= graph.get_all_asset_keys()
        ad = next(a for a in graph.assets_defs if a.is_executable and a.op.name == f"ingest_{dataset}")
        assert set(ad.keys) == keys and ad.op.pool == "warehouse"
        assert all(set(ad.specs_by_key[k].kinds) == {"dlt", "duckdb"} for k in keys)
        assert {graph.get(k).group_name for k in keys} == {f"ingest_{dataset}"}
    # every dbt source of these datasets is one of the ingest assets' tables (no dangling external asset)
    dangling = [
        k.to_user_string()
        for k in graph.get_all_asset_keys()
        if k.path[0] in api_tables() and not graph.get(k).is_executable
    ]
    assert dangling == []


def test_business_kpi_asset_is_the_dbt_source_key(defs):
    graph = defs.resolve_asset_graph()
    key = dg.AssetKey(["business_kpis", "daily_volumes"])
    node = graph.get(key)
    assert node.is_executable and node.group_name == "ingest_business_kpis"
    ad = next(a for a in graph.assets_defs if a.is_executable and a.op.name == "ingest_business_kpis")
    assert set(ad.keys) == {key, dg.AssetKey(["business_kpis", "quarantine"])} and ad.op.pool == "warehouse"
    assert "no_quarantined_rows" in {k.name for k in graph.asset_check_keys}
    parents = {p.to_user_string() for p in graph.get(dg.AssetKey("stg_business_kpis__daily_volumes")).parent_keys}
    assert parents == {"business_kpis/daily_volumes"}


def test_warehouse_writers_share_one_pool(defs):
    for ad in defs.resolve_asset_graph().assets_defs:
        if ad.is_executable and ad.op.name.startswith(("ingest_", "finops_dbt", "metric_tables", "bi_publication")):
            assert ad.op.pool == "warehouse", ad.op.name


def test_checks_schedule_and_sensor(defs):
    graph = defs.resolve_asset_graph()
    check_names = {k.name for k in graph.asset_check_keys}
    assert "focus_1_2_conformance" in check_names
    assert "no_quarantined_deliveries" in check_names
    assert any(n.startswith("not_null_fct_charges") for n in check_names)  # dbt tests arrive as checks
    assert defs.get_schedule_def("daily_refresh").cron_schedule == "0 6 * * *"
    assert defs.get_sensor_def("landing_zone_sensor") is not None


def test_groups_tell_the_flow(defs):
    """Groups by rule (FinopsDbtTranslator: the dbt folder), read as the flow: ingest_<dataset> and reference_data ->
    staging -> intermediate -> marts_<domain> -> outputs (metrics, publication, monthly_close); MetricFlow's time
    spine in semantic; the domain folder is the tag ``domain``."""
    graph = defs.resolve_asset_graph()
    group = {k.to_user_string(): graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert group["stg_aws_cur__line_items"] == "staging"
    assert group["int_charges_unioned"] == "intermediate"
    assert group["fct_charges"] == "marts_finops"
    assert group["aws_cur/line_items"] == "ingest_aws_cur"
    assert group["aws_cur/quarantine"] == "ingest_aws_cur"
    assert group["budgets"] == group["aws_service_categories"] == "reference_data"  # every seed
    assert group["bi_publication"] == "publication" and group["close_pack"] == "monthly_close"
    assert group["metrics/monthly_cost"] == "metrics" and group["metricflow_time_spine"] == "semantic"
    layers = {"staging", "intermediate", "reference_data", "semantic", "metrics", "publication", "monthly_close"}
    assert all(g in layers or g.startswith(("ingest_", "marts_")) for g in group.values()), sorted(set(group.values()))
    assert graph.get(dg.AssetKey("budgets")).tags["domain"] == "governance"
    assert graph.get(dg.AssetKey("stg_aws_cur__line_items")).tags["domain"] == "aws_cur"


def test_quarantine_tables_are_materialized_by_their_ingest_step(defs):
    """Every ``<dataset>.quarantine`` the quarantine view reads is an asset its loader's step materializes (not an
    external asset left "Missing" after a successful run)."""
    graph = defs.resolve_asset_graph()
    quarantines = {k for k in graph.get_all_asset_keys() if k.path[-1] == "quarantine"}
    assert {
        dg.AssetKey([ds, "quarantine"]) for ds in (*catalogue.raw_tables(), "finance", "business_kpis")
    } <= quarantines
    for key in quarantines:
        assert graph.get(key).is_materializable, key
        step = next(a for a in graph.assets_defs if key in a.keys)
        assert step.op.name == f"ingest_{key.path[0]}"
    upstream = dg.AssetSelection.assets(dg.AssetKey("fct_quarantined_records")).upstream().resolve(graph)
    assert quarantines <= upstream


def test_landing_sensor_requests_a_run_for_new_and_redelivered_exports(tmp_path, monkeypatch):
    import os
    import time

    from orchestration.defs.automation.sensors import landing_zone_sensor
    from orchestration.lib.resources import LandingResource

    resources = {"landing": LandingResource()}
    monkeypatch.setenv("FINOPS_LANDING", str(tmp_path))  # read when the sensor evaluates, not when it is defined
    f = tmp_path / "gcp/exp/invoice_month=202610/part-0.json"
    f.parent.mkdir(parents=True)
    f.write_text('{"cost": 1}\n')
    os.utime(f, (time.time() - 100, time.time() - 100))

    ctx = dg.build_sensor_context(cursor=None, resources=resources)
    first = landing_zone_sensor(ctx)
    assert isinstance(first, dg.RunRequest)
    assert first.tags["finops/changed_deliveries"] == "gcp/exp|2026-10"
    again = landing_zone_sensor(dg.build_sensor_context(cursor=ctx.cursor, resources=resources))
    assert isinstance(again, dg.SkipReason)  # nothing new: no run

    f.write_text('{"cost": 2}\n')  # the provider restates the month in place
    ctx2 = dg.build_sensor_context(cursor=ctx.cursor, resources=resources)
    restated = landing_zone_sensor(ctx2)
    assert isinstance(restated, dg.RunRequest) and restated.run_key != first.run_key
