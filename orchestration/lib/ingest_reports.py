"""What the ingest assets of the file-drop and SQL sources (business KPIs, finance) do with their runner's report:
log it once, and turn its quarantined rows into the ``no_quarantined_rows`` check of a table."""
from __future__ import annotations

from typing import Any

import dagster as dg

QUARANTINE_CHECK = "no_quarantined_rows"


def log_load(context: dg.AssetExecutionContext, report: Any) -> None:
    """The report's summary (a warning when nothing is configured) and every row quarantined by this run."""
    (context.log.info if report.configured else context.log.warning)(report.summary())
    for e in report.quarantined:
        context.log.error(f"quarantined: {e}")


def quarantine_check(key: dg.AssetKey, bad: list) -> dg.AssetCheckResult:
    """``no_quarantined_rows`` of ``key``: fails (ERROR) with the quarantined rows' messages."""
    return dg.AssetCheckResult(
        asset_key=key, check_name=QUARANTINE_CHECK, passed=not bad, severity=dg.AssetCheckSeverity.ERROR,
        description="; ".join(str(e) for e in bad)[:2000] or None, metadata={"quarantined": len(bad)},
    )
