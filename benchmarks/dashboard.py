"""Page timings of the dashboard in a real browser (Playwright driving Debian's chromium), and the browser plumbing the
dashboard tests share (tests/dashboard/).

    python -m benchmarks.dashboard [--published PATH | --warehouse PATH [--metrics]] [--sessions 20] [--rounds 3]
                                   [--results PATH]
    make bench BENCH_ARGS="--dashboard PATH ..."    (the same, after the scale benchmark; results["dashboard"])

On the 10M-row benchmark warehouse: ``make bench BENCH_ARGS="--sizes 10M --skip-peer --no-incremental --keep"``
keeps it at ``benchmarks/data/run/warehouse.duckdb`` (the dbt models only: no metric tables, no AI or finance data);
``--warehouse benchmarks/data/run/warehouse.duckdb`` publishes it (``<its dir>/published/finops_bi.duckdb``) and times
the pages on that copy, and ``--metrics`` first writes the metric tables into it (those whose marts it has), as a
``finops run`` would. Without ``--metrics`` the pages that read metric tables show their empty states.

First the queries alone (``queries``): every figure a page reads, run once on the published copy without the app
(the seconds per page, no cache), so that the page times can be told apart from query time on a loaded machine.
Then for each page: **cold** (the first visit after the server started: queries run, nothing cached), then **warm**
(``--rounds`` further visits in fresh browser tabs, the figure is their median and max). The time is from
navigation to the last chart drawn: Streamlit's script has finished (``stApp[data-test-script-state=notRunning]``),
no skeleton is left and every vega-lite chart has its canvas, stable for :data:`SETTLE_S`; the figure is when that
state was first reached (the settle wait is not counted). Then ``--sessions`` browser sessions (one chromium, a context
each) open every page at the same time; every page must render with no exception in every session.
Writes ``benchmarks/results/dashboard.json`` (or ``--results``).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SETTLE_S = 0.3
PAGE_TIMEOUT_S = 60.0
TARGET_WARM_S = 2.0
# url path of every page ("" = the default page, the executive summary), in the sidebar's order
PAGES = (
    "",
    "ai-models",
    "showback",
    "budgets",
    "anomalies",
    "waste",
    "shadow-ai",
    "contracts",
    "reconciliation",
    "data-health",
)

STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
  let drawn = 0;
  charts.forEach(c => { if (c.querySelector('canvas, svg')) drawn++; });
  return {
    script: app ? app.getAttribute('data-test-script-state') : null,
    charts: charts.length,
    drawn: drawn,
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
    titles: document.querySelectorAll('h1').length,
  };
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(published: Path, port: int | None = None, log: Path | None = None) -> Iterator[str]:
    """Run the dashboard on ``published`` (a published copy) on a free local port; yields its base URL."""
    from dashboard import DB_ENV, streamlit_command

    port = port or free_port()
    env = {**os.environ, DB_ENV: str(published), "PYTHONPATH": str(REPO)}
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        streamlit_command("127.0.0.1", port), env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        import urllib.request

        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the dashboard exited with {proc.returncode} (log: {log})")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not answer on {base} within 60 s (log: {log})")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def launch(playwright):
    """Debian's chromium (CI installs it); headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])


def wait_ready(page, timeout_s: float = PAGE_TIMEOUT_S, started: float | None = None) -> tuple[float, dict]:
    """Wait until the page's script has finished and every chart is drawn (stable for :data:`SETTLE_S`); return the
    seconds from ``started`` (default: now) to when that state was first reached, and the state."""
    started = time.monotonic() if started is None else started
    deadline = started + timeout_s
    ready_since: float | None = None
    last: dict | None = None
    while True:
        state = page.evaluate(STATE_JS)
        now = time.monotonic()
        ready = _ready(state)
        if ready and state == last and ready_since is not None:
            if now - ready_since >= SETTLE_S:
                return ready_since - started, state
        elif ready:
            ready_since = now
        else:
            ready_since = None
        last = state
        if now > deadline:
            raise TimeoutError(f"{page.url} not ready after {timeout_s:.0f} s: {state}")
        time.sleep(0.02)


def open_page(context, base: str, path: str, timeout_s: float = PAGE_TIMEOUT_S) -> tuple[Any, float, dict]:
    """A new tab on ``base/path``; (the page, seconds to the last chart drawn, its state)."""
    page = context.new_page()
    started = time.monotonic()
    page.goto(f"{base}/{path}", wait_until="commit")
    seconds, state = wait_ready(page, timeout_s, started)
    return page, seconds, state


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the viewport is made as tall as that block."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stSidebar"]\')]'
        ".map(e => e.scrollHeight), 800)"
    )
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 8000)})
    wait_ready(page)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def time_pages(base: str, rounds: int = 3) -> dict[str, dict]:
    """Cold then warm (``rounds`` visits, fresh tab each) time to the last chart drawn, per page."""
    from playwright.sync_api import sync_playwright

    out: dict[str, dict] = {}
    with sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        for path in PAGES:
            page, cold, state = open_page(context, base, path)
            page.close()
            warm = []
            for _ in range(rounds):
                page, seconds, state = open_page(context, base, path)
                warm.append(seconds)
                page.close()
            out[path or "summary"] = {
                "cold_s": round(cold, 3),
                "warm_median_s": round(statistics.median(warm), 3),
                "warm_max_s": round(max(warm), 3),
                "charts": state["charts"],
                "exceptions": state["exceptions"],
            }
        browser.close()
    return out


def time_queries(published: Path) -> dict[str, dict]:
    """Every figure each page reads (the figure names its source mentions), run once on ``published`` in this
    process with the default filters (the latest billing period): seconds per page and per figure, no cache."""
    import inspect
    import re

    import duckdb

    from dashboard import pages
    from dashboard import queries as q

    out: dict[str, dict] = {}
    with duckdb.connect(str(published), read_only=True) as con:
        try:
            latest = q.FIGURES["periods"].fn(con).iloc[0, 0]
        except (q.MissingData, IndexError):
            latest = None
        f = q.Filters(period=latest)
        for path, _title, fn in pages.PAGES:
            names = dict.fromkeys(n for n in re.findall(r'"([a-z_]+)"', inspect.getsource(fn)) if n in q.FIGURES)
            figures: dict[str, float | None] = {}
            for name in names:
                started = time.perf_counter()
                try:
                    q.FIGURES[name].fn(con.cursor(), f)
                except q.MissingData:
                    figures[name] = None  # the page shows its empty state
                    continue
                figures[name] = round(time.perf_counter() - started, 4)
            out[path or "summary"] = {
                "query_s": round(sum(v for v in figures.values() if v is not None), 3),
                "figures": figures,
            }
    return out


def materialise_metrics(warehouse: Path) -> dict[str, int | str]:
    """The metric tables of :data:`serving.metrics.ALL_TABLES` written into ``warehouse`` (as ``finops run``'s
    metrics group does), each on its own: a table whose marts the warehouse lacks is skipped, with the reason."""
    from orchestration.lib.dbt import prepare_dbt_project
    from serving.metrics import ALL_TABLES, MetricsError, SemanticLayer, materialise

    prepare_dbt_project()  # the semantic manifest
    layer = SemanticLayer()
    done: dict[str, int | str] = {}
    for table in ALL_TABLES:
        try:
            done.update(materialise(warehouse, [table], layer).tables)
        except MetricsError as e:
            done[table.relation] = f"skipped: {str(e).splitlines()[0][:200]}"
    return done


def _ready(state: dict) -> bool:
    return (
        state["script"] == "notRunning"
        and state["titles"] > 0
        and state["skeletons"] == 0
        and state["drawn"] == state["charts"]
    )


async def _open_page_async(context, base: str, path: str, timeout_s: float) -> tuple[float, dict]:
    """:func:`open_page` for the async API (the concurrent run): seconds to the last chart drawn, and the state."""
    import asyncio

    page = await context.new_page()
    started = time.monotonic()
    try:
        await page.goto(f"{base}/{path}", wait_until="commit", timeout=timeout_s * 1000)
        ready_since, last = None, None
        while True:
            state = await page.evaluate(STATE_JS)
            now = time.monotonic()
            if _ready(state) and state == last and ready_since is not None:
                if now - ready_since >= SETTLE_S:
                    return ready_since - started, state
            elif _ready(state):
                ready_since = now
            else:
                ready_since = None
            last = state
            if now - started > timeout_s:
                raise TimeoutError(f"/{path} not ready after {timeout_s:.0f} s: {state}")
            await asyncio.sleep(0.05)
    finally:
        await page.close()


def concurrent_sessions(base: str, sessions: int = 20, timeout_s: float = 300) -> dict:
    """``sessions`` browser sessions (one chromium, a context each: own cookies, own Streamlit session) open every
    page at the same time, each starting on another page; the wall time, the page times and every error (a timeout
    or an exception shown on a page)."""
    import asyncio

    from playwright.async_api import async_playwright

    errors: list[str] = []
    times: list[float] = []

    async def session(browser, i: int) -> None:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            for k in range(len(PAGES)):
                path = PAGES[(i + k) % len(PAGES)]
                try:
                    seconds, state = await _open_page_async(context, base, path, timeout_s)
                except Exception as e:  # noqa: BLE001 - every failure is reported
                    errors.append(f"session {i} /{path}: {type(e).__name__}: {e}")
                    continue
                times.append(seconds)
                if state["exceptions"]:
                    errors.append(f"session {i} /{path}: {state['exceptions']} exception(s) on the page")
        finally:
            await context.close()

    async def run() -> None:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            await asyncio.gather(*(session(browser, i) for i in range(sessions)))
            await browser.close()

    started = time.monotonic()
    asyncio.run(run())
    return {
        "sessions": sessions,
        "page_views": len(times),
        "wall_s": round(time.monotonic() - started, 2),
        "page_median_s": round(statistics.median(times), 3) if times else None,
        "page_max_s": round(max(times), 3) if times else None,
        "errors": errors,
    }


def bench(
    published: Path,
    sessions: int = 20,
    rounds: int = 3,
    log: Path | None = None,
    pages: bool = True,
    browser: bool = True,
) -> dict:
    """Every figure of the dashboard benchmark on ``published``."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        try:
            focus_rows = con.execute("select count(*) from marts.fct_charges").fetchone()[0]
        except duckdb.CatalogException:
            focus_rows = None
    queries = time_queries(published)
    timed: dict[str, dict] = {}
    concurrent = None
    if browser:
        with serve(published, log=log) as base:
            timed = time_pages(base, rounds) if pages else {}
            concurrent = concurrent_sessions(base, sessions) if sessions else None
    warm = [p["warm_median_s"] for p in timed.values()] or [float("nan")]
    return {
        "published": str(published),
        "focus_rows": focus_rows,
        "queries": queries,
        "pages": timed,
        "warm_max_of_medians_s": max(warm),
        "target_warm_s": TARGET_WARM_S,
        "meets_target": max(warm) <= TARGET_WARM_S,
        "concurrent": concurrent,
        "method": "seconds from navigation to the last chart drawn (Streamlit script finished, every vega-lite "
        f"chart has its canvas, stable {SETTLE_S}s, settle not counted); cold = first visit after start, warm = "
        f"median of {rounds} later visits in fresh tabs; concurrent = {sessions} contexts of one chromium opening "
        "every page at once",
    }


def print_report(r: dict) -> None:
    rows = f"{r['focus_rows']:,}" if r["focus_rows"] is not None else "no"
    print(f"dashboard on {r['published']} ({rows} FOCUS rows)")
    if r["pages"]:
        print(f"  {'page':<16} {'query s':>7} {'cold s':>7} {'warm s':>7} {'max s':>7} {'charts':>6}")
    else:
        print(f"  {'page':<16} {'query s':>7}")
    for name, p in r["pages"].items():
        qs = r.get("queries", {}).get(name, {}).get("query_s", float("nan"))
        print(
            f"  {name:<16} {qs:>7.3f} {p['cold_s']:>7.2f} {p['warm_median_s']:>7.2f} {p['warm_max_s']:>7.2f} "
            f"{p['charts']:>6}"
        )
    if not r["pages"]:
        for name, p in r.get("queries", {}).items():
            print(f"  {name:<16} {p['query_s']:>7.3f}")
    if r["pages"]:
        verdict = "meets" if r["meets_target"] else "misses"
        slowest = r["warm_max_of_medians_s"]
        print(f"  slowest warm page {slowest:.2f} s: {verdict} the {r['target_warm_s']:.0f} s target")
    c = r.get("concurrent")
    if c:
        print(
            f"  {c['sessions']} concurrent sessions: {c['page_views']} page views in {c['wall_s']:.1f} s, page median "
            f"{c['page_median_s']} s, max {c['page_max_s']} s, {len(c['errors'])} errors"
        )
        for e in c["errors"][:10]:
            print(f"    {e}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__.split("\n\n")[0])
    ap.add_argument("--published", type=Path, default=None, help="published copy (default: that of FINOPS_WAREHOUSE)")
    ap.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="a warehouse to publish first and time (e.g. the 10M-row one `make bench BENCH_ARGS=--keep` leaves at "
        "benchmarks/data/run/warehouse.duckdb); its copy goes to <its dir>/published/finops_bi.duckdb",
    )
    ap.add_argument(
        "--metrics",
        action="store_true",
        help="with --warehouse: first write the metric tables into it (those whose marts it has), as `finops run`",
    )
    ap.add_argument("--queries-only", action="store_true", help="only the queries alone, no browser")
    ap.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions (0: skip)")
    ap.add_argument("--rounds", type=int, default=3, help="warm visits per page")
    ap.add_argument("--skip-pages", action="store_true", help="only the concurrent sessions")
    ap.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results" / "dashboard.json")
    args = ap.parse_args(argv)
    if not args.queries_only and not Path(CHROMIUM).exists():
        print(f"no chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 66
    from dashboard import published_copy

    extra: dict[str, Any] = {}
    if args.warehouse:
        from serving.publish import publish

        warehouse = args.warehouse.resolve()
        if not warehouse.exists():
            print(f"no warehouse at {warehouse}: `make bench BENCH_ARGS=--keep` leaves one", file=sys.stderr)
            return 66
        if args.metrics:
            print(f"writing the metric tables into {warehouse}", flush=True)
            extra["metrics"] = materialise_metrics(warehouse)
        report = publish(warehouse)
        print(report.summary(), flush=True)
        published = report.path
    else:
        published = (args.published or published_copy()).resolve()
    if not published.exists():
        print(f"no published copy at {published}: run `make demo` or `finops publish`", file=sys.stderr)
        return 66
    args.results.parent.mkdir(parents=True, exist_ok=True)
    if args.queries_only:
        args.sessions, args.skip_pages = 0, True
    r = bench(
        published,
        args.sessions,
        args.rounds,
        log=args.results.with_suffix(".log"),
        pages=not args.skip_pages,
        browser=not args.queries_only,
    )
    r.update(extra)
    r["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.results.write_text(json.dumps(r, indent=1))
    print_report(r)
    print(f"results: {args.results}")
    bad = r["concurrent"] and r["concurrent"]["errors"]
    return 1 if bad or any(p["exceptions"] for p in r["pages"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
