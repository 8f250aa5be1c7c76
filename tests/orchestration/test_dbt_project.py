"""The dbt project as a whole: contracts generated from the one column list, every dbt unit test, and an
empty build of every model (schemas and contracts) on a fresh warehouse."""

from __future__ import annotations

import importlib.util

import pytest

from tests.support import DBT_DIR, run_dbt


def _contracts_module():
    spec = importlib.util.spec_from_file_location("gen", DBT_DIR / "scripts" / "generate_mart_contracts.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_mart_contracts_match_the_focus_column_list():
    gen = _contracts_module()
    assert (DBT_DIR / "models/marts/finops/_finops__models.yml").read_text() == gen.render(), (
        "Run .venv/bin/python dbt_project/scripts/generate_mart_contracts.py"
    )
    names = [c[0] for c in gen.columns()]
    focus_ids = [c[1] for c in gen.columns()]
    first_custom = next(i for i, n in enumerate(focus_ids) if n.startswith("x_"))
    assert all(n.startswith("x_") for n in focus_ids[first_custom:]), "custom columns must come after FOCUS columns"
    assert len(set(names)) == len(names)
    assert first_custom == 57 + 8  # FOCUS 1.2 columns, then the FOCUS 1.3 additions


@pytest.mark.slow
def test_every_dbt_unit_test_passes_on_an_empty_warehouse(tmp_path):
    from ingestion import catalogue
    from ingestion.catalogue import api_tables, ensure_raw_tables

    wh = tmp_path / "wh.duckdb"
    # raw tables exist (empty) before the first delivery or API load: billing exports, vendor APIs, business KPIs,
    # finance (AP, cards, FX, ledger) and the SaaS invoice APIs
    other = sorted([*api_tables(), "business_kpis", "finance", "landing_zone", "saas_invoices"])
    assert ensure_raw_tables(str(wh)) == [*catalogue.datasets(), *other]
    run_dbt(
        ["build", "--empty", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"], wh, tmp_path
    )
    run_dbt(["test", "--select", "test_type:unit"], wh, tmp_path)
