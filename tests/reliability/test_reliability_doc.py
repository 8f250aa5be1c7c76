"""docs/reliability.md is the contract of the fault-injection suite: its table (fault → behaviour → test) must name
only tests that exist, every test of tests/reliability/ must be in it, and every fault the reliability issue lists
must have a row. Pure file parsing: no warehouse, no run."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "reliability.md"
SUITE = REPO / "tests" / "reliability"
THIS = Path(__file__).name

# every fault the issue asks for, as words that must appear in the "fault" column of some row (case-insensitive)
REQUIRED_FAULTS = [
    "corrupt gzip",
    "truncated gzip",
    "delimiter",
    "bom",
    "utf-16",
    "missing column",
    "renamed column",
    "added column",
    "same file delivered twice",
    "restated month",
    "closed month",
    "negative",
    "zero cost",
    "huge tag",
    "429",
    "500",
    "timeout",
    "malformed json",
    "truncated page",
    "killed mid-load",
    "two runs started at once",
    "secrets",
    "read-only",
    "escape the landing root",
    "quarantine",
]
TEST_ID = re.compile(r"tests/reliability/(test_[a-z0-9_]+\.py)::(test_[A-Za-z0-9_]+)")


def doc_rows() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(fault, behaviour, [(file, test)]) of every row of the fault table."""
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if len(cells) != 3 or set(cells[0]) <= {"-", ":", " "} or cells[0].lower() == "fault":
            continue
        rows.append((cells[0], cells[1], TEST_ID.findall(cells[2])))
    return rows


def suite_tests() -> set[tuple[str, str]]:
    """(file, test function) of every test in tests/reliability/ (this file excepted)."""
    out = set()
    for path in sorted(SUITE.glob("test_*.py")):
        if path.name == THIS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out |= {
            (path.name, n.name)
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test_")
        }
    return out


def test_every_row_names_a_fault_a_behaviour_and_existing_tests():
    rows = doc_rows()
    assert len(rows) >= 20, "docs/reliability.md has no fault table"
    existing = suite_tests()
    for fault, behaviour, tests in rows:
        assert fault and len(behaviour) > 20, f"row {fault!r}: say what the user sees"
        assert tests, f"row {fault!r} names no test (tests/reliability/<file>.py::<test>)"
        missing = [f"{f}::{t}" for f, t in tests if (f, t) not in existing]
        assert not missing, f"row {fault!r} names tests that do not exist: {missing}"


def test_every_reliability_test_is_in_the_table():
    documented = {t for _, _, tests in doc_rows() for t in tests}
    undocumented = sorted(f"{f}::{t}" for f, t in suite_tests() - documented)
    assert not undocumented, f"add these tests to the table in docs/reliability.md: {undocumented}"


def test_every_fault_of_the_issue_has_a_row():
    faults = " ".join(f.lower() for f, _, _ in doc_rows())
    absent = [f for f in REQUIRED_FAULTS if f not in faults]
    assert not absent, f"docs/reliability.md has no row for: {absent}"
