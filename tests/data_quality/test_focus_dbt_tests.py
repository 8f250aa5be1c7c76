"""The project's own FOCUS checks, dbt tests tagged ``focus_conformance`` (dbt_project/tests/focus/ and the generic
test in_focus_allowed_values on the export's enumerated columns), run with dbt on the FOCUS fixture dataset
(tests/focus_fixture.py) as the relation marts.focus_cost_and_usage: they pass on it, and each mutation is reported
by the test that owns its rule, with the offending rows (``--store-failures``). One warehouse path for every run, so
dbt parses the project once (partial parsing)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.focus_fixture import ALL_COLUMNS, RELATION, build_fixture_warehouse, mutate
from tests.support import run_dbt

pytestmark = pytest.mark.slow  # runs dbt: the project's parse alone is ~20 s of CPU, then five `dbt test` runs

SELECT = ["test", "--select", "tag:focus_conformance", "--store-failures"]
AUDIT = "dbt_test__audit"


@pytest.fixture(scope="module")
def dbt_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("focus_dbt_tests")


def failures(tmp: Path, *statements: str, columns: list[tuple[str, str]] | None = None) -> dict[str, list[tuple]]:
    """Build the fixture (same path every time), apply ``statements``, run the tests; the stored failing rows per
    failing test (audit table name: the test's name)."""
    wh = tmp / "finops.duckdb"
    wh.unlink(missing_ok=True)
    build_fixture_warehouse(wh, columns=columns)
    if statements:
        mutate(wh, *statements)
    try:
        run_dbt(SELECT, wh, tmp)
    except AssertionError as exc:
        failed = str(exc)
    else:
        return {}
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(wh), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [AUDIT]
            ).fetchall()
        ]
        for table in tables:
            rows = con.execute(f'select * from "{AUDIT}"."{table}"').fetchall()
            if rows:
                out[table] = sorted(rows, key=repr)
    assert out, f"dbt failed without failing rows: {failed}"
    return out


def test_own_checks_pass_on_fixture(dbt_tmp: Path) -> None:
    assert failures(dbt_tmp) == {}


def test_own_checks_find_violations(dbt_tmp: Path) -> None:
    got = failures(
        dbt_tmp,
        # CapacityReservationStatus without id; CommitmentDiscountStatus null on committed usage
        f"UPDATE {RELATION} SET CapacityReservationStatus = 'Used' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET CapacityReservationStatus = NULL WHERE CapacityReservationId IS NOT NULL",
        f"UPDATE {RELATION} SET CommitmentDiscountStatus = NULL WHERE CommitmentDiscountStatus = 'Unused'",
        f"UPDATE {RELATION} SET CommitmentDiscountStatus = 'Used' WHERE ChargeCategory = 'Tax'",
        # invoice in two currencies, placeholders, bad enum values
        f"UPDATE {RELATION} SET BillingCurrency = 'EUR' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET ResourceName = 'N/A' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET RegionName = '' WHERE ChargeCategory = 'Purchase'",
        f"UPDATE {RELATION} SET ChargeCategory = 'Usages' WHERE ChargeCategory = 'Purchase'",
        # a custom column without x_ and one intermixed with FOCUS columns
        f"ALTER TABLE {RELATION} ADD COLUMN SourceSystem VARCHAR",
    )
    assert sorted(got["assert_focus_reservation_and_commitment_status"]) == [
        ("CapacityReservationStatus-C-003-C", 1),
        ("CapacityReservationStatus-C-004-C", 1),
        ("CommitmentDiscountStatus-C-003-C", 1),
        ("CommitmentDiscountStatus-C-004-C", 1),
    ]
    assert got["assert_focus_invoice_has_one_currency_and_issuer"] == [("BillingCurrency", "INV-2023-01-0001", 2)]
    assert got["assert_focus_no_placeholder_strings"] == [("RegionName", 1), ("ResourceName", 1)]
    (allowed,) = [rows for name, rows in got.items() if name.startswith("in_focus_allowed_values")]
    assert allowed == [("Usages", 1)]
    assert got["assert_focus_column_handling"] == [("custom column not prefixed x_", "SourceSystem")]
    assert len(got) == 5, sorted(got)


def test_own_checks_column_order_and_missing(dbt_tmp: Path) -> None:
    cols = [c for c in ALL_COLUMNS if c[0] != "Tags"]
    cols.insert(3, ("x_Early", "VARCHAR"))
    got = failures(dbt_tmp, columns=cols)
    assert sorted(got["assert_focus_column_handling"]) == [
        ("custom column before a FOCUS column", "x_Early"),
        ("missing FOCUS 1.2 column", "Tags"),
    ]


def test_own_checks_virtual_currency(dbt_tmp: Path) -> None:
    credits = f"UPDATE {RELATION} SET PricingCurrency = 'Credits' WHERE ChargeCategory = 'Purchase'"
    assert failures(dbt_tmp, credits) == {}
    got = failures(
        dbt_tmp,
        f"UPDATE {RELATION} SET PricingCurrency = 'Credits' WHERE ChargeCategory = 'Purchase'",
        f"UPDATE {RELATION} SET PricingCurrency = 'usd' WHERE ChargeCategory = 'Tax'",
        f"UPDATE {RELATION} SET BillingCurrency = 'Credits' WHERE ChargeCategory = 'Purchase'",
    )
    assert sorted(got["assert_focus_currency_format"], key=repr) == [
        ("BillingCurrency is a virtual currency", "Credits", 1),
        ("PricingCurrency neither an ISO 4217 code nor a virtual currency name", "usd", None),
    ]
