"""``finops validate-focus``: focus-validator on the FOCUS export, its report printed; the exit code says conformant
(0), not (1), nothing to validate (3), no warehouse (66) or the validator could not run (69). The project's own FOCUS
checks are dbt tests (tag ``focus_conformance``, dbt_project/tests/focus/ and the generic test
in_focus_allowed_values): every ``finops run`` builds them; ``dbt test --select tag:focus_conformance`` runs them."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from data_quality.focus import validator
from data_quality.focus.validator import FOCUS_VERSION, EmptyFocusDataset
from data_quality.focus.venv import VALIDATOR_VERSION, VENV_ENV_VAR, ValidatorNotAvailable
from serving.focus_export import DEFAULT_RELATION

WAREHOUSE_ENV_VAR = "FINOPS_WAREHOUSE"
DEFAULT_WAREHOUSE = "warehouse/finops.duckdb"
#: Exit code of ``finops validate-focus`` when the relation has no rows (nothing to validate).
EXIT_NO_ROWS = 3
EXIT_NO_WAREHOUSE = 66  # EX_NOINPUT, as every finops command without a warehouse
EXIT_CANNOT_RUN = 69  # EX_UNAVAILABLE: the validator could not run (no Python 3.12, install failed, ...)
#: The dbt tag of the project's own FOCUS checks (dbt_project/tests/focus/, in_focus_allowed_values on the export).
PROJECT_CHECKS_TAG = "focus_conformance"


def default_warehouse() -> str:
    """``$FINOPS_WAREHOUSE`` (read now) else ``warehouse/finops.duckdb``."""
    return os.environ.get(WAREHOUSE_ENV_VAR) or DEFAULT_WAREHOUSE


def main(argv: Sequence[str] | None = None) -> int:
    """``finops validate-focus [--warehouse PATH] [--relation R]``; exit 0 when conformant, 1 on any conformance
    failure, 3 (:data:`EXIT_NO_ROWS`) when the relation has no rows, 66 without a warehouse,
    69 when the validator could not run."""
    parser = argparse.ArgumentParser(
        prog="finops validate-focus",
        description="Validate the warehouse's FOCUS export with focus-validator 1.2 (all applicability criteria).",
        epilog=(
            "exit codes: 0 conformant (no conformance failure); 1 conformance failures (listed); "
            f"{EXIT_NO_ROWS} no rows in the relation (nothing to validate: load "
            f"billing data with `finops load PATH` or `finops run`); {EXIT_NO_WAREHOUSE} no warehouse; "
            f"{EXIT_CANNOT_RUN} the validator could not run (no Python 3.12, install failed, ...)."
        ),
    )
    parser.add_argument(
        "--warehouse",
        default=None,
        help=f"DuckDB file (default: ${WAREHOUSE_ENV_VAR} or {DEFAULT_WAREHOUSE})",
    )
    parser.add_argument("--relation", default=DEFAULT_RELATION, help="relation to export (default: %(default)s)")
    parser.add_argument("--applicability", default="ALL", help="--applicability-criteria (default: ALL)")
    parser.add_argument("--work-dir", default=None, help="keep the Parquet export and junit.xml here")
    parser.add_argument(
        "--venv",
        default=None,
        help=f"validator virtualenv (default: ${VENV_ENV_VAR} or <repo>/.venv-focus-validator)",
    )
    parser.add_argument("--verbose", action="store_true", help="echo the validator's own output")
    args = parser.parse_args(list(argv) if argv is not None else None)

    warehouse = args.warehouse or default_warehouse()
    if not Path(warehouse).exists():
        print(
            f"error: warehouse not found: {warehouse} (run `make demo`, or `finops load PATH` first)", file=sys.stderr
        )
        return EXIT_NO_WAREHOUSE
    try:
        report = validator.validate_focus(
            warehouse,
            relation=args.relation,
            applicability=args.applicability,
            work_dir=args.work_dir,
            venv_dir=Path(args.venv) if args.venv else None,
            echo=args.verbose,
        )
    except EmptyFocusDataset as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_NO_ROWS
    except (ValidatorNotAvailable, duckdb.Error, FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN

    print(
        f"focus-validator {VALIDATOR_VERSION}, FOCUS {FOCUS_VERSION}, applicability {args.applicability}, "
        f"{report.rows_exported} rows from {args.relation}"
    )
    print(report.summary_line())
    if report.known_wrong_failures:
        print(f"ignored (known-wrong validator rules): {', '.join(report.known_wrong_failures)}")
    if report.allowed_values_excused:
        print(
            "excused (the validator's allowed values differ from the FOCUS 1.2 spec's; every row checked against "
            f"the spec's values): {', '.join(report.allowed_values_excused)}"
        )
    if report.virtual_currency_excused:
        print(
            f"excused (virtual currencies in PricingCurrency, allowed by CurrencyFormat: "
            f"{', '.join(report.virtual_currencies)}): {', '.join(report.virtual_currency_excused)}"
        )
    if report.and_composite_failures:
        print(f"AND composites failing (echo their children, not counted): {len(report.and_composite_failures)}")
    if report.conformance_failures:
        print(f"Conformance failures ({len(report.conformance_failures)}):")
        for r in report.conformance_failures:
            print(f"  FAIL {r.rule_id} [{r.kind}] {r.message}")
    else:
        print("Conformance failures: none")
    print(
        f"Project checks: dbt tests tagged {PROJECT_CHECKS_TAG} (every `finops run`; "
        f"`dbt test --select tag:{PROJECT_CHECKS_TAG}`)"
    )
    if report.junit_path:
        print(f"JUnit report: {report.junit_path}")
    return 1 if report.conformance_failures else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
