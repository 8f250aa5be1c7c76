"""The Great Expectations suites (:mod:`data_quality.gx`) as Dagster asset checks. Logic lives in data_quality; this
module only wires it.

* One asset check per suite, named after the suite (``gx_contract``, ``gx_focus_sign_rules``, ...) on the asset of
  the suite's relation: raw tables ``[dataset, table]`` (the ingest assets' keys), marts ``[model]`` (the dbt asset
  keys, ``orchestration/lib/dbt.py``).
* The checks of one raw dataset share one ``multi_asset_check`` step (``gx_<dataset>``), run after that dataset's
  ingest; the checks of the marts share one step (``gx_marts``), run after dbt built them. Fewer steps than one per
  suite: each step of a multi-process run loads the definitions and imports GX once (~6 s). ``can_subset``: a run
  that selects only some assets (e.g. the monthly close) runs only their checks.
* Every step reads the warehouse read-only in the ``warehouse`` pool.
* Blocking: the suites of the marts that feed finance (``data_quality.gx.mart_suites.FINANCE_MARTS``) are
  ``blocking=True`` with ERROR severity (a failure holds back what is downstream of the mart, e.g. the close pack);
  the completeness suites are WARN and the others ERROR, non-blocking. A suite whose relation is not built yet passes
  with the metadata ``status: not built yet``.
"""

from collections.abc import Iterable

import dagster as dg

from orchestration.lib.constants import WAREHOUSE_POOL
from orchestration.lib.metadata import md_table
from orchestration.lib.resources import WarehouseResource

MARTS_SCHEMA = "marts"
MAX_FAILURES_IN_METADATA = 20


def asset_key(relation: str) -> dg.AssetKey:
    """The Dagster asset of a relation: a mart is keyed by its model name, a raw table by [dataset, table]."""
    schema, table = relation.split(".", 1)
    return dg.AssetKey([table]) if schema == MARTS_SCHEMA else dg.AssetKey([schema, table])


def check_description(suite) -> str:
    return (
        f"GX suite on {suite.relation}: {suite.rule}. Severity {suite.severity}"
        f"{', blocking' if suite.blocking else ''}. On failure: {suite.remedy}"
    )[:1000]


def check_result(result) -> dg.AssetCheckResult:
    """The check result of a :class:`~data_quality.gx.SuiteResult`: description = the summary (relation, rule,
    failing count, examples, what to do next); metadata = rows validated, failing expectations and examples."""
    from data_quality.gx.framework import plain

    suite = result.suite
    failures = result.failures
    meta: dict = {
        "suite": suite.id,
        "relation": suite.relation,
        "status": result.status,
        "rows_validated": result.rows,
        "expectations": len(result.outcomes),
        "failing_expectations": len(failures),
        "seconds": round(result.seconds, 2),
        "frames": dg.MetadataValue.json(
            [
                {
                    "frame": f.name,
                    "rows": f.rows,
                    "status": f.status,
                    **({"missing": list(f.missing)} if f.missing else {}),
                }
                for f in result.frames
            ]
        ),
    }
    if failures:
        meta["failing_rules"] = dg.MetadataValue.json(
            [
                {
                    "frame": o.frame,
                    "rule": o.rule,
                    "expectation": o.expectation,
                    "columns": list(o.columns),
                    "unexpected": o.unexpected_count,
                    "of": o.element_count,
                    "observed": plain(o.observed),
                    "examples": plain(list(o.examples)),
                    **({"error": o.error} if o.error else {}),
                }
                for o in failures[:MAX_FAILURES_IN_METADATA]
            ]
        )
        meta["failures_table"] = md_table(
            ("frame", "rule", "failing", "examples"),
            (
                (
                    o.frame,
                    o.rule,
                    o.unexpected_count if o.unexpected_count is not None else "-",
                    o.line().split("; e.g. ", 1)[-1] if o.examples else (o.error or "-"),
                )
                for o in failures[:MAX_FAILURES_IN_METADATA]
            ),
        )
    return dg.AssetCheckResult(
        asset_key=asset_key(suite.relation),
        check_name=suite.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR if suite.severity == "error" else dg.AssetCheckSeverity.WARN,
        description=result.summary()[:2000],
        metadata=meta,
    )


def build_gx_checks(group: str, suites: Iterable) -> dg.AssetChecksDefinition:
    """One multi-asset check step running ``suites`` (one check each) against the warehouse, read-only."""
    suites = tuple(suites)
    specs = {dg.AssetCheckKey(asset_key(s.relation), s.name): s for s in suites}

    @dg.multi_asset_check(
        name=f"gx_{group}",
        can_subset=True,
        pool=WAREHOUSE_POOL,
        compute_kind="great_expectations",
        specs=[
            dg.AssetCheckSpec(
                s.name,
                asset=asset_key(s.relation),
                blocking=s.blocking,
                description=check_description(s),
                metadata={"suite": s.id, "severity": s.severity},
            )
            for s in suites
        ],
        description=f"Great Expectations suites on {group} (data_quality/gx), read-only.",
    )
    def _gx_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        from data_quality.gx import run_suites

        selected = [s for k, s in specs.items() if k in context.selected_asset_check_keys]
        for result in run_suites(warehouse.location(), selected):
            line = result.summary().splitlines()[0]
            if result.passed:
                context.log.info(line)
            else:
                log = context.log.error if result.suite.severity == "error" else context.log.warning
                log(result.summary())
            yield check_result(result)

    return _gx_checks


def dbt_models() -> set[str]:
    """The dbt model names of the project (so that a contract without a model, e.g. a YAML landed before its SQL,
    gets no check on a missing asset)."""
    from orchestration.lib.dbt import manifest_node_names

    return manifest_node_names(("model",))


def grouped_suites() -> dict[str, list]:
    """Suites by check step: raw suites per dataset, mart suites together."""
    from data_quality.gx import all_suites

    models = dbt_models()
    groups: dict[str, list] = {}
    for s in all_suites().suites:
        if s.schema == MARTS_SCHEMA:
            if s.table in models:
                groups.setdefault("marts", []).append(s)
        else:
            groups.setdefault(s.schema, []).append(s)
    return groups


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_gx_checks(g, s) for g, s in sorted(grouped_suites().items())])
