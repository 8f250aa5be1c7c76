"""Governance signals in Dagster: budget and anomaly checks (business signals that never fail a run), the alert
sensor posting Slack-compatible JSON to a webhook once per finding (a real local HTTP server), and the monthly close
job writing a balanced close pack for one billing month."""

from __future__ import annotations

import csv
import json
import logging
import shutil
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.governance import alerts
from orchestration.defs.governance.checks import (
    ANOMALY_CHECK,
    BUDGET_CHECK,
    BUDGET_VS_ACTUAL,
    COST_ANOMALIES,
    budget_thresholds_not_crossed,
    is_governance_signal,
    no_new_cost_anomalies,
    signal_result,
)
from orchestration.lib.resources import LandingResource, WarehouseResource
from serving.alert_webhook import RetryPolicy, WebhookError, post_json
from serving.close_pack import ClosePackError, write_close_pack
from serving.governance_alerts import (
    AlertCursor,
    Finding,
    anomaly_findings,
    budget_findings,
    finding_hash,
    slack_payloads,
)

REPO = Path(__file__).resolve().parents[2]
DEMO_WAREHOUSE = REPO / "warehouse" / "finops.duckdb"
TOKEN = "XoxbSecretToken42"  # what a Slack webhook URL embeds: must never show up anywhere

BUDGET_DDL = """create table marts.fct_budget_vs_actual (
    budget_id varchar, scope_type varchar, scope_value varchar, period varchar, currency varchar, owner varchar,
    budget_amount decimal(38,10), warn_threshold_pct decimal(9,4), alert_threshold_pct decimal(9,4),
    actual_to_date decimal(38,10), projected_month_end decimal(38,10), projection_method varchar,
    consumed_pct decimal(38,6), projected_pct decimal(38,6), threshold_crossed varchar, threshold_basis varchar,
    status varchar, period_state varchar, as_of_date date)"""
ANOMALY_DDL = """create table marts.fct_cost_anomalies (
    anomaly_id varchar, scope_type varchar, scope_value varchar, provider_name varchar, anomaly_date date,
    actual_cost decimal(38,10), baseline_cost decimal(38,10), impact_amount decimal(38,10), impact_pct double,
    currency varchar, direction varchar, volume_effect decimal(38,10), price_effect decimal(38,10),
    mix_effect decimal(38,10), fx_effect decimal(38,10), residual_effect decimal(38,10), primary_driver varchar,
    owner varchar, business_unit varchar, cost_center varchar, severity varchar, is_new boolean, as_of_date date)"""
BUDGET_ROWS = [
    # budget_id, scope, value, period, cur, owner, amount, warn, alert, actual, projected, method, consumed,
    # projected_pct, crossed, basis, status, state
    (
        "BU-RESEARCH-2026-10",
        "business_unit",
        "research",
        "2026-10",
        "USD",
        "sofia@example.com",
        200000,
        0.8,
        1.0,
        230521.24,
        230521.24,
        "actual",
        1.152606,
        1.152606,
        "alert",
        "actual",
        "over_budget",
        "closed",
    ),
    (
        "PRD-DOCS-2026-10",
        "product",
        "doc-search",
        "2026-10",
        "USD",
        "<!channel>",
        75000,
        0.8,
        1.0,
        50000,
        66000,
        "forecast",
        0.666667,
        0.88,
        "warn",
        "projected",
        "at_risk",
        "in_progress",
    ),
    (
        "PRV-AWS-2026-10",
        "provider",
        "AWS",
        "2026-10",
        "USD",
        "finops@example.com",
        600000,
        0.8,
        1.0,
        456019.52,
        456019.52,
        "actual",
        0.76,
        0.76,
        "none",
        None,
        "on_track",
        "closed",
    ),
]
ANOMALY_ROWS = [
    # id, scope, value, provider, day, actual, baseline, impact, pct, cur, direction, driver, owner, severity, new
    (
        "a1",
        "model",
        "gpt-4o-2024-08-06",
        "OpenAI",
        "2026-10-30",
        900,
        300,
        600,
        2.0,
        "USD",
        "spike",
        "price",
        "maya@example.com",
        "error",
        True,
    ),
    (
        "a2",
        "service",
        "Amazon SageMaker",
        "AWS",
        "2026-10-31",
        1400,
        1000,
        400,
        0.4,
        "USD",
        "spike",
        "volume",
        "jonas@example.com",
        "warn",
        True,
    ),
    (
        "a3",
        "project",
        "fraud-model",
        "GCP",
        "2026-10-02",
        50,
        500,
        -450,
        -0.9,
        "USD",
        "drop",
        "volume",
        None,
        "error",
        False,
    ),
]

RESOURCES = {"warehouse": WarehouseResource(), "landing": LandingResource()}


def write_marts(path: Path, budgets=BUDGET_ROWS, anomalies=ANOMALY_ROWS) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        if budgets is not None:
            con.execute(BUDGET_DDL)
            con.executemany(
                "insert into marts.fct_budget_vs_actual values "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, date '2026-10-31')",
                budgets,
            )
        if anomalies is not None:
            con.execute(ANOMALY_DDL)
            con.executemany(
                "insert into marts.fct_cost_anomalies values (?, ?, ?, ?, cast(? as date), ?, ?, ?, ?, ?, ?, "
                "0, 0, 0, 0, 0, ?, ?, 'research', 'CC-1', ?, ?, date '2026-10-31')",
                anomalies,
            )
    return path


@pytest.fixture()
def warehouse(tmp_path, monkeypatch) -> Path:
    wh = write_marts(tmp_path / "finops.duckdb")
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(wh))
    return wh


class Webhook:
    """A local Slack-style incoming webhook: records every POST, answers with the scripted statuses (then 200)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.paths: list[str] = []
        self.script: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.paths.append(self.path)
                hook.posts.append(json.loads(body))
                status = hook.script.pop(0) if hook.script else 200
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else f"error {self.path}".encode())

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/{TOKEN}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def webhook(monkeypatch):
    hook = Webhook()
    monkeypatch.setenv(alerts.WEBHOOK_ENV, hook.url)
    monkeypatch.setattr(alerts, "retry_policy", lambda: RetryPolicy(attempts=3, backoff_seconds=0.01))
    yield hook
    hook.close()


# --- findings ------------------------------------------------------------------------------------------------------


def test_budget_findings_warn_at_warn_threshold_error_at_alert(warehouse):
    result = budget_findings(warehouse)
    assert result.built and result.rows == 3 and str(result.as_of_date) == "2026-10-31"
    by_id = {f.reference: f for f in result.findings}
    assert set(by_id) == {"BU-RESEARCH-2026-10", "PRD-DOCS-2026-10"}  # 'none' is no finding
    breach, warning = by_id["BU-RESEARCH-2026-10"], by_id["PRD-DOCS-2026-10"]
    assert (breach.severity, breach.finding_id) == ("error", "budget:BU-RESEARCH-2026-10:alert")
    assert (warning.severity, warning.finding_id) == ("warn", "budget:PRD-DOCS-2026-10:warn")
    assert warning.amount == Decimal(66000) and "projected month end" in warning.detail  # crossed by projection
    assert "over budget" in breach.detail and "115.3 %" in breach.detail
    assert result.severity == "error" and result.findings[0] is breach  # most severe first


def test_anomaly_findings_are_the_new_ones_with_their_severity(warehouse):
    result = anomaly_findings(warehouse)
    assert [(f.reference, f.severity) for f in result.findings] == [("a1", "error"), ("a2", "warn")]
    assert result.findings[0].finding_id == "anomaly:a1:error"
    assert "primary driver price" in result.findings[0].detail and "+600.00 USD" in result.findings[0].detail


def test_anomaly_titles_name_the_vendor_as_the_catalogue_does(warehouse):
    assert "Amazon SageMaker (AWS)" in anomaly_findings(warehouse).findings[1].title  # no catalogue: as it is
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema reference")
        con.execute(
            "create table reference.ai_vendor_catalogue as select * from (values "
            "('Amazon Web Services', 'aws', 10), ('Amazon Web Services', 'amazon web services', 10)) "
            "t(vendor, alias, priority)"
        )
    finding = anomaly_findings(warehouse).findings[1]
    assert finding.title == "Cost anomaly on service Amazon SageMaker (Amazon Web Services) on 2026-10-31"
    assert finding.finding_id == "anomaly:a2:warn"  # the id (what the alert cursor keeps) is unchanged


def test_marts_not_built_yet_are_no_error(tmp_path):
    assert not budget_findings(tmp_path / "missing.duckdb").built
    only_budgets = write_marts(tmp_path / "finops.duckdb", anomalies=None)
    assert budget_findings(only_budgets).built
    missing = anomaly_findings(only_budgets)
    assert not missing.built and missing.findings == ()
    res = signal_result(missing)
    assert res.passed and res.metadata["status"].value == "not built yet"


def test_check_results_carry_severity_and_the_signal_marker(warehouse):
    budgets = signal_result(budget_findings(warehouse))
    assert not budgets.passed and budgets.severity == dg.AssetCheckSeverity.ERROR
    assert budgets.metadata["finops_signal"].value == "governance"
    assert budgets.metadata["errors"].value == 1 and budgets.metadata["warnings"].value == 1
    write_marts(warehouse.parent / "warn.duckdb", budgets=[BUDGET_ROWS[1], BUDGET_ROWS[2]], anomalies=None)
    only_warn = signal_result(budget_findings(warehouse.parent / "warn.duckdb"))
    assert not only_warn.passed and only_warn.severity == dg.AssetCheckSeverity.WARN
    write_marts(warehouse.parent / "clear.duckdb", budgets=[BUDGET_ROWS[2]], anomalies=None)
    clear = signal_result(budget_findings(warehouse.parent / "clear.duckdb"))
    assert clear.passed and clear.metadata["status"].value == "clear"


# --- Slack messages and deduplication --------------------------------------------------------------------------------


def test_slack_payload_shape(warehouse):
    findings = [*budget_findings(warehouse).findings, *anomaly_findings(warehouse).findings]
    (payload,) = slack_payloads(findings)
    assert set(payload) == {"text", "blocks"} and isinstance(payload["text"], str)
    assert "1 budget breach, 1 budget warning, 1 new anomaly (error), 1 new anomaly (warn)" in payload["text"]
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["type"] == "plain_text"
    assert len(blocks[0]["text"]["text"]) <= 150
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) == 1 + len(findings)
    assert all(b["text"]["type"] == "mrkdwn" and len(b["text"]["text"]) <= 3000 for b in sections)
    assert sections[1]["text"]["text"].startswith(":red_circle: *Budget breach BU-RESEARCH-2026-10")
    assert blocks[-1]["type"] == "context"
    # data cannot ping a channel or inject a link: mrkdwn control characters are escaped
    assert "&lt;!channel&gt;" in json.dumps(blocks) and "<!channel>" not in json.dumps(blocks)


def test_slack_messages_are_chunked_within_slack_limits():
    many = [
        Finding(
            finding_id=f"anomaly:x{i}:warn",
            kind="anomaly",
            severity="warn",
            reference=f"x{i}",
            title=f"Cost anomaly {i}",
            detail="spike",
        )
        for i in range(45)
    ]
    payloads = slack_payloads(many)
    assert len(payloads) == 3
    assert all(len(p["blocks"]) <= 50 for p in payloads)
    assert [sum(b["type"] == "section" for b in p["blocks"]) - 1 for p in payloads] == [20, 20, 5]
    assert "(1/3)" in payloads[0]["blocks"][0]["text"]["text"]


def test_cursor_dedups_findings_and_survives_encoding(warehouse):
    findings = budget_findings(warehouse).findings
    cursor = AlertCursor.decode(None)
    assert cursor.unnotified(findings) == list(findings)
    cursor.mark_notified(findings[:1])
    again = AlertCursor.decode(cursor.encode())
    assert again.unnotified(findings) == list(findings[1:])
    again.mark_notified(findings)
    assert again.unnotified(findings) == [] and len(again.notified) == len(findings)
    # an escalation warn -> alert is a new finding; the cursor stores hashes, not the ids
    escalated = Finding(
        finding_id="budget:PRD-DOCS-2026-10:alert",
        kind="budget",
        severity="error",
        reference="PRD-DOCS-2026-10",
        title="t",
        detail="d",
    )
    assert again.unnotified([escalated]) == [escalated]
    assert finding_hash("budget:PRD-DOCS-2026-10:warn") in again.encode()
    assert "PRD-DOCS" not in again.encode()


# --- the webhook and the sensor -------------------------------------------------------------------------------------


def test_sensor_skips_without_a_webhook(warehouse, monkeypatch):
    monkeypatch.delenv(alerts.WEBHOOK_ENV, raising=False)
    result = alerts.governance_alert_sensor(dg.build_sensor_context(resources=RESOURCES))
    assert isinstance(result, dg.SkipReason) and alerts.WEBHOOK_ENV in result.skip_message


def test_sensor_posts_new_findings_once(warehouse, webhook):
    ctx = dg.build_sensor_context(cursor=None, resources=RESOURCES)
    first = alerts.governance_alert_sensor(ctx)
    assert isinstance(first, dg.SensorResult) and not first.run_requests
    assert len(webhook.posts) == 1 and webhook.paths == [f"/services/T000/B000/{TOKEN}"]
    text = webhook.posts[0]["text"]
    assert "BU-RESEARCH-2026-10" in text and "PRD-DOCS-2026-10" in text and "a1" in json.dumps(webhook.posts[0])
    context = webhook.posts[0]["blocks"][-1]["elements"][0]["text"]
    assert "a1" in context and "a2" in context and "a3" not in context  # a3 is not new: not posted

    second = alerts.governance_alert_sensor(dg.build_sensor_context(cursor=first.cursor, resources=RESOURCES))
    assert len(webhook.posts) == 1  # nothing new: nothing posted twice
    assert "no new governance finding" in second.skip_reason.skip_message

    with duckdb.connect(str(warehouse)) as con:  # the next run detects a new anomaly
        con.execute(
            "insert into marts.fct_cost_anomalies (anomaly_id, scope_type, scope_value, impact_amount, "
            "currency, severity, is_new, owner, as_of_date) values "
            "('a4', 'api_key', 'key-prod-7', 250, 'USD', 'warn', true, 'liam@example.com', date '2026-11-01')"
        )
    alerts.governance_alert_sensor(dg.build_sensor_context(cursor=second.cursor, resources=RESOURCES))
    assert len(webhook.posts) == 2
    new_sections = [b for b in webhook.posts[1]["blocks"] if b["type"] == "section"][1:]
    assert len(new_sections) == 1 and "key-prod-7" in new_sections[0]["text"]["text"]


def test_sensor_reads_again_only_after_the_marts_materialize(warehouse, webhook):
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(dg.AssetMaterialization(BUDGET_VS_ACTUAL))
    first = alerts.governance_alert_sensor(dg.build_sensor_context(instance=instance, resources=RESOURCES))
    assert len(webhook.posts) == 1
    warehouse.unlink()  # not read again: the marts did not materialize since
    idle = alerts.governance_alert_sensor(
        dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=RESOURCES)
    )
    assert "no materialization" in idle.skip_message and len(webhook.posts) == 1
    instance.report_runless_asset_event(dg.AssetMaterialization(COST_ANOMALIES))
    after = alerts.governance_alert_sensor(
        dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=RESOURCES)
    )
    assert "not built yet" in after.skip_message


def test_sensor_retries_429_and_5xx(warehouse, webhook):
    webhook.script = [429, 503]
    result = alerts.governance_alert_sensor(dg.build_sensor_context(resources=RESOURCES))
    assert len(webhook.posts) == 3 and webhook.posts[0] == webhook.posts[2]  # the same message, delivered the 3rd time
    assert "posted 4 new governance finding(s)" in result.skip_reason.skip_message


def test_failed_delivery_keeps_findings_and_never_reveals_the_url(warehouse, webhook, caplog):
    caplog.set_level(logging.DEBUG)
    webhook.script = [500, 502, 503]
    failed = alerts.governance_alert_sensor(dg.build_sensor_context(resources=RESOURCES))
    assert len(webhook.posts) == 3
    assert "delivery failed" in failed.skip_reason.skip_message and "HTTP 503" in failed.skip_reason.skip_message
    assert AlertCursor.decode(failed.cursor).notified == []  # kept for the next evaluation
    retried = alerts.governance_alert_sensor(dg.build_sensor_context(cursor=failed.cursor, resources=RESOURCES))
    assert len(webhook.posts) == 4 and "posted 4" in retried.skip_reason.skip_message

    errors = [failed.skip_reason.skip_message]
    webhook.script = [404]
    with pytest.raises(WebhookError) as rejected:
        post_json(webhook.url, {"text": "x"}, RetryPolicy(attempts=3, backoff_seconds=0))
    assert rejected.value.status == 404 and len(webhook.posts) == 5  # a 4xx is not retried
    errors.append(str(rejected.value))
    port = webhook.server.server_port
    webhook.close()
    with pytest.raises(WebhookError) as unreachable:
        post_json(
            f"http://127.0.0.1:{port}/services/T000/B000/{TOKEN}",
            {"text": "x"},
            RetryPolicy(attempts=2, backoff_seconds=0, timeout_seconds=2),
        )
    errors.append(str(unreachable.value))
    exc = unreachable.value  # no chained exception that could carry the URL into a traceback
    assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
    with pytest.raises(WebhookError) as bad_scheme:
        post_json(f"ftp://hooks.example.com/{TOKEN}", {"text": "x"})
    errors.append(str(bad_scheme.value))
    for text in [*errors, caplog.text]:
        assert TOKEN not in text and "/services/T000" not in text, text


# --- Dagster definitions ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs as load

    d = load()
    dg.Definitions.validate_loadable(d)
    return d


def test_definitions_wire_checks_sensor_and_close_job(defs):
    from orchestration.defs.governance.close import CLOSE_PACK, billing_months

    graph = defs.resolve_asset_graph()
    checks = {k.name: k for k in graph.asset_check_keys}
    assert checks[BUDGET_CHECK].asset_key == BUDGET_VS_ACTUAL
    assert checks[ANOMALY_CHECK].asset_key == COST_ANOMALIES
    for check in (budget_thresholds_not_crossed, no_new_cost_anomalies):
        assert [s.blocking for s in check.check_specs] == [False]  # business signals hold nothing back
    assert defs.get_sensor_def("governance_alert_sensor").minimum_interval_seconds == 300
    assert defs.get_schedule_def("monthly_close_schedule").cron_schedule == "0 8 5 * *"

    close = defs.resolve_job_def("monthly_close")
    assert close.partitions_def == billing_months
    assert {"2026-09", "2026-10"} <= set(billing_months.get_partition_keys())
    keys = {k.to_user_string() for k in close.asset_layer.selected_asset_keys}
    assert {
        "close_pack",
        "fct_chargeback_journal",
        "fct_invoice_reconciliation",
        "fct_budget_vs_actual",
        "int_governance_daily_cost",
        "budgets",
    } <= keys
    # on top of the FOCUS record and the allocation of the last full run: neither is re-built
    assert not keys & {"fct_charges", "int_charges_unioned", "fct_cost_allocated", "stg_aws_cur__line_items"}
    pack = next(a for a in graph.assets_defs if CLOSE_PACK in a.keys)
    assert pack.op.pool == "warehouse" and pack.partitions_def == billing_months
    # the scheduled / sensor-started / `finops run` job never needs a partition
    refresh = defs.resolve_job_def("refresh_all")
    assert refresh.partitions_def is None and CLOSE_PACK not in refresh.asset_layer.selected_asset_keys
    assert BUDGET_VS_ACTUAL in refresh.asset_layer.selected_asset_keys


def test_a_budget_breach_is_a_finding_not_a_failed_run(warehouse):
    from finops_cli.runner import governance_lines, report_run

    @dg.asset(key=BUDGET_VS_ACTUAL)
    def stub():
        return None

    result = dg.materialize(
        [stub, budget_thresholds_not_crossed],
        instance=dg.DagsterInstance.ephemeral(),
        resources=RESOURCES,
        raise_on_error=False,
    )
    (evaluation,) = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert is_governance_signal(evaluation)
    out: list[str] = []
    ok, signals = report_run(result, out.append)
    assert ok and signals == [evaluation]  # ERROR governance signal: the run still succeeds
    assert "checks passed 0/0; governance findings in 1 of 1 governance checks" in out[0]
    assert "FAILED" not in "\n".join(out)
    lines = governance_lines(signals)
    assert "[ERROR]" in lines[1] and "BU-RESEARCH-2026-10" in "\n".join(lines)


# --- monthly close ---------------------------------------------------------------------------------------------------


def missing_close_inputs(warehouse: Path, close_job) -> list[str]:
    """Models the close reads but does not build that the warehouse lacks (a demo warehouse older than the project)."""
    from orchestration.lib.dbt_cli import prepare_manifest

    manifest = json.loads(prepare_manifest().read_text())
    built = {k.path[-1] for k in close_job.asset_layer.selected_asset_keys}
    nodes = manifest["nodes"]
    inputs = {
        d
        for n in nodes.values()
        if n["name"] in built
        for d in n.get("depends_on", {}).get("nodes", [])
        if d in nodes
        and nodes[d]["resource_type"] in ("model", "seed")
        and nodes[d]["name"] not in built
        and nodes[d]["config"].get("materialized") != "ephemeral"  # inlined into its users, never a table
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        have = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
    return sorted(
        nodes[d]["name"] for d in inputs if (nodes[d]["schema"], nodes[d].get("alias") or nodes[d]["name"]) not in have
    )


@pytest.mark.slow  # runs dbt build on the finance and governance models: the slowest test of this file
@pytest.mark.skipif(not DEMO_WAREHOUSE.exists(), reason="needs the demo warehouse (make demo)")
def test_monthly_close_writes_a_balanced_pack_for_one_month(defs, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from finops_cli import main
    from finops_cli.runner import run_close

    wh = tmp_path / "warehouse" / "finops.duckdb"
    wh.parent.mkdir()
    shutil.copy(DEMO_WAREHOUSE, wh)
    missing = missing_close_inputs(wh, defs.resolve_job_def("monthly_close"))
    if missing:
        pytest.skip(f"the demo warehouse predates models the close reads ({', '.join(missing)}): run make demo")
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(wh))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("FINOPS_CLOSE_DIR", str(tmp_path / "close"))

    out: list[str] = []
    # the job monthly_close, partition 2026-10: dbt re-build of the finance and governance models, then the pack
    assert run_close("2026-10", echo=out.append, defs=defs, dagster_instance=dg.DagsterInstance.ephemeral()), "\n".join(
        out
    )
    text = "\n".join(out)
    assert "SUCCESS" in out[0] and "FAILED" not in text
    assert "Budget breach BU-RESEARCH-2026-10" in text  # the demo's planted breach: a finding, the close succeeds
    pack = tmp_path / "close" / "2026-10"
    files = sorted(p.name for p in pack.iterdir())
    assert files == [
        "budget_vs_actual.csv",
        "chargeback_journal.csv",
        "close_manifest.json",
        "close_pack_2026-10.xlsx",
        "invoice_reconciliation.csv",
    ]

    def rows(name):
        with (pack / name).open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    journal = rows("chargeback_journal.csv")
    assert journal
    for jid in {r["journal_id"] for r in journal}:
        lines = [r for r in journal if r["journal_id"] == jid]
        assert sum(Decimal(r["debit"]) for r in lines) == sum(Decimal(r["credit"]) for r in lines) > 0
    recon, budgets = rows("invoice_reconciliation.csv"), rows("budget_vs_actual.csv")
    assert recon and {r["billing_period"] for r in recon} == {"2026-10"}
    assert budgets and {r["period"] for r in budgets} == {"2026-10"}
    manifest = json.loads((pack / "close_manifest.json").read_text())
    assert manifest["period"] == "2026-10" and manifest["period_complete"] is True
    assert manifest["rows"] == {
        "chargeback_journal.csv": len(journal),
        "invoice_reconciliation.csv": len(recon),
        "budget_vs_actual.csv": len(budgets),
    }
    # the workbook shows the CSVs' figures to the cent (the demo's journal in USD and EUR)
    assert workbook_vs_csv(pack, "2026-10") == {
        "Journal": len(journal),
        "Budget vs actual": len(budgets),
        "Reconciliation": len(recon),
    }

    # re-runnable: the month's pack is replaced whole, the same data gives the same files
    (pack / "stale.txt").write_text("left by hand")
    again = write_close_pack(wh, "2026-10", pack)
    assert sorted(p.name for p in pack.iterdir()) == files
    assert again.sha256 == manifest["sha256"]

    future = CliRunner().invoke(main, ["close", "2099-01"])
    assert future.exit_code == 64 and "not a closable billing month" in future.output  # EX_USAGE


def test_close_pack_is_refused_for_a_month_without_a_journal(tmp_path):
    wh = write_marts(tmp_path / "finops.duckdb", anomalies=None)
    with duckdb.connect(str(wh)) as con:
        con.execute(
            "create table marts.fct_invoice_reconciliation (billing_period varchar, vendor varchar, "
            "reconciliation_id varchar, currency varchar, unexplained_variance decimal(38,10), "
            "status varchar)"
        )
        con.execute(
            "create table marts.fct_chargeback_journal (journal_id varchar, billing_period varchar, "
            "posting_date date, line_number bigint, account varchar, cost_center varchar, "
            "debit decimal(38,2), credit decimal(38,2), currency varchar, allocation_rule_id varchar, "
            "description varchar, reference varchar)"
        )
    earlier = tmp_path / "close" / "2026-10"
    earlier.mkdir(parents=True)
    (earlier / "chargeback_journal.csv").write_text("an earlier pack")
    with pytest.raises(ClosePackError, match="no chargeback journal lines for 2026-10"):
        write_close_pack(wh, "2026-10", earlier)
    assert (earlier / "chargeback_journal.csv").read_text() == "an earlier pack"  # left as it was
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["2026-10"]  # no staging folder left behind


RECON_DDL = """create table marts.fct_invoice_reconciliation (reconciliation_id varchar, vendor varchar,
    invoice_number varchar, billing_period varchar, invoice_date date, currency varchar, billed_amount decimal(38,10),
    invoice_total_amount decimal(38,10), variance decimal(38,10), unexplained_variance decimal(38,10),
    status varchar, reporting_currency varchar, unexplained_variance_reporting decimal(38,10), explanation varchar)"""
RECON_ROWS = [
    # amounts with more than two decimals: the workbook rounds each half up, a total is the rounded exact sum
    (
        "r1",
        "Oracle",
        "ORA-1",
        "2026-10",
        "2026-10-31",
        "USD",
        1000.125,
        1100.125,
        100.005,
        100.005,
        "unexplained",
        "USD",
        100.005,
        "unexplained 100.005",
    ),
    ("r2", "OpenAI", "OA-7", "2026-10", "2026-10-31", "USD", 250.004, 250.004, 0.004, 0, "matched", "USD", 0, None),
    (
        "r3",
        "Mistral AI",
        "MI-3",
        "2026-10",
        "2026-10-30",
        "EUR",
        80.5,
        80.5,
        -0.335,
        -0.335,
        "within_tolerance",
        "USD",
        -0.3899999,
        "rounding",
    ),
    ("r4", "Oracle", "ORA-2", "2026-09", "2026-09-30", "USD", 5, 5, 0, 0, "matched", "USD", 0, None),  # other month
]
JOURNAL_ROWS = [
    # journal, period, line, account, cost centre, debit, credit, currency, rule
    ("CHB-2026-10-EUR", 1, "6100", "CC-1", 80.50, 0, "EUR", "r-eur"),
    ("CHB-2026-10-EUR", 2, "2990", "CC-0000", 0, 80.50, "EUR", "r-eur"),
    ("CHB-2026-10-USD", 1, "6100", "CC-1", 1234.56, 0, "USD", "r-1"),
    ("CHB-2026-10-USD", 2, "6100", "CC-2", 0.01, 0, "USD", "r-1"),
    ("CHB-2026-10-USD", 3, "2990", "CC-0000", 0, 1234.57, "USD", "r-1"),
]


def close_pack_marts(path: Path) -> Path:
    """A small warehouse with the three marts of the close pack: budgets (``write_marts``), a reconciliation in two
    currencies with amounts of more than two decimals, a balanced journal per currency."""
    wh = write_marts(path, anomalies=None)
    with duckdb.connect(str(wh)) as con:
        con.execute(RECON_DDL)
        con.executemany(f"insert into marts.fct_invoice_reconciliation values ({', '.join(['?'] * 14)})", RECON_ROWS)
        con.execute(
            "create table marts.fct_chargeback_journal as select journal_id, '2026-10' as billing_period, "
            "date '2026-10-31' as posting_date, line_number, account, cost_center, debit::decimal(38,2) as debit, "
            "credit::decimal(38,2) as credit, currency, allocation_rule_id, 'line ' || line_number as description, "
            "'fct_cost_allocated:2026-10:' || allocation_rule_id as reference from (values "
            + ", ".join(str(r) for r in JOURNAL_ROWS)
            + ") t(journal_id, line_number, account, cost_center, debit, credit, currency, allocation_rule_id)"
        )
    return wh


def workbook_vs_csv(pack_dir: Path, period: str) -> dict[str, int]:
    """Read the close pack's workbook back with openpyxl and check it against the pack's CSV files: every amount of
    a sheet equals the CSV's to the cent (half up) with its currency in the number format, every ratio is a
    percentage of the CSV's fraction, header frozen, each currency's totals row the rounded sum of the CSV. Returns
    the data rows per sheet."""
    from openpyxl import load_workbook

    from serving.close_workbook import CENT, SHEETS, money_format, read_pack_csv, totals, workbook_name

    wb = load_workbook(pack_dir / workbook_name(period))
    assert wb.sheetnames == ["Summary", "Journal", "Budget vs actual", "Reconciliation"]
    seen = {}
    for sheet in SHEETS:
        ws = wb[sheet.title]
        header, rows = read_pack_csv(pack_dir / sheet.file)
        columns = [c for c in sheet.columns if c.name in header]
        assert [c.value for c in ws[1]] == [c.header for c in columns]
        assert len({c.header for c in columns}) == len(columns)  # a header names one column
        assert ws.freeze_panes == "A2" and ws.column_dimensions["A"].width >= len(columns[0].header)
        for r_i, row in enumerate(rows, start=2):
            for c_i, col in enumerate(columns, start=1):
                cell, text = ws.cell(row=r_i, column=c_i), row[col.name]
                if col.kind == "amount" and text:
                    assert isinstance(cell.value, int | float), (sheet.title, col.name, cell.value)
                    want = Decimal(text).quantize(CENT, rounding="ROUND_HALF_UP")
                    assert Decimal(str(cell.value)).quantize(CENT) == want, (sheet.title, col.name, cell.value, text)
                    assert cell.number_format == money_format(row[col.currency])
                elif col.kind == "ratio" and text:
                    assert Decimal(str(cell.value)) == Decimal(text) and cell.number_format == "0.00%"
                elif not text:
                    assert cell.value is None
        expected = totals(columns, rows, sheet.total_by)
        total_rows = list(ws.iter_rows(min_row=len(rows) + 2, values_only=True))
        assert len(total_rows) == len(expected)
        for values, (group, sums) in zip(total_rows, expected, strict=True):
            assert values[0] == ("Total, all currencies" if group is None else f"Total {group}")
            for c_i, col in enumerate(columns):
                if col.name in sums:
                    exact = sum(
                        (
                            Decimal(r[col.name])
                            for r in rows
                            if r[col.name] and (group is None or r[sheet.total_by] == group)
                        ),
                        Decimal(0),
                    )
                    assert Decimal(str(values[c_i])) == exact.quantize(CENT, rounding="ROUND_HALF_UP")
                else:
                    assert c_i == 0 or values[c_i] is None  # never a sum across currencies
        seen[sheet.title] = len(rows)
    return seen


def test_close_workbook_equals_the_csvs_to_the_cent(tmp_path):
    wh = close_pack_marts(tmp_path / "finops.duckdb")
    out = tmp_path / "close" / "2026-10"
    pack = write_close_pack(wh, "2026-10", out)
    assert sorted(p.name for p in out.iterdir()) == [
        "budget_vs_actual.csv",
        "chargeback_journal.csv",
        "close_manifest.json",
        "close_pack_2026-10.xlsx",
        "invoice_reconciliation.csv",
    ]
    assert workbook_vs_csv(out, "2026-10") == {"Journal": 5, "Budget vs actual": 3, "Reconciliation": 3}

    from openpyxl import load_workbook

    wb = load_workbook(out / "close_pack_2026-10.xlsx")
    recon = wb["Reconciliation"]
    header = [c.value for c in recon[1]]
    rows = {r[header.index("Invoice")] or r[0]: r for r in recon.iter_rows(min_row=2, values_only=True)}
    # half up per line: 1000.125 -> 1000.13, -0.335 -> -0.34; 250.004 -> 250.00
    assert rows["ORA-1"][header.index("Billed")] == 1000.13 and rows["MI-3"][header.index("Variance")] == -0.34
    assert rows["OA-7"][header.index("Billed")] == 250
    # totals per currency (USD: 1000.125 + 250.004 = 1250.129 -> 1250.13), the reporting amount over all currencies
    assert rows["Total USD"][header.index("Billed")] == 1250.13 and rows["Total EUR"][header.index("Billed")] == 80.5
    assert rows["Total, all currencies"][header.index("Billed")] is None  # USD + EUR are never added
    assert rows["Total, all currencies"][header.index("Unexplained (reporting)")] == 99.62  # 100.005 - 0.3899999
    budgets = wb["Budget vs actual"]
    b_header = [c.value for c in budgets[1]]
    breach = next(budgets.iter_rows(min_row=2, max_row=2))
    assert breach[b_header.index("Consumed")].value == 1.152606  # 115.26 %
    assert breach[b_header.index("Consumed")].number_format == "0.00%"
    assert breach[b_header.index("Budget")].number_format == '#,##0.00 "USD";-#,##0.00 "USD"'

    summary = [[v for v in r if v is not None] for r in wb["Summary"].iter_rows(values_only=True)]
    assert ["Monthly close pack 2026-10"] in summary and ["Month complete", "yes"] in summary
    assert ["CHB-2026-10-USD", "USD", 3, 1234.57, 1234.57] in summary
    assert ["CHB-2026-10-EUR", "EUR", 2, 80.5, 80.5] in summary
    assert ["USD", 3, 875000, 736540.76, 752540.76] in summary  # budgets per currency: budget, actual, projected
    assert ["USD", 2, 1350.13, 100.01, 100.01] in summary and ["EUR", 1, 80.5, -0.34, -0.34] in summary
    assert ["over_budget", 1] in summary and ["unexplained", 1] in summary
    assert [pack.period, pack.as_of_date] == ["2026-10", "2026-10-31"]
    assert pack.manifest()["files"]["close_pack_2026-10.xlsx"] == "close_pack_2026-10.xlsx"

    # byte-reproducible: the same marts give the same workbook (its SHA-256 in the manifest is stable)
    again = write_close_pack(wh, "2026-10", out)
    assert again.sha256 == pack.sha256 and set(pack.sha256) == set(pack.files) - {"close_manifest.json"}
