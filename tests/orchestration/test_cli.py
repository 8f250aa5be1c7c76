"""`finops load`: bring an export, see it in FOCUS at once; bad files are named and quarantined while the
others load."""

from __future__ import annotations

import csv
import gzip
import shutil
from decimal import Decimal

import duckdb
import pytest
from click.testing import CliRunner

from finops_cli import main
from tests.support import SAMPLES
from tests.support.aws_cur import expected_sums


@pytest.mark.slow
def test_load_a_real_export_and_a_corrupt_one(tmp_path, monkeypatch):
    wh = tmp_path / "wh.duckdb"
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(wh))
    drop = tmp_path / "drop"
    drop.mkdir()
    sample = SAMPLES / "aws" / "cur_legacy_sample.csv"
    shutil.copy(sample, drop / "cur_legacy_sample.csv")
    good = gzip.compress(sample.read_bytes())
    (drop / "truncated.csv.gz").write_bytes(good[: len(good) // 2])
    with sample.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[5][rows[0].index("lineItem/UnblendedCost")] = "12,5"  # a decimal comma: not a number here
    with (drop / "bad_amount.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)

    result = CliRunner().invoke(main, ["load", str(drop)], catch_exceptions=False)

    assert result.exit_code == 2, result.output
    assert "truncated.csv.gz" in result.output and "corrupt or truncated" in result.output
    assert "bad_amount.csv, row 5, field 'lineItem/UnblendedCost'" in result.output
    assert "Spend by provider" in result.output and "Amazon Web Services" in result.output  # AWS: its catalogue name
    billed, effective = expected_sums(sample)["2023-11"]
    with duckdb.connect(str(wh), read_only=True) as con:
        got = con.execute("select sum(billed_cost), sum(effective_cost) from marts.fct_charges").fetchone()
        quarantined = con.execute("select source_file, row_number, field from aws_cur.quarantine order by 1").fetchall()
    assert (got[0], got[1]) == (billed.quantize(Decimal("1e-10")), effective.quantize(Decimal("1e-10")))
    assert ("bad_amount.csv", 5, "lineItem/UnblendedCost") in quarantined
    listed = CliRunner().invoke(main, ["quarantine"], catch_exceptions=False)
    assert listed.exit_code == 0
    assert (
        "aws_cur: bad_amount.csv row 5 field lineItem/UnblendedCost: value cannot be parsed (value '12,5')"
        in listed.output
    )
