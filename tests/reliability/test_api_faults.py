"""Vendor API faults, end to end through the real loaders (``load_api_dataset`` for OpenAI and Anthropic,
``load_saas_invoices`` for the Stripe-style SaaS invoices) against the local vendor servers (real HTTP), configured
only through the environment as in production (``SOURCES__*``; retries made fast with the sources' own settings).

* Transient faults (429 with ``Retry-After``, 500, a response slower than the client timeout, a page cut off once)
  are retried and the load then equals the server's truth to the cent.
* Persistent faults (a malformed JSON page, a truncated page, 500 forever, 429 forever) injected on an endpoint that
  comes after others were already extracted fail with an error naming the vendor, the endpoint, the page and what
  to do, in the one format of the shared HTTP client (``ingestion/_common/http.py``) for the three sources; nothing of
  the run is committed (every table, dlt's load log and state, and the cursor are exactly as the
  previous successful run left them, no package pending), and after the server recovers a re-run loads the truth
  exactly (nothing lost, nothing doubled), a further run changes nothing.

The ingestion unit tests (tests/ingestion/test_openai_usage.py, ...) check the messages of single faults on a bare
dlt pipeline; these go through the warehouse loaders and check what is left behind.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from finops_demo.vendor_servers._base import Faults, VendorServer
from finops_demo.vendor_servers.anthropic import AnthropicServer
from finops_demo.vendor_servers.openai import OpenAIServer
from finops_demo.vendor_servers.stripe import DEMO_SAAS_VENDORS, StripeServer, demo_invoices, to_major
from ingestion._common.api_sources import RERUN_HINT, ApiSourceError
from ingestion._common.http import VendorApiError
from ingestion._common.source import make_pipeline
from ingestion.catalogue import load_api_dataset
from ingestion.saas_invoices.runner import load_saas_invoices
from tests.support import query

CENT = Decimal("0.01")
START = dt.date(2026, 10, 18)
MIDDLE = dt.date(2026, 10, 25)  # end (exclusive) of the first, successful run of the persistent-fault tests
END = dt.date(2026, 11, 1)
OPENAI_KEY = "sk-admin-reliability-openai-7f3a9c"
ANTHROPIC_KEYS = {
    "sk-ant-admin01-reliability-robotics-1b2c": "northwind-robotics",
    "sk-ant-admin01-reliability-research-3d4e": "northwind-research",
}
SAAS_KEYS = {slug: f"sk_test_reliability_{slug.replace('-', '_')}_5e6f" for slug in DEMO_SAAS_VENDORS.values()}
TIMEOUT_S, SLOW_S = 1.5, 2.5  # client timeout, and how long a slow response takes


def _utc(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


def _sql(warehouse: str, sql: str) -> list[tuple]:
    return query(warehouse, sql)


# ----------------------------------------------------------------------------------------------------------------------
# the three vendors: server, configuration (environment only), truth, loaded totals
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class Vendor:
    dataset: str
    server: VendorServer
    set_end: Callable[[dt.date], None]  # the load window ends (exclusive) at this date (SaaS: invoices so far)
    truth: Callable[[dt.date], dict[str, Decimal]]  # what the server bills up to that date, per organisation/vendor
    loaded: Callable[[str], dict[str, Decimal]]  # the same, as loaded into the warehouse
    later_path: str  # an endpoint / vendor extracted after others: the persistent faults hit its page 2
    names: tuple[str, ...]  # words the error message must contain: vendor, endpoint

    def load(self, warehouse: str) -> int:
        report = (
            load_saas_invoices(warehouse)
            if self.dataset == "saas_invoices"
            else load_api_dataset(self.dataset, warehouse)
        )
        assert report.configured
        return report.total_rows


def _fast_retries(monkeypatch, prefix: str, timeout_name: str, delay_name: str) -> None:
    monkeypatch.setenv(f"{prefix}__MAX_ATTEMPTS", "4")
    monkeypatch.setenv(f"{prefix}__BACKOFF_FACTOR", "0.01")
    monkeypatch.setenv(f"{prefix}__{delay_name}", "2")
    monkeypatch.setenv(f"{prefix}__{timeout_name}", str(TIMEOUT_S))


@pytest.fixture
def clean_env(monkeypatch):
    import os

    for k in list(os.environ):
        if k.startswith(("SOURCES__OPENAI_USAGE", "SOURCES__ANTHROPIC_USAGE", "SOURCES__SAAS_INVOICES")):
            monkeypatch.delenv(k)
    return monkeypatch


def _openai(monkeypatch) -> Iterator[Vendor]:
    p = "SOURCES__OPENAI_USAGE"
    with OpenAIServer({OPENAI_KEY: "northwind"}, seed=7) as srv:
        monkeypatch.setenv(
            f"{p}__ORGANIZATIONS", json.dumps([{"name": "northwind", "api_key": OPENAI_KEY, "base_url": srv.base_url}])
        )
        monkeypatch.setenv(f"{p}__START_DATE", START.isoformat())
        monkeypatch.setenv(f"{p}__PAGE_LIMIT", "5")  # 7 daily buckets: pages of 5 (page 2 exists everywhere)
        _fast_retries(monkeypatch, p, "REQUEST_TIMEOUT_S", "MAX_RETRY_DELAY_S")

        def loaded(wh: str) -> dict[str, Decimal]:
            return dict(_sql(wh, "select organization, sum(amount) from openai_usage.costs group by all"))

        yield Vendor(
            "openai_usage",
            srv,
            lambda end: monkeypatch.setenv(f"{p}__END_DATE", end.isoformat()),
            lambda end: {"northwind": srv.total_cost("northwind", _utc(START), _utc(end))},
            loaded,
            "/organization/costs",
            ("OpenAI", "northwind", "/organization/costs"),
        )


def _anthropic(monkeypatch) -> Iterator[Vendor]:
    p = "SOURCES__ANTHROPIC_USAGE"
    with AnthropicServer(ANTHROPIC_KEYS, seed=7) as srv:
        monkeypatch.setenv(
            f"{p}__ORGANIZATIONS",
            json.dumps(
                [{"name": org, "api_key": key, "base_url": srv.base_url} for key, org in ANTHROPIC_KEYS.items()]
            ),
        )
        monkeypatch.setenv(f"{p}__START_DATE", START.isoformat())
        monkeypatch.setenv(f"{p}__PAGE_SIZE", "3")
        _fast_retries(monkeypatch, p, "REQUEST_TIMEOUT", "MAX_RETRY_DELAY")

        def loaded(wh: str) -> dict[str, Decimal]:
            return dict(_sql(wh, "select organization_name, sum(amount) from anthropic_usage.costs group by all"))

        yield Vendor(
            "anthropic_usage",
            srv,
            lambda end: monkeypatch.setenv(f"{p}__END_DATE", end.isoformat()),
            lambda end: {org: srv.total_cost_cents(org, START, end) / 100 for org in ANTHROPIC_KEYS.values()},
            loaded,
            "/cost_report",
            ("Anthropic", "/v1/organizations/cost_report"),
        )


def _saas(monkeypatch) -> Iterator[Vendor]:
    p = "SOURCES__SAAS_INVOICES"
    invoices = {slug: demo_invoices(name, 7) for name, slug in DEMO_SAAS_VENDORS.items()}
    names = {slug: name for name, slug in DEMO_SAAS_VENDORS.items()}
    with StripeServer({key: slug for slug, key in SAAS_KEYS.items()}, invoices) as srv:
        monkeypatch.setenv(
            f"{p}__VENDORS",
            json.dumps(
                [
                    {"name": name, "base_url": srv.vendor_base_url(slug), "api_key": SAAS_KEYS[slug]}
                    for name, slug in DEMO_SAAS_VENDORS.items()
                ]
            ),
        )
        monkeypatch.setenv(f"{p}__PAGE_LIMIT", "1")  # one invoice / line per page: many pages
        _fast_retries(monkeypatch, p, "REQUEST_TIMEOUT_S", "MAX_RETRY_DELAY_S")

        def served_until(end: dt.date) -> dict[str, list[dict]]:
            # a month's invoice is issued in the early hours of the next month's 1st: the window ending on the
            # 1st includes it
            cut = _utc(end + dt.timedelta(days=1)).timestamp()
            return {slug: [i for i in inv if i["created"] < cut] for slug, inv in invoices.items()}

        def set_end(end: dt.date) -> None:  # the vendors have issued the invoices created before `end`
            for slug, inv in served_until(end).items():
                srv.set_invoices(slug, inv)

        def truth(end: dt.date) -> dict[str, Decimal]:
            return {
                names[slug]: sum((to_major(i["total"], i["currency"]) for i in inv), Decimal(0))
                for slug, inv in served_until(end).items()
                if inv
            }

        def loaded(wh: str) -> dict[str, Decimal]:
            # invoice totals, and the lines add up to them (each line read once: no doubled line)
            lines = dict(_sql(wh, "select vendor, sum(amount) from saas_invoices.invoice_lines group by all"))
            invoices_ = dict(_sql(wh, "select vendor, sum(total) from saas_invoices.invoices group by all"))
            subtotal = dict(_sql(wh, "select vendor, sum(subtotal) from saas_invoices.invoices group by all"))
            assert lines == subtotal, (lines, subtotal)
            return invoices_

        yield Vendor(
            "saas_invoices",
            srv,
            set_end,
            truth,
            loaded,
            "/mistral-ai/",
            ("SaaS vendor 'Mistral AI'", "/mistral-ai/v1/invoices"),
        )


VENDORS = {"openai": _openai, "anthropic": _anthropic, "saas": _saas}


@pytest.fixture(params=sorted(VENDORS))
def vendor(request, clean_env) -> Iterator[Vendor]:
    yield from VENDORS[request.param](clean_env)


def _cents(d: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: Decimal(v).quantize(CENT) for k, v in d.items()}


def _exact(vendor: Vendor, warehouse: str, end: dt.date) -> None:
    """Loaded totals equal the server's truth, exactly and to the cent."""
    truth, loaded = vendor.truth(end), vendor.loaded(warehouse)
    assert truth and all(v > 0 for v in truth.values())
    assert _cents(loaded) == _cents(truth)
    assert {k: Decimal(v) for k, v in loaded.items()} == {k: Decimal(v) for k, v in truth.items()}


def _snapshot(dataset: str, warehouse: str) -> dict[str, Any]:
    """Everything a load could commit: every table of the dataset (dlt's load log and state included) as
    (rows, checksum of its rows), and dlt's local pipeline state (the cursor)."""
    out: dict[str, Any] = {}
    with duckdb.connect(warehouse, read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [dataset]
            ).fetchall()
        ]
        for t in tables:
            out[t] = con.execute(f'select count(*), sum(hash(t)) from {dataset}."{t}" as t').fetchone()
    pipeline = make_pipeline(dataset, warehouse)
    assert not pipeline.has_pending_data, "a failed run left a load package behind"
    out["state"] = copy.deepcopy(pipeline.state.get("sources"))
    return out


# ----------------------------------------------------------------------------------------------------------------------
# transient faults: retried, then exact
# ----------------------------------------------------------------------------------------------------------------------
TRANSIENT = {
    "429": {"rate_limit_times": 2, "retry_after_s": 1},
    "500": {"fail_5xx_times": 2, "fail_5xx_status": 500},
    "timeout": {"delay_s": SLOW_S, "delay_times": 2},
    "truncated_once": {"truncate_page": 2, "page_fault_times": 1},
}


@pytest.mark.parametrize("fault", sorted(TRANSIENT))
def test_transient_faults_are_retried_and_the_load_equals_the_vendor_truth(vendor, fault, tmp_path):
    warehouse = str(tmp_path / "finops.duckdb")
    vendor.set_end(END)
    vendor.server.faults = Faults(**TRANSIENT[fault])
    t0 = time.monotonic()
    rows = vendor.load(warehouse)
    elapsed = time.monotonic() - t0
    statuses = [r.status for r in vendor.server.requests_seen]
    f = vendor.server.faults
    # the fault really happened, and was retried
    if fault == "429":
        assert statuses.count(429) == 2 and elapsed >= 2 * 1.0  # waited Retry-After each time
    elif fault == "500":
        assert statuses.count(500) == 2
    elif fault == "timeout":
        assert f.delay_times == 0 and elapsed >= TIMEOUT_S * 2  # two requests timed out on the client side
    else:
        assert f.page_fault_times == 0
    assert rows > 0 and statuses[-1] == 200
    _exact(vendor, warehouse, END)
    assert _snapshot(vendor.dataset, warehouse)["state"]  # the cursor was committed with the data


# ----------------------------------------------------------------------------------------------------------------------
# persistent faults: a clear error, nothing committed, a re-run after recovery is exact
# ----------------------------------------------------------------------------------------------------------------------
PERSISTENT = {
    "malformed JSON": ({"malformed_json_on_page": 2}, ("malformed JSON", "not valid JSON")),
    "truncated page": ({"truncate_page": 2}, ("truncated page",)),
    "500 forever": ({"fail_5xx_times": 10**9, "fail_5xx_status": 500}, ("HTTP 500 after 4 attempts",)),
    # Retry-After: 0 is no wait (dlt then backs off exponentially): the rate limit outlasts the retries
    "429 forever": ({"rate_limit_times": 10**9, "retry_after_s": 0}, ("HTTP 429 after 4 attempts", "rate limited")),
}
# every REST source's error starts alike (the shared client's mapping): who, which request, which page
WHERE = re.compile(r"(OpenAI organisation|Anthropic organisation|SaaS vendor) '[^']+', GET /\S+, page \d+: ")


@pytest.mark.slow
def test_persistent_faults_fail_clearly_commit_nothing_and_the_rerun_after_recovery_is_exact(vendor, tmp_path):
    warehouse = str(tmp_path / "finops.duckdb")
    error = VendorApiError if vendor.dataset == "saas_invoices" else ApiSourceError
    vendor.set_end(MIDDLE)  # a first, successful run
    assert vendor.load(warehouse) > 0
    _exact(vendor, warehouse, MIDDLE)
    before = _snapshot(vendor.dataset, warehouse)

    vendor.set_end(END)  # a week later: new buckets / invoices to fetch
    for name, (faults, words) in PERSISTENT.items():
        vendor.server.faults = Faults(path_contains=vendor.later_path, **faults)
        vendor.server.reset_log()
        with pytest.raises(error) as info:
            vendor.load(warehouse)
        msg = str(info.value)
        page = "page 1" if name.endswith("forever") else "page 2"  # 500/429 hit the endpoint's first request
        for word in (*vendor.names, page, RERUN_HINT):
            assert word in msg, f"{name}: {word!r} not in {msg!r}"
        assert WHERE.search(msg), f"{name}: not in the shared client's format: {msg!r}"
        assert any(w in msg for w in words), f"{name}: {msg!r}"
        # other endpoints / vendors were fetched before the failing one, and still nothing was committed
        assert any(vendor.later_path not in r.path and r.status == 200 for r in vendor.server.requests_seen)
        assert _snapshot(vendor.dataset, warehouse) == before, f"{name}: the failed run committed something"
        _exact(vendor, warehouse, MIDDLE)

    vendor.server.faults = Faults()  # the vendor recovers
    assert vendor.load(warehouse) > 0
    _exact(vendor, warehouse, END)  # nothing lost, nothing doubled
    after = _snapshot(vendor.dataset, warehouse)
    assert after["state"] != before["state"]  # the cursor moved on with the data
    vendor.load(warehouse)  # and a further run changes no total (API buckets unchanged: 0 rows; SaaS: re-merged)
    _exact(vendor, warehouse, END)
    if vendor.dataset != "saas_invoices":
        assert _snapshot(vendor.dataset, warehouse) == after
    else:
        assert _sql(warehouse, "select count(*) = count(distinct id) from saas_invoices.invoices") == [(True,)]
