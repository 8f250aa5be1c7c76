"""FOCUS 1.2 conformance of the warehouse's export relation (pure Python, no dagster imports).

Modules: ``venv`` (where the validator's virtualenv is; its install is the tool step
``tools/focus_validator/bootstrap.py``), ``rules`` (the rule model classified, the excused rules), ``junit`` (the
JUnit parser), ``report`` (the classified report and its data-backed excuses), ``validator`` (export, run, report),
``cli``
(``finops validate-focus``). The FOCUS columns and allowed values come from ``serving/focus_columns.py``
(which reads their one owner, ``dbt_project/macros/focus_columns.sql``).

Two layers:

1. **The official validator** (``focus-validator==2.2.1``, FinOps Foundation). It needs Python >= 3.12 and pins
   numpy<2 / pandas<3 / duckdb<2 / sqlglot 27, so it lives in its *own* virtualenv
   (:func:`ensure_validator_venv`, default ``<repo>/.venv-focus-validator``, override with
   ``FINOPS_FOCUS_VALIDATOR_VENV``; created by ``tools/focus_validator/bootstrap.py``, pins in its
   ``requirements.txt``), never in the project venv. :func:`validate_focus` exports the relation to
   Parquet (:func:`serving.focus_export.export_focus`), runs::

       focus-validator --data-file X --validate-version 1.2 --block-download \\
           --applicability-criteria ALL --output-type unittest --output-destination junit.xml

   from a work directory that contains ``focus_validator/rules/currency_codes.csv`` (the validator opens that
   path relative to the CWD; we symlink the installed package's file), and parses the JUnit XML. The exit code
   of the validator is 0 even when rules fail, so it is ignored.

2. **The project's own FOCUS checks**, dbt tests on the export relation (tag ``focus_conformance``:
   ``dbt_project/tests/focus/`` and the generic test ``in_focus_allowed_values``; Dagster shows them as asset
   checks through dagster-dbt): the requirements of the five validator rules that are generated wrongly, plus
   what the validator does not check at all (column handling, placeholders, currency format, allowed values per
   row). The FOCUS columns and allowed values they use are the one list in ``dbt_project/macros/focus_columns.sql``.

How rules are classified (leaf / AND / OR)
------------------------------------------
The validator's rule model is ``focus_validator/rules/model-1.2.0.1.json`` inside the installed package
(``ModelRules``: 621 entries, of which the validator plans 578 for the CostAndUsage dataset; the 43 others are
attribute rules such as ``DateTimeFormat-A-*`` / ``NumericFormat-A-*`` that are not planned). For each rule,
``ValidationCriteria.Requirement.CheckFunction`` decides:

* ``"AND"`` -> **AND composite**. All of them have ``Function == "Composite"`` and their ``Items`` are
  ``{"CheckFunction": "CheckModelRule", "ModelRuleId": ...}`` references to other rules (134 planned).
* ``"OR"`` -> **OR composite** (11 planned): 2 are ``Function == "Composite"`` with ``CheckModelRule`` items
  (``InvoiceId-C-003-C`` and one more), 9 are ``Function == "Validation"`` with inline value checks (the
  "MUST be one of the allowed values" rules such as ``ChargeCategory-C-003-M``).
* anything else -> **leaf**.

This is exactly the classification the validator's own planner uses: ``focus-validator --explain-mode``
prints ``Type: composite`` with ``Generator: CompositeANDRuleGenerator`` / ``CompositeORRuleGenerator`` for
precisely these rules and ``Type: leaf`` / ``skipped`` for all others (checked for all 578 planned rules, see
the tests and :func:`explain_rule_kinds`). The JUnit file alone cannot tell AND from OR: its testcase names are
``"<RuleId> :: <Function>"`` (``Composite`` for both, ``Validation`` for the inline OR rules), and its failure
``message`` is only ``"<Function> check for <Reference>"``; so messages in the report are the rule's
``MustSatisfy`` text from the model.

Conformance, as this project measures it
----------------------------------------
``conformance_failures`` = failed (or errored) leaf rules and failed OR composites, except the five leaves that
the validator generates wrongly (:data:`KNOWN_WRONG_RULES`; see ``--explain-mode``: InvoiceId-C-004-C/-005-C and
CapacityReservationStatus-C-003-C/-004-C lose their conditions, CommitmentDiscountStatus-C-004-C has its
condition inverted). AND composites only echo the failures of their children and are not counted; they are
reported separately (``and_composite_failures``), and those whose failed descendants are not all among the five
are listed in ``unexplained_and_failures`` for information. Rules unknown to the model are counted
conservatively (a failed unknown rule is a conformance failure). One more leaf is excused only when the data
shows the spec's exception (:data:`VIRTUAL_CURRENCY_RULES`): PricingCurrency-C-003-M (FormatCurrency) requires
three upper-case letters on every row, but CurrencyFormat allows a virtual currency in PricingCurrency (the SaaS
rows price ElevenLabs usage in "Credits"); the failure is excused when every such value is a virtual currency
(:func:`virtual_currency_violations`), and the dbt test ``assert_focus_currency_format`` verifies the same on the
warehouse.

Caveat found while testing: the validator evaluates the inline OR "allowed values" rules with OR semantics per
*dataset* (a child check passes when at least one row matches), so a single bad value such as
ChargeCategory ``'Usages'`` is not reported by ``ChargeCategory-C-003-M``. The dbt test ``in_focus_allowed_values``
therefore checks allowed values per row itself.

One OR rule lists the wrong values (:data:`WRONG_ALLOWED_VALUES_RULES`): model 1.2.0.1's
CommitmentDiscountStatus-C-005-M allows ``Active/Expired/Pending``, while the 1.2 spec
(commitmentdiscountstatus.md) allows ``Used`` and ``Unused``; so a dataset whose statuses are all ``Used`` fails
it. It is excused like the five leaves, but only when every non-null CommitmentDiscountStatus of the exported
data is ``Used`` or ``Unused`` (:func:`excuse_wrong_allowed_values`, per row); any other value keeps the failure,
and the dbt test ``in_focus_allowed_values`` reports it too.

A relation without rows is not validated (the validator would report 9 failures of an empty file):
:func:`validate_focus` raises :class:`EmptyFocusDataset`, and ``finops validate-focus`` prints
"no rows in focus_cost_and_usage" with how to load some and exits with :data:`EXIT_NO_ROWS` (3).
"""

from data_quality.focus.junit import RuleResult, parse_junit
from data_quality.focus.report import (
    ConformanceReport,
    build_report,
    excuse_virtual_currencies,
    excuse_wrong_allowed_values,
    virtual_currency_violations,
)
from data_quality.focus.rules import (
    EXCUSED_RULES,
    KNOWN_WRONG_RULES,
    VIRTUAL_CURRENCY_RULES,
    WRONG_ALLOWED_VALUES_RULES,
    RuleInfo,
    load_rule_kinds,
)
from data_quality.focus.validator import EmptyFocusDataset, explain_rule_kinds, run_validator, validate_focus
from data_quality.focus.venv import (
    VALIDATOR_VERSION,
    ValidatorNotAvailable,
    default_validator_venv,
    ensure_validator_venv,
)

__all__ = [
    "EXCUSED_RULES",
    "KNOWN_WRONG_RULES",
    "VALIDATOR_VERSION",
    "VIRTUAL_CURRENCY_RULES",
    "WRONG_ALLOWED_VALUES_RULES",
    "ConformanceReport",
    "EmptyFocusDataset",
    "RuleInfo",
    "RuleResult",
    "ValidatorNotAvailable",
    "build_report",
    "default_validator_venv",
    "ensure_validator_venv",
    "excuse_virtual_currencies",
    "excuse_wrong_allowed_values",
    "explain_rule_kinds",
    "load_rule_kinds",
    "parse_junit",
    "run_validator",
    "validate_focus",
    "virtual_currency_violations",
]
