"""Run the whole pipeline through Dagster in process (what `make demo` and `finops run` do)."""
from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from .settings import REPO_ROOT, Settings


def instance() -> dg.DagsterInstance:
    home = os.environ.get("DAGSTER_HOME") or str(REPO_ROOT / "dagster_home")
    Path(home).mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = home
    return dg.DagsterInstance.get()


def run_pipeline(selection: str = "*", echo=print, full_refresh: bool = False, log_level: str = "INFO") -> bool:
    """Materialize ``selection`` with every check; print what ran and the spend summary. True if all passed."""
    from orchestration.definitions import defs as load_defs

    from .summary import spend_summary

    settings = Settings.from_env()
    settings.export()
    defs = load_defs()
    job = defs.resolve_implicit_global_asset_job_def()
    if selection != "*":
        job = dg.define_asset_job("finops_selection", selection=selection).resolve(
            asset_graph=defs.resolve_asset_graph())
    run_config: dict = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if full_refresh:
        run_config["ops"] = {"finops_dbt": {"config": {"full_refresh": True}}}
    result = job.execute_in_process(instance=instance(), raise_on_error=False, run_config=run_config)
    checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    passed = sum(1 for c in checks if c.passed)
    failed = [c for c in checks if not c.passed]
    mats = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    echo(f"Dagster run {result.run_id}: {'SUCCESS' if result.success else 'FAILED'}; "
         f"{len(mats)} assets materialized; checks passed {passed}/{len(checks)}")
    for line in api_load_lines(mats):
        echo(f"  {line}")
    for c in failed:
        echo(f"  FAILED check {c.asset_key.to_user_string()}:{c.check_name} "
             f"({c.severity.value}) {(c.description or '')[:300]}")
    if Path(settings.warehouse).exists():
        try:
            echo(spend_summary(settings.warehouse))
        except Exception as e:  # noqa: BLE001 - the summary is informative only
            echo(f"(no summary: {e})")
    errors = [c for c in failed if c.severity == dg.AssetCheckSeverity.ERROR]
    return result.success and not errors


def api_load_lines(materializations) -> list[str]:
    """One line per vendor API dataset materialized: organisations and rows loaded, or what to configure."""
    seen: dict[str, str] = {}
    for e in materializations:
        m = e.event_specific_data.materialization
        meta = {k: getattr(v, "value", v) for k, v in m.metadata.items()}
        dataset = m.asset_key.path[0]
        if "dataset_rows_loaded" not in meta or dataset in seen:
            continue
        if meta.get("configured"):
            orgs, what = meta.get("organizations"), "organisation(s)"
            if orgs is None and meta.get("vendors") is not None:
                orgs, what = meta.get("vendors"), "vendor(s)"
            orgs = orgs or []
            seen[dataset] = (f"{dataset}: {len(orgs)} {what} ({', '.join(orgs)}), "
                             f"{meta['dataset_rows_loaded']:,} rows loaded from the API")
        else:
            seen[dataset] = f"{dataset}: not configured, nothing loaded ({meta.get('to_configure', '')})"
    return [seen[k] for k in sorted(seen)]
