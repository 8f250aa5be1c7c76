"""The price book fails closed: usage of a model (or token type) the price book cannot price blocks the build
with a test naming it, and its cost is never computed as zero."""

from __future__ import annotations

import duckdb
import pytest

from tests.support import run_dbt

pytestmark = pytest.mark.slow  # builds a dbt lineage or runs the pipeline

SELECT = [
    "--select",
    "+fct_ai_usage",
    "+assert_ai_usage_is_priced",
    "+focus_cost_and_usage",
    "--exclude-resource-type",
    "unit_test",
    "--indirect-selection",
    "cautious",
]


def _usage(wh, model: str, day: str = "2026-10-01") -> None:
    with duckdb.connect(str(wh)) as con:
        con.execute(
            "insert into openai_usage.completions_usage (organization, bucket_start_time, bucket_end_time, "
            "bucket_width, project_id, user_id, api_key_id, model, batch, service_tier, api_source, input_tokens, "
            "output_tokens, "
            "input_cached_tokens, input_audio_tokens, output_audio_tokens, num_model_requests, _dlt_load_id, _dlt_id) "
            f"values ('acme', timestamptz '{day} 00:00:00+00', timestamptz '{day} 00:00:00+00' + interval 1 day, "
            f"'1d', 'proj_1', '', 'key_1', '{model}', false, 'default', '', 2000000, 1000000, 500000, 0, 0, 10, "
            f"'1790000000.1', '{model}-{day}')"
        )


@pytest.fixture
def warehouse(tmp_path):
    from ingestion.catalogue import ensure_raw_tables

    wh = tmp_path / "finops.duckdb"
    ensure_raw_tables(str(wh))
    return wh


def test_known_model_is_priced(warehouse, tmp_path):
    _usage(warehouse, "gpt-4o-2024-08-06")
    run_dbt(["build", *SELECT], warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute(
            "select token_type, tokens, list_cost, contracted_cost, price_status from marts.fct_ai_usage "
            "where usage_unit = 'Tokens' order by token_type"
        ).fetchall()
    # 1.5M uncached input at list 2.50 (contract: fixed 2.00), 0.5M cached at 1.25, 1M output at 10 (contract 8)
    assert [(t, str(n), str(lc), str(cc), s) for t, n, lc, cc, s in rows] == [
        ("cache_read", "500000.0000000000", "0.6250000000", "0.6250000000", "priced"),
        ("input", "1500000.0000000000", "3.7500000000", "3.0000000000", "priced"),
        ("output", "1000000.0000000000", "10.0000000000", "8.0000000000", "priced"),
    ]


@pytest.mark.parametrize("model,day", [("gpt-unreleased-9", "2026-10-01"), ("gpt-4o-2024-08-06", "2024-01-01")])
def test_unpriced_usage_fails_the_build_and_is_never_priced_at_zero(warehouse, tmp_path, model, day):
    """An unknown model, or a day before the price book's first price, fails assert_ai_usage_is_priced."""
    _usage(warehouse, model, day)
    with pytest.raises(AssertionError, match="assert_ai_usage_is_priced"):
        run_dbt(["build", *SELECT], warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        # dbt skips the marts downstream of the failed test: nothing half-priced reaches BI
        marts = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        costs = con.execute(
            "select distinct price_status, list_cost, contracted_cost "
            "from intermediate.int_ai_usage_priced where usage_unit = 'Tokens'"
        ).fetchall()
        failing = con.execute(
            "select * from intermediate.int_ai_price_resolution where price_status <> 'priced'"
        ).fetchall()
    assert "fct_ai_usage" not in marts and "fct_ai_model_costs_daily" not in marts
    assert {c[1:] for c in costs} == {(None, None)}
    assert {c[0] for c in costs} <= {"unknown_model", "no_price"}
    assert {r[1] for r in failing} == {model}
