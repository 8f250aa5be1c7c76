"""Fault injection on landed export files. Each case builds a tiny landing zone (CUR 2.0 CSV and FOCUS CSV in the
AWS Data Exports layout, the legacy CUR with its manifest), injects one fault, loads it (``tests.support.ingest``:
plan + ``load_dataset`` per dataset) and asserts

* the error is clear: it names the file, the row (where there is one) and the field, and says what to do;
* nothing is lost: the good deliveries loaded, the bad one is in the quarantine table (file, row, field, reason,
  raw record) and the earlier delivery of its period is still in place;
* totals reconcile to the cent (exactly, as DECIMAL) against sums read back from the good source files here.

The late-correction case also builds the FOCUS record with dbt (``+fct_charges`` only, once for the module).
"""

from __future__ import annotations

import gzip
import json
import random
import time
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support import ingest
from tests.support.aws_cur import CUR2_SCHEMA, cur2_rows, write_cur2_parquet, write_legacy
from tests.support.faults import (
    AWS10_HEADER,
    AWS_EXPORT,
    CUR2_EXPORT,
    aws10_rows,
    build,
    csv_bytes,
    cur2_csv_rows,
    cur2_file_sums,
    cur2_path,
    cur_totals,
    dec,
    focus_file_sums,
    focus_path,
    focus_totals,
    quarantined,
    read_csv_file,
    sql,
    touch_later,
    write_bytes,
    write_cur2,
    write_focus,
)

SEP, OCT, NOV = "2026-09", "2026-10", "2026-11"


def load(landing: Path, warehouse: Path, dataset: str = "aws_cur"):
    return ingest(landing, warehouse)[dataset]


def assert_clear(
    err,
    file: str,
    *,
    row: int | None = None,
    field: str | None = None,
    words: tuple = (),
    todo: str = "deliver it again",
) -> None:
    """The error names the file, the row and field where given, the words of its reason, and says what to do."""
    text = str(err)
    assert err.file == file and text.startswith(file), text
    if row is not None:
        assert err.row == row, text
        if row:
            assert f"row {row}" in text, text
    if field is not None:
        assert err.field == field and f"field '{field}'" in text, text
    for w in words:
        assert w in text, text
    assert todo in text, text


# ---------------------------------------------------------------------------------------------- compression
def test_corrupt_gzip_redelivery_is_quarantined_and_the_earlier_delivery_stays(landing, warehouse):
    sep = write_cur2(landing, SEP)
    oct_ = write_cur2(landing, OCT)
    expected_sep, expected_oct = cur2_file_sums(sep)[SEP], cur2_file_sums(oct_)[OCT]
    assert load(landing, warehouse).ok

    # September is re-delivered in place as garbage bytes with a .csv.gz name
    write_bytes(sep, random.Random(7).randbytes(4096))
    touch_later(sep)
    report = load(landing, warehouse)
    rel = sep.relative_to(landing).as_posix()
    (err,) = report.quarantined
    assert_clear(err, rel, row=0, words=("corrupt or truncated",))
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected_sep, (CUR2_EXPORT, OCT): expected_oct}
    (q,) = quarantined(warehouse, "aws_cur")
    assert q[:3] == (rel, 0, "") and "corrupt or truncated" in q[3] and q[5] is None

    # the same bad file on the next run: still one record, still September's earlier delivery
    assert [e.file for e in load(landing, warehouse).quarantined] == [rel]
    assert len(quarantined(warehouse, "aws_cur")) == 1
    assert cur_totals(warehouse)[(CUR2_EXPORT, SEP)] == expected_sep


def test_truncated_gzip_is_quarantined_naming_the_row_reached(landing, warehouse):
    # big enough that the header and the first rows decompress (the file is cut in the middle of its data)
    rows = [
        dict(r, identity_line_item_id=f"li-{i}-{r['identity_line_item_id']}")
        for i in range(160)
        for r in cur2_rows(SEP)
    ]
    sep = write_cur2(landing, SEP, rows)
    expected_sep = cur2_file_sums(sep)[SEP]
    assert expected_sep[0] == 2080
    assert load(landing, warehouse).ok

    restated = write_cur2(landing, SEP, [dict(r, line_item_unblended_cost=1.0) for r in rows])
    whole = restated.read_bytes()
    cut = whole[: len(whole) // 2]  # the provider's upload broke off half way
    write_bytes(sep, cut)
    touch_later(sep)
    # independently: the complete lines that still decompress, and the start of the broken one
    readable = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    complete = readable.count(b"\n") - 1  # minus the header
    assert 0 < complete < 2080
    report = load(landing, warehouse)
    (err,) = report.quarantined
    rel = sep.relative_to(landing).as_posix()
    assert_clear(err, rel, row=complete + 1, words=("corrupt or truncated", f"after {complete:,} complete data row"))
    assert err.value == readable.rsplit(b"\n", 1)[-1][:200].decode()
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected_sep}
    assert [q[:2] for q in quarantined(warehouse, "aws_cur")] == [(rel, complete + 1)]


# --------------------------------------------------------------------------------------- delimiter, encoding
@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), ("\t", "utf-8"), (",", "utf-8-sig"), (",", "utf-16"), (";", "utf-16")],
    ids=["semicolon", "tab", "utf8-bom", "utf16-bom", "utf16-semicolon"],
)
def test_other_delimiters_and_encodings_load_exactly(landing, warehouse, delimiter, encoding):
    path = write_cur2(landing, SEP, delimiter=delimiter, encoding=encoding, name="part-00001.csv")
    assert path.read_bytes()[:3] != b"bil" or encoding == "utf-8"  # the BOM is really there
    report = load(landing, warehouse)
    assert report.ok and report.rows == 13, [str(e) for e in report.quarantined]
    expected = cur2_file_sums(path, delimiter=delimiter, encoding="utf-16" if encoding == "utf-16" else "utf-8-sig")
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected[SEP]}
    # the JSON map columns survived the delimiter (commas inside quoted values)
    tags = sql(
        warehouse, "select resource_tags from aws_cur.line_items where identity_line_item_id = ?", [f"li-{SEP}-1"]
    )[0][0]
    assert json.loads(tags)["user_project"] == "robot-vision"


def test_a_file_that_cannot_be_parsed_is_quarantined_with_the_row(landing, warehouse):
    good = write_cur2(landing, SEP, export="aws/cur2-csv/good")
    bad = write_cur2(landing, SEP, export="aws/cur2-csv/ragged", name="part-00001.csv")
    lines = bad.read_text().splitlines()
    lines[4] += ",an extra field"  # data row 4 has one field too many: no reader can place its values
    bad.write_text("\n".join(lines) + "\n")
    report = load(landing, warehouse)
    (err,) = report.quarantined
    rel = bad.relative_to(landing).as_posix()
    assert_clear(err, rel, words=("malformed CSV",))
    assert "delimiter, quoting and encoding" in err.hint
    assert cur_totals(warehouse) == {("aws/cur2-csv/good", SEP): cur2_file_sums(good)[SEP]}
    assert [q[0] for q in quarantined(warehouse, "aws_cur")] == [rel]


# ------------------------------------------------------------------------------------------------- columns
def test_missing_required_column_is_quarantined_naming_it(landing, warehouse):
    sep = write_cur2(landing, SEP)
    expected_sep = cur2_file_sums(sep)[SEP]
    assert load(landing, warehouse).ok
    # restated without the cost column: refused, the loaded September stays
    write_cur2(
        landing, SEP, rows=cur2_rows(SEP, 2.0), header=[c for c in CUR2_SCHEMA.names if c != "line_item_unblended_cost"]
    )
    touch_later(sep)
    (err,) = load(landing, warehouse).quarantined
    rel = sep.relative_to(landing).as_posix()
    assert_clear(err, rel, row=0, field="line_item_unblended_cost", words=("missing required column",))
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected_sep}
    assert [q[:3] for q in quarantined(warehouse, "aws_cur")] == [(rel, 0, "line_item_unblended_cost")]


def test_renamed_column_is_quarantined_naming_the_missing_and_the_new_name(landing, warehouse):
    good = write_legacy(landing, "good", SEP, cur2_rows(SEP))
    bad = write_legacy(landing, "renamed", SEP, cur2_rows(SEP))
    text = gzip.decompress(bad.read_bytes()).decode()
    header, rest = text.split("\n", 1)
    assert "lineItem/UnblendedCost" in header.split(",")
    bad.write_bytes(
        gzip.compress((header.replace("lineItem/UnblendedCost,", "lineItem/UnblendedCostUSD,") + "\n" + rest).encode())
    )
    (err,) = load(landing, warehouse).quarantined
    rel = bad.relative_to(landing).as_posix()
    assert_clear(err, rel, row=0, field="lineItem/UnblendedCost", words=("missing required column",))
    assert "'lineItem/UnblendedCostUSD' (renamed?)" in str(err)
    assert cur_totals(warehouse) == {("aws/cur-legacy/good", SEP): cur2_file_sums_legacy(good)}
    assert [q[:3] for q in quarantined(warehouse, "aws_cur")] == [(rel, 0, "lineItem/UnblendedCost")]


def cur2_file_sums_legacy(path: Path) -> tuple[int, Decimal]:
    """(rows, Σ lineItem/UnblendedCost) of a legacy CUR gzip CSV."""
    rows = read_csv_file(path)
    return len(rows), sum((dec(r["lineItem/UnblendedCost"]) for r in rows), Decimal(0))


def test_added_unknown_column_loads_exactly(landing, warehouse):
    # CUR 2.0: a column no CUR has is ignored (the raw table keeps the CUR columns); FOCUS: a column outside the
    # spec is kept, in x_provider_extensions
    rows = [dict(r, x_internal_note="reviewed, ok") for r in cur2_csv_rows(cur2_rows(SEP))]
    cur = write_bytes(
        cur2_path(landing, SEP, name="part-00001.csv"), csv_bytes([*CUR2_SCHEMA.names, "x_internal_note"], rows)
    )
    focus = write_focus(
        focus_path(landing, SEP),
        [dict(r, x_TeamNote="chargeback ok") for r in aws10_rows(SEP)],
        header=[*AWS10_HEADER, "x_TeamNote"],
    )
    reports = ingest(landing, warehouse)
    assert all(r.ok for r in reports.values()), {k: [str(e) for e in r.quarantined] for k, r in reports.items()}
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): cur2_file_sums(cur)[SEP]}
    assert focus_totals(warehouse) == {(AWS_EXPORT, SEP): focus_file_sums(focus)[SEP]}
    cols = {
        r[0]
        for r in sql(
            warehouse,
            "select column_name from information_schema.columns "
            "where table_schema = 'aws_cur' and table_name = 'line_items'",
        )
    }
    assert "x_internal_note" not in cols
    ext = sql(warehouse, "select distinct x_provider_extensions->>'x_TeamNote' from focus_exports.focus_rows")
    assert ext == [("chargeback ok",)]


# ------------------------------------------------------------------------------------------ delivered twice
def test_same_file_delivered_twice_is_loaded_once(landing, warehouse):
    sep = write_cur2(landing, SEP)
    expected = cur2_file_sums(sep)[SEP]
    assert load(landing, warehouse).ok

    # 1. the same content again at the same path (re-uploaded: new modification time)
    sep.write_bytes(sep.read_bytes())
    touch_later(sep, 5)
    again = load(landing, warehouse)
    assert again.ok and again.rows == 13
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected}

    # 2. the same content in a new version folder of the period (Data Exports "create new version")
    v2 = write_bytes(cur2_path(landing, SEP, version="20261002T000000Z"), sep.read_bytes())
    touch_later(v2, 10)
    again = load(landing, warehouse)
    assert again.ok and again.rows == 13
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected}
    assert sql(warehouse, "select distinct x_source_file from aws_cur.line_items") == [
        (v2.relative_to(landing).as_posix(),)
    ]

    # 3. the same content under another name / export folder: a copy, not a second bill
    copy = write_bytes(cur2_path(landing, SEP, export="aws/cur2-csv/northwind-copy"), sep.read_bytes())
    report = load(landing, warehouse)
    (err,) = report.quarantined
    rel = copy.relative_to(landing).as_posix()
    assert_clear(err, rel, row=0, words=("same content as", "not loaded twice"), todo="Remove the copy")
    assert v2.relative_to(landing).as_posix() in str(err)
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected}
    assert [q[0] for q in quarantined(warehouse, "aws_cur")] == [rel]
    # and a copy inside one run (both new): the first loads, the second is quarantined
    wh2 = warehouse.with_name("second.duckdb")
    report = load(landing, wh2)
    assert [e.file for e in report.quarantined] == [rel]
    assert cur_totals(wh2) == {(CUR2_EXPORT, SEP): expected}  # loaded once: the file's rows and amounts, not twice


def test_a_copy_inside_a_delivery_is_refused_and_the_earlier_delivery_stays(landing, warehouse):
    sep = write_cur2(landing, SEP)
    expected = cur2_file_sums(sep)[SEP]
    assert load(landing, warehouse).ok
    # the restated period arrives with one part uploaded twice under two names
    part1 = write_cur2(landing, SEP, cur2_rows(SEP, 2.0), name="part-00001.csv.gz")
    touch_later(part1)
    dup = write_bytes(part1.with_name("part-00001 (1).csv.gz"), part1.read_bytes())
    touch_later(dup, 10)  # uploaded after the original
    (err,) = load(landing, warehouse).quarantined
    assert_clear(
        err,
        dup.relative_to(landing).as_posix(),
        row=0,
        words=("same content as", "of the same delivery: a copy"),
        todo="Remove the copy",
    )
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): expected}
    dup.unlink()  # the copy removed: the restated period loads once
    assert load(landing, warehouse).ok
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): cur2_file_sums(part1)[SEP]}
    assert quarantined(warehouse, "aws_cur") == []


# ----------------------------------------------------------------------------------- file drops: encodings
@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-16"), ("\t", "utf-16")],
    ids=["semicolon-bom", "utf16-bom", "utf16-tab"],
)
def test_file_drop_in_other_delimiters_and_encodings_loads_exactly(
    landing, warehouse, monkeypatch, delimiter, encoding
):
    from ingestion.business_kpis.runner import load_business_kpis

    for var in ("SOURCES__BUSINESS_KPIS__CREDENTIALS", "SOURCES__BUSINESS_KPIS__CSV_PATH"):
        monkeypatch.delenv(var, raising=False)
    rows = [
        {"kpi_date": f"2026-09-0{i}", "product": "doc-search", "kpi_name": "queries", "kpi_value": v, "kpi_unit": ""}
        for i, v in enumerate(["1200.5", "0", "7.0000000001"], start=1)
    ]
    path = write_bytes(
        landing / "business_kpis" / "volumes.csv",
        csv_bytes(list(rows[0]), rows, delimiter=delimiter, encoding=encoding),
    )
    report = load_business_kpis(str(warehouse), str(landing))
    assert report.ok and report.rows_loaded == 3, [str(e) for e in report.all_quarantined]
    back = read_csv_file(path, delimiter=delimiter, encoding="utf-16" if encoding == "utf-16" else "utf-8-sig")
    assert sql(warehouse, "select kpi_date::varchar, kpi_value from business_kpis.daily_volumes order by 1") == [
        (r["kpi_date"], dec(r["kpi_value"])) for r in back
    ]


# ------------------------------------------------------------------------------------------ restated month
def test_restated_month_replaces_never_adds(landing, warehouse):
    # CUR 2.0 Parquet rewritten in place, legacy CUR as a new assembly named by the manifest, FOCUS rewritten
    cur = write_cur2_parquet(landing, "exp", SEP, cur2_rows(SEP))
    write_cur2_parquet(landing, "exp", OCT, cur2_rows(OCT))
    write_legacy(landing, "rep", SEP, cur2_rows(SEP), assembly="asm-1")
    focus = write_focus(focus_path(landing, SEP), aws10_rows(SEP))
    reports = ingest(landing, warehouse)
    assert all(r.ok for r in reports.values())
    oct_before = cur_totals(warehouse)[("aws/cur2/exp", OCT)]

    cur = write_cur2_parquet(landing, "exp", SEP, cur2_rows(SEP, 3.0)[:9])  # fewer lines, other amounts
    touch_later(cur)
    legacy = write_legacy(landing, "rep", SEP, cur2_rows(SEP, 0.25), assembly="asm-2")
    focus = write_focus(focus_path(landing, SEP), aws10_rows(SEP, "2.5")[:5])
    touch_later(focus)
    reports = ingest(landing, warehouse)
    assert all(r.ok for r in reports.values())
    assert reports["aws_cur"].rows == 9 + 13 and reports["focus_exports"].rows == 5

    got = cur_totals(warehouse)
    assert got[("aws/cur2/exp", SEP)] == cur2_file_sums(cur)[SEP]
    assert got[("aws/cur-legacy/rep", SEP)] == cur2_file_sums_legacy(legacy)
    assert got[("aws/cur2/exp", OCT)] == oct_before  # another period of the export: untouched
    assert focus_totals(warehouse) == {(AWS_EXPORT, SEP): focus_file_sums(focus)[SEP]}
    assert not sql(warehouse, "select 1 from aws_cur.line_items where x_source_file like '%asm-1%'")


def test_late_rows_stating_a_closed_period_never_replace_its_delivery(landing, warehouse):
    """November's delivery carries rows that still state September as their billing period (not the FOCUS way of
    booking a correction, see the dbt test below): they load with the period they state, and September's own
    delivery is not replaced by them."""
    sep = write_focus(focus_path(landing, SEP), aws10_rows(SEP))
    assert load(landing, warehouse, "focus_exports").ok
    late = [
        dict(
            r, ChargeClass="Correction", ChargePeriodStart=f"{SEP}-12T00:00:00Z", ChargePeriodEnd=f"{SEP}-12T01:00:00Z"
        )
        for r in aws10_rows(SEP, "-0.1")[:2]
    ]
    nov = write_focus(focus_path(landing, NOV), aws10_rows(NOV) + late)
    report = load(landing, warehouse, "focus_exports")
    assert report.ok and report.rows == 9
    n_sep, b_sep, e_sep = focus_file_sums(sep)[SEP]
    n_late, b_late, e_late = focus_file_sums(nov)[SEP]
    assert focus_totals(warehouse) == {
        (AWS_EXPORT, SEP): (n_sep + n_late, b_sep + b_late, e_sep + e_late),
        (AWS_EXPORT, NOV): focus_file_sums(nov)[NOV],
    }
    # re-delivering November replaces November's delivery only (its late rows included), never September's
    nov = write_focus(focus_path(landing, NOV), aws10_rows(NOV, "2"))
    touch_later(nov)
    assert load(landing, warehouse, "focus_exports").ok
    assert focus_totals(warehouse) == {
        (AWS_EXPORT, SEP): focus_file_sums(sep)[SEP],
        (AWS_EXPORT, NOV): focus_file_sums(nov)[NOV],
    }


# ----------------------------------------------------------------------------------- negative and zero costs
def test_negative_and_zero_costs_load_exactly(landing, warehouse):
    rows = cur2_rows(SEP)
    rows += [
        dict(r, identity_line_item_id=f"zero-{i}", line_item_unblended_cost=v, line_item_net_unblended_cost=v)
        for i, (r, v) in enumerate([(rows[0], 0.0), (rows[12], -0.0), (rows[1], 0)])
    ]
    rows.append(dict(rows[9], identity_line_item_id="refund-big", line_item_unblended_cost=-1234.5678901234))
    cur = write_cur2(landing, SEP, rows)
    focus_rows = aws10_rows(SEP) + [
        dict(
            aws10_rows(SEP)[6],
            BilledCost="-0.0000000001",
            EffectiveCost="-0.0000000001",
            ChargeDescription="rounding credit",
        ),
        dict(
            aws10_rows(SEP)[0],
            BilledCost="0",
            EffectiveCost="0.00",
            ListCost="0",
            ContractedCost="0",
            ChargeDescription="free tier usage",
        ),
    ]
    focus = write_focus(focus_path(landing, SEP), focus_rows)
    reports = ingest(landing, warehouse)
    assert all(r.ok for r in reports.values()) and reports["aws_cur"].rows == 17 and reports["focus_exports"].rows == 9
    assert quarantined(warehouse, "aws_cur") == [] and quarantined(warehouse, "focus_exports") == []

    n, total = cur2_file_sums(cur)[SEP]
    negatives = sum((c for c in (dec(r["line_item_unblended_cost"]) for r in read_csv_file(cur)) if c < 0), Decimal(0))
    assert negatives == Decimal("-1272.7778901234")  # credit, refund, EDP discount, SP negation, the big refund
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): (n, total)}
    assert sql(
        warehouse,
        "select sum(line_item_unblended_cost) filter (where line_item_unblended_cost < 0), "
        "count(*) filter (where line_item_unblended_cost = 0) from aws_cur.line_items",
    ) == [(negatives, 4)]  # DiscountedUsage's 0.0 and the three zero rows
    assert focus_totals(warehouse) == {(AWS_EXPORT, SEP): focus_file_sums(focus)[SEP]}
    assert sql(
        warehouse, "select billed_cost from focus_exports.focus_rows where charge_description = 'rounding credit'"
    ) == [(Decimal("-1E-10"),)]


# ------------------------------------------------------------------------------------------------ huge tags
def test_huge_tag_json_loads_whole_with_its_cost(landing, warehouse):
    big = {f"user:k{i:05d}": f"value-{i:05d}-" + "x" * 180 for i in range(5000)}  # one ~1 MB Tags value
    tags_text = json.dumps(big)
    assert len(tags_text) > 1_000_000
    focus = write_focus(
        focus_path(landing, SEP),
        [dict(aws10_rows(SEP)[0], Tags=tags_text, BilledCost="0.1234567891", EffectiveCost="0.1234567891")]
        + aws10_rows(SEP)[1:],
    )
    many = {f"user_k{i:04d}": f"v{i}" for i in range(3000)}  # CUR 2.0 resource_tags MAP with 3,000 keys
    cur = write_cur2_parquet(landing, "exp", SEP, [dict(cur2_rows(SEP)[0], resource_tags=many), *cur2_rows(SEP)[1:]])
    reports = ingest(landing, warehouse)
    assert all(r.ok for r in reports.values())
    assert focus_totals(warehouse) == {(AWS_EXPORT, SEP): focus_file_sums(focus)[SEP]}
    assert cur_totals(warehouse) == {("aws/cur2/exp", SEP): cur2_file_sums(cur)[SEP]}
    # kept whole (no cap: nothing to flag), cost exact on the same row
    ((tags, billed),) = sql(
        warehouse, "select tags, billed_cost from focus_exports.focus_rows where length(tags) > 1000"
    )
    assert json.loads(tags) == big and billed == Decimal("0.1234567891")
    ((rt, cost),) = sql(
        warehouse,
        "select resource_tags, line_item_unblended_cost from aws_cur.line_items where identity_line_item_id = ?",
        [f"li-{SEP}-1"],
    )
    assert json.loads(rt) == many and cost == Decimal("32.7726")


# ------------------------------------------------------------------ a closed month's late correction, through dbt
DBT_BUILD = [
    "build",
    "--select",
    "+fct_charges",
    "--indirect-selection",
    "cautious",
    "--exclude-resource-type",
    "unit_test",
]
FOCUS_FIGURES = (
    "select x_billing_period, count(*), sum(billed_cost), sum(effective_cost) from marts.fct_charges "
    "where x_source_file like 'aws/focus/%' group by 1 order by 1"
)


@pytest.fixture(scope="module")
def late_correction(tmp_path_factory):
    """September delivered and built (then closed by finance); November's invoice arrives with two Correction rows
    for September usage (FOCUS: BillingPeriodStart = November, ChargePeriodStart in September). Also a ~1 MB FOCUS
    Tags value and a CUR 2.0 MAP of 3,000 tags, to see dbt's tag parsing cope. Two incremental dbt builds of
    +fct_charges (about 20 s on the 2-core reference machine)."""
    from ingestion.catalogue import ensure_raw_tables

    tmp = tmp_path_factory.mktemp("late_correction")
    landing, wh = tmp / "landing", tmp / "finops.duckdb"
    big = {f"user:k{i:05d}": f"value-{i:05d}-" + "x" * 180 for i in range(5000)}
    sep = write_focus(
        focus_path(landing, SEP),
        aws10_rows(SEP)
        + [
            dict(
                aws10_rows(SEP)[0],
                Tags=json.dumps(big),
                BilledCost="0.1234567891",
                EffectiveCost="0.1234567891",
                ChargeDescription="huge tags",
            )
        ],
    )
    many = {f"user_k{i:04d}": f"v{i}" for i in range(3000)}
    cur = write_cur2_parquet(landing, "exp", SEP, [dict(cur2_rows(SEP)[0], resource_tags=many), *cur2_rows(SEP)[1:]])
    t0 = time.monotonic()
    assert all(r.ok for r in ingest(landing, wh).values())
    ensure_raw_tables(str(wh))
    build(DBT_BUILD, wh, tmp)
    closed = sql(wh, FOCUS_FIGURES)

    nov_usage = aws10_rows(NOV)[0]
    corrections = [
        dict(
            nov_usage,
            ChargeClass="Correction",
            ChargePeriodStart=f"{SEP}-03T00:00:00Z",
            ChargePeriodEnd=f"{SEP}-03T01:00:00Z",
            BilledCost="-2.5",
            EffectiveCost="-2.5",
            ListCost="-2.5",
            ContractedCost="-2.5",
            ChargeDescription="correction: m5.large over-billed in September",
        ),
        dict(
            nov_usage,
            ChargeClass="Correction",
            ChargePeriodStart=f"{SEP}-20T00:00:00Z",
            ChargePeriodEnd=f"{SEP}-21T00:00:00Z",
            BilledCost="7.2500000001",
            EffectiveCost="7.2500000001",
            ListCost="7.2500000001",
            ContractedCost="7.2500000001",
            ChargeDescription="correction: usage missing from September",
        ),
    ]
    nov = write_focus(focus_path(landing, NOV), aws10_rows(NOV) + corrections)
    assert ingest(landing, wh)["focus_exports"].ok
    build(DBT_BUILD, wh, tmp)
    seconds = time.monotonic() - t0
    print(f"late correction: 2 loads + 2 dbt builds of +fct_charges in {seconds:.1f}s")
    return {"wh": wh, "sep": sep, "nov": nov, "cur": cur, "big": big, "many": many, "closed": closed}


@pytest.mark.slow
def test_late_correction_is_booked_in_the_open_month_and_the_closed_month_is_unchanged(late_correction):
    wh, sep, nov = late_correction["wh"], late_correction["sep"], late_correction["nov"]
    figures = sql(wh, FOCUS_FIGURES)
    n_sep, b_sep, e_sep = focus_file_sums(sep)[SEP]
    n_nov, b_nov, e_nov = focus_file_sums(nov)[NOV]  # by BillingPeriodStart: the corrections are November's
    assert late_correction["closed"] == [(SEP, n_sep, b_sep, e_sep)]
    assert figures == [(SEP, n_sep, b_sep, e_sep), (NOV, n_nov, b_nov, e_nov)]  # September as closed
    assert n_nov == 9 and b_nov == focus_file_sums(nov, by="ChargePeriodStart")[SEP][1] + sum(
        (dec(r["BilledCost"]) for r in aws10_rows(NOV)), Decimal(0)
    )
    rows = sql(
        wh,
        "select charge_class, x_billing_period, cast(billing_period_start as date), "
        "strftime(charge_period_start, '%Y-%m'), billed_cost from marts.fct_charges "
        "where charge_class = 'Correction' order by billed_cost",
    )
    import datetime as dt

    nov_start = dt.date(2026, 11, 1)
    assert rows == [
        ("Correction", NOV, nov_start, SEP, Decimal("-2.5")),
        ("Correction", NOV, nov_start, SEP, Decimal("7.2500000001")),
    ]


@pytest.mark.slow
def test_dbt_parses_huge_tags(late_correction):
    wh = late_correction["wh"]
    ((tags, billed),) = sql(
        wh, "select tags, billed_cost from marts.fct_charges where charge_description = 'huge tags'"
    )
    assert json.loads(tags) == late_correction["big"] and billed == Decimal("0.1234567891")
    cur_rows = sql(
        wh, "select tags, billed_cost from marts.fct_charges where x_source_file like 'aws/cur2/%' and x_source_row = 1"
    )
    ((tags, billed),) = cur_rows
    expected = {k.removeprefix("user_"): v for k, v in late_correction["many"].items()}
    assert json.loads(tags) == {**expected, "costCategory/BusinessUnit": "research"} and billed == Decimal("32.7726")
    # every CUR line is in the record (the unused-commitment rows it adds carry no BilledCost): the sum is the file's
    ((total,),) = sql(wh, "select sum(billed_cost) from marts.fct_charges where x_source_file like 'aws/cur2/%'")
    assert total == cur2_file_sums(late_correction["cur"])[SEP][1]


def test_a_closed_month_restated_after_its_close_is_flagged(tmp_path, monkeypatch):
    """A provider restates a closed month itself: the warehouse loads it (nothing lost), and the check
    ``closed_months_unchanged`` warns that the posted journal no longer matches, with the difference and what to do.
    (The journal mart is written directly here: building it needs the whole allocation chain.)"""
    import duckdb

    from data_quality.closed_months import closed_month_changes
    from orchestration.defs.quality.closed_months import check_result, close_root
    from serving.close_pack import ClosePack

    monkeypatch.delenv("FINOPS_CLOSE_DIR", raising=False)  # the packs go to <warehouse dir>/close
    wh = tmp_path / "finops.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute(
            "create schema marts; create table marts.fct_chargeback_journal (billing_period varchar, "
            "journal_id varchar, line_number int, debit decimal(38,10), credit decimal(38,10))"
        )
        con.execute(
            "insert into marts.fct_chargeback_journal values ('2026-09', 'CHB-2026-09-USD', 1, 100.25, 0), "
            "('2026-09', 'CHB-2026-09-USD', 2, 20.50, 0), ('2026-09', 'CHB-2026-09-USD', 3, 0, 120.75), "
            "('2026-10', 'CHB-2026-10-USD', 1, 9.99, 0)"
        )
    root = close_root(str(wh))
    pack = ClosePack(
        period=SEP,
        out_dir=str(root / SEP),
        journals=["CHB-2026-09-USD"],
        journal_debits={"CHB-2026-09-USD": "120.75"},
        written_at="2026-10-05T08:00:00+00:00",
    )
    write_bytes(root / SEP / "close_manifest.json", json.dumps(pack.manifest()).encode())
    assert closed_month_changes(wh, root) == ([SEP], [])
    assert check_result([SEP], []).passed

    with duckdb.connect(str(wh)) as con:  # September restated by the provider, re-allocated by the next run
        con.execute(
            "insert into marts.fct_chargeback_journal values ('2026-09', 'CHB-2026-09-USD', 4, 7.25, 0), "
            "('2026-09', 'CHB-2026-09-EUR', 1, 3.10, 0)"
        )
    periods, changes = closed_month_changes(wh, root)
    assert [(c.journal_id, c.debits_at_close, c.debits_now, c.difference) for c in changes] == [
        ("CHB-2026-09-EUR", Decimal(0), Decimal("3.10"), Decimal("3.10")),
        ("CHB-2026-09-USD", Decimal("120.75"), Decimal("128.00"), Decimal("7.25")),
    ]
    result = check_result(periods, changes)
    assert not result.passed and result.severity.value == "WARN"
    assert (
        "closed month 2026-09 changed after close (2026-10-05T08:00:00+00:00): journal CHB-2026-09-USD debits "
        "120.75 at close, 128.00 now (+7.25). Book the difference in the open month, or re-run "
        "`finops close 2026-09`"
    ) in result.description
