"""The quarantine as one asset check: ``no_quarantined_records`` on ``fct_quarantined_records`` (the dbt view over
every dataset's ``quarantine`` table and the landing inventory's unreadable or unrecognised files). Logic in
:mod:`data_quality.quarantine`; this module only wires it.

* Fails when anything is in quarantine, with the count per dataset, the first records of each (file, row, field,
  reason) and what to do: fix the file and deliver it again (its records are then replaced; none when it loads).
* Severity ERROR (the run reports it and ``finops run`` exits non-zero) when a dataset holds a record or a landed file
  is unreadable; WARN when the only records are landed files of an unknown format (as ``every_file_recognised``).
* Non-blocking: the quarantined records are in the warehouse and the rest of the data loaded (the earlier delivery of
  a bad file's period stays), so finance keeps working on everything else; nothing downstream is held back.

How it relates to the ingest checks (``no_quarantined_deliveries`` of each billing raw table, ``no_quarantined_rows``
of the finance and business-KPI tables): those report, on the raw table that was loading, what *that load* found,
as it happened (the exact error of each delivery or row; a still-bad file is read and reported again on every run,
an unchanged bad drop file is reported from its state). This check is the warehouse's standing total after dbt: every
dataset at once, plus landed files no dataset could claim (unreadable or unknown format), in the one place people
query (``marts.fct_quarantined_records``, ``finops quarantine``). So one bad file fails its ingest check (where) and
this check (how much is outstanding, what to do); both clear on the run that loads the fixed file. The landing check
``every_file_recognised`` stays the inventory's own view of the files.

Ordering: a check on the dbt view's asset runs after the dbt step built it; it reads the warehouse read-only in the
warehouse pool. The view's sources, the ``[<dataset>, quarantine]`` tables, are materialized by the ingest step that
writes them (:func:`orchestration.lib.ingest_reports.quarantine_spec`).
"""

import dagster as dg

from orchestration.lib.constants import QUARANTINE_VIEW, WAREHOUSE_POOL
from orchestration.lib.metadata import md_table
from orchestration.lib.resources import WarehouseResource

QUARANTINE_CHECK = "no_quarantined_records"
EXAMPLES = 5


def check_result(report) -> dg.AssetCheckResult:
    """The check's result from a :class:`~data_quality.quarantine.QuarantineReport`."""
    meta: dict = {
        "records": len(report.records),
        "files": report.files(),
        "by_dataset": dg.MetadataValue.json(report.by_dataset()),
        "relation": report.relation,
    }
    if report.records:
        meta["examples"] = md_table(
            ("dataset", "file", "row", "field", "reason"),
            ((r.dataset, r.source_file, r.row_number, r.field or "-", r.reason) for r in report.records[:50]),
        )
    return dg.AssetCheckResult(
        passed=report.empty,
        severity=dg.AssetCheckSeverity.WARN if report.severity == "warn" else dg.AssetCheckSeverity.ERROR,
        description=report.description(EXAMPLES)[:4000],
        metadata=meta,
    )


@dg.asset_check(
    asset=QUARANTINE_VIEW,
    name=QUARANTINE_CHECK,
    pool=WAREHOUSE_POOL,
    blocking=False,
    description="Nothing in quarantine (every dataset's quarantine and the unreadable or unrecognised "
    "landed files): fails with the count per dataset, the first records and what to do "
    "(fix the file and deliver it again). Non-blocking: the rest of the data loaded.",
)
def no_quarantined_records(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    from data_quality.quarantine import quarantine_report

    report = quarantine_report(warehouse.location())
    for r in report.records[:20]:
        context.log.warning(f"quarantined: {r.line()}")
    return check_result(report)


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[no_quarantined_records])
