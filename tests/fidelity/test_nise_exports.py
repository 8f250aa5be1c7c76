"""Real-world fidelity: billing exports written by an independent generator (Red Hat's koku-nise 5.4.4), loaded
exactly as it writes them, in the providers' own layouts.

koku-nise generates two days (2025-09-01..03) of each of these, with its CLI options, into a temporary landing
folder (local folders instead of buckets: nothing is uploaded)::

    nise report aws -s 2025-09-01 -e 2025-09-03 --aws-s3-bucket-name DIR --aws-s3-report-name nise-cur
        -> nise-cur/20250901-20251001/{nise-cur-Manifest.json, <assemblyId>/September-2025-nise-cur.csv.gz}
           (legacy CUR, gzip CSV, manifest whose reportKeys start with "/": a report without an S3 prefix)
    nise report aws-marketplace ... --aws-s3-report-name nise-cur   -> nise-cur-marketplace/..., same layout
    nise report azure -s ... -e ... --azure-container-name DIR --azure-report-name nise-costs
        -> nise-costs/20250901-20250930/costreport_<uuid>.csv (EA cost details)
    nise report azure -rg ...  (resource-group export: the same columns)
    nise report gcp -s ... -e ... --gcp-bucket-name DIR [-r]
        -> <etag>/202509_<etag>_2025-09-01:2025-09-03.csv (BigQuery export extract, CSV; -r: resource level,
           with resource.name and resource.global_name)

Random choices are seeded (``random`` and Faker), so every run writes the same rows. Each folder is loaded with
the project's loader (``plan`` + ``load_dataset``, what ``finops load`` runs) and built once with dbt; then:
rows in = rows out per file, the generator's own cost column (summed here from its CSV with ``Decimal``) =
BilledCost to the cent per file, 0 FOCUS conformance failures (focus-validator 2.2.1, all applicability
criteria, counted as data_quality/focus/ counts), RegionId filled on every row whose source row
has a region, and ListCost never below BilledCost on usage rows.

What koku-nise writes that a provider would not, and how the loader treats it (as a user would want):

* ``None`` (Python's ``str(None)``) in number columns (savingsPlan/SavingsPlanRate, ...SavingsPlanEffectiveCost)
  where AWS leaves the cell empty: read as the empty cell it stands for (CSV flavours; ``null``/``n/a`` too).
  Any other text in a number column still quarantines the delivery, with how many rows have such a value
  (``test_unparseable_values_quarantine_with_their_count``: nise's reserved-instance rows, which carry
  ``convertible`` / ``No Upfront`` in pricing/publicOnDemandCost / ...Rate).
* ``product/regionCode`` present but empty, the code in ``product/region``: the first non-empty one is used.
* GCP ``usage.amount_in_pricing_units`` 0 on rows with a usage amount and a cost: priced in the usage unit (a
  unit price times 0 cannot give a cost); GCP disk ``resource.global_name`` with one leading slash
  (``/compute.googleapis.com/...``, GCP writes ``//``): the resource type is read from it all the same.
* Service names with ``®`` (``Red Hat® OpenShift®``): ServiceName is ASCII (FOCUS StringHandling, ServiceName-C-002-M).
* Azure units in blocks of a rate (``100 GB/Month``): priced per single unit (``GB/Month``), as the FinOps toolkit does.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import shutil
import sys
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pytest

from tests.support import ingest, run_dbt

nise_main = pytest.importorskip("nise.__main__", reason="koku-nise (dev dependency) not installed")

START, END = "2025-09-01", "2025-09-03"
SEED = 14
CENT = Decimal("0.01")
DBT_BUILD = [
    "build",
    "--select",
    "+focus_cost_and_usage",
    "--exclude-resource-type",
    "unit_test",
    "--indirect-selection",
    "cautious",
]

# landing folder -> nise CLI arguments (the folder stands for the bucket / container)
EXPORTS = {
    "aws": ["report", "aws", "--aws-s3-report-name", "nise-cur"],
    "aws_marketplace": ["report", "aws-marketplace", "--aws-s3-report-name", "nise-cur"],
    "azure": ["report", "azure", "--azure-report-name", "nise-costs"],
    "azure_rg": ["report", "azure", "-rg", "--azure-report-name", "nise-rg"],
    "gcp": ["report", "gcp"],
    "gcp_resource": ["report", "gcp", "-r"],
}
BUCKET_OPTION = {"aws": "--aws-s3-bucket-name", "azure": "--azure-container-name", "gcp": "--gcp-bucket-name"}
# the generator's own cost column, per provider (what BilledCost must add up to)
COST_COLUMN = {"aws": "lineItem/UnblendedCost", "azure": "CostInBillingCurrency", "gcp": "cost"}


def run_nise(argv: list[str], workdir: Path, seed: int = SEED) -> None:
    """Run the ``nise`` command in process (its CLI parser, options and code paths), seeded, in ``workdir`` (it
    writes its temporary files into the current directory)."""
    from faker import Faker

    random.seed(seed)
    Faker.seed(seed)
    old_cwd, old_argv = os.getcwd(), sys.argv
    os.chdir(workdir)
    try:
        sys.argv = ["nise", *argv]
        nise_main.main()
    finally:
        os.chdir(old_cwd)
        sys.argv = old_argv


def provider_of(folder: str) -> str:
    return folder.split("_", 1)[0]


def read_rows(path: Path) -> list[dict]:
    """A generated CSV (gzip or not) as dicts, read with the csv module (not the loader's reader)."""
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if path.name.endswith(".gz") else raw.decode()
    return list(csv.DictReader(io.StringIO(text)))


def money(value: str | None) -> Decimal:
    """The generator's cost text as Decimal; empty (and nise's 'None') is no cost."""
    if value is None or value.strip() in ("", "None"):
        return Decimal(0)
    return Decimal(value)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    work = tmp_path_factory.mktemp("nise-work")
    for folder, argv in EXPORTS.items():
        dest = root / folder
        dest.mkdir()
        run_nise([*argv, "-s", START, "-e", END, BUCKET_OPTION[provider_of(folder)], str(dest)], work)
    files = {
        folder: sorted(p for p in (root / folder).rglob("*") if p.name.endswith((".csv", ".csv.gz")))
        for folder in EXPORTS
    }
    assert all(len(f) == 1 for f in files.values()), files
    return root, {folder: f[0] for folder, f in files.items()}


@pytest.fixture(scope="module")
def built(landing, tmp_path_factory):
    from ingestion.catalogue import ensure_raw_tables

    root, files = landing
    tmp = tmp_path_factory.mktemp("wh")
    wh = tmp / "finops.duckdb"
    reports = ingest(root, wh)
    assert set(reports) == {"aws_cur", "azure_cost_details", "gcp_billing"}
    for ds, rep in reports.items():
        assert rep.ok and not rep.quarantined, (ds, [str(e) for e in rep.quarantined])
    ensure_raw_tables(str(wh))
    run_dbt(DBT_BUILD, wh, tmp)  # one build for the three providers, with the models' data tests
    return root, files, wh


def mart(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh)) as con:
        return con.execute(sql).fetchall()


# --------------------------------------------------------------------------------------------------------------
# the generator's layouts, as written
# --------------------------------------------------------------------------------------------------------------
def test_nise_writes_the_providers_layouts(landing):
    root, files = landing
    rel = {k: p.relative_to(root).as_posix() for k, p in files.items()}
    assert rel["aws"].startswith("aws/nise-cur/20250901-20251001/") and rel["aws"].endswith("-nise-cur.csv.gz")
    assert rel["aws_marketplace"].startswith("aws_marketplace/nise-cur-marketplace/20250901-20251001/")
    assert rel["azure"].startswith("azure/nise-costs/20250901-20250930/costreport_")
    assert rel["azure_rg"].startswith("azure_rg/nise-rg/20250901-20250930/costreport_")
    assert rel["gcp"].endswith("_2025-09-01:2025-09-03.csv") and "/202509_" in rel["gcp"]
    assert "resource.global_name" in read_rows(files["gcp_resource"])[0]
    # the legacy CUR manifest names its report by S3 key with a leading "/" (no S3 prefix): accepted, and the
    # manifest picks the assembly
    manifest = json.loads((files["aws"].parents[1] / "nise-cur-Manifest.json").read_text())
    assert all(k.startswith("/nise-cur/20250901-20251001/") for k in manifest["reportKeys"]), manifest["reportKeys"]
    assert files["aws"].parent.name == manifest["assemblyId"]


def test_manifest_keys_with_a_leading_slash_select_the_assembly(landing, tmp_path):
    """A second assembly (a newer file in another folder) is not loaded: the manifest, whose keys start with "/",
    names the current one."""
    from ingestion._common.landing import group_deliveries, list_files

    root, files = landing
    copy = tmp_path / "landing"
    shutil.copytree(root / "aws", copy)
    current = files["aws"].relative_to(root / "aws")
    stale = copy / current.parents[1] / "older-assembly" / current.name
    stale.parent.mkdir()
    shutil.copy(copy / current, stale)
    (delivery,) = group_deliveries(str(copy), list_files(str(copy)))
    assert [f.rel for f in delivery.files] == [current.as_posix()]


# --------------------------------------------------------------------------------------------------------------
# rows and money
# --------------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_rows_in_equal_rows_out_and_cost_to_the_cent(built):
    root, files, wh = built
    out = {
        f: (n, billed)
        for f, n, billed in mart(
            wh,
            """
        select x_SourceFile, count(*), sum("BilledCost") from marts.focus_cost_and_usage group by 1""",
        )
    }
    for folder, path in files.items():
        rows = read_rows(path)
        rel = path.relative_to(root).as_posix()
        assert rel in out, (folder, sorted(out))
        n, billed = out[rel]
        source = sum((money(r[COST_COLUMN[provider_of(folder)]]) for r in rows), Decimal(0))
        assert n == len(rows), (folder, n, len(rows))
        assert billed.quantize(CENT) == source.quantize(CENT), (folder, billed, source)
        assert len(rows) > 0 and source > 0, folder
    assert set(out) == {p.relative_to(root).as_posix() for p in files.values()}


@pytest.mark.slow
def test_none_text_in_number_columns_is_read_as_empty(built):
    """nise writes 'None' where AWS leaves a savings-plan column empty: read as empty, never as a number."""
    root, files, wh = built
    rows = read_rows(files["aws"])
    nones = {i for i, r in enumerate(rows, 1) if r["savingsPlan/SavingsPlanRate"] == "None"}
    assert nones  # the generator does write it
    rel = files["aws"].relative_to(root).as_posix()
    with duckdb.connect(str(wh)) as con:
        got = con.execute(
            "select x_source_row, savings_plan_savings_plan_rate from aws_cur.line_items where x_source_file = ?", [rel]
        ).fetchall()
    rate = dict(got)
    assert all(rate[i] is None for i in nones)
    assert all(
        rate[i] == Decimal(r["savingsPlan/SavingsPlanRate"]).quantize(Decimal("1e-10"))
        for i, r in enumerate(rows, 1)
        if i not in nones and r["savingsPlan/SavingsPlanRate"]
    )


# --------------------------------------------------------------------------------------------------------------
# FOCUS
# --------------------------------------------------------------------------------------------------------------
def _source_regions(folder: str, rows: list[dict]) -> dict[int, str]:
    """Row -> the region the source row states (not 'global'), per provider's columns, read here."""
    out = {}
    for i, r in enumerate(rows, 1):
        if provider_of(folder) == "aws":
            region = r.get("product/regionCode") or r.get("product/region")
        elif provider_of(folder) == "azure":
            region = r.get("ResourceLocation") or r.get("Location")
        else:
            region = r.get("location.region") or r.get("location.location")
        if region and region.strip().lower() not in ("global", "none"):
            out[i] = region
    return out


@pytest.mark.slow
def test_region_id_is_filled_wherever_the_source_has_a_region(built):
    root, files, wh = built
    missing = {
        (f, row)
        for f, row in mart(
            wh,
            """select x_SourceFile, x_SourceRow from marts.focus_cost_and_usage
                                                  where "RegionId" is null""",
        )
    }
    for folder, path in files.items():
        rel = path.relative_to(root).as_posix()
        regions = _source_regions(folder, read_rows(path))
        assert regions or folder == "aws_marketplace", folder
        lost = sorted(row for row in regions if (rel, row) in missing)
        assert not lost, (folder, len(lost), [(row, regions[row]) for row in lost[:5]])


@pytest.mark.slow
def test_list_cost_is_never_below_billed_cost(built):
    """GCP derives its unit prices from the costs: rounded up at the 10th decimal, ListCost = price x quantity is
    never below the cost (a tiny price no longer rounds to 0; a 0 quantity in pricing units is priced in the usage
    unit). AWS and Azure take the rate from the export and the quantity rounded to DECIMAL(38,10): their product
    can fall short of the (equally rounded) cost by the rounding of the quantity, at most (1 + price) x 1e-10 -
    checked to that bound here (an open item: see the report), and ListCost = ListUnitPrice x PricingQuantity
    holds exactly."""
    _, _, wh = built
    below = mart(
        wh,
        """select x_SourceSystem, x_SourceFile, x_SourceRow, "BilledCost", "ListCost", "ListUnitPrice",
                               "PricingQuantity", "PricingUnit"
                        from marts.focus_cost_and_usage
                        where "ChargeCategory" = 'Usage' and "BilledCost" > 0 and "ListCost" < "BilledCost"
                        order by 1, 2, 3""",
    )
    gcp = [r for r in below if r[0] == "gcp"]
    assert not gcp, (len(gcp), gcp[:5])
    beyond_rounding = [r for r in below if r[3] - r[4] > (1 + r[5]) * Decimal("1e-10")]
    assert not beyond_rounding, (len(beyond_rounding), beyond_rounding[:5])


@pytest.mark.slow
def test_focus_conformance_all_applicability_criteria(built, tmp_path):
    from data_quality import focus as fc

    _, _, wh = built
    # the validator reads a copy: this process's dbt keeps its own connection to the warehouse open
    with duckdb.connect(str(wh)) as con:
        con.execute("checkpoint")
    copy = tmp_path / "finops.duckdb"
    shutil.copy(wh, copy)
    report = fc.validate_focus(str(copy), applicability="ALL", work_dir=tmp_path / "validator")
    assert report.rows_exported == sum(n for (n,) in mart(wh, "select count(*) from marts.focus_cost_and_usage"))
    assert report.errored == 0
    assert report.conformance_failures == [], [(r.rule_id, r.message) for r in report.conformance_failures]
    # the project's own FOCUS checks are dbt tests (tag focus_conformance): DBT_BUILD ran them on this warehouse


# --------------------------------------------------------------------------------------------------------------
# what nise writes that no loader should accept: reserved-instance rows
# --------------------------------------------------------------------------------------------------------------
RI_STATIC = """\
generators:
  - EC2Generator:
      start_date: 2025-09-01
      end_date: 2025-09-02
      resource_id: 55555555
      product_sku: VEAJHRNKTJZQ
      region: us-east-1
      instance_type:
        inst_type: m5.large
        physical_cores: 1
        vcpu: 2
        memory: '8 GiB'
        storage: 'EBS Only'
        family: 'General Purpose'
        cost: 0.096
        rate: 0.096
        reserved_instance: true
  - EC2Generator:
      start_date: 2025-09-01
      end_date: 2025-09-02
      resource_id: 55555556
      product_sku: VEAJHRNKTJZR
      region: us-east-1
      instance_type:
        inst_type: m5.large
        physical_cores: 1
        vcpu: 2
        memory: '8 GiB'
        storage: 'EBS Only'
        family: 'General Purpose'
        cost: 0.096
        rate: 0.096
accounts:
  payer: 9999999999999
  user:
    - 9999999999999
"""


def test_unparseable_values_quarantine_with_their_count(tmp_path):
    """nise's reserved-instance rows carry 'convertible' in pricing/publicOnDemandCost and 'No Upfront' in
    pricing/publicOnDemandRate (AWS writes numbers there): the delivery is quarantined, and the message says how
    many rows have such a value and shows the first few (file, row, field, value, what to do)."""
    from ingestion.catalogue import load_dataset, plan

    static = tmp_path / "ri.yml"
    static.write_text(RI_STATIC)
    root, work = tmp_path / "landing", tmp_path / "work"
    root.mkdir()
    work.mkdir()
    run_nise(
        [
            "report",
            "aws",
            "--static-report-file",
            str(static),
            "--aws-s3-bucket-name",
            str(root),
            "--aws-s3-report-name",
            "ri-cur",
        ],
        work,
    )
    (path,) = sorted(root.rglob("*.csv.gz"))
    rows = read_rows(path)
    bad = [
        i
        for i, r in enumerate(rows, 1)
        if not _is_number(r["pricing/publicOnDemandCost"]) or not _is_number(r["pricing/publicOnDemandRate"])
    ]
    assert 0 < len(bad) < len(rows)  # the RI rows, not the on-demand ones

    report = load_dataset("aws_cur", plan(str(root)), str(tmp_path / "wh.duckdb"))
    assert report.rows == 0 and len(report.quarantined) == 1
    err = report.quarantined[0]
    msg = str(err)
    rel = path.relative_to(root).as_posix()
    assert err.row == bad[0] and err.affected == len(bad) and err.rows_read == len(rows), msg
    assert msg.startswith(f"{rel}, row {bad[0]}, field 'pricing/"), msg
    assert f"{len(bad):,} of {len(rows):,} rows of the file have such a value" in msg, msg
    assert ("'No Upfront'" in msg or "'convertible'" in msg) and "deliver it again" in msg, msg
    assert [r for r, _, _ in err.examples] == sorted({r for r, _, _ in err.examples})[:5]
    assert {r for r, _, _ in err.examples} <= set(bad)


def _is_number(text: str) -> bool:
    if text.strip() in ("", "None"):
        return True
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def test_source_regions_cover_every_region_column(landing):
    """The region columns this test reads are the ones nise fills (a renamed column would make the region test
    vacuous)."""
    _, files = landing
    counts = defaultdict(int)
    for folder, path in files.items():
        counts[provider_of(folder)] += len(_source_regions(folder, read_rows(path)))
    assert all(counts[p] > 0 for p in ("aws", "azure", "gcp")), dict(counts)
