"""The FinOps Foundation's focus-validator as an asset check on the FOCUS export."""

import dagster as dg

from orchestration.lib.constants import FCT_CHARGES, FOCUS_EXPORT, WAREHOUSE_POOL
from orchestration.lib.resources import WarehouseResource

FOCUS_RELATION = "marts.focus_cost_and_usage"


# The check reads the warehouse, not an in-memory value: a dependency on the snake_case mart (built in the same
# dbt step) orders it after dbt without loading anything.
@dg.asset_check(
    asset=FOCUS_EXPORT,
    name="focus_1_2_conformance",
    pool=WAREHOUSE_POOL,
    blocking=True,
    additional_deps=[FCT_CHARGES],
    description="focus-validator 2.2.1, all applicability criteria: no conformance failure "
    "(the validator's five mis-generated leaf rules are checked by the dbt tests tagged "
    "focus_conformance instead).",
)
def focus_1_2_conformance(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from data_quality.focus import EmptyFocusDataset, validate_focus

    location = warehouse.location()
    try:
        report = validate_focus(location, relation=FOCUS_RELATION)
    except EmptyFocusDataset as exc:  # nothing loaded yet: nothing to validate (not a conformance failure)
        context.log.warning(str(exc))
        return dg.AssetCheckResult(
            passed=True, severity=dg.AssetCheckSeverity.WARN, description=str(exc)[:2000], metadata={"rows": 0}
        )
    failures = list(report.conformance_failures)
    context.log.info(
        f"focus-validator: total {report.total}, pass {report.passed}, fail {report.failed}, "
        f"skipped {report.skipped}; conformance failures {len(report.conformance_failures)}"
    )
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(str(f) for f in failures)[:2000] or "conformant",
        metadata={
            "rules_total": report.total,
            "rules_passed": report.passed,
            "rules_failed": report.failed,
            "rules_skipped": report.skipped,
            "conformance_failures": len(report.conformance_failures),
        },
    )
