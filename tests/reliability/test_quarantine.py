"""Quarantine, end to end: bad rows and files land in their dataset's quarantine table with file, row, field, reason
and raw record; the same bad file again keeps exactly its records (not twice); the fixed file delivered again
replaces them (none left) and its rows load with exact totals. ``marts.fct_quarantined_records`` (a dbt view) lists
every dataset's records and the landed files nothing could read; the asset check ``no_quarantined_records`` counts
them; ``finops quarantine`` lists them, read-only."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from click.testing import CliRunner

from data_quality.quarantine import WHAT_TO_DO, read_records
from ingestion._common.source import QUARANTINE_COLUMNS
from orchestration.defs.quality.quarantine import QUARANTINE_VIEW, check_result, no_quarantined_records
from tests.support import ingest
from tests.support.aws_cur import CUR2_SCHEMA
from tests.support.faults import (
    CUR2_EXPORT,
    aws10_rows,
    build,
    csv_bytes,
    cur2_csv_rows,
    cur2_file_sums,
    cur2_path,
    cur2_rows,
    cur_totals,
    dec,
    focus_file_sums,
    focus_path,
    quarantined,
    read_csv_file,
    sql,
    touch_later,
    write_bytes,
    write_cur2,
    write_focus,
)

SEP, OCT = "2026-09", "2026-10"
COST = "line_item_unblended_cost"
KPI_HEADER = "kpi_date,product,kpi_name,kpi_value,kpi_unit"


def bad_amount_rows(period: str, row: int, value: str = "12,34 USD") -> list[dict]:
    """CUR 2.0 CSV rows of ``period`` whose data row ``row`` has an amount that is not a number."""
    rows = cur2_csv_rows(cur2_rows(period))
    rows[row - 1][COST] = value
    return rows


def write_cur2_text(landing: Path, period: str, rows: list[dict], **kw) -> Path:
    """CUR 2.0 CSV text rows (as :func:`bad_amount_rows` returns them) at ``cur2_path(landing, period, **kw)``."""
    path = cur2_path(landing, period, **kw)
    return write_bytes(path, csv_bytes(list(CUR2_SCHEMA.names), rows, gz=path.name.endswith(".gz")))


# ------------------------------------------------------------------------------------------- billing exports
@pytest.mark.slow
def test_billing_quarantine_bad_same_again_then_fixed(landing, warehouse):
    # three exports of three accounts' bills (other amounts: identical content would be a copy, see test_file_faults)
    good = write_cur2(landing, SEP, cur2_rows(SEP, 1.5), export="aws/cur2-csv/good")
    missing = write_cur2(
        landing, SEP, export="aws/cur2-csv/missing", header=[c for c in cur2_csv_rows(cur2_rows(SEP))[0] if c != COST]
    )
    amount = write_cur2_text(landing, SEP, bad_amount_rows(SEP, 3), export="aws/cur2-csv/amount")
    rel = {p: p.relative_to(landing).as_posix() for p in (missing, amount)}

    # bad files: one record each, with file, row, field, reason, value and the raw record
    report = ingest(landing, warehouse)["aws_cur"]
    assert sorted(e.file for e in report.quarantined) == sorted(rel.values())
    first = quarantined(warehouse, "aws_cur")
    assert [q[:3] for q in first] == [(rel[amount], 3, COST), (rel[missing], 0, COST)]
    (_, _, _, reason, value, raw, _), (_, _, _, reason_missing, _, raw_missing, _) = first
    assert reason == "value cannot be parsed" and value == "12,34 USD"
    assert json.loads(raw)["identity_line_item_id"] == f"li-{SEP}-3" and json.loads(raw)[COST] == "12,34 USD"
    assert "missing required column(s) line_item_unblended_cost" in reason_missing and raw_missing is None

    # the same bad files on the next run, and once more re-uploaded unchanged: still exactly two records
    assert len(ingest(landing, warehouse)["aws_cur"].quarantined) == 2
    assert quarantined(warehouse, "aws_cur") == first
    touch_later(amount)
    assert len(ingest(landing, warehouse)["aws_cur"].quarantined) == 2
    again = quarantined(warehouse, "aws_cur")
    assert [q[:6] for q in again] == [q[:6] for q in first] and again[0][6] != first[0][6]  # the new read's record

    # the fixed file at the same path: its record is gone, its rows are loaded
    amount = write_cur2(landing, SEP, cur2_rows(SEP, 2.0), export="aws/cur2-csv/amount")
    touch_later(amount, 10)
    report = ingest(landing, warehouse)["aws_cur"]
    assert [e.file for e in report.quarantined] == [rel[missing]]
    assert [q[:3] for q in quarantined(warehouse, "aws_cur")] == [(rel[missing], 0, COST)]

    # the other fixed as a new version folder of the period: the quarantine is empty, totals exact
    fixed = write_cur2(landing, SEP, cur2_rows(SEP, 3.0), export="aws/cur2-csv/missing", version="20261003T000000Z")
    touch_later(fixed, 15)
    report = ingest(landing, warehouse)["aws_cur"]
    assert report.ok and quarantined(warehouse, "aws_cur") == []
    assert cur_totals(warehouse) == {
        (f"aws/cur2-csv/{e}", SEP): cur2_file_sums(p)[SEP]
        for e, p in (("good", good), ("amount", amount), ("missing", fixed))
    }


def test_removing_a_bad_version_folder_clears_its_record(landing, warehouse):
    sep = write_cur2(landing, SEP)
    assert ingest(landing, warehouse)["aws_cur"].ok
    bad = write_cur2_text(landing, SEP, bad_amount_rows(SEP, 2), version="v2")
    touch_later(bad)
    assert [e.file for e in ingest(landing, warehouse)["aws_cur"].quarantined] == [bad.relative_to(landing).as_posix()]
    assert len(quarantined(warehouse, "aws_cur")) == 1
    bad.unlink()  # the provider withdraws the bad version: the loaded delivery is the landed one again
    assert ingest(landing, warehouse)["aws_cur"].ok
    assert quarantined(warehouse, "aws_cur") == []
    assert cur_totals(warehouse) == {(CUR2_EXPORT, SEP): cur2_file_sums(sep)[SEP]}


# ----------------------------------------------------------------------------------------------- file drops
@pytest.fixture
def kpi_env(monkeypatch):
    for var in ("SOURCES__BUSINESS_KPIS__CREDENTIALS", "SOURCES__BUSINESS_KPIS__CSV_PATH"):
        monkeypatch.delenv(var, raising=False)


def write_kpis(landing: Path, lines: list[str], name: str = "volumes.csv") -> Path:
    return write_bytes(landing / "business_kpis" / name, ("\n".join([KPI_HEADER, *lines]) + "\n").encode())


def test_file_drop_quarantine_bad_same_again_then_fixed(landing, warehouse, kpi_env):
    from ingestion.business_kpis.runner import load_business_kpis

    good = ["2026-09-01,doc-search,queries,1200.5,", "2026-09-02,doc-search,queries,1300,"]
    path = write_kpis(
        landing,
        [*good, "2026-09-31,doc-search,queries,5,", "2026-09-03,doc-search,queries,x,", "2026-09-04,,queries,-1,"],
    )
    report = load_business_kpis(str(warehouse), str(landing))
    first = quarantined(warehouse, "business_kpis")
    src = "business_kpis/volumes.csv"
    assert [q[:3] for q in first] == [
        (src, 3, "kpi_date"),
        (src, 4, "kpi_value"),
        (src, 5, "kpi_value"),
        (src, 5, "product"),
    ]
    assert len(report.quarantined) == 4 and all(json.loads(q[5])["kpi_name"] == "queries" for q in first)

    # unchanged: not read again, its records stay as they are (and the check still reports them)
    report = load_business_kpis(str(warehouse), str(landing))
    assert report.files_skipped == [src] and len(report.still_quarantined) == 4
    assert quarantined(warehouse, "business_kpis") == first

    # read again with one bad row left: the new read's one record replaces the four
    path = write_kpis(landing, [*good, "2026-09-03,doc-search,queries,x,"])
    touch_later(path)
    load_business_kpis(str(warehouse), str(landing))
    assert [q[:3] for q in quarantined(warehouse, "business_kpis")] == [(src, 3, "kpi_value")]

    # fixed: nothing in quarantine, every row loaded with its exact value
    path = write_kpis(landing, [*good, "2026-09-03,doc-search,queries,7.0000000001,"])
    touch_later(path, 10)
    report = load_business_kpis(str(warehouse), str(landing))
    assert report.ok and quarantined(warehouse, "business_kpis") == []
    rows = sql(warehouse, "select kpi_date::varchar, kpi_value from business_kpis.daily_volumes order by 1")
    assert rows == [(r["kpi_date"], dec(r["kpi_value"])) for r in read_csv_file(path)]
    assert sum(v for _, v in rows) == Decimal("2507.5000000001")


# --------------------------------------------------------------------- one view, the check and the command
@pytest.mark.slow
def test_one_view_lists_every_dataset_the_check_counts_it_and_the_command_lists_it(
    landing, warehouse, tmp_path, kpi_env, monkeypatch
):
    from finops_cli import main
    from ingestion._common.inventory import load_inventory
    from ingestion.business_kpis.runner import load_business_kpis
    from ingestion.catalogue import ensure_raw_tables, plan

    # an aws_cur delivery loaded, then re-delivered corrupt (its dataset quarantines it; the inventory sees it
    # unreadable too: listed once), a bad amount in another export, a good FOCUS export, a bad KPI row, and two
    # files no dataset can claim: garbage with a .csv.gz name and a CSV of an unknown format
    corrupt = write_cur2(landing, SEP)
    assert ingest(landing, warehouse)["aws_cur"].ok
    write_bytes(corrupt, random.Random(3).randbytes(2048))
    touch_later(corrupt)
    amount = write_cur2_text(landing, OCT, bad_amount_rows(OCT, 5, "1.2.3"), export="aws/cur2-csv/other")
    focus = write_focus(focus_path(landing, SEP), aws10_rows(SEP))
    write_kpis(landing, ["2026-09-01,doc-search,queries,oops,"])
    garbage = write_bytes(landing / "misc" / "garbage.csv.gz", b"\x1f\x8b\x08 not really gzip")
    notes = write_bytes(landing / "misc" / "notes.csv", b"who,what\nana,budget review\n")
    ingest(landing, warehouse)
    load_business_kpis(str(warehouse), str(landing))
    load_inventory(plan(str(landing)), str(warehouse))
    ensure_raw_tables(str(warehouse))
    for ds in ("aws_cur", "azure_cost_details", "gcp_billing", "focus_exports", "finance", "business_kpis"):
        cols = sql(
            warehouse,
            "select column_name, data_type from information_schema.columns where table_schema = ? "
            "and table_name = 'quarantine'",
            [ds],
        )
        assert set(QUARANTINE_COLUMNS) <= {c for c, _ in cols}, ds

    def rel(p):
        return p.relative_to(landing).as_posix()

    expected = [
        ("aws_cur", rel(corrupt), 0, None),
        ("aws_cur", rel(amount), 5, COST),
        ("business_kpis", "business_kpis/volumes.csv", 1, "kpi_value"),
        ("landing_zone", rel(garbage), 0, None),
        ("landing_zone", rel(notes), 0, None),
    ]

    def key(r):
        return (r.dataset, r.source_file, r.row_number, r.field)

    before_dbt = read_records(warehouse)  # the raw tables, while the view is not built
    assert sorted(map(key, before_dbt.records)) == expected

    build(["build", "--select", "fct_quarantined_records"], warehouse, tmp_path)
    view = sql(
        warehouse, "select dataset, source_file, row_number, field from marts.fct_quarantined_records order by all"
    )
    assert view == expected
    report = read_records(warehouse)
    assert report.relation == "marts.fct_quarantined_records" and sorted(map(key, report.records)) == expected
    assert [r.as_json() for r in sorted(report.records, key=key)] == [
        r.as_json() for r in sorted(before_dbt.records, key=key)
    ]
    garbage_record = next(r for r in report.records if r.source_file == rel(garbage))
    assert garbage_record.reason.startswith("unreadable: ") and "deliver it again" in garbage_record.hint

    # the check: fails (ERROR, non-blocking), count per dataset, first examples, what to do
    result = check_result(report)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    lines = result.description.splitlines()
    assert lines[0] == (
        "5 quarantined records in 5 file(s) (aws_cur 2, business_kpis 1, landing_zone 2): fix each "
        "file and deliver it again."
    )
    assert lines[-1] == WHAT_TO_DO and len(lines) == 7
    assert f"- aws_cur: {rel(amount)}, row 5, field '{COST}': value cannot be parsed (value '1.2.3')" in lines
    assert result.metadata["by_dataset"].value == {"aws_cur": 2, "business_kpis": 1, "landing_zone": 2}

    # the command: every record with its raw record cut; --dataset; --json; read-only (the warehouse stays closed)
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    out = CliRunner().invoke(main, ["quarantine"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert f"aws_cur: {rel(amount)} row 5 field {COST}: value cannot be parsed (value '1.2.3')" in out.output
    assert "    raw record: {" in out.output and "… (" in out.output  # the raw record, truncated
    assert "5 record(s) in 5 file(s)" in out.output
    only = CliRunner().invoke(main, ["quarantine", "--dataset", "business_kpis", "--json"], catch_exceptions=False)
    (rec,) = json.loads(only.output)
    assert (rec["source_file"], rec["row_number"], rec["field"], rec["value"]) == (
        "business_kpis/volumes.csv",
        1,
        "kpi_value",
        "oops",
    )
    assert json.loads(rec["raw_record"])["kpi_value"] == "oops"
    assert CliRunner().invoke(main, ["quarantine", "--dataset", "nope"]).exit_code == 64  # EX_USAGE (2: quarantined)

    # fix everything: the view is current without a dbt run, the check passes
    write_cur2(landing, SEP)
    touch_later(corrupt, 10)
    write_cur2(landing, OCT, export="aws/cur2-csv/other")
    touch_later(amount, 10)
    path = write_kpis(landing, ["2026-09-01,doc-search,queries,3,"])
    touch_later(path, 10)
    garbage.unlink()
    notes.unlink()
    assert ingest(landing, warehouse)["aws_cur"].ok
    load_business_kpis(str(warehouse), str(landing))
    load_inventory(plan(str(landing)), str(warehouse))
    report = read_records(warehouse)
    assert report.empty and check_result(report).passed
    assert CliRunner().invoke(main, ["quarantine"]).output == "Quarantine is empty.\n"
    assert cur_totals(warehouse) == {
        (CUR2_EXPORT, SEP): cur2_file_sums(corrupt)[SEP],
        ("aws/cur2-csv/other", OCT): cur2_file_sums(amount)[OCT],
    }
    assert focus_file_sums(focus)  # the FOCUS export loaded throughout (not in quarantine)


def test_unknown_files_alone_are_a_warning(landing, warehouse):
    from ingestion._common.inventory import load_inventory
    from ingestion.catalogue import plan

    write_cur2(landing, SEP)
    write_bytes(landing / "misc" / "notes.csv", b"who,what\nana,budget review\n")
    assert ingest(landing, warehouse)["aws_cur"].ok
    load_inventory(plan(str(landing)), str(warehouse))
    report = read_records(warehouse)
    assert [(r.dataset, r.source_file) for r in report.records] == [("landing_zone", "misc/notes.csv")]
    result = check_result(report)
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert "finops load PATH --format F" in report.records[0].hint


def test_the_check_runs_on_the_view_in_the_warehouse_pool_and_does_not_block():
    (spec,) = no_quarantined_records.check_specs
    assert spec.asset_key == QUARANTINE_VIEW and spec.name == "no_quarantined_records" and not spec.blocking
    assert no_quarantined_records.node_def.pool == "warehouse"
