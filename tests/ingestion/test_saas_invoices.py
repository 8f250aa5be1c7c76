"""SaaS vendor invoices (dlt rest_api over a Stripe-style invoices API) against the local Stripe-style server
(real HTTP on 127.0.0.1): exact totals, cursor pagination of invoices and of lines, bad key, 429, look-back merge,
currency exponents, empty tables when not configured, the Dagster asset and the demo servers."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from finops_demo.vendor_servers._base import Faults
from finops_demo.vendor_servers.stripe import (
    DEMO_SAAS_KEYS,
    DEMO_SAAS_VENDORS,
    StripeServer,
    build_invoice,
    demo_invoices,
    demo_vendors_config,
    line_item,
    to_major,
    truth,
)
from ingestion._common.http import VendorApiError
from ingestion.saas_invoices import table_hints
from ingestion.saas_invoices.runner import ensure_saas_tables, load_saas_invoices
from tests.support import column_types, query

FAST = {"backoff_factor": 0.01, "max_retry_delay_s": 2, "request_timeout_s": 10}
KEY = "sk_test_acme_0123456789abcdef"
MAY = int(dt.datetime(2026, 5, 1, tzinfo=dt.UTC).timestamp())
DAY = 86_400


@pytest.fixture(autouse=True)
def _no_saas_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith("SOURCES__SAAS_INVOICES"):
            monkeypatch.delenv(k)


@pytest.fixture
def wh(tmp_path) -> str:
    return str(tmp_path / "wh" / "finops.duckdb")


def _sql(wh: str, q: str) -> list[tuple]:
    return query(wh, q)


def _lines(
    n: int, key: tuple, currency: str = "usd", unit_amount: str = "125", p0: int = MAY, p1: int = MAY + 30 * DAY
) -> list[dict]:
    return [
        line_item(
            key=(*key, i),
            description=f"item {i}",
            quantity=i + 1,
            unit_amount_decimal=unit_amount,
            currency=currency,
            period_start=p0,
            period_end=p1,
            product=f"product {i % 3}",
            usage_type="metered",
            line_type="usage",
            unit="Requests",
        )
        for i in range(n)
    ]


def _acme_invoices(n: int = 25, big_lines: int = 23, status_of_last: str = "paid") -> list[dict]:
    """n monthly-ish invoices of vendor Acme (one a day), the newest with ``big_lines`` lines."""
    out = []
    for i in range(n):
        created = MAY + i * DAY
        out.append(
            build_invoice(
                vendor="Acme",
                customer_key="Northwind",
                number=f"ACME-{i:04d}",
                currency="usd",
                created=created,
                period_start=created - 30 * DAY,
                period_end=created,
                lines=_lines(big_lines if i == n - 1 else 2 + i % 3, ("acme", i)),
                status=status_of_last if i == n - 1 else "paid",
                tax=(i * 7) % 50,
            )
        )
    return out


# ----------------------------------------------------------------------------------------------------------------------
# the demo vendors
# ----------------------------------------------------------------------------------------------------------------------
def test_demo_invoices_are_deterministic_and_sum_exactly():
    for vendor in DEMO_SAAS_VENDORS:
        invoices = demo_invoices(vendor)
        assert invoices == demo_invoices(vendor, 42) and invoices != demo_invoices(vendor, 7)
        assert [dt.datetime.fromtimestamp(i["created"], dt.UTC).strftime("%Y-%m-%d") for i in invoices] == [
            "2026-10-01",
            "2026-11-01",
        ]
        for inv in invoices:
            assert inv["status"] == "paid" and inv["tax"] == 0
            assert inv["subtotal"] == sum(li["amount"] for li in inv["lines"]["data"])
            assert inv["total"] == inv["subtotal"] + inv["tax"] == inv["amount_paid"]
    cursor_oct = demo_invoices("Cursor")[1]["lines"]["data"]
    assert [(li["metadata"].get("type"), li["amount"]) for li in cursor_oct if li["amount"] < 0] == [
        ("discount", -20000)
    ]
    plan = demo_invoices("ElevenLabs")[0]["lines"]["data"][0]
    assert plan["amount"] == 132000 and plan["metadata"]["pricing_currency"] == "Credits"
    assert Decimal(plan["metadata"]["pricing_currency_quantity"]) * Decimal(
        plan["metadata"]["pricing_currency_unit_price"]
    ) == Decimal(1320)
    assert {i["currency"] for i in demo_invoices("Mistral AI")} == {"eur"}


def test_demo_vendors_load_with_exact_totals_over_paginated_invoices_and_lines(wh):
    with StripeServer.demo() as srv:
        report = load_saas_invoices(wh, vendors=demo_vendors_config(srv), page_limit=1, **FAST)
        seen = list(srv.requests_seen)
    assert report.configured and report.vendors == list(DEMO_SAAS_VENDORS)
    assert report.rows == {"invoices": 6, "invoice_lines": 21}
    assert "3 vendor(s)" in report.summary() and "sk_" not in report.summary()
    loaded = {}
    for vendor, number, total in _sql(wh, "select vendor, number, total from saas_invoices.invoices"):
        loaded.setdefault(vendor, {})[number] = total
    assert loaded == truth()  # exact Decimals, per vendor and invoice
    # line amounts sum to each invoice's subtotal, to the cent
    assert _sql(
        wh,
        """select count(*) from saas_invoices.invoices i
                       join (select invoice_id, sum(amount) s from saas_invoices.invoice_lines group by 1) l
                         on l.invoice_id = i.id
                       where l.s <> i.subtotal or i.subtotal + i.tax <> i.total""",
    ) == [(0,)]
    # page_limit 1: the second invoice and every further line came from a starting_after page
    assert any(r.path.endswith("/v1/invoices") and "starting_after" in r.query for r in seen)
    assert any(r.path.endswith("/lines") and "starting_after" in r.query for r in seen)
    assert {r.query.get("limit", [None])[0] for r in seen} == {"1"}
    assert _sql(wh, "select currency, count(*) from saas_invoices.invoices group by 1 order by 1") == [
        ("EUR", 2),
        ("USD", 4),
    ]
    (disc,) = _sql(
        wh,
        """select amount, line_type, usage_type, quantity from saas_invoices.invoice_lines
                          where vendor = 'Cursor' and amount < 0""",
    )
    assert disc == (Decimal(-200), "discount", None, Decimal(1))
    seats = _sql(
        wh,
        """select quantity, unit_amount, amount, unit, usage_type from saas_invoices.invoice_lines
                        where vendor = 'Cursor' and line_type = 'seats'""",
    )
    assert set(seats) == {(Decimal(120), Decimal(40), Decimal(4800), "Seats", "licensed")}
    credits = _sql(
        wh,
        """select line_type, unit, pricing_currency, pricing_currency_unit_price,
                                 pricing_currency_quantity, unit_amount, usage_type
                          from saas_invoices.invoice_lines where vendor = 'ElevenLabs' order by line_type, amount""",
    )
    assert credits[0][:5] == ("credits", "Credits", "Credits", Decimal("0.00066"), Decimal(2_000_000))
    assert {c[:4] + (c[5], c[6]) for c in credits[2:]} == {
        ("overage", "Credits", "Credits", Decimal("0.00018"), Decimal("0.00018"), "metered")
    }
    assert _sql(
        wh,
        """select distinct unit, usage_type, line_type from saas_invoices.invoice_lines
                       where vendor = 'Mistral AI'""",
    ) == [("1000000 Tokens", "metered", "usage")]
    ((created, p0, p1),) = _sql(
        wh,
        """select min(created_at), min(period_start), max(period_end)
                                     from saas_invoices.invoices where vendor = 'Mistral AI'""",
    )
    assert (created.date(), p0, p1) == (
        dt.date(2026, 10, 1),
        dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    types = column_types(wh, "saas_invoices.invoice_lines")
    assert types["amount"] == types["unit_amount"] == types["pricing_currency_unit_price"] == "DECIMAL(38,10)"
    assert types["period_start"] == "TIMESTAMP WITH TIME ZONE" and types["proration"] == "BOOLEAN"


# ----------------------------------------------------------------------------------------------------------------------
# pagination, look-back, merge
# ----------------------------------------------------------------------------------------------------------------------
def test_many_invoices_and_more_than_ten_lines_page_through_and_a_second_run_only_merges_the_look_back(wh):
    invoices = _acme_invoices(status_of_last="open")
    with StripeServer({KEY: "acme"}, {"acme": invoices}) as srv:
        vendors = [{"name": "Acme", "base_url": srv.vendor_base_url("acme"), "api_key": KEY}]
        first = load_saas_invoices(wh, vendors=vendors, page_limit=7, lookback_days=3, **FAST)
        list_pages = [r for r in srv.requests_seen if r.path == "/acme/v1/invoices"]
        big = invoices[-1]["id"]
        big_pages = [r for r in srv.requests_seen if r.path == f"/acme/v1/invoices/{big}/lines"]
        assert first.rows == {"invoices": 25, "invoice_lines": sum(len(i["lines"]["data"]) for i in invoices)}
        assert len(list_pages) == 4 and len(big_pages) == 4  # 25 invoices / 7, 23 lines / 7
        assert _sql(
            wh, f"select count(*), sum(amount) from saas_invoices.invoice_lines where invoice_id = '{big}'"
        ) == [(23, sum(to_major(li["amount"], "usd") for li in invoices[-1]["lines"]["data"]))]
        assert _sql(wh, f"select status from saas_invoices.invoices where id = '{big}'") == [("open",)]

        # the newest invoice gets paid later: the look-back re-reads it (and the 3 days before), merged
        paid = _acme_invoices(status_of_last="paid")
        srv.set_invoices("acme", paid)
        srv.reset_log()
        second = load_saas_invoices(wh, vendors=vendors, page_limit=7, lookback_days=3, **FAST)
        (gte,) = {r.query["created[gte]"][0] for r in srv.requests_seen if r.path == "/acme/v1/invoices"}
        assert int(gte) == invoices[-1]["created"] - 3 * DAY
        assert second.rows["invoices"] == 4  # the look-back window only
        assert _sql(wh, f"select status from saas_invoices.invoices where id = '{big}'") == [("paid",)]
        assert _sql(wh, "select count(*), count(distinct id) from saas_invoices.invoices") == [(25, 25)]
        assert _sql(wh, "select count(*), count(distinct (invoice_id, id)) from saas_invoices.invoice_lines") == [
            (first.rows["invoice_lines"],) * 2
        ]
        total = sum((to_major(i["total"], "usd") for i in paid), Decimal(0))
        assert _sql(wh, "select sum(total) from saas_invoices.invoices") == [(total,)]


def test_server_lists_newest_first_with_stripe_cursors_and_embeds_at_most_ten_lines():
    import urllib.request

    invoices = _acme_invoices(n=5, big_lines=12)
    with StripeServer({KEY: "acme"}, {"acme": invoices}) as srv:

        def get(path: str) -> dict:
            req = urllib.request.Request(srv.vendor_base_url("acme") + path, headers={"Authorization": f"Bearer {KEY}"})
            return json.load(urllib.request.urlopen(req))

        page = get("/v1/invoices?limit=2")
        assert page["object"] == "list" and page["url"] == "/v1/invoices" and page["has_more"] is True
        assert [i["number"] for i in page["data"]] == ["ACME-0004", "ACME-0003"]
        nxt = get(f"/v1/invoices?limit=2&starting_after={page['data'][-1]['id']}")
        assert [i["number"] for i in nxt["data"]] == ["ACME-0002", "ACME-0001"]
        back = get(f"/v1/invoices?limit=2&ending_before={nxt['data'][0]['id']}")
        assert [i["number"] for i in back["data"]] == ["ACME-0004", "ACME-0003"] and back["has_more"] is False
        newest = page["data"][0]
        assert len(newest["lines"]["data"]) == 10 and newest["lines"]["has_more"] is True
        assert newest["lines"]["total_count"] == 12
        window = get(f"/v1/invoices?created[gte]={MAY + DAY}&created[lt]={MAY + 3 * DAY}")
        assert [i["number"] for i in window["data"]] == ["ACME-0002", "ACME-0001"]


# ----------------------------------------------------------------------------------------------------------------------
# errors and retries
# ----------------------------------------------------------------------------------------------------------------------
def test_a_rejected_key_names_the_vendor_and_the_variable_never_the_key(wh, monkeypatch, capfd):
    wrong = "sk_test_demo_cursor_REVOKED_987654"
    with StripeServer.demo() as srv:
        vendors = demo_vendors_config(srv)
        vendors[0]["api_key"] = wrong
        monkeypatch.setenv("SOURCES__SAAS_INVOICES__VENDORS", json.dumps(vendors))
        with pytest.raises(VendorApiError) as e:
            load_saas_invoices(wh, **FAST)
    msg = str(e.value)
    assert "'Cursor'" in msg and "HTTP 401" in msg and "SOURCES__SAAS_INVOICES__VENDORS" in msg, msg
    assert e.value.__cause__ is None and e.value.__suppress_context__
    out = capfd.readouterr()
    for text in (msg, repr(e.value), out.out, out.err):
        assert wrong not in text and DEMO_SAAS_KEYS["cursor"] not in text
    for f in Path(wh).parent.rglob("*"):
        if f.is_file() and f.suffix != ".duckdb":
            assert wrong.encode() not in f.read_bytes(), f


def test_rate_limits_are_retried_after_retry_after(wh):
    faults = Faults(rate_limit_every=2, retry_after_s=1)
    with StripeServer({KEY: "acme"}, {"acme": _acme_invoices(n=3, big_lines=3)}, faults=faults) as srv:
        vendors = [{"name": "Acme", "base_url": srv.vendor_base_url("acme"), "api_key": KEY}]
        report = load_saas_invoices(wh, vendors=vendors, **FAST)
        statuses = [r.status for r in srv.requests_seen]
    assert statuses.count(429) >= 2 and statuses[-1] == 200
    assert report.rows["invoices"] == 3


def test_bad_configuration_fails_before_any_request(wh):
    with pytest.raises(VendorApiError, match="not valid JSON"):
        load_saas_invoices(wh, vendors="[{not json")
    with pytest.raises(VendorApiError, match=r"no API key; set the api_key of entry 0") as e:
        load_saas_invoices(wh, vendors=[{"name": "Acme", "base_url": "http://127.0.0.1:9"}])
    assert "SOURCES__SAAS_INVOICES__VENDORS" in str(e.value)
    with pytest.raises(VendorApiError, match="base_url must be an http"):
        load_saas_invoices(wh, vendors=[{"name": "Acme", "base_url": "ftp://x", "api_key": KEY}])


# ----------------------------------------------------------------------------------------------------------------------
# currencies
# ----------------------------------------------------------------------------------------------------------------------
def test_amounts_use_the_currency_exponent(wh):
    jpy = build_invoice(
        vendor="Nihon AI",
        customer_key="Northwind",
        number="JP-0001",
        currency="jpy",
        created=MAY,
        period_start=MAY - 30 * DAY,
        period_end=MAY,
        tax=1_235,
        lines=[
            line_item(
                key=("jp", 1),
                description="API",
                quantity=3,
                unit_amount_decimal="4115",
                currency="jpy",
                period_start=MAY - 30 * DAY,
                period_end=MAY,
                product="api",
                usage_type="metered",
                line_type="usage",
                unit="1000000 Tokens",
            ),
            line_item(
                key=("jp", 2),
                description="half yen",
                quantity=2,
                unit_amount_decimal="0.5",
                currency="jpy",
                period_start=MAY - 30 * DAY,
                period_end=MAY,
                product="tiny",
            ),
        ],
    )
    kwd = build_invoice(
        vendor="Gulf AI",
        customer_key="Northwind",
        number="KW-0001",
        currency="kwd",
        created=MAY,
        period_start=MAY - 30 * DAY,
        period_end=MAY,
        lines=[
            line_item(
                key=("kw", 1),
                description="seats",
                quantity=7,
                unit_amount_decimal="1250",
                currency="kwd",
                period_start=MAY - 30 * DAY,
                period_end=MAY,
                product="seats",
                line_type="seats",
                unit="Seats",
            )
        ],
    )
    with StripeServer({"sk_jp": "nihon", "sk_kw": "gulf"}, {"nihon": [jpy], "gulf": [kwd]}) as srv:
        vendors = [
            {"name": "Nihon AI", "base_url": srv.vendor_base_url("nihon"), "api_key": "sk_jp"},
            {"name": "Gulf AI", "base_url": srv.vendor_base_url("gulf"), "api_key": "sk_kw"},
        ]
        load_saas_invoices(wh, vendors=vendors, **FAST)
    assert _sql(wh, "select vendor, currency, subtotal, tax, total from saas_invoices.invoices order by 1") == [
        ("Gulf AI", "KWD", Decimal("8.750"), Decimal(0), Decimal("8.750")),
        ("Nihon AI", "JPY", Decimal(12_346), Decimal(1_235), Decimal(13_581)),
    ]
    assert _sql(wh, "select currency, unit_amount, amount from saas_invoices.invoice_lines order by 1, 2") == [
        ("JPY", Decimal("0.5"), Decimal(1)),
        ("JPY", Decimal(4115), Decimal(12_345)),
        ("KWD", Decimal("1.25"), Decimal("8.75")),
    ]


# ----------------------------------------------------------------------------------------------------------------------
# not configured, Dagster, demo servers
# ----------------------------------------------------------------------------------------------------------------------
def test_nothing_configured_creates_both_tables_empty_with_declared_columns(wh):
    report = load_saas_invoices(wh)
    assert not report.configured and "SOURCES__SAAS_INVOICES__VENDORS" in report.summary()
    assert sorted(report.tables_created) == ["saas_invoices.invoice_lines", "saas_invoices.invoices"]
    for table, hints in table_hints().items():
        cols = column_types(wh, f"saas_invoices.{table}")
        assert set(hints["columns"]) <= set(cols)
        assert _sql(wh, f"select count(*) from saas_invoices.{table}") == [(0,)]
    assert cols["pricing_currency_quantity"] == "DECIMAL(38,10)"
    assert ensure_saas_tables(wh) == [] and load_saas_invoices(wh).tables_created == []


def _materialize(instance: dg.DagsterInstance):
    from orchestration.defs.ingest.saas_invoices import ingest_saas_invoices
    from orchestration.lib.resources import finops_resources

    result = dg.materialize(
        [ingest_saas_invoices], instance=instance, raise_on_error=False, resources=finops_resources()
    )
    logs = [e.user_message for e in instance.all_logs(result.run_id)]
    meta = {
        m.asset_key.path[1]: {k: getattr(v, "value", v) for k, v in m.metadata.items()}
        for m in result.asset_materializations_for_node("ingest_saas_invoices")
    }
    return result, meta, logs


def test_dagster_asset_materializes_configured_and_not_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "wh" / "finops.duckdb"))
    instance = dg.DagsterInstance.ephemeral()
    result, meta, _ = _materialize(instance)
    assert result.success and set(meta) == {"invoices", "invoice_lines"}
    assert meta["invoices"]["configured"] is False and meta["invoices"]["created_empty"] is True
    assert "SOURCES__SAAS_INVOICES__VENDORS" in meta["invoice_lines"]["to_configure"]

    with StripeServer.demo() as srv:
        monkeypatch.setenv("SOURCES__SAAS_INVOICES__VENDORS", json.dumps(demo_vendors_config(srv)))
        monkeypatch.setenv("SOURCES__SAAS_INVOICES__BACKOFF_FACTOR", "0.01")
        result, meta, logs = _materialize(instance)
    assert result.success
    assert meta["invoices"]["rows_loaded"] == 6 and meta["invoice_lines"]["rows_loaded"] == 21
    assert meta["invoices"]["vendors"] == list(DEMO_SAAS_VENDORS)
    assert meta["invoice_lines"]["rows_by_vendor"] == {"Cursor": 5, "ElevenLabs": 4, "Mistral AI": 12}
    text = json.dumps([meta, logs], default=str)
    assert all(key not in text for key in DEMO_SAAS_KEYS.values())


def test_demo_vendor_servers_also_serve_the_saas_vendors_and_restore_the_environment(wh, monkeypatch):
    from finops_demo.vendor_servers.demo import demo_vendor_servers

    monkeypatch.setenv("SOURCES__SAAS_INVOICES__VENDORS", "[]")
    with demo_vendor_servers() as vendors:
        configured = json.loads(os.environ["SOURCES__SAAS_INVOICES__VENDORS"])
        assert [v["name"] for v in configured] == list(DEMO_SAAS_VENDORS)
        assert configured[0]["base_url"] == vendors.saas.vendor_base_url("cursor")
        assert "SOURCES__SAAS_INVOICES__VENDORS" in vendors.variables
        assert "Cursor" in vendors.describe() and "sk_" not in vendors.describe()
        report = load_saas_invoices(wh, **FAST)
        assert report.rows == {"invoices": 6, "invoice_lines": 21}
    assert os.environ["SOURCES__SAAS_INVOICES__VENDORS"] == "[]"
    assert "SOURCES__SAAS_INVOICES__START_DATE" not in os.environ
