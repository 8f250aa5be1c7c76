"""Great Expectations 1.x suites for every raw source table and every mart finance or BI reads (no Dagster import).

* :mod:`.framework` - suite specs (:class:`Suite`, :class:`Frame`), the runner (:func:`validate_suite`,
  :func:`run_suites`) and building blocks (columns and types, unique keys, ISO 4217 currencies, placeholders,
  date windows, completeness);
* :mod:`.raw_suites` - one contract suite per raw table plus rule suites (sign rules of FOCUS exports, completeness
  of the vendor APIs and KPIs, tokens without cost, balanced ledger journals, SaaS invoices that add up);
* :mod:`.mart_suites` - one contract suite per mart derived from its dbt contract plus the finance rules (FOCUS
  custom columns, sign rules, BilledCost per InvoiceId = invoice, date windows, record completeness, allocation =
  record, balanced chargeback journal, reconciliation, shadow AI, budgets, tokens without cost);
* :mod:`.reference` - ISO 4217 codes, the placeholder pattern, the dbt mart contracts.

``orchestration/defs/quality/gx_checks.py`` runs each suite as a Dagster asset check; ``python -m data_quality.gx
[--warehouse PATH]`` runs them all from the command line and prints the outcome and the time taken.
"""

from __future__ import annotations

from .framework import (
    NOT_BUILT,
    ExpectationOutcome,
    Frame,
    FrameOutcome,
    Suite,
    SuiteResult,
    SuiteSet,
    run_suites,
    validate_suite,
)

__all__ = [
    "NOT_BUILT",
    "ExpectationOutcome",
    "Frame",
    "FrameOutcome",
    "Suite",
    "SuiteResult",
    "SuiteSet",
    "all_suites",
    "run_suites",
    "validate_suite",
]


def all_suites() -> SuiteSet:
    """Every suite, raw tables first (built on each call; cheap: no GX import, reads the dbt YAML once)."""
    from .mart_suites import mart_suites
    from .raw_suites import raw_suites

    return SuiteSet.of([*raw_suites(), *mart_suites()])
