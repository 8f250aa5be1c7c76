"""Running focus-validator: the relation exported to Parquet exactly as ``finops export-focus`` writes it
(:func:`serving.focus_export.export_focus`), the validator run in its own virtualenv from a work directory holding
``focus_validator/rules/currency_codes.csv``, and its JUnit report classified (:mod:`data_quality.focus.report`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data_quality.focus.report import (
    ConformanceReport,
    build_report,
    excuse_virtual_currencies,
    excuse_wrong_allowed_values,
)
from data_quality.focus.rules import AND, LEAF, OR, load_rule_kinds
from data_quality.focus.venv import (
    ValidatorNotAvailable,
    ensure_validator_venv,
    validator_package_dir,
    venv_bin,
)
from serving.focus_export import DEFAULT_RELATION, export_focus

FOCUS_VERSION = "1.2"
CURRENCY_CODES_RELPATH = Path("focus_validator/rules/currency_codes.csv")


class EmptyFocusDataset(ValueError):
    """The relation to validate has no rows: there is nothing to check (and the validator would report the empty
    file as 9 failures)."""

    def __init__(self, relation: str, warehouse: str) -> None:
        self.relation = relation
        self.warehouse = warehouse
        name = relation.rsplit(".", 1)[-1]
        super().__init__(
            f"no rows in {name} ({relation} in {warehouse}): nothing to validate. Load billing data first: "
            "`finops load PATH` (one export file or folder), or `finops run` after landing exports "
            "(`finops generate` writes the demo's), then run `finops validate-focus` again."
        )


def prepare_work_dir(work_dir: Path, venv: Path) -> Path:
    """Make ``work_dir/focus_validator/rules/currency_codes.csv`` point at the installed package's file."""
    pkg = validator_package_dir(venv)
    if pkg is None:
        raise ValidatorNotAvailable(f"focus_validator package not found in {venv}")
    src = pkg / "rules" / "currency_codes.csv"
    dst = work_dir / CURRENCY_CODES_RELPATH
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists():
        if dst.is_symlink():  # dangling
            dst.unlink()
        try:
            dst.symlink_to(src)
        except OSError:
            shutil.copyfile(src, dst)
    return work_dir


def explain_rule_kinds(venv: Path | None = None, work_dir: Path | None = None) -> dict[str, str]:
    """Rule id -> "leaf" | "AND" | "OR" | "skipped" as the validator's planner sees it (``--explain-mode``).

    Used to cross-check :func:`load_rule_kinds`; needs no data file (~1 s).
    """
    venv = ensure_validator_venv(venv)
    with tempfile.TemporaryDirectory(prefix="focus-explain-") as tmp:
        wd = prepare_work_dir(Path(work_dir or tmp), venv)
        proc = subprocess.run(
            [
                str(venv_bin(venv, "focus-validator")),
                "--validate-version",
                FOCUS_VERSION,
                "--block-download",
                "--applicability-criteria",
                "ALL",
                "--explain-mode",
            ],
            cwd=wd,
            capture_output=True,
            text=True,
            env=_validator_env(),
            check=False,
        )
    kinds: dict[str, str] = {}
    for block in proc.stdout.split("📋 ")[1:]:
        rid = block.split("\n", 1)[0].strip()
        typ = re.search(r"^\s*Type: (\S+)", block, re.MULTILINE)
        gen = re.search(r"^\s*Generator: (\S+)", block, re.MULTILINE)
        g = gen.group(1) if gen else ""
        if g == "CompositeANDRuleGenerator":
            kinds[rid] = AND
        elif g == "CompositeORRuleGenerator":
            kinds[rid] = OR
        else:
            kinds[rid] = typ.group(1) if typ else LEAF
    if not kinds:
        raise RuntimeError(f"could not parse --explain-mode output:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return kinds


def _validator_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(var, None)  # do not leak the project interpreter into the 3.12 venv
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("NO_COLOR", "1")
    return env


def run_validator(
    data_file: Path,
    junit_path: Path,
    *,
    venv: Path | None = None,
    work_dir: Path | None = None,
    applicability: str = "ALL",
    echo: bool = False,
    timeout: float | None = None,
) -> tuple[int, str]:
    """Run focus-validator on ``data_file`` writing JUnit XML to ``junit_path``. Returns (exit code, output).

    The exit code is returned for diagnostics only: it is 0 even when rules fail.
    """
    venv = ensure_validator_venv(venv)
    wd = prepare_work_dir(Path(work_dir) if work_dir else Path(junit_path).parent, venv)
    cmd = [
        str(venv_bin(venv, "focus-validator")),
        "--data-file",
        str(Path(data_file).resolve()),
        "--validate-version",
        FOCUS_VERSION,
        "--block-download",
        "--output-type",
        "unittest",
        "--output-destination",
        str(Path(junit_path).resolve()),
    ]
    if applicability:
        cmd[5:5] = ["--applicability-criteria", applicability]
    lines: list[str] = []
    proc = subprocess.Popen(
        cmd,
        cwd=wd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_validator_env(),
        encoding="utf-8",
        errors="replace",
    )
    deadline = time.monotonic() + timeout if timeout else None
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if echo:
            sys.stderr.write(line)
        if deadline and time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"focus-validator exceeded {timeout} s")
    rc = proc.wait()
    return rc, "".join(lines)


def validate_focus(
    warehouse_path: str,
    relation: str = DEFAULT_RELATION,
    applicability: str = "ALL",
    work_dir: str | Path | None = None,
    *,
    venv_dir: Path | None = None,
    echo: bool = False,
) -> ConformanceReport:
    """Export ``relation`` to Parquet, run focus-validator 1.2 on it and classify the results.

    Raises :class:`EmptyFocusDataset` when the relation has no rows (the validator is not run).

    ``work_dir``: where the Parquet file, ``junit.xml`` and the currency-codes symlink go (kept afterwards);
    a temporary directory (deleted) when None.
    """
    t0 = time.monotonic()
    tmp = None
    if work_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="focus-validate-")
        wd = Path(tmp.name)
    else:
        wd = Path(work_dir)
        wd.mkdir(parents=True, exist_ok=True)
    try:
        data_file = wd / "focus.parquet"
        junit = wd / "junit.xml"
        if junit.exists():
            junit.unlink()
        rows = export_focus(str(warehouse_path), str(data_file), relation=relation)
        if rows == 0:
            raise EmptyFocusDataset(relation, str(warehouse_path))
        venv = ensure_validator_venv(venv_dir)
        rc, output = run_validator(data_file, junit, venv=venv, work_dir=wd, applicability=applicability, echo=echo)
        if not junit.exists() or junit.stat().st_size == 0:
            raise RuntimeError(f"focus-validator wrote no JUnit report (exit {rc}):\n{output[-4000:]}")
        report = build_report(junit, load_rule_kinds(venv))
        excuse_virtual_currencies(report, data_file)
        excuse_wrong_allowed_values(report, data_file)
        report.rows_exported = rows
        report.validator_output = output
        report.junit_path = str(junit) if tmp is None else None
        report.seconds = time.monotonic() - t0
        return report
    finally:
        if tmp is not None:
            tmp.cleanup()
