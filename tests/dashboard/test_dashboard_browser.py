"""The dashboard in a real browser (Playwright driving Debian's chromium) over a published copy: every page renders
with no exception, the figures a page shows equal SQL on the published copy (written here, not the app's queries),
a drill-down reaches the FOCUS record's source file and row, and a copy with only a user's own export (no demo
extras) still renders every page with its empty states. A screenshot of every page is written (see conftest)."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from benchmarks.dashboard import PAGES, open_page, screenshot, serve
from tests.dashboard.conftest import focus_record_only

pytestmark = pytest.mark.slow

CENT = Decimal("0.01")
AI = "AI and Machine Learning"


def sql(published: Path, query: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(CENT):,.2f}"


def metric(page, label: str) -> str:
    """The value of the st.metric whose label starts with ``label``."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    assert box.count() >= 1, (
        f"no metric {label!r} on {page.url}: {page.locator('[data-testid=stMetric]').all_inner_texts()}"
    )
    return box.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.all_inner_texts()
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, body[:3000]


def test_every_page_renders_with_charts_and_a_screenshot(browser, app, context, artifacts):
    for path in PAGES:
        page, seconds, state = open_page(context, app, path)
        assert_no_exception(page)
        assert state["charts"] >= 1, f"/{path}: no chart drawn ({state})"
        assert state["charts"] == state["drawn"]
        screenshot(page, artifacts / f"{path or 'summary'}.png")
        page.close()
    assert len(list(artifacts.glob("*.png"))) == len(PAGES)


def test_summary_shows_the_latest_months_effective_cost_and_ai_share(browser, app, context, published):
    (period, currency, total, ai, previous) = sql(
        published,
        f"""
        with p as (
            select x_billing_period as period, any_value(x_reporting_currency) as cur, sum(x_reporting_effective_cost)
                as total, sum(x_reporting_effective_cost) filter (where service_category = '{AI}') as ai
            from marts.fct_charges group by 1
        )
        select period, cur, total, ai, (select total from p as q where q.period < p.period order by q.period desc
            limit 1)
        from p order by period desc limit 1
        """,
    )[0]
    page, _, _ = open_page(context, app, "")
    assert metric(page, f"Effective cost {period}") == money(total, currency)
    assert metric(page, "AI and ML cost") == money(ai, currency)
    assert metric(page, "AI share of effective cost") == f"{ai / total * 100:.1f} %"
    if previous is not None:
        assert metric(page, "Month over month") == money(total - previous, currency)
    page.close()


def test_provider_filter_from_the_url(browser, app, context, published):
    period, provider, currency, total = sql(
        published,
        "select x_billing_period, provider_name, any_value(x_reporting_currency), sum(x_reporting_effective_cost) "
        "from marts.fct_charges where x_billing_period = (select max(x_billing_period) from marts.fct_charges) "
        "group by all order by 4 desc limit 1",
    )[0]
    page, _, _ = open_page(context, app, f"?provider={provider}")
    assert metric(page, f"Effective cost {period}") == money(total, currency)
    page.close()


def test_showback_of_a_business_unit(browser, app, context, published):
    period, unit = sql(
        published,
        "select billing_period, business_unit from marts.fct_showback_monthly where business_unit <> 'unallocated' "
        "and billing_period = (select max(billing_period) from marts.fct_showback_monthly) "
        "group by all order by sum(allocated_effective_cost) desc limit 1",
    )[0]
    expected = sql(
        published,
        "select billing_currency, sum(allocated_effective_cost) from marts.fct_showback_monthly "
        "where billing_period = ? and business_unit = ? group by 1",
        [period, unit],
    )
    page, _, _ = open_page(context, app, f"showback?period={period}&business_unit={unit}")
    for currency, amount in expected:
        assert metric(page, f"{unit} ({currency})") == money(amount, currency)
    page.close()


def test_open_anomaly_count(browser, app, context, published):
    (n_open,) = sql(published, "select count(*) from marts.fct_anomaly_lifecycle where status <> 'resolved'")[0]
    page, _, _ = open_page(context, app, "anomalies")
    assert metric(page, "Open anomalies") == f"{n_open:,}"
    page.close()


def test_drill_down_to_the_focus_rows_downloads_as_csv(browser, app, context, published):
    period, provider, total, n = sql(
        published,
        'select "x_BillingPeriod", "ProviderName", sum("EffectiveCost"), count(*) from marts.focus_cost_and_usage '
        'where "x_BillingPeriod" = (select max("x_BillingPeriod") from marts.focus_cost_and_usage) '
        'group by all having count(*) < 5000 and count("x_SourceRow") = count(*) order by 4 desc limit 1',
    )[0]
    page, _, _ = open_page(context, app, f"?provider={provider}")
    drill = page.get_by_text("Drill down to the FOCUS rows (source file and row)").last
    drill.click()
    page.get_by_text("Load the FOCUS rows").last.click()
    page.get_by_text(f"{n:,} FOCUS rows").first.wait_for(timeout=60_000)
    with page.expect_download() as dl:
        # the open drill-down's button (the figures' own are in folded expanders)
        page.locator('[data-testid="stDownloadButton"]:visible').filter(has_text="Download CSV").last.click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == n
    assert {"x_SourceFile", "x_SourceRow"} <= set(rows[0])
    assert all(r["x_SourceFile"] and r["x_SourceRow"] for r in rows)  # a billing file's provider: file and row
    assert {r["ProviderName"] for r in rows} == {provider} and {r["x_BillingPeriod"] for r in rows} == {period}
    assert sum(Decimal(r["EffectiveCost"]) for r in rows).quantize(CENT) == total.quantize(CENT)
    page.close()


# a user's own export only: the FOCUS record and nothing the demo's extra sources (AI APIs, finance, KPIs, budgets)
# would fill; every mart built on them is gone from this copy
KEEP = {"fct_charges", "focus_cost_and_usage", "fct_quarantined_records"}


def test_own_export_only_renders_every_page_with_empty_states(browser, context, published, tmp_path, artifacts):
    own = tmp_path / "published" / "finops_bi.duckdb"
    own.parent.mkdir()
    shutil.copyfile(published, own)
    own.chmod(0o644)
    with duckdb.connect(str(own)) as con:
        for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall():
            if table not in KEEP:
                con.execute(f'drop table marts."{table}"')
        con.execute("drop schema reference cascade")
    with serve(own, log=tmp_path / "streamlit.log") as base:
        for path in PAGES:
            page, _, _ = open_page(context, base, path)
            assert_no_exception(page)
            if path in ("showback", "anomalies", "shadow-ai", "reconciliation"):
                text = page.locator("body").inner_text()
                assert "Not in the published copy yet" in text and "finops" in text, text[:2000]
            screenshot(page, artifacts / f"own-export-{path or 'summary'}.png")
            page.close()


def test_focus_record_without_metric_tables_renders_every_page_with_empty_states(
    browser, context, published, tmp_path, artifacts
):
    """The pages read the metric tables, never the FOCUS record: on a copy without them every page says what is
    missing and how to load it, and none raises."""
    own = focus_record_only(published, tmp_path)
    with serve(own, log=tmp_path / "streamlit.log") as base:
        for path in PAGES:
            page, _, _ = open_page(context, base, path)
            assert_no_exception(page)
            text = page.locator("body").inner_text()
            assert "Not in the published copy yet" in text and "finops run" in text, (path, text[:2000])
            screenshot(page, artifacts / f"focus-only-{path or 'summary'}.png")
            page.close()


def test_no_published_copy_says_what_to_run(browser, context, tmp_path):
    with serve(tmp_path / "published" / "finops_bi.duckdb", log=tmp_path / "streamlit.log") as base:
        page = context.new_page()
        page.goto(base)
        page.get_by_text("There is no published copy").wait_for(timeout=60_000)
        assert "make demo" in page.locator("body").inner_text()
        page.close()
