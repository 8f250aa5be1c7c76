"""Bad input, told once and well: every user mistake the CLI meets gives one line saying what is wrong and what to
do, no Python traceback, and the exit code `finops --help` documents."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import finops_cli as cli
import finops_cli.load as load_command
from finops_cli import main
from tests.support import REPO, SAMPLES

FINOPS = str(Path(sys.executable).with_name("finops"))


def _run(args: list[str], **kw):
    result = CliRunner().invoke(main, args, catch_exceptions=False, **kw)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def wh(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "wh" / "finops.duckdb"
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(path))
    monkeypatch.setenv("FINOPS_LOCK_TIMEOUT", "0")
    monkeypatch.setenv("FINOPS_CLOSE_DIR", str(tmp_path / "close"))
    return path


@pytest.fixture
def no_dbt(monkeypatch):
    """`finops load` must not start a dbt build in these cases."""

    def fail(*args, **kwargs):
        raise AssertionError("finops load started a dbt build")

    monkeypatch.setattr(load_command, "build_loaded_record", fail)


def test_help_lists_every_exit_code():
    out = _run(["--help"]).output
    for code in (
        cli.EXIT_OK,
        cli.EXIT_FAILED,
        cli.EXIT_QUARANTINED,
        cli.EXIT_USAGE,
        cli.EXIT_DATAERR,
        cli.EXIT_NOINPUT,
        cli.EXIT_CANTCREAT,
        cli.EXIT_BUSY,
        cli.EXIT_CONFIG,
        cli.EXIT_INTERRUPTED,
    ):
        assert re.search(rf"\n +{code}  \w", out), f"exit code {code} not listed:\n{out}"
    assert (cli.EXIT_QUARANTINED, cli.EXIT_BUSY) == (2, 75)  # kept: scripts rely on them


@pytest.mark.parametrize(
    "args",
    [
        ["summary"],
        ["quarantine"],
        ["export-focus", "out.parquet"],
        ["export-journal", "2026-10", "--out", "j.csv"],
        ["publish"],
        ["close", "2026-10"],
        ["validate-focus"],
    ],
)
def test_no_warehouse_yet(args, wh, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(args)
    assert result.exit_code == cli.EXIT_NOINPUT, result.output
    assert f"There is no warehouse at {wh}" in result.output
    assert "make demo" in result.output and "finops load FILE" in result.output
    assert not wh.parent.exists()  # nothing created: no empty warehouse, no lock file


def test_summary_of_a_warehouse_never_built(wh):
    wh.parent.mkdir()
    duckdb.connect(str(wh)).close()
    result = _run(["summary"])
    assert result.exit_code == cli.EXIT_NOINPUT
    assert "has no marts.fct_charges yet" in result.output and "finops run" in result.output


def test_load_a_path_that_does_not_exist(wh, tmp_path):
    result = _run(["load", str(tmp_path / "nope.csv")])
    assert result.exit_code == cli.EXIT_NOINPUT
    assert f"No such file or folder: {tmp_path / 'nope.csv'}" in result.output
    assert "FINOPS_LANDING" not in result.output  # the old, wrong advice


def test_unknown_format_lists_the_known_ones(wh, tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    result = _run(["load", str(tmp_path / "x.csv"), "--format", "aws"])
    assert result.exit_code == cli.EXIT_USAGE
    assert "unknown format 'aws'" in result.output and "aws_cur2, aws_cur2_csv, aws_cur_legacy" in result.output


@pytest.mark.parametrize("args", [["bogus"], ["summary", "--bogus"], ["load"], ["close"]])
def test_command_line_mistakes_exit_64_not_2(args):
    assert _run(args).exit_code == cli.EXIT_USAGE


def test_close_of_a_month_that_is_not_closable(wh):
    wh.parent.mkdir()
    duckdb.connect(str(wh)).close()
    result = _run(["close", "2019-13"])
    assert result.exit_code == cli.EXIT_USAGE
    assert "not a closable billing month" in result.output and "YYYY-MM" in result.output


def _xlsx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:  # the parts every workbook has
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return path


def _pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n")
    return path


@pytest.mark.parametrize(
    ("make", "name", "extra", "said"),
    [
        (_pdf, "invoice.csv", [], "a PDF document, not a CSV file"),
        (_xlsx, "costs.xlsx", [], "XLSX is not supported: open it and save the sheet as CSV"),
        (_xlsx, "costs.csv", [], "an Excel workbook (XLSX), not a CSV file"),
        # forced: the file is still not a CSV (not "missing column BillingAccountId", which the sheet has)
        (_xlsx, "costs.xlsx", ["--format", "azure_ea"], "XLSX is not supported"),
        (lambda p: p.write_bytes(b"") or p, "empty.csv", [], "the file is empty or has no header row"),
    ],
)
def test_a_file_that_is_not_a_billing_export_is_listed_and_nothing_is_built(
    make, name, extra, said, wh, tmp_path, no_dbt
):
    bad = make(tmp_path / name)
    result = _run(["load", str(bad), *extra])
    assert result.exit_code == cli.EXIT_DATAERR, result.output
    assert said in result.output and "missing required column" not in result.output
    assert "Nothing loaded" in result.output and "no model was rebuilt" in result.output
    listed = _run(["quarantine"])
    assert listed.exit_code == 0
    assert f"landing_zone: {bad} row 0" in listed.output and said in listed.output


def test_a_fixed_file_clears_its_record(wh, tmp_path, no_dbt):
    bad = tmp_path / "bill.csv"
    bad.write_bytes(b"")
    assert _run(["load", str(bad)]).exit_code == cli.EXIT_DATAERR
    shutil.copy(SAMPLES / "aws" / "cur_legacy_sample.csv", bad)
    result = _run(["load", str(bad), "--no-transform"])
    assert result.exit_code == 0, result.output
    assert "aws_cur: 1 deliveries, 1,281 rows loaded" in result.output
    assert _run(["quarantine"]).output.startswith("Quarantine is empty.")


def test_a_folder_without_export_files(wh, tmp_path, no_dbt):
    folder = tmp_path / "drop"
    folder.mkdir()
    _xlsx(folder / "costs.xlsx")
    result = _run(["load", str(folder)])
    assert result.exit_code == cli.EXIT_DATAERR
    assert (
        "holds no .csv, .csv.gz, .parquet or .json(l) file" in result.output
        and "save the billing sheet as CSV" in result.output
    )


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder with a warehouse in it that the process cannot write: a read-only bind mount (root ignores file
    modes), else a folder without write permission (non-root); skipped where neither is possible."""
    src = tmp_path / "src"
    src.mkdir()
    con = duckdb.connect(str(src / "finops.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.focus_cost_and_usage as select 1.5::decimal(38,10) as BilledCost")
    con.close()
    mnt = tmp_path / "ro"
    mnt.mkdir()
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        mounted = (
            subprocess.run(["mount", "--bind", str(src), str(mnt)], check=False, capture_output=True).returncode == 0
        )
        if (
            mounted
            and subprocess.run(
                ["mount", "-o", "remount,bind,ro", str(mnt)], check=False, capture_output=True
            ).returncode
            != 0
        ):
            subprocess.run(["umount", str(mnt)], check=False)
            mounted = False
    if not mounted:
        mnt.rmdir()
        src.rename(mnt)
        mnt.chmod(0o555)
    if os.access(mnt, os.W_OK):
        pytest.skip("cannot make a read-only folder here (root without mount)")
    try:
        yield mnt
    finally:
        if mounted:
            subprocess.run(["umount", str(mnt)], check=False)
        else:
            mnt.chmod(0o755)


@pytest.mark.parametrize(
    "args",
    [
        ["load", "{sample}", "--no-transform"],
        ["close", "2026-10"],
        ["export-focus", "{folder}/focus.parquet"],
        ["export-marts", "{folder}/parquet"],
    ],
)
def test_a_read_only_folder_is_named(args, read_only_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(read_only_folder / "finops.duckdb"))
    monkeypatch.setenv("FINOPS_LOCK_TIMEOUT", "0")
    args = [a.format(sample=SAMPLES / "aws" / "cur_legacy_sample.csv", folder=read_only_folder) for a in args]
    result = _run(args)
    assert result.exit_code == cli.EXIT_CANTCREAT, result.output
    assert f"the folder {read_only_folder} is not writable" in result.output
    # reading it is fine: the export goes to a writable folder
    out = tmp_path / "focus.parquet"
    assert _run(["export-focus", str(out)]).exit_code == 0 and out.exists()


def test_gitignore_ignores_the_warehouse_lock_but_not_uv_lock():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", "--no-index", path], check=False, cwd=REPO).returncode == 0

    assert ignored("somewhere/finops.duckdb.lock") and ignored("my.db.lock")
    assert not ignored("uv.lock")


GRANDCHILD = """
import os, signal, subprocess, sys, time
# the child (think `dg dev`) starts a grandchild (its webserver) and exits at once on SIGINT without stopping it
signal.signal(signal.SIGINT, lambda *a: os._exit(0))
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], stderr=subprocess.DEVNULL)
open(sys.argv[1], "w").write(str(grandchild.pid))
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie not reaped yet is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_demo_vendors_stops_what_its_command_started(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = tmp_path / "child.py"
    script.write_text(GRANDCHILD)
    proc = subprocess.Popen(
        [FINOPS, "demo-vendors", "--", sys.executable, str(script), str(pid_file)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    grandchild = None
    try:
        deadline = time.monotonic() + 120
        while not (pid_file.exists() and pid_file.read_text()):
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the command never started"
            time.sleep(0.1)
        grandchild = int(pid_file.read_text())
        assert _alive(grandchild)
        proc.send_signal(signal.SIGINT)  # as `make dev` stopped with Ctrl-C (or a kill -INT of finops alone)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == cli.EXIT_INTERRUPTED, out
        assert "Traceback" not in out
        assert not _alive(grandchild), "the grandchild outlived finops demo-vendors"
    finally:
        if proc.poll() is None:
            proc.kill()
        if grandchild and _alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)


def test_demo_vendors_with_a_command_that_does_not_exist():
    result = _run(["demo-vendors", "--", "no-such-command-xyz"])
    assert result.exit_code == cli.EXIT_NOINPUT
    assert "No command 'no-such-command-xyz' found on PATH" in result.output
