"""AWS CUR formats (CUR 2.0 Parquet, CUR 2.0 gzip CSV, legacy CUR CSV): load, FOCUS staging, conservation.

Expected sums are computed from the source files themselves (pyarrow / csv + Decimal), never from the raw table.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from ingestion.aws_cur.helpers import athena_name, legacy_tag_key, legacy_to_cur2
from tests.support import SAMPLES, ingest, run_dbt
from tests.support.aws_cur import (
    CUR2_SCHEMA,
    MAPS,
    RI_ARN,
    SP_ARN,
    TAGS,
    cur2_rows,
    cur2_table,
    expected_sums,
    write_cur2_csv,
    write_cur2_parquet,
    write_legacy,
)

LEGACY_SAMPLE = SAMPLES / "aws" / "cur_legacy_sample.csv"
CENT = Decimal("0.01")
DBT_BUILD = ["build", "--select", "+int_aws__focus_charges", "--indirect-selection", "cautious"]


def focus_sums(con, source_file: str) -> dict[str, tuple[Decimal, Decimal]]:
    rows = con.execute(
        "select x_billing_period, sum(billed_cost), sum(effective_cost) from intermediate.int_aws__focus_charges "
        "where x_source_file = ? group by 1",
        [source_file],
    ).fetchall()
    return {p: (b, e) for p, b, e in rows}


def raw_sums(con) -> list[tuple]:
    return con.execute(
        "select x_export_id, x_billing_period, count(*), sum(line_item_unblended_cost) from aws_cur.line_items "
        "group by all order by all"
    ).fetchall()


def assert_conserved(expected: dict, actual: dict, what: str) -> None:
    assert set(expected) == set(actual), (what, expected, actual)
    for period, (billed, effective) in expected.items():
        got_b, got_e = actual[period]
        assert got_b.quantize(CENT) == billed.quantize(CENT), (what, period, "BilledCost", got_b, billed)
        assert got_e.quantize(CENT) == effective.quantize(CENT), (what, period, "EffectiveCost", got_e, effective)
        assert abs(got_b - billed) < Decimal("0.000001") and abs(got_e - effective) < Decimal("0.000001")


# --------------------------------------------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------------------------------------------
def test_legacy_names_follow_cur2():
    assert legacy_to_cur2("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert legacy_to_cur2("bill/BillingPeriodStartDate") == "bill_billing_period_start_date"
    assert legacy_to_cur2("savingsPlan/SavingsPlanARN") == "savings_plan_savings_plan_a_r_n"
    assert (
        legacy_to_cur2("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod")
        == "reservation_unused_amortized_upfront_fee_for_billing_period"
    )
    assert legacy_to_cur2("pricing/publicOnDemandCost") == "pricing_public_on_demand_cost"
    assert legacy_to_cur2("product/ProductName") == "product_product_name"
    assert legacy_to_cur2("resourceTags/user:CostCenter") is None
    assert legacy_tag_key("resourceTags/user:CostCenter") == "user_cost_center"
    assert legacy_tag_key("resourceTags/aws:createdBy") == "aws_created_by"
    assert athena_name("karpenter.sh/nodepool") == "karpenter_sh_nodepool"


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    files = {
        "cur2_09": write_cur2_parquet(root, "northwind-cur2", "2026-09", cur2_rows("2026-09")),
        "cur2_10": write_cur2_parquet(root, "northwind-cur2", "2026-10", cur2_rows("2026-10", 1.5)),
        "csv_09": write_cur2_csv(root, "northwind-cur2-csv", "2026-09", cur2_rows("2026-09", 0.5)),
        "legacy_09": write_legacy(root, "northwind-canada-cur", "2026-09", cur2_rows("2026-09", 2.0)),
    }
    sample_dir = root / "samples"
    sample_dir.mkdir()
    files["sample"] = Path(shutil.copy(LEGACY_SAMPLE, sample_dir / LEGACY_SAMPLE.name))
    return root, files


@pytest.fixture(scope="module")
def built(landing, tmp_path_factory):
    root, files = landing
    tmp = tmp_path_factory.mktemp("wh")
    wh = tmp / "w.duckdb"
    reports = ingest(root, wh)
    assert set(reports) == {"aws_cur"}
    assert reports["aws_cur"].ok, reports["aws_cur"].quarantined
    run_dbt(DBT_BUILD, wh, tmp)  # seeds, unit tests, the view and its data tests (conservation included)
    return root, files, wh, tmp


@pytest.mark.slow
def test_every_format_is_conserved_per_file_and_period(built):
    root, files, wh, _ = built
    con = duckdb.connect(str(wh))
    try:
        formats = dict(
            con.execute(
                "select x_source_file, any_value(x_source_format) from aws_cur.line_items group by 1"
            ).fetchall()
        )
        for key, path in files.items():
            rel = path.relative_to(root).as_posix()
            assert_conserved(expected_sums(path), focus_sums(con, rel), key)
        assert sorted(set(formats.values())) == ["aws_cur2", "aws_cur2_csv", "aws_cur_legacy"]
        # the real legacy sample: 1281 lines, 1.6823086974 USD unblended (1.60 usage + 0.08 tax)
        sample = focus_sums(con, files["sample"].relative_to(root).as_posix())
        assert sample == {"2023-11": (Decimal("1.6823086974"), Decimal("1.6823086974"))}
        assert (
            con.execute(
                "select count(*) from aws_cur.line_items where x_source_file like '%cur_legacy_sample.csv'"
            ).fetchone()[0]
            == 1281
        )
    finally:
        con.close()


@pytest.mark.slow
def test_focus_mapping_of_commitments_ai_services_and_tags(built):
    wh = built[2]
    con = duckdb.connect(str(wh))
    try:

        def q(sql, *a):
            return con.execute(sql, list(a)).fetchall()

        # Savings Plan: Used + Unused EffectiveCost = the recurring fee (BilledCost of the Purchase)
        rows = dict(
            q(
                """select coalesce(commitment_discount_status, charge_category), sum(effective_cost)
                         from intermediate.int_aws__focus_charges
                         where x_source_format = 'aws_cur2' and x_billing_period = '2026-09'
                           and commitment_discount_id = ? and charge_category in ('Usage', 'Purchase') group by 1""",
                SP_ARN,
            )
        )
        assert rows == {"Used": Decimal("7.1234567891"), "Unused": Decimal("29.5"), "Purchase": Decimal(0)}
        unused = q("""select billed_cost, consumed_quantity, pricing_quantity, pricing_unit, resource_id,
                             charge_frequency
                      from intermediate.int_aws__focus_charges where x_source_format = 'aws_cur2'
                      and x_billing_period = '2026-09' and commitment_discount_status = 'Unused'
                      order by pricing_unit""")
        assert unused == [
            (Decimal(0), None, Decimal(40), "Hours", RI_ARN, "Usage-Based"),
            (Decimal(0), None, Decimal("29.5"), "USD", SP_ARN, "Usage-Based"),
        ]
        # AI services and GPU compute
        svc = {
            s: (c, sc)
            for s, c, sc in q(
                "select distinct service_name, service_category, service_subcategory "
                "from intermediate.int_aws__focus_charges"
            )
        }
        assert svc["Amazon Bedrock"] == ("AI and Machine Learning", "Generative AI")
        assert svc["Amazon SageMaker"] == ("AI and Machine Learning", "Machine Learning")
        assert svc["Amazon Elastic Compute Cloud"] == ("Compute", "Virtual Machines")
        gpu = q("""select service_category, pricing_unit, sku_price_details, region_name, list_cost
                   from intermediate.int_aws__focus_charges
                   where resource_id = 'i-0gpu' and x_source_format = 'aws_cur2'
                   and x_billing_period = '2026-09'""")
        assert gpu == [
            ("Compute", "Hours", '{"InstanceType":"p4d.24xlarge"}', "US East (N. Virginia)", Decimal("32.7726"))
        ]
        # Bedrock: units in FOCUS UnitFormat, private rate discount in the contracted cost
        br = q("""select pricing_unit, list_cost, contracted_cost, contracted_unit_price
                  from intermediate.int_aws__focus_charges
                  where x_usage_type like '%input-tokens' and x_source_format = 'aws_cur2'
                  and x_billing_period = '2026-09'""")
        assert br == [("1000 Tokens", Decimal("3.6"), Decimal("3.24"), Decimal("0.0027"))]
        # tags: legacy resourceTags/user:CostCenter and CUR 2.0 resource_tags['user_cost_center'] agree
        raw = q("""select x_source_format, resource_tags, cost_category from aws_cur.line_items
                   where line_item_resource_id = 'i-0gpu' and x_billing_period = '2026-09' order by 1""")
        assert {json.dumps(json.loads(r[1]), sort_keys=True) for r in raw} == {json.dumps(TAGS, sort_keys=True)}
        tags = q("""select distinct tags from intermediate.int_aws__focus_charges where resource_id = 'i-0gpu'""")
        expected_tags = (
            '{"aws_created_by":"IAMUser:AIDA:ana","costCategory/BusinessUnit":"research",'
            '"cost_center":"CC-2100","project":"robot-vision"}'
        )
        assert tags == [(expected_tags,)]
        assert {r[0] for r in raw} == {"aws_cur2", "aws_cur2_csv", "aws_cur_legacy"}
        # nothing outside FOCUS's allowed values; no placeholder strings
        assert q("""select count(*) from intermediate.int_aws__focus_charges where charge_category not in
                    ('Usage','Purchase','Tax','Credit','Adjustment') or x_operation in ('None','NULL','')""") == [(0,)]
    finally:
        con.close()


@pytest.mark.slow
def test_second_load_loads_nothing_new(built):
    root, _, wh, _ = built
    con = duckdb.connect(str(wh))
    before = raw_sums(con)
    con.close()
    report = ingest(root, wh)["aws_cur"]
    assert report.rows == 0 and report.ok
    con = duckdb.connect(str(wh))
    try:
        assert raw_sums(con) == before
    finally:
        con.close()


def test_redelivered_period_replaces_the_old_one(tmp_path):
    root = tmp_path / "landing"
    wh = tmp_path / "w.duckdb"
    old_cur2 = write_cur2_parquet(root, "exp", "2026-09", cur2_rows("2026-09"))
    write_cur2_parquet(root, "exp", "2026-10", cur2_rows("2026-10"))
    write_legacy(root, "rep", "2026-09", cur2_rows("2026-09"), assembly="asm-1")
    assert ingest(root, wh)["aws_cur"].ok

    # CUR 2.0: the period is rewritten in place with other amounts; legacy: a new assembly + manifest
    new_cur2 = write_cur2_parquet(root, "exp", "2026-09", cur2_rows("2026-09", 3.0)[:9])
    assert new_cur2 == old_cur2
    new_legacy = write_legacy(root, "rep", "2026-09", cur2_rows("2026-09", 0.25), assembly="asm-2")
    report = ingest(root, wh)["aws_cur"]
    assert report.ok and report.rows == 9 + 13

    con = duckdb.connect(str(wh))
    try:
        got = {(e, p): (n, s) for e, p, n, s in raw_sums(con)}
        exp_cur2 = expected_sums(new_cur2)["2026-09"][0]
        exp_legacy = expected_sums(new_legacy)["2026-09"][0]
        exp_oct = expected_sums(root / "aws/cur2/exp/data/BILLING_PERIOD=2026-10/part-00001.snappy.parquet")["2026-10"][
            0
        ]
        assert got[("aws/cur2/exp", "2026-09")] == (9, exp_cur2)
        assert got[("aws/cur-legacy/rep", "2026-09")] == (13, exp_legacy)
        assert got[("aws/cur2/exp", "2026-10")] == (13, exp_oct)  # untouched
        files = {r[0] for r in con.execute("select distinct x_source_file from aws_cur.line_items").fetchall()}
        assert not any("asm-1" in f for f in files)
    finally:
        con.close()


def test_bad_files_are_quarantined_and_the_others_load(tmp_path):
    root = tmp_path / "landing"
    wh = tmp_path / "w.duckdb"
    good = write_cur2_parquet(root, "good", "2026-09", cur2_rows("2026-09"))
    # CUR 2.0 without line_item_unblended_cost
    missing = write_cur2_parquet(root, "missing", "2026-09", cur2_rows("2026-09"))
    pq.write_table(pq.read_table(missing).drop_columns(["line_item_unblended_cost"]), missing)
    # legacy CUR with an amount that is not a number on data row 3
    bad = write_legacy(root, "badrep", "2026-09", cur2_rows("2026-09"))
    text = gzip.decompress(bad.read_bytes()).decode().splitlines()
    hdr = next(csv.reader([text[0]]))
    row3 = next(csv.reader([text[3]]))
    row3[hdr.index("lineItem/UnblendedCost")] = "12,34 USD"
    buf = io.StringIO()
    csv.writer(buf).writerow(row3)
    text[3] = buf.getvalue().rstrip("\r\n")
    bad.write_bytes(gzip.compress(("\n".join(text) + "\n").encode()))
    # CUR 2.0 CSV whose resource_tags is not JSON on data row 2
    badjson = write_cur2_csv(root, "badjson", "2026-09", cur2_rows("2026-09"))
    t = pacsv.read_csv(
        badjson, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in CUR2_SCHEMA.names})
    )
    tags = t.column("resource_tags").to_pylist()
    tags[1] = "{user_project: oops"
    t = t.set_column(t.schema.get_field_index("resource_tags"), "resource_tags", pa.array(tags, pa.string()))
    buf = io.BytesIO()
    pacsv.write_csv(t, buf)
    badjson.write_bytes(gzip.compress(buf.getvalue()))

    report = ingest(root, wh)["aws_cur"]
    errs = {Path(e.file).parts[2]: e for e in report.quarantined}
    assert set(errs) == {"missing", "badrep", "badjson"}, [str(e) for e in report.quarantined]
    assert errs["missing"].field == "line_item_unblended_cost" and errs["missing"].row == 0
    assert (errs["badrep"].row, errs["badrep"].field, errs["badrep"].value) == (
        3,
        "lineItem/UnblendedCost",
        "12,34 USD",
    )
    assert (errs["badjson"].row, errs["badjson"].field) == (2, "resource_tags")
    for e in report.quarantined:
        assert e.file in str(e)  # the message names the file (and row/field where known)

    con = duckdb.connect(str(wh))
    try:
        assert con.execute("select distinct x_export_id from aws_cur.line_items").fetchall() == [("aws/cur2/good",)]
        ((n, s),) = con.execute("select count(*), sum(line_item_unblended_cost) from aws_cur.line_items").fetchall()
        assert (n, s) == (13, expected_sums(good)["2026-09"][0])
        q = con.execute("select source_file, row_number, field from aws_cur.quarantine order by 1").fetchall()
        assert {(Path(f).parts[2], r, fld) for f, r, fld in q} == {
            ("missing", 0, "line_item_unblended_cost"),
            ("badrep", 3, "lineItem/UnblendedCost"),
            ("badjson", 2, "resource_tags"),
        }
    finally:
        con.close()


def test_legacy_cur_parquet_flavour_packs_flat_columns(tmp_path):
    """The legacy CUR's Parquet flavour (Athena names, flat resource_tags_user_x / product_x columns) loads
    into the same JSON columns as CUR 2.0."""
    rows = cur2_rows("2026-09")[:2]
    t = cur2_table(rows).drop_columns(list(MAPS))
    t = t.append_column("resource_tags_user_cost_center", pa.array(["CC-2100", None]))
    t = t.append_column("resource_tags_aws_created_by", pa.array(["IAMUser:AIDA:ana", ""]))
    t = t.append_column("cost_category_BusinessUnit", pa.array(["research", None]))
    t = t.append_column("product_product_name", pa.array(["Amazon Elastic Compute Cloud", "Amazon Bedrock"]))
    t = t.append_column("product_vcpu", pa.array(["96", None]))
    p = tmp_path / "landing" / "legacy-parquet" / "rep" / "20260901-20261001" / "asm" / "rep-1.snappy.parquet"
    p.parent.mkdir(parents=True)
    pq.write_table(t, p)
    wh = tmp_path / "w.duckdb"
    assert ingest(tmp_path / "landing", wh)["aws_cur"].ok
    con = duckdb.connect(str(wh))
    try:
        got = con.execute(
            "select resource_tags, cost_category, product, product_product_name, x_source_format "
            "from aws_cur.line_items order by x_source_row"
        ).fetchall()
    finally:
        con.close()
    assert got == [
        (
            '{"user_cost_center":"CC-2100","aws_created_by":"IAMUser:AIDA:ana"}',
            '{"BusinessUnit":"research"}',
            '{"product_name":"Amazon Elastic Compute Cloud","vcpu":"96"}',
            "Amazon Elastic Compute Cloud",
            "aws_cur2",
        ),
        (None, None, '{"product_name":"Amazon Bedrock"}', "Amazon Bedrock", "aws_cur2"),
    ]
