"""Post new governance findings (budget crossings, new cost anomalies) to a Slack-compatible webhook.

``governance_alert_sensor`` evaluates every ``minimum_interval_seconds``; it reads ``FINOPS_ALERT_WEBHOOK_URL`` at
evaluation time (unset: it skips and says so). It reads the warehouse only when the governance marts were
materialized since its last post (Dagster's event log; when the instance has no materialization of them, e.g. the
warehouse was built outside this instance, it reads every interval), posts the findings not posted before as
``{"text", "blocks"}`` messages (:func:`serving.governance_alerts.slack_payloads`), and keeps the hashes of the
posted finding ids in its cursor, so nothing is posted twice and an escalation (warn -> alert) is posted again.
Delivery retries 429/5xx with backoff (:mod:`serving.alert_webhook`); a failed delivery keeps the unposted
findings for the next evaluation. The webhook URL is a secret: it never appears in logs, skip reasons or errors.
"""

import os

import dagster as dg

from orchestration.lib.constants import BUDGET_VS_ACTUAL, COST_ANOMALIES
from orchestration.lib.resources import WarehouseResource

WEBHOOK_ENV = "FINOPS_ALERT_WEBHOOK_URL"
GOVERNANCE_MARTS = (BUDGET_VS_ACTUAL, COST_ANOMALIES)


def retry_policy():
    """The delivery retry policy (a function, so tests can shorten the backoff)."""
    from serving.alert_webhook import RetryPolicy

    return RetryPolicy()


def materialization_marks(context: dg.SensorEvaluationContext) -> dict[str, str]:
    """Asset -> ``run_id:timestamp`` of the governance marts' latest materialization known to the instance."""
    try:
        instance = context.instance
    except dg.DagsterInvariantViolationError:  # a test context without an instance
        return {}
    events = instance.get_latest_materialization_events(list(GOVERNANCE_MARTS))
    return {k.to_user_string(): f"{e.run_id}:{e.timestamp}" for k, e in events.items() if e is not None}


@dg.sensor(
    name="governance_alert_sensor",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Posts new budget crossings and new cost anomalies to the webhook in {WEBHOOK_ENV} "
    "(Slack-compatible JSON), once each, after the governance marts materialize.",
)
def governance_alert_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    import duckdb

    from serving.alert_webhook import WebhookError, post_json
    from serving.governance_alerts import AlertCursor, anomaly_findings, budget_findings, slack_messages

    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return dg.SkipReason(f"{WEBHOOK_ENV} is not set: governance alerts are not posted")
    cursor = AlertCursor.decode(context.cursor)
    marks = materialization_marks(context)
    if marks and marks == cursor.marks:
        return dg.SkipReason("no materialization of the governance marts since the last post")
    location = warehouse.location()
    try:
        results = [budget_findings(location), anomaly_findings(location)]
    except duckdb.IOException as e:  # a run holds the write lock: read at the next evaluation
        return dg.SkipReason(f"warehouse busy, not read: {str(e).splitlines()[0][:200]}")
    built = [r for r in results if r.built]
    if not built:
        return dg.SkipReason(f"governance marts not built yet in {location}")
    new = cursor.unnotified(f for r in built for f in r.findings)
    if not new:
        cursor.marks = marks
        return dg.SensorResult(
            skip_reason=dg.SkipReason(
                f"no new governance finding ({sum(len(r.findings) for r in built)} already posted)"
            ),
            cursor=cursor.encode(),
        )
    posted = 0
    for payload, chunk in slack_messages(new):
        try:
            post_json(url, payload, policy=retry_policy())
        except WebhookError as e:  # never contains the URL
            context.log.error(
                f"governance alert not delivered: {e}; {len(new) - posted} finding(s) kept for the next evaluation"
            )
            # what was delivered stays delivered; the marks stay old, so the next evaluation reads again
            return dg.SensorResult(
                skip_reason=dg.SkipReason(f"posted {posted} of {len(new)} new finding(s); delivery failed: {e}"),
                cursor=cursor.encode(),
            )
        cursor.mark_notified(chunk)
        posted += len(chunk)
    cursor.marks = marks
    context.log.info(f"posted {posted} new governance finding(s) to the alert webhook")
    return dg.SensorResult(
        skip_reason=dg.SkipReason(f"posted {posted} new governance finding(s)"), cursor=cursor.encode()
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[governance_alert_sensor])
