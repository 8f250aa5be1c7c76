"""Price book: the genai-prices snapshot is deterministic, equals the committed seed, prices usage exactly as the
package does, and builds into dim_model_prices with its data and unit tests."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.price_book import snapshot
from tests.support import DBT_DIR, run_dbt

SEED = DBT_DIR / "seeds" / "price_book" / "model_prices_list.csv"
OVERLAY = DBT_DIR / "seeds" / "price_book" / "model_prices_negotiated.csv"


def _seed_rows(path: Path = SEED) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _like_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE with escape character backslash -> Python regex."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _price_of(rows, vendor: str, model_ref: str, day: date) -> tuple[str, dict[str, Decimal]]:
    """What fct_ai_usage will do: first matching model (lowest match_rank), prices valid on the day."""
    ref = model_ref.lower()
    cands = [
        r
        for r in rows
        if r["vendor"] == vendor and any(_like_regex(p).fullmatch(ref) for p in r["model_match"].split("|"))
    ]
    assert cands, f"no price for {vendor} {model_ref}"
    best = min(int(r["match_rank"]) for r in cands)
    prices = {
        r["token_type"]: Decimal(r["price_per_million"])
        for r in cands
        if int(r["match_rank"]) == best
        and date.fromisoformat(r["valid_from"]) <= day
        and (not r["valid_to"] or day < date.fromisoformat(r["valid_to"]))
    }
    return next(r["model_id"] for r in cands if int(r["match_rank"]) == best), prices


@pytest.fixture(scope="module")
def committed():
    rows = _seed_rows()
    import genai_prices

    if rows[0]["source_version"] != genai_prices.__version__:
        pytest.skip(
            f"seed is from genai-prices {rows[0]['source_version']}, installed {genai_prices.__version__}: "
            "regenerate with python -m ingestion.price_book.snapshot"
        )
    return rows


def test_snapshot_is_deterministic_and_equals_committed_seed(committed, tmp_path):
    snap_day = date.fromisoformat(committed[0]["snapshot_date"])
    out = tmp_path / "model_prices_list.csv"
    assert snapshot.main(["--out", str(out), "--snapshot-date", snap_day.isoformat()]) == 0
    assert out.read_bytes() == SEED.read_bytes(), "committed seed differs from a fresh snapshot"
    assert snapshot.to_csv(snapshot.build_rows(snapshot_date=snap_day)) == SEED.read_bytes()
    # the CLI accepts our vendor names and the package's ids alike
    assert snapshot.resolve_providers(["aws-bedrock", "azure_openai", "google", "openai", "anthropic"]) == [
        "aws",
        "azure",
        "google",
        "openai",
        "anthropic",
    ]
    # shape: sorted, unique key, every vendor present, exact decimals, one snapshot
    keys = [(r["vendor"], r["model_id"], r["token_type"], r["valid_from"]) for r in committed]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert {r["vendor"] for r in committed} == set(snapshot.VENDORS.values())
    assert {r["currency"] for r in committed} == {"USD"}
    assert {r["pricing_unit"] for r in committed} == {"1000000 Tokens"}
    assert {r["snapshot_date"] for r in committed} == {snap_day.isoformat()}
    assert all(re.fullmatch(r"\d+(\.\d{1,10})?", r["price_per_million"]) for r in committed)


def test_match_rules_render_as_like():
    from genai_prices import types as t

    assert snapshot.render_match(
        t.ClauseOr(or_=[t.ClauseEquals(equals="GPT-4o"), t.ClauseStartsWith(starts_with="gpt-4o-2024")])
    ) == (["gpt-4o", "gpt-4o-2024%"], True)
    assert snapshot.render_match(t.ClauseRegex(regex=r"^claude-opus-5[-@]\d{8}$")) == (
        ["claude-opus-5_________"],
        False,
    )  # [-@] and \d{8} -> 9 x _
    assert snapshot.render_match(t.ClauseContains(contains="nova_pro")) == (["%nova\\_pro%"], True)


# (genai-prices provider, our vendor, model name as used in requests, request day)
KNOWN = [
    ("openai", "openai", "gpt-4o-2024-08-06", date(2026, 8, 1)),
    ("openai", "openai", "o3", date(2025, 6, 1)),  # before the o3 price cut of 2025-06-10: $10 / $40
    ("openai", "openai", "o3-2025-04-16", date(2025, 7, 1)),  # after: $2 / $8
    ("anthropic", "anthropic", "claude-sonnet-4-5-20250929", date(2026, 10, 1)),
    ("anthropic", "anthropic", "claude-opus-4-6", date(2026, 1, 15)),  # before its 2026-03-13 price list
    ("aws", "aws_bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", date(2026, 10, 1)),
    ("azure", "azure_openai", "gpt-4o", date(2026, 10, 1)),  # priced through the package's openai fallback
    ("google", "google_vertex", "gemini-2.5-pro", date(2026, 10, 1)),
]


@pytest.mark.parametrize(("provider_id", "vendor", "model_ref", "day"), KNOWN)
def test_known_prices_equal_genai_prices_to_the_cent(committed, provider_id, vendor, model_ref, day):
    from genai_prices import Usage, calc_price

    model_id, prices = _price_of(committed, vendor, model_ref, day)
    # below every long-context tier (200k input tokens); input_tokens includes cached tokens, as in genai-prices
    usage = {"input_tokens": 150_000, "output_tokens": 40_000}
    if "cache_read" in prices:
        usage["cache_read_tokens"] = 60_000
    if "cache_write" in prices:
        usage["cache_write_tokens"] = 20_000
    expected = calc_price(
        Usage(**usage),
        model_ref,
        provider_id=provider_id,
        genai_request_timestamp=datetime.combine(day, datetime.min.time(), UTC),
    )
    assert expected.model.id == model_id
    leaf = {
        "input": usage["input_tokens"] - usage.get("cache_read_tokens", 0) - usage.get("cache_write_tokens", 0),
        "output": usage["output_tokens"],
        "cache_read": usage.get("cache_read_tokens", 0),
        "cache_write": usage.get("cache_write_tokens", 0),
    }
    ours = sum(prices[k] * n for k, n in leaf.items() if n) / 1_000_000
    assert round(ours, 2) == round(expected.total_price, 2)
    assert ours == expected.total_price  # exact, not only to the cent


def test_known_list_prices(committed):
    assert _price_of(committed, "openai", "gpt-4o", date(2026, 1, 1))[1] == {
        "input": Decimal("2.5"),
        "output": Decimal(10),
        "cache_read": Decimal("1.25"),
    }
    assert _price_of(committed, "openai", "o3", date(2025, 6, 9))[1]["input"] == Decimal(10)
    assert _price_of(committed, "openai", "o3", date(2025, 6, 10))[1]["input"] == Decimal(2)


@pytest.mark.slow
def test_dbt_build_seeds_and_dim_model_prices(tmp_path):
    import duckdb

    wh = tmp_path / "w.duckdb"
    run_dbt(["build", "--select", "+dim_model_prices", "--indirect-selection", "cautious"], wh, tmp_path)
    con = duckdb.connect(str(wh))  # same configuration as the in-process dbt connection
    try:
        n_list = con.sql("select count(*) from reference.model_prices_list").fetchone()[0]
        n_overlay = con.sql("select count(*) from reference.model_prices_negotiated").fetchone()[0]
        assert n_list == len(_seed_rows()) and n_overlay == len(_seed_rows(OVERLAY))
        rows = con.sql("""
            select valid_from, valid_to, list_price_per_million, contracted_price_per_million, price_source
            from marts.dim_model_prices
            where vendor = 'openai' and model_id = 'gpt-4o' and token_type = 'input' order by valid_from
        """).fetchall()
        assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
            (date(2025, 5, 22), date(2026, 7, 1), Decimal("2.5"), "list"),
            (date(2026, 7, 1), date(2027, 1, 1), Decimal(2), "negotiated"),
            (date(2027, 1, 1), None, Decimal("2.5"), "list"),
        ]
        sonnet = con.sql("""
            select contracted_price_per_million, contract_ref from marts.dim_model_prices
            where vendor = 'anthropic' and model_id = 'claude-sonnet-4-5' and token_type = 'output'
              and valid_from <= date '2026-10-01' and (valid_to is null or valid_to > date '2026-10-01')
        """).fetchall()
        assert sonnet == [(Decimal("12.75"), "ANT-EA-2026-001")]  # $15 list - 15%
    finally:
        con.close()
