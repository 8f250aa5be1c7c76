"""Start a run when a new or re-delivered export appears under the landing root."""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from orchestration.defs.automation.schedules import refresh_all
from orchestration.lib.resources import LandingResource


def landing_fingerprints(landing: str) -> dict[str, str]:
    """Delivery key -> fingerprint for everything under the landing root (listing only, no file reads)."""
    from ingestion._common.landing import group_deliveries

    return {d.key: d.fingerprint for d in group_deliveries(landing)}


def changed_deliveries(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    """Keys that are new or whose fingerprint changed (a re-delivery)."""
    return sorted(k for k, fp in current.items() if previous.get(k) != fp)


@dg.sensor(
    job=refresh_all,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or re-delivered billing exports under FINOPS_LANDING start a refresh.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext, landing: LandingResource):
    try:
        current = landing_fingerprints(landing.location())
    except FileNotFoundError as e:
        return dg.SkipReason(str(e))
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = changed_deliveries(previous, current)
    if not changed:
        return dg.SkipReason(f"no new deliveries among {len(current)}")
    run_key = hashlib.sha256(json.dumps({k: current[k] for k in changed}, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(current, sort_keys=True))
    return dg.RunRequest(run_key=run_key, tags={"finops/changed_deliveries": ",".join(changed)[:1000]})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_zone_sensor])
