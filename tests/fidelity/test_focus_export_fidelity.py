"""Real-world fidelity of FOCUS exports: AWS's FOCUS 1.0 export traits, loaded through the real loader and dbt,
conform to FOCUS 1.2 as `finops validate-focus` counts it (focus-validator 2.2.1, all applicability criteria).

The fixtures (tests/fidelity/data/, see PROVENANCE.md there) are hand-made rows in AWS's FOCUS 1.0 columns, each
row reproducing one trait public FOCUS 1.0 exports show: the provider's regional legal entities as
InvoiceIssuerName (ProviderName 'AWS' in one file, 'Amazon Web Services' in the other), rows without a
BillingAccountName, units outside UnitFormat (GiB/Second-Months, MiB/Second-Months, Lambda-GB-Second, Hrs, GB-Mo;
'API Requests' is valid), empty ChargeDescriptions, commitment usage whose statuses are all 'Used'.
Expected amounts are read here from the CSVs with csv + Decimal, never from the warehouse.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from data_quality import focus as fc
from data_quality.focus import cli as focus_cli
from tests.support import ingest, run_dbt

pytestmark = pytest.mark.slow  # builds a dbt lineage or runs the pipeline

DATA = Path(__file__).parent / "data"
FILES = {  # fixture -> AWS Data Exports layout under the landing root (the second one gzipped, as AWS delivers)
    "aws_focus_1_0_emea_apac.csv": "aws/focus/northwind-emea/data/BILLING_PERIOD=2025-05/northwind-emea-00001.csv",
    "aws_focus_1_0_americas.csv": (
        "aws/focus/northwind-americas/data/BILLING_PERIOD=2025-05/northwind-americas-00001.csv.gz"
    ),
}
MART = "marts.focus_cost_and_usage"
STAGING = "intermediate.int_focus_exports__focus_charges"


def land(landing: Path) -> dict[str, Path]:
    out = {}
    for name, rel in FILES.items():
        dst = landing / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        data = (DATA / name).read_bytes()
        dst.write_bytes(gzip.compress(data) if rel.endswith(".gz") else data)
        out[name] = dst
    return out


def source_rows(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def source_totals() -> dict[str, tuple[Decimal, Decimal]]:
    """Σ BilledCost, Σ EffectiveCost per fixture, exactly (Decimal)."""
    out = {}
    for name in FILES:
        rows = source_rows(name)
        out[name] = (sum(Decimal(r["BilledCost"]) for r in rows), sum(Decimal(r["EffectiveCost"]) for r in rows))
    return out


def build(warehouse: Path, tmp: Path, tests: bool = True) -> Path:
    """What `finops run` does for these files: the raw tables of every source (empty but these), then dbt builds
    the FOCUS export (with every data test and unit test on the way; ``tests=False``: seeds and models alone). Returns
    a copy of the staging model and the FOCUS export (tables of the same names) in their own file: dbt, run in
    process, keeps the warehouse open, and the validator's export opens its file read-only, which DuckDB refuses
    next to that connection."""
    from ingestion.catalogue import ensure_raw_tables

    ensure_raw_tables(str(warehouse))
    no_tests = [] if tests else ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    run_dbt(
        ["build", "--select", "+focus_cost_and_usage", "--indirect-selection", "cautious", *no_tests], warehouse, tmp
    )
    out = tmp / f"{warehouse.stem}_record.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"ATTACH '{out}' AS rec")
        for rel in (STAGING, MART):
            schema, name = rel.split(".")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS rec.{schema}")
            con.execute(f"CREATE OR REPLACE TABLE rec.{schema}.{name} AS SELECT * FROM {rel}")
        con.execute("DETACH rec")
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("focus_fidelity")
    wh, landing = tmp / "wh.duckdb", tmp / "landing"
    files = land(landing)
    report = ingest(landing, wh)["focus_exports"]
    assert report.ok and not report.quarantined, report
    return {"wh": build(wh, tmp), "tmp": tmp, "files": files}


def query(wh: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def record(wh: Path, description_like: str) -> dict:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        cur = con.execute(f'select * from {MART} where "ChargeDescription" like ?', [description_like])
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    assert len(rows) == 1, (description_like, rows)
    return dict(zip(names, rows[0]))


# ----------------------------------------------------------------------------------------------- the mapping
def test_amounts_are_exact(pipeline):
    """BilledCost and EffectiveCost sums of each file = the source's, exactly (not only to the cent), in staging
    and in the FOCUS export; every source row is one record."""
    expected = source_totals()
    for layer in (STAGING, MART):
        src_col = "x_source_file" if layer == STAGING else '"x_SourceFile"'
        billed = "billed_cost" if layer == STAGING else '"BilledCost"'
        effective = "effective_cost" if layer == STAGING else '"EffectiveCost"'
        got = {
            f: (b, e, n)
            for f, b, e, n in query(
                pipeline["wh"], f"select {src_col}, sum({billed}), sum({effective}), count(*) from {layer} group by 1"
            )
        }
        for name, rel in FILES.items():
            b, e, n = got[rel]
            assert (Decimal(b), Decimal(e)) == expected[name], (layer, name)
            assert n == len(source_rows(name))


def test_provider_legal_entities_are_the_provider(pipeline):
    """AWS's own regional entities invoice as the provider (FOCUS origination scenario 1.1), whatever the
    spelling; the delivered entity is kept in x_SourceValues."""
    rows = query(pipeline["wh"], f'select "ProviderName", "InvoiceIssuerName", "x_SourceValues" from {MART}')
    delivered = defaultdict(set)
    for provider, issuer, values in rows:
        assert issuer == provider, (provider, issuer)
        delivered[provider].add(json.loads(values)["InvoiceIssuerName"])
    assert delivered == {
        "AWS": {
            "Amazon Web Services EMEA SARL",
            "Amazon Web Services Australia Pty Ltd",
            "Amazon Web Services India Private Limited",
            "Amazon Web Services Japan G.K.",
        },
        "Amazon Web Services": {"Amazon Web Services Canada, Inc.", "AWS Serviços Brasil Ltda."},
    }


def test_billing_account_names(pipeline):
    """No BillingAccountName is null: the name the provider gives the same account on other rows, else the id."""
    rows = query(
        pipeline["wh"],
        f'select "BillingAccountId", "BillingAccountName", "SubAccountName", "x_SourceValues" '
        f'from {MART} where "x_SourceFile" like ? order by "x_SourceRow"',
        ["%northwind-emea%"],
    )
    names = {(acct, name) for acct, name, _, _ in rows}
    assert names == {
        ("111122223333", "northwind-emea-payer"),
        ("444455556666", "444455556666"),
        ("777788889999", "northwind-india"),
        ("121212121212", "northwind-japan"),
    }
    filled = [json.loads(v) for acct, name, _, v in rows if v and "BillingAccountName" in json.loads(v)]
    assert len(filled) == 2 and all(v["BillingAccountName"] is None for v in filled)
    assert ("444455556666",) in {(r[2],) for r in rows}  # SubAccountName of the unnamed account: its id


def test_charge_descriptions_filled(pipeline):
    s3 = record(pipeline["wh"], "Amazon Simple Storage Service%")
    assert s3["ChargeDescription"] == "Amazon Simple Storage Service - EU-TimedStorage-ByteHrs (Usage)"
    assert json.loads(s3["x_SourceValues"])["ChargeDescription"] is None
    tax = record(pipeline["wh"], "Tax%")
    assert tax["ChargeDescription"] == "Tax (Tax)" and tax["BilledCost"] == Decimal("1.23456789")
    assert query(pipeline["wh"], f'select count(*) from {MART} where "ChargeDescription" is null') == [(0,)]


def test_units_in_unit_format_with_the_original_kept(pipeline):
    rows = query(pipeline["wh"], f'select "PricingUnit", "ConsumedUnit", "x_SourceValues" from {MART}')
    units = {(p, c) for p, c, _ in rows}
    assert units == {
        ("Hours", "Hours"),
        ("MiBps-Months", "MiBps-Months"),
        ("GB-Months", "GB-Months"),
        ("USD", None),
        ("Requests", "API Requests"),
        ("GB-Seconds", "GB-Seconds"),
        (None, None),
        ("GiBps-Months", "GiBps-Months"),
        ("Requests", "Requests"),
    }
    originals = defaultdict(set)
    for p, c, values in rows:
        v = json.loads(values) if values else {}
        if "ConsumedUnit" in v:
            originals[c].add(v["ConsumedUnit"])
        if "PricingUnit" in v:
            originals[p].add(v["PricingUnit"])
    assert originals == {
        "Hours": {"Hrs"},
        "MiBps-Months": {"MiB/Second-Months"},
        "GB-Months": {"GB-Mo"},
        "GB-Seconds": {"Lambda-GB-Second"},
        "GiBps-Months": {"GiB/Second-Months"},
    }


# ------------------------------------------------------------------------------------------- conformance
def _validate(pipeline, relation: str, work: str) -> fc.ConformanceReport:
    return fc.validate_focus(
        str(pipeline["wh"]), relation=relation, applicability="ALL", work_dir=pipeline["tmp"] / work
    )


@pytest.mark.slow
def test_real_world_traits_conform(pipeline):
    """The FOCUS export of both files: no conformance failure (leaf or OR rule, all applicability criteria),
    except the validator's known-wrong rules (the project's own checks, dbt tests, ran in the build)."""
    report = _validate(pipeline, MART, "validator")
    assert report.rows_exported == 11
    assert report.conformance_failure_ids == [], [(r.rule_id, r.message) for r in report.conformance_failures]
    for rule in (
        "BilledCost-C-005-C",
        "BillingAccountName-C-003-C",
        "ConsumedUnit-C-003-O",
        "PricingUnit-C-003-O",
        "ChargeDescription-C-003-O",
    ):
        assert rule not in report.failed_rule_ids, rule
    # the project's own FOCUS checks are dbt tests (tag focus_conformance): build() ran them on this warehouse


@pytest.mark.slow
def test_commitment_statuses_all_used_excused_only_when_used_or_unused(pipeline):
    """A dataset whose CommitmentDiscountStatus values are all 'Used' fails the validator's
    CommitmentDiscountStatus-C-005-M (its allowed values are Active/Expired/Pending); it is excused because every
    value is one the 1.2 spec allows. A value outside Used/Unused keeps the failure, and the dbt test
    in_focus_allowed_values finds it."""
    wh, tmp = pipeline["wh"], pipeline["tmp"]
    copy = tmp / "cd.duckdb"
    con = duckdb.connect(str(copy))
    try:
        con.execute(f"ATTACH '{wh}' AS src (READ_ONLY)")
        con.execute("CREATE SCHEMA marts")
        con.execute(f"CREATE TABLE {MART} AS SELECT * FROM src.{MART} WHERE \"CommitmentDiscountStatus\" = 'Used'")
        con.execute("DETACH src")
    finally:
        con.close()
    report = fc.validate_focus(str(copy), relation=MART, work_dir=tmp / "validator-cd")
    assert report.rows_exported == 1
    assert "CommitmentDiscountStatus-C-005-M" in report.failed_rule_ids
    assert report.allowed_values_excused == ["CommitmentDiscountStatus-C-005-M"]
    assert report.conformance_failure_ids == []

    # a status outside Used/Unused next to 'Used': the rule still fails and is no longer excused
    con = duckdb.connect(str(copy))
    con.execute(f"INSERT INTO {MART} SELECT * REPLACE ('Pausd' AS \"CommitmentDiscountStatus\") FROM {MART}")
    con.close()
    report = fc.validate_focus(str(copy), relation=MART, work_dir=tmp / "validator-cd2")
    assert report.allowed_values_excused == []
    assert "CommitmentDiscountStatus-C-005-M" in report.conformance_failure_ids
    with pytest.raises(AssertionError, match="in_focus_allowed_values"):
        run_dbt(["test", "--select", "tag:focus_conformance"], copy, tmp / "dbt-cd")
    # the validator's own list (Active) passes its rule: only the project's per-row check catches it
    con = duckdb.connect(str(copy))
    con.execute(f"UPDATE {MART} SET \"CommitmentDiscountStatus\" = 'Active'")
    con.close()
    with pytest.raises(AssertionError, match="in_focus_allowed_values"):
        run_dbt(["test", "--select", "tag:focus_conformance"], copy, tmp / "dbt-cd2")


# ------------------------------------------------------------------------------------------- empty record
def test_validate_focus_on_an_empty_record_says_so(tmp_path, capsys):
    """`finops validate-focus` on a warehouse without billing rows: 'no rows in focus_cost_and_usage', how to
    load some, exit code 3; the validator is not run (it would report 9 failures)."""
    wh = build(tmp_path / "empty.duckdb", tmp_path, tests=False)  # this test is about the empty record
    assert query(wh, f"select count(*) from {MART}") == [(0,)]
    assert focus_cli.main(["--warehouse", str(wh)]) == focus_cli.EXIT_NO_ROWS == 3
    err = capsys.readouterr().err
    assert "no rows in focus_cost_and_usage" in err and "finops load PATH" in err
    with pytest.raises(fc.EmptyFocusDataset, match="no rows in focus_cost_and_usage"):
        fc.validate_focus(str(wh), relation=MART, work_dir=tmp_path / "wd")
    assert not (tmp_path / "wd" / "junit.xml").exists()
