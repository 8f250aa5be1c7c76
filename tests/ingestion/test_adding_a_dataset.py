"""docs/adding-a-dataset.md, followed literally: its files (the ``title="ingestion/acme_cloud/..."`` code blocks) are
written into a temporary ``ingestion/acme_cloud/`` package, its catalogue line is added to
``catalogue.BILLING_DATASETS`` (the one registration step), and a file is loaded with it: rows, money to the cent, a
second run that loads nothing, a re-delivered period that replaces the old one, a bad value quarantined."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

import ingestion
from ingestion import catalogue
from ingestion._common.formats import BillingDataset

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "adding-a-dataset.md"
BLOCK = re.compile(r'^```python title="([^"]+)"\n(.*?)^```', re.MULTILINE | re.DOTALL)
HEADER = "AccountId,UsageDate,Service,Cost,Currency\n"


def recipe_blocks() -> dict[str, str]:
    """title -> code of the page's titled Python blocks."""
    return dict(BLOCK.findall(PAGE.read_text(encoding="utf-8")))


@pytest.fixture
def acme(tmp_path, monkeypatch):
    """The page's package, written under a temporary ``ingestion/`` and registered by the page's catalogue line."""
    blocks = recipe_blocks()
    package = {t: c for t, c in blocks.items() if t.startswith("ingestion/acme_cloud/")}
    assert sorted(package) == [
        f"ingestion/acme_cloud/{f}" for f in ("__init__.py", "__main__.py", "helpers.py", "settings.py")
    ]
    for title, code in package.items():
        path = tmp_path / "src" / title
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
    monkeypatch.setattr(ingestion, "__path__", [*ingestion.__path__, str(tmp_path / "src" / "ingestion")])
    from ingestion import acme_cloud

    # step 5: the line the page adds to BILLING_DATASETS
    line = blocks["ingestion/catalogue.py"].strip().rstrip(",")
    registered = eval(line, {"BillingDataset": BillingDataset, "acme_cloud": acme_cloud})  # the page's own line
    monkeypatch.setattr(catalogue, "BILLING_DATASETS", (*catalogue.BILLING_DATASETS, registered))
    yield acme_cloud
    for name in [m for m in sys.modules if m == "ingestion.acme_cloud" or m.startswith("ingestion.acme_cloud.")]:
        del sys.modules[name]


def _drop(landing: Path, rel: str, text: str) -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select account_id, usage_date::date::varchar, service, cost, billing_currency, "
            "x_billing_period from acme_cloud.charges order by all"
        ).fetchall()


def test_the_recipe_registers_the_dataset_everywhere(acme):
    assert acme.settings.DATASET in catalogue.datasets()
    assert catalogue.raw_tables()["acme_cloud"] == "charges"
    assert catalogue.by_id("acme_cloud_csv").dataset == "acme_cloud"
    assert catalogue.detect(HEADER.strip().split(","), "acme/x.csv").id == "acme_cloud_csv"
    # the existing formats still sniff first (the new format's priority is the default, 100)
    assert catalogue.formats()[-1].id == "acme_cloud_csv"


def test_the_recipe_loads_a_file(acme, tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "finops.duckdb"
    _drop(
        landing,
        "acme/2026-10/charges.csv",
        HEADER + "111,2026-10-01,compute,12.345,USD\n111,2026-10-02,storage,0.005,USD\n",
    )
    report = catalogue.load_dataset("acme_cloud", catalogue.plan(str(landing)), str(warehouse))
    assert report.ok and report.rows == 2 and len(report.deliveries_loaded) == 1
    assert _rows(warehouse) == [
        ("111", "2026-10-01", "compute", Decimal("12.3450000000"), "USD", "2026-10"),
        ("111", "2026-10-02", "storage", Decimal("0.0050000000"), "USD", "2026-10"),
    ]

    # a second run loads nothing
    again = catalogue.load_dataset("acme_cloud", catalogue.plan(str(landing)), str(warehouse))
    assert again.rows == 0 and again.deliveries_loaded == [] and again.deliveries_skipped == 1

    # the period re-delivered: replaces, never adds
    _drop(landing, "acme/2026-10/charges.csv", HEADER + "111,2026-10-01,compute,10.00,USD\n")
    redelivered = catalogue.load_dataset("acme_cloud", catalogue.plan(str(landing)), str(warehouse))
    assert redelivered.rows == 1
    assert _rows(warehouse) == [("111", "2026-10-01", "compute", Decimal("10.0000000000"), "USD", "2026-10")]


def test_the_recipe_quarantines_a_bad_value(acme, tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "finops.duckdb"
    _drop(landing, "acme/2026-11/charges.csv", HEADER + "111,2026-11-01,compute,twelve,USD\n")
    report = catalogue.load_dataset("acme_cloud", catalogue.plan(str(landing)), str(warehouse))
    assert not report.ok and report.rows == 0
    (err,) = report.quarantined
    assert err.file == "acme/2026-11/charges.csv" and err.field == "Cost" and "twelve" in str(err)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select source_file, field from acme_cloud.quarantine").fetchall() == [
            ("acme/2026-11/charges.csv", "Cost")
        ]
