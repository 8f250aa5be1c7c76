"""``closed_months_unchanged`` on ``fct_chargeback_journal``: a month finance has closed (``finops close``) whose
journal the warehouse now computes differently, because a provider restated it after the close. WARN, non-blocking:
the record is right (the provider's restatement is loaded, nothing lost), but the posted figures differ; the
description says what to do (book the difference in the open month, or re-run the close). Logic in
:mod:`data_quality.closed_months`; this module only wires it. Passes when no month has a close pack.
"""

import dagster as dg

from orchestration.lib.constants import CHARGEBACK_JOURNAL, WAREHOUSE_POOL
from orchestration.lib.resources import WarehouseResource
from orchestration.lib.settings import close_root


def check_result(periods: list[str], changes: list) -> dg.AssetCheckResult:
    meta = {"closed_months": dg.MetadataValue.json(periods), "changed_journals": len(changes)}
    if changes:
        meta["changes"] = dg.MetadataValue.json(
            [
                {
                    "period": c.period,
                    "journal_id": c.journal_id,
                    "at_close": str(c.debits_at_close),
                    "now": str(c.debits_now),
                    "difference": str(c.difference),
                }
                for c in changes[:100]
            ]
        )
    description = (
        "\n".join(c.line() for c in changes)
        if changes
        else f"{len(periods)} closed month(s) unchanged since their close"
        if periods
        else "no closed month"
    )
    return dg.AssetCheckResult(
        passed=not changes, severity=dg.AssetCheckSeverity.WARN, description=description[:4000], metadata=meta
    )


@dg.asset_check(
    asset=CHARGEBACK_JOURNAL,
    name="closed_months_unchanged",
    pool=WAREHOUSE_POOL,
    blocking=False,
    description="Every closed month's chargeback journal (close pack manifest) equals the journal the "
    "warehouse computes now; WARN with the difference when a provider restated a closed month.",
)
def closed_months_unchanged(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    from data_quality.closed_months import closed_month_changes

    location = warehouse.location()
    periods, changes = closed_month_changes(location, close_root(location))
    for c in changes:
        context.log.warning(c.line())
    return check_result(periods, changes)
