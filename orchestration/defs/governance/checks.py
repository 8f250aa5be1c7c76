"""Governance signals as asset checks on the governance marts (logic: :mod:`serving.governance_alerts`).

* ``budget_thresholds_not_crossed`` on ``fct_budget_vs_actual``: fails with WARN when a budget's actual or projection
  reached its warn threshold, with ERROR when it reached its alert threshold (a budget breach).
* ``no_new_cost_anomalies`` on ``fct_cost_anomalies``: fails with the worst severity (warn | error) of the new
  anomalies (``is_new``).

Both pass, with metadata ``status: not built yet``, while their mart does not exist in the warehouse.

Blocking semantics: these are business signals, not data-quality failures. They are ``blocking=False`` (nothing
downstream is held back by a budget breach), and every result carries the metadata ``finops_signal: governance``:
``finops run`` / ``finops close`` (``finops_cli/runner.py``) report them as governance findings, apart from the
data-quality checks, and never exit non-zero because of them. A governance check that *errors* (cannot read its
mart) is a failed step and does fail the run.
"""

import dagster as dg

from orchestration.lib.constants import BUDGET_VS_ACTUAL, COST_ANOMALIES, WAREHOUSE_POOL
from orchestration.lib.metadata import md_table
from orchestration.lib.resources import WarehouseResource

__all__ = [
    "ANOMALY_CHECK",
    "BUDGET_CHECK",
    "BUDGET_VS_ACTUAL",
    "COST_ANOMALIES",
    "budget_thresholds_not_crossed",
    "is_governance_signal",
    "no_new_cost_anomalies",
    "signal_result",
]
BUDGET_CHECK = "budget_thresholds_not_crossed"
ANOMALY_CHECK = "no_new_cost_anomalies"
SIGNAL_KEY = "finops_signal"
SIGNAL = "governance"


def is_governance_signal(evaluation) -> bool:
    """True for the evaluation (``AssetCheckEvaluation``) of a governance check: a finding, not a failure."""
    value = (evaluation.metadata or {}).get(SIGNAL_KEY)
    return getattr(value, "value", value) == SIGNAL


def signal_result(result) -> dg.AssetCheckResult:
    """The check result of a :class:`~serving.governance_alerts.MartFindings`."""
    from serving.governance_alerts import summary_line

    meta: dict = {SIGNAL_KEY: SIGNAL, "relation": result.relation}
    if not result.built:
        meta["status"] = "not built yet"
        return dg.AssetCheckResult(
            passed=True, severity=dg.AssetCheckSeverity.WARN, description=summary_line(result), metadata=meta
        )
    findings = result.findings
    meta |= {
        "status": "findings" if findings else "clear",
        "rows": result.rows,
        "findings": len(findings),
        "errors": result.count("error"),
        "warnings": result.count("warn"),
        "as_of_date": str(result.as_of_date) if result.as_of_date else "-",
    }
    if findings:
        meta["finding_ids"] = dg.MetadataValue.json([f.finding_id for f in findings[:100]])
        meta["findings_table"] = md_table(
            ("severity", "finding", "detail", "owner"),
            ((f.severity, f.title, f.detail, f.owner or "-") for f in findings[:50]),
        )
    description = summary_line(result) + "".join(f"\n{f.line()}" for f in findings)
    return dg.AssetCheckResult(
        passed=not findings,
        severity=dg.AssetCheckSeverity.ERROR if result.severity == "error" else dg.AssetCheckSeverity.WARN,
        description=description[:2000],
        metadata=meta,
    )


@dg.asset_check(
    asset=BUDGET_VS_ACTUAL,
    name=BUDGET_CHECK,
    blocking=False,
    pool=WAREHOUSE_POOL,
    description="Governance signal (never fails the run): WARN when a budget's actual or month-end "
    "projection reached its warn threshold, ERROR when it reached its alert threshold "
    "(budget breach).",
)
def budget_thresholds_not_crossed(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    from serving.governance_alerts import budget_findings

    result = budget_findings(warehouse.location())
    for f in result.findings:
        context.log.warning(f.line())
    return signal_result(result)


# the anomaly mart is built by the same dbt step as the budget mart: the extra dependency orders the check after dbt
# even while fct_cost_anomalies is not a dbt model yet
@dg.asset_check(
    asset=COST_ANOMALIES,
    name=ANOMALY_CHECK,
    blocking=False,
    pool=WAREHOUSE_POOL,
    additional_deps=[BUDGET_VS_ACTUAL],
    description="Governance signal (never fails the run): new cost anomalies (is_new), with the worst "
    "severity among them (warn | error).",
)
def no_new_cost_anomalies(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from serving.governance_alerts import anomaly_findings

    result = anomaly_findings(warehouse.location())
    for f in result.findings:
        context.log.warning(f.line())
    return signal_result(result)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[budget_thresholds_not_crossed, no_new_cost_anomalies])
