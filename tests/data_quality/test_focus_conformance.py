"""Tests for data_quality.focus (the focus-validator wrapper, its rule classifier and JUnit parser, the CLI).

Fast tests (JUnit parsing, rule classification, excuses, venv lookup, CLI main) need no validator. The export's
tests are in tests/serving/test_focus_export.py, the project's own FOCUS checks (dbt tests) in test_focus_dbt_tests.py.
Tests marked ``slow`` create/reuse the focus-validator virtualenv (default ``<repo>/.venv-focus-validator``,
~25 s on first creation) and run the real validator (~3 s each).

The fixture dataset is the FOCUS spec's commitment-discount scenarios
(``tests/data/samples/focus_spec/commitment_discount_scenarios``) completed to all 57 FOCUS 1.2 columns, then the
1.3 columns (nullable) and three ``x_`` columns, plus a capacity-reservation Usage row and a Tax row.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_quality import focus as fc
from data_quality.focus import cli as focus_cli
from data_quality.focus import validator
from data_quality.focus import venv as venv_module
from serving import focus_columns as columns
from tests.focus_fixture import FOCUS_12_COLUMNS, RELATION, build_fixture_warehouse, mutate
from tools.focus_validator import bootstrap


@pytest.fixture()
def warehouse(tmp_path: Path) -> Path:
    return build_fixture_warehouse(tmp_path / "finops.duckdb")


def test_fixture_shape(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    cols = [r[0] for r in con.execute(f"DESCRIBE {RELATION}").fetchall()]
    n = con.execute(f"SELECT count(*) FROM {RELATION}").fetchone()[0]
    con.close()
    assert len(FOCUS_12_COLUMNS) == 57
    assert cols[:57] == list(columns.FOCUS_12_COLUMNS)
    assert cols[57:65] == list(columns.FOCUS_13_COLUMNS)
    assert cols[65:] == ["x_SourceSystem", "x_SourceFile", "x_IngestedAt"]
    assert n == 6


# ------------------------------------------------------------------------------------------------------------------
# JUnit parsing and rule classification (no validator needed)
# ------------------------------------------------------------------------------------------------------------------

MINI_MODEL = {
    "ModelRules": {
        "X-C-000-M": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "X adheres to:",
                "Requirement": {
                    "CheckFunction": "AND",
                    "Items": [
                        {"CheckFunction": "CheckModelRule", "ModelRuleId": "InvoiceId-C-003-C"},
                        {
                            "CheckFunction": "CheckModelRule",
                            "ModelRuleId": "CommitmentDiscountStatus-C-004-C",
                        },
                    ],
                },
            },
        },
        "InvoiceId-C-003-C": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "InvoiceId nullability is defined as follows:",
                "Requirement": {
                    "CheckFunction": "OR",
                    "Items": [
                        {"CheckFunction": "CheckModelRule", "ModelRuleId": "InvoiceId-C-004-C"},
                        {"CheckFunction": "CheckModelRule", "ModelRuleId": "InvoiceId-C-005-C"},
                    ],
                },
            },
        },
        "InvoiceId-C-004-C": {
            "Function": "Nullability",
            "ValidationCriteria": {
                "MustSatisfy": "InvoiceId MUST be null when ...",
                "Requirement": {"CheckFunction": "CheckValue", "ColumnName": "InvoiceId", "Value": None},
            },
        },
        "InvoiceId-C-005-C": {
            "Function": "Nullability",
            "ValidationCriteria": {
                "MustSatisfy": "InvoiceId MUST NOT be null when ...",
                "Requirement": {"CheckFunction": "CheckNotValue", "ColumnName": "InvoiceId", "Value": None},
            },
        },
        "CommitmentDiscountStatus-C-004-C": {
            "Function": "Nullability",
            "ValidationCriteria": {
                "MustSatisfy": "CommitmentDiscountStatus MUST NOT be null when ...",
                "Requirement": {"CheckFunction": "CheckNotValue"},
            },
        },
        "ChargeCategory-C-003-M": {
            "Function": "Validation",
            "ValidationCriteria": {
                "MustSatisfy": "ChargeCategory MUST be one of the allowed values.",
                "Requirement": {
                    "CheckFunction": "OR",
                    "Items": [
                        {"CheckFunction": "CheckValue", "ColumnName": "ChargeCategory", "Value": "Usage"},
                        {"CheckFunction": "CheckValue", "ColumnName": "ChargeCategory", "Value": "Tax"},
                    ],
                },
            },
        },
        "ListUnitPrice-C-008-M": {
            "Function": "Validation",
            "ValidationCriteria": {
                "MustSatisfy": "ListUnitPrice MUST be a non-negative decimal value.",
                "Requirement": {"CheckFunction": "CheckGreaterOrEqualThanValue"},
            },
        },
        "Y-C-000-M": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "Y adheres to:",
                "Requirement": {
                    "CheckFunction": "AND",
                    "Items": [{"CheckFunction": "CheckModelRule", "ModelRuleId": "ListUnitPrice-C-008-M"}],
                },
            },
        },
        "Z-C-000-M": {
            "Function": "Composite",
            "ValidationCriteria": {
                "MustSatisfy": "Z adheres to:",
                "Requirement": {
                    "CheckFunction": "AND",
                    "Items": [{"CheckFunction": "CheckModelRule", "ModelRuleId": "Z-C-001-M"}],
                },
            },
        },
        "Z-C-001-M": {
            "Function": "Type",
            "ValidationCriteria": {
                "MustSatisfy": "Z MUST be a string.",
                "Requirement": {"CheckFunction": "TypeString"},
            },
        },
    }
}

# Same shape as focus_validator/outputter/outputter_unittest.py writes it.
MINI_JUNIT = """<?xml version='1.0' encoding='utf-8'?>
<testsuites name="FOCUS Validations" tests="12" failures="6" errors="1" skipped="2" assertions="None" time="0"
            timestamp="2026-01-01T00:00:00">
  <testsuite name="Base-Unknown" time="0">
    <testcase name="Broken-C-001-M :: None" time="0">
      <error message="Column 'Broken' missing" />
    </testcase>
  </testsuite>
  <testsuite name="ChargeCategory-C-003-ChargeCategory" time="0">
    <testcase name="ChargeCategory-C-003-M :: Validation" time="0">
      <failure name="ChargeCategory-C-003-M" message="Validation check for ChargeCategory"
               type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="CommitmentDiscountStatus-C-004-CommitmentDiscountStatus" time="0">
    <testcase name="CommitmentDiscountStatus-C-004-C :: Nullability" time="0">
      <failure name="CommitmentDiscountStatus-C-004-C" message="Nullability check for CommitmentDiscountStatus"
               type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="InvoiceId-C-003-InvoiceId" time="0">
    <testcase name="InvoiceId-C-003-C :: Composite" time="0" />
    <testcase name="InvoiceId-C-004-C :: Nullability" time="0">
      <failure name="InvoiceId-C-004-C" message="Nullability check for InvoiceId" type="AssertionError">Failed</failure>
    </testcase>
    <testcase name="InvoiceId-C-005-C :: Nullability" time="0" />
  </testsuite>
  <testsuite name="ListUnitPrice-C-008-ListUnitPrice" time="0">
    <testcase name="ListUnitPrice-C-008-M :: Validation" time="0">
      <failure name="ListUnitPrice-C-008-M" message="Validation check for ListUnitPrice"
               type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="X-C-000-X" time="0">
    <testcase name="X-C-000-M :: Composite" time="0">
      <failure name="X-C-000-M" message="Composite check for X" type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="Y-C-000-Y" time="0">
    <testcase name="Y-C-000-M :: Composite" time="0">
      <failure name="Y-C-000-M" message="Composite check for Y" type="AssertionError">Failed</failure>
    </testcase>
  </testsuite>
  <testsuite name="Z-C-000-Z" time="0">
    <testcase name="Z-C-000-M :: Composite" time="0">
      <failure name="Z-C-000-M" message="Composite check for Z" type="AssertionError">Failed</failure>
    </testcase>
    <testcase name="Z-C-001-M :: Type" time="0">
      <skipped message="Type check for Z" />
    </testcase>
    <testcase name="Z-C-002-M :: Type" time="0">
      <skipped message="Type check for Z" />
    </testcase>
  </testsuite>
</testsuites>
"""


def test_load_rule_kinds_from_model_dict() -> None:
    kinds = fc.load_rule_kinds(MINI_MODEL)
    assert kinds["X-C-000-M"].kind == "AND"
    assert kinds["X-C-000-M"].children == ("InvoiceId-C-003-C", "CommitmentDiscountStatus-C-004-C")
    assert kinds["InvoiceId-C-003-C"].kind == "OR"
    assert kinds["ChargeCategory-C-003-M"].kind == "OR"  # inline OR of value checks
    assert kinds["ChargeCategory-C-003-M"].children == ()
    assert kinds["InvoiceId-C-004-C"].kind == "leaf"
    assert kinds["ListUnitPrice-C-008-M"].kind == "leaf"


def test_load_rule_kinds_from_file(tmp_path: Path) -> None:
    p = tmp_path / "model-1.2.0.1.json"
    p.write_text(json.dumps(MINI_MODEL))
    assert fc.load_rule_kinds(p) == fc.load_rule_kinds(MINI_MODEL)


def test_parse_junit(tmp_path: Path) -> None:
    counts, results = fc.parse_junit(MINI_JUNIT)
    assert counts == {"tests": 12, "failures": 6, "errors": 1, "skipped": 2}
    by_id = {r.rule_id: r for r in results}
    assert len(results) == 12
    assert by_id["Broken-C-001-M"].status == "errored" and by_id["Broken-C-001-M"].function == ""
    assert by_id["InvoiceId-C-004-C"].status == "failed"
    assert by_id["InvoiceId-C-004-C"].function == "Nullability"
    assert by_id["InvoiceId-C-003-C"].status == "passed"
    assert by_id["Z-C-001-M"].status == "skipped"
    f = tmp_path / "junit.xml"
    f.write_text(MINI_JUNIT)
    assert fc.parse_junit(f) == (counts, results)


def test_build_report_classification() -> None:
    report = fc.build_report(MINI_JUNIT, fc.load_rule_kinds(MINI_MODEL))
    assert (report.total, report.passed, report.failed, report.skipped, report.errored) == (12, 3, 6, 2, 1)
    assert report.summary_line() == "Total: 12 | Pass: 3 | Fail: 6 | Skipped: 2 | Errors: 1"
    # the failing leaf and the failing (inline) OR count; errored unknown rule counts conservatively;
    # known-wrong leaves and AND composites do not.
    assert sorted(report.conformance_failure_ids) == [
        "Broken-C-001-M",
        "ChargeCategory-C-003-M",
        "ListUnitPrice-C-008-M",
    ]
    assert report.known_wrong_failures == ["CommitmentDiscountStatus-C-004-C", "InvoiceId-C-004-C"]
    assert sorted(report.and_composite_failures) == ["X-C-000-M", "Y-C-000-M", "Z-C-000-M"]
    assert report.unexplained_and_failures == ["Z-C-000-M"]  # no failed leaf/OR below it
    lup = next(r for r in report.conformance_failures if r.rule_id == "ListUnitPrice-C-008-M")
    assert lup.kind == "leaf" and lup.message == "ListUnitPrice MUST be a non-negative decimal value."
    assert not report.ok
    assert sorted(report.failed_rule_ids) == sorted(
        [
            "Broken-C-001-M",
            "ChargeCategory-C-003-M",
            "CommitmentDiscountStatus-C-004-C",
            "InvoiceId-C-004-C",
            "ListUnitPrice-C-008-M",
            "X-C-000-M",
            "Y-C-000-M",
            "Z-C-000-M",
        ]
    )


def test_build_report_only_known_wrong_is_conformant() -> None:
    xml = MINI_JUNIT.replace(
        '<failure name="ChargeCategory-C-003-M" message="Validation check for ChargeCategory"\n'
        '               type="AssertionError">Failed</failure>',
        "",
    )
    kinds = fc.load_rule_kinds(MINI_MODEL)
    kinds_no_broken = dict(kinds.items())
    report = fc.build_report(xml, kinds_no_broken)
    assert "ChargeCategory-C-003-M" not in report.conformance_failure_ids
    assert {
        "InvoiceId-C-004-C",
        "InvoiceId-C-005-C",
        "CapacityReservationStatus-C-003-C",
        "CapacityReservationStatus-C-004-C",
        "CommitmentDiscountStatus-C-004-C",
    } == fc.KNOWN_WRONG_RULES


def test_virtual_currency_violations() -> None:
    # CurrencyFormat: a virtual currency ("Credits") is fine in PricingCurrency; a mis-cased ISO code is not
    assert fc.virtual_currency_violations(["Credits", "Tokens", "Compute Units"]) == []
    assert fc.virtual_currency_violations(["usd", "Eur", " Credits", "Crédits", "", "N/A"]) == [
        "usd",
        "Eur",
        " Credits",
        "Crédits",
        "",
        "N/A",
    ]
    assert {"PricingCurrency-C-003-M"} == fc.VIRTUAL_CURRENCY_RULES


@pytest.mark.parametrize(("values", "excused"), [(["USD", "Credits"], True), (["USD", "Credits", "usd"], False)])
def test_excuse_virtual_currencies(tmp_path: Path, values: list[str], excused: bool) -> None:
    data = tmp_path / "focus.parquet"
    pq.write_table(pa.table({"PricingCurrency": values}), data)
    failed = [
        fc.RuleResult("PricingCurrency-C-003-M", "failed", "Format", "CurrencyFormat", "leaf"),
        fc.RuleResult("ListUnitPrice-C-008-M", "failed", "Validation", "non-negative", "leaf"),
    ]
    report = fc.ConformanceReport(
        total=2, passed=0, failed=2, skipped=0, failed_rules=list(failed), conformance_failures=list(failed)
    )
    fc.excuse_virtual_currencies(report, data)
    if excused:
        assert report.conformance_failure_ids == ["ListUnitPrice-C-008-M"]
        assert report.virtual_currency_excused == ["PricingCurrency-C-003-M"]
        assert report.virtual_currencies == ["Credits"]
    else:
        assert report.conformance_failure_ids == ["PricingCurrency-C-003-M", "ListUnitPrice-C-008-M"]
        assert report.virtual_currency_excused == []


@pytest.mark.parametrize(
    ("values", "excused"),
    [(["Used", "Used"], True), (["Used", None, "Unused"], True), (["Used", "Active"], False), ([None], True)],
)
def test_excuse_wrong_allowed_values(tmp_path: Path, values: list, excused: bool) -> None:
    """CommitmentDiscountStatus-C-005-M lists Active/Expired/Pending; excused only when every status is one the
    1.2 spec allows (Used/Unused)."""
    data = tmp_path / "focus.parquet"
    pq.write_table(pa.table({"CommitmentDiscountStatus": pa.array(values, pa.string())}), data)
    failed = [
        fc.RuleResult("CommitmentDiscountStatus-C-005-M", "failed", "Validation", "allowed values", "OR"),
        fc.RuleResult("ListUnitPrice-C-008-M", "failed", "Validation", "non-negative", "leaf"),
    ]
    report = fc.ConformanceReport(
        total=2, passed=0, failed=2, skipped=0, failed_rules=list(failed), conformance_failures=list(failed)
    )
    fc.excuse_wrong_allowed_values(report, data)
    if excused:
        assert report.conformance_failure_ids == ["ListUnitPrice-C-008-M"]
        assert report.allowed_values_excused == ["CommitmentDiscountStatus-C-005-M"]
    else:
        assert report.conformance_failure_ids == ["CommitmentDiscountStatus-C-005-M", "ListUnitPrice-C-008-M"]
        assert report.allowed_values_excused == []
    assert fc.KNOWN_WRONG_RULES | {"CommitmentDiscountStatus-C-005-M"} == fc.EXCUSED_RULES


def test_main_on_an_empty_record(monkeypatch: pytest.MonkeyPatch, warehouse: Path, tmp_path: Path, capsys) -> None:
    """No rows: 'no rows in focus_cost_and_usage' and how to load some, exit 3; the validator is neither installed
    nor run (an empty file would report 9 failures)."""

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("the validator must not run on an empty record")

    monkeypatch.setattr(validator, "ensure_validator_venv", boom)
    monkeypatch.setattr(validator, "run_validator", boom)
    mutate(warehouse, f"DELETE FROM {RELATION}")
    code = focus_cli.main(["--warehouse", str(warehouse), "--work-dir", str(tmp_path / "wd")])
    assert code == focus_cli.EXIT_NO_ROWS == 3
    captured = capsys.readouterr()
    assert "no rows in focus_cost_and_usage" in captured.err and "finops load PATH" in captured.err
    assert "Conformance failures" not in captured.out


# ------------------------------------------------------------------------------------------------------------------
# venv location / interpreter discovery / main (no validator needed)
# ------------------------------------------------------------------------------------------------------------------


def test_default_venv_env_var_read_at_call_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FINOPS_FOCUS_VALIDATOR_VENV", raising=False)
    assert fc.default_validator_venv() == venv_module.REPO_ROOT / ".venv-focus-validator"
    monkeypatch.setenv("FINOPS_FOCUS_VALIDATOR_VENV", str(tmp_path / "v"))
    assert fc.default_validator_venv() == tmp_path / "v"


def test_find_python312_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: None)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(bootstrap.ValidatorNotAvailable, match="pyenv install 3.12"):
        bootstrap.find_python312()


def test_bootstrap_without_python312_exits_69_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    def no_python(*a, **k):
        raise bootstrap.ValidatorNotAvailable("focus-validator 2.2.1 needs Python 3.12 ... `pyenv install 3.12`")

    monkeypatch.setattr(bootstrap, "find_python312", no_python)
    assert bootstrap.main(["--venv", str(tmp_path / "v")]) == bootstrap.EXIT_CANNOT_RUN == 69
    assert "pyenv install 3.12" in capsys.readouterr().err
    assert bootstrap.requirements() == (f"focus-validator=={fc.VALIDATOR_VERSION}", "pyarrow<21")


def test_ensure_venv_runs_the_bootstrap_step_and_reports_its_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    step = tmp_path / "bootstrap.py"
    step.write_text(
        "import sys\nprint('[focus-validator] no Python 3.12: install it', file=sys.stderr)\n"
        "print(sys.argv[1:])\nsys.exit(69)\n"
    )
    monkeypatch.setattr(venv_module, "BOOTSTRAP", step)
    monkeypatch.setattr(venv_module, "REPO_ROOT", tmp_path)
    with pytest.raises(fc.ValidatorNotAvailable, match=r"bootstrap.py --venv .*missing.* \(exit 69\): .*no Python"):
        fc.ensure_validator_venv(tmp_path / "missing")


def test_ensure_venv_is_noop_when_marker_present(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "lib" / "python3.12" / "site-packages" / "focus_validator").mkdir(parents=True)
    for exe in ("python", "focus-validator"):
        (venv / "bin" / exe).write_text("")
    (venv / ".finops-focus-validator.json").write_text(json.dumps({"focus_validator": fc.VALIDATOR_VERSION}))

    def boom(*a, **k):  # pragma: no cover - must not be called
        raise AssertionError("subprocess must not run")

    monkeypatch.setattr(venv_module.subprocess, "run", boom)
    monkeypatch.setenv("FINOPS_FOCUS_VALIDATOR_VENV", str(venv))
    assert fc.ensure_validator_venv() == venv.resolve()


def test_main_missing_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert focus_cli.main([]) == focus_cli.EXIT_NO_WAREHOUSE == 66
    assert "missing.duckdb" in capsys.readouterr().err


def _fake_report(failures: list[str]) -> fc.ConformanceReport:
    bad = [fc.RuleResult(r, "failed", "Validation", f"{r} msg", "leaf") for r in failures]
    return fc.ConformanceReport(
        total=578,
        passed=368 - len(failures),
        failed=len(failures),
        skipped=210,
        failed_rules=bad,
        conformance_failures=bad,
        rows_exported=6,
    )


def test_main_exit_codes(monkeypatch: pytest.MonkeyPatch, warehouse: Path, capsys) -> None:
    calls = {}

    def fake_validate(wh, relation, applicability, work_dir, venv_dir=None, echo=False):
        calls["args"] = (wh, relation, applicability)
        return _fake_report([])

    monkeypatch.setattr(validator, "validate_focus", fake_validate)
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(warehouse))
    assert focus_cli.main([]) == 0
    out = capsys.readouterr().out
    assert "Total: 578 | Pass: 368 | Fail: 0 | Skipped: 210" in out
    assert "Project checks: dbt tests tagged focus_conformance" in out
    assert calls["args"] == (str(warehouse), RELATION, "ALL")

    monkeypatch.setattr(validator, "validate_focus", lambda *a, **k: _fake_report(["ListUnitPrice-C-008-M"]))
    assert focus_cli.main(["--warehouse", str(warehouse), "--relation", RELATION]) == 1
    assert "FAIL ListUnitPrice-C-008-M" in capsys.readouterr().out

    # the project's own checks are dbt tests (tests/data_quality/test_focus_dbt_tests.py): a placeholder is not the
    # validator's business, the exit code stays 0
    monkeypatch.setattr(validator, "validate_focus", lambda *a, **k: _fake_report([]))
    mutate(warehouse, f"UPDATE {RELATION} SET ResourceName = 'None' WHERE ChargeCategory = 'Tax'")
    assert focus_cli.main(["--warehouse", str(warehouse)]) == 0


# ------------------------------------------------------------------------------------------------------------------
# The real validator (slow: creates/reuses the validator venv, then ~3 s per run)
# ------------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def validator_venv() -> Path:
    # Cached at the default location (or $FINOPS_FOCUS_VALIDATOR_VENV); ~25 s the first time.
    return fc.ensure_validator_venv()


@pytest.mark.slow
def test_validator_fixture_is_conformant(validator_venv: Path, warehouse: Path, tmp_path: Path) -> None:
    report = fc.validate_focus(str(warehouse), relation=RELATION, applicability="ALL", work_dir=tmp_path / "wd")
    assert report.rows_exported == 6
    assert report.total == 578
    assert report.conformance_failures == [], [(r.rule_id, r.message) for r in report.conformance_failures]
    assert set(report.known_wrong_failures) <= fc.KNOWN_WRONG_RULES
    # every rule id in the JUnit is known to the model, and the counts add up
    assert report.passed + report.failed + report.skipped + report.errored == report.total
    assert report.errored == 0
    assert report.passed > 300
    assert Path(report.junit_path).exists()
    assert (tmp_path / "wd" / "focus_validator" / "rules" / "currency_codes.csv").exists()
    # the project's own checks on the same fixture: tests/data_quality/test_focus_dbt_tests.py


@pytest.mark.slow
def test_validator_mutations_fail(validator_venv: Path, warehouse: Path) -> None:
    mutate(
        warehouse,
        f"UPDATE {RELATION} SET ChargeCategory = 'Usages' "
        "WHERE x_SourceFile = 'commitment_discount_usage_scenario_4.csv'",
        f"UPDATE {RELATION} SET ListUnitPrice = -1, ListCost = -1 WHERE CapacityReservationId IS NOT NULL",
    )
    report = fc.validate_focus(str(warehouse))
    # 'Usages' is caught through ConsumedQuantity-C-004-C (ConsumedQuantity MUST be null unless Usage);
    # ChargeCategory-C-003-M (allowed values) is an OR over the whole dataset in focus-validator 2.2.1 and
    # does not fail for a single bad value -- the project's dbt test in_focus_allowed_values covers it
    # (test_focus_dbt_tests.py::test_own_checks_find_violations).
    assert sorted(report.conformance_failure_ids) == ["ConsumedQuantity-C-004-C", "ListUnitPrice-C-008-M"]


@pytest.mark.slow
def test_rule_classification_matches_explain_mode(validator_venv: Path) -> None:
    model_kinds = fc.load_rule_kinds(validator_venv)
    explain = fc.explain_rule_kinds(validator_venv)
    assert len(explain) == 578
    for rid, kind in explain.items():
        expected = kind if kind in ("AND", "OR") else "leaf"
        assert model_kinds[rid].kind == expected, (rid, kind, model_kinds[rid])
    assert sum(k == "AND" for k in explain.values()) == 134
    assert sum(k == "OR" for k in explain.values()) == 11
    for rid in fc.KNOWN_WRONG_RULES:
        assert explain[rid] == "leaf"
    assert explain["InvoiceId-C-003-C"] == "OR"


@pytest.mark.slow
def test_validator_venv_is_separate(validator_venv: Path) -> None:
    import sys

    assert Path(sys.prefix).resolve() != validator_venv.resolve()
    assert not shutil.which("focus-validator", path=str(Path(sys.executable).parent))
    assert os.access(validator_venv / "bin" / "focus-validator", os.X_OK)
