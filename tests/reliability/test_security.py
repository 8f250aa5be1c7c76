"""Security: known fake secrets never leak; BI gets a read-only way in; landing paths cannot escape the root.

* Secrets. A full run through Dagster (``run_pipeline``, the tiny demo, its vendor API servers accepting only keys
  made up for this test, business KPIs, the finance ledger, the alert webhook whose URL carries a token; then the
  alert sensor, a failing delivery, and a run whose OpenAI and SaaS keys are rejected (401) and whose ledger URL
  has a wrong password) runs in its own process with the secrets in its environment, as in production. Afterwards
  every secret - raw, percent-encoded and base64 at every alignment - is searched in: the process's stdout and
  stderr (every log record at DEBUG), every row of every table of the warehouse and of the BI copy (dlt's
  compressed ``_dlt_pipeline_state`` decoded), every file under the warehouse folder (dlt's pipelines dir, load
  packages gunzipped, Parquet read, SQLite dumped), DAGSTER_HOME (run and event-log databases dumped, compute
  logs), dbt's target and logs, the FOCUS export. None may appear; a planted file proves the scan finds them. The
  errors raised on purpose (a rejected key, a bad database password, a failing webhook) are checked in process too,
  with caplog and capfd.
* BI: the published copy (``serving/publish.py``) is read with a read-only connection while another process
  holds the live warehouse open for writing; it has the marts' exact totals; it refuses writes; a failing blocking
  check on a mart stops the publication.
* Landing paths: symlinks (files and folders) pointing outside, ``..`` and absolute paths, ``%2e%2e`` segments and a
  legacy CUR manifest naming ``../../etc/passwd``, a URL or a drive path are refused with a LandingPathError (a
  key with a leading ``/``, AWS's form for a report without prefix, is a key inside the bucket), and
  nothing outside is read - for billing exports and for the finance and business-KPI file drops.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import secrets as pysecrets
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, quote_plus

import duckdb
import pytest

from finops_demo import generator as demo
from ingestion._common.landing import LandingPathError, escapes, group_deliveries, list_files, safe_rel

REPO = Path(__file__).resolve().parents[2]
PYTHON = str(REPO / ".venv" / "bin" / "python")
CENT = Decimal("0.01")


# ----------------------------------------------------------------------------------------------------------------------
# the secrets and the scanner
# ----------------------------------------------------------------------------------------------------------------------
def make_secrets() -> dict[str, str]:
    """Fresh fake secrets (random, so the scan cannot match anything but this run's use of them). The password and
    the webhook token hold characters that percent-encoding changes."""
    t = pysecrets.token_hex
    return {
        "openai_admin_key": f"sk-admin-SECSCAN-{t(12)}",
        "anthropic_admin_key_robotics": f"sk-ant-admin01-SECSCAN-{t(12)}",
        "anthropic_admin_key_research": f"sk-ant-admin01-SECSCAN-{t(12)}",
        "saas_key_cursor": f"sk_live_SECSCAN_cursor_{t(10)}",
        "saas_key_elevenlabs": f"sk_live_SECSCAN_elevenlabs_{t(10)}",
        "saas_key_mistral_ai": f"sk_live_SECSCAN_mistral_{t(10)}",
        "webhook_token": f"SECSCAN{t(8)}+w/h={t(4)}",
        "ledger_password": f"SECSCAN-p@ss:w/rd+{t(8)}=",
        "rejected_openai_key": f"sk-admin-SECSCAN-REVOKED-{t(12)}",
        "rejected_saas_key": f"sk_live_SECSCAN_REVOKED_{t(10)}",
    }


def forms(secret: str) -> dict[str, bytes]:
    """The byte strings that would reveal ``secret``: raw, percent-encoded (path and form), and base64 (standard and
    URL-safe) at each of the three alignments it can have inside a longer base64 text."""
    raw = secret.encode()
    out = {"raw": raw, "url-encoded": quote(secret, safe="").encode(), "form-encoded": quote_plus(secret).encode()}
    for k in range(3):
        for name, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            text = enc(b"\0" * k + raw)
            start = (4 * k + 2) // 3 if k else 0  # characters that depend on the padding bytes
            core = text[start : len(text) - 4]  # the last group may mix in what follows
            if len(core) >= 16:
                out[f"{name}@{k}"] = core
    return out


@dataclass
class Scanner:
    secrets: dict[str, str]
    findings: list[str] = field(default_factory=list)
    scanned: dict[str, int] = field(default_factory=lambda: {"files": 0, "tables": 0, "rows": 0, "texts": 0})

    def __post_init__(self) -> None:
        self._forms = [(name, form, pattern) for name, s in self.secrets.items() for form, pattern in forms(s).items()]

    def data(self, where: str, data: bytes | str) -> None:
        blob = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        self.scanned["texts"] += 1
        for name, form, pattern in self._forms:
            if pattern in blob:
                self.findings.append(f"{name} ({form}) in {where}")

    def duckdb_file(self, path: Path) -> None:
        """Every row of every table, whole (cast to text), and dlt's compressed pipeline state decoded."""
        from dlt.common.versioned_state import decompress_state

        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
            ).fetchall()
            for schema, table in tables:
                self.scanned["tables"] += 1
                cur = con.execute(f'select cast(t as varchar) from "{schema}"."{table}" as t')
                while chunk := cur.fetchmany(20_000):
                    self.scanned["rows"] += len(chunk)
                    self.data(f"{path.name}:{schema}.{table}", "\n".join(r[0] for r in chunk))
                if table == "_dlt_pipeline_state":
                    for (state,) in con.execute(f'select state from "{schema}"."{table}"').fetchall():
                        self.data(
                            f"{path.name}:{schema}._dlt_pipeline_state (decoded)",
                            json.dumps(decompress_state(state), default=str),
                        )

    def file(self, path: Path) -> None:
        self.scanned["files"] += 1
        data = path.read_bytes()
        self.data(str(path), data)
        if data[:2] == b"\x1f\x8b":
            try:
                self.data(f"{path} (gunzipped)", gzip.decompress(data))
            except (OSError, EOFError):
                pass
        if data[:4] == b"PAR1":
            import pyarrow.parquet as pq

            self.data(f"{path} (Parquet rows)", json.dumps(pq.read_table(path).to_pylist(), default=str))
        if data[:16] == b"SQLite format 3\x00":
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                self.data(f"{path} (SQLite dump)", "\n".join(con.iterdump()))
            finally:
                con.close()
        if path.suffix == ".duckdb" and data[8:12] == b"DUCK":
            self.duckdb_file(path)

    def tree(self, root: Path, newer_than: float | None = None) -> None:
        for p in sorted(root.rglob("*")):
            if p.is_file() and not p.is_symlink() and (newer_than is None or p.stat().st_mtime >= newer_than):
                self.file(p)


def test_the_scanner_finds_every_planted_form_in_every_place(tmp_path):
    s = make_secrets()
    secret = s["ledger_password"]
    (tmp_path / "plain.log").write_text(f"connecting with {secret}\n")
    (tmp_path / "package.jsonl.gz").write_bytes(gzip.compress(json.dumps({"url": quote(secret, safe="")}).encode()))
    blob = base64.b64encode(b'{"Authorization": "Basic ' + s["openai_admin_key"].encode() + b'"}').decode()
    with sqlite3.connect(tmp_path / "events.db") as con:
        con.execute("create table event_logs (event text)")
        con.execute("insert into event_logs values (?)", (blob,))
    con.close()
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema x; create table x.t (tags map(varchar, varchar))")
        con.execute("insert into x.t values (map {'token': ?})", [quote_plus(s["webhook_token"])])
    scanner = Scanner(s)
    scanner.tree(tmp_path)
    found = "\n".join(scanner.findings)
    assert "ledger_password (raw) in " in found and "plain.log" in found
    assert "ledger_password (url-encoded) in " in found and "(gunzipped)" in found
    assert "openai_admin_key (base64@" in found and "(SQLite dump)" in found
    assert "webhook_token (form-encoded) in w.duckdb:x.t" in found
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.log").write_text("nothing to see: sk-admin-SECSCAN-00 and a different p@ss")
    scanner = Scanner(s)
    scanner.tree(clean)
    assert scanner.findings == [] and scanner.scanned["files"] == 1


# ----------------------------------------------------------------------------------------------------------------------
# the full run, in its own process
# ----------------------------------------------------------------------------------------------------------------------
SCENARIO = r"""
import json, logging, os, socket, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
S = json.loads(os.environ.pop("SECSCAN_SECRETS"))
landing, warehouse = Path(os.environ["FINOPS_LANDING"]), os.environ["FINOPS_WAREHOUSE"]

posts = []
fail = {"on": False}
class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        posts.append(self.path)
        code = 500 if fail["on"] else 200
        self.send_response(code); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=hook.serve_forever, daemon=True).start()
token_path = "/services/T0SECSCAN/B0SECSCAN/" + quote(S["webhook_token"], safe="")
os.environ["FINOPS_ALERT_WEBHOOK_URL"] = f"http://127.0.0.1:{hook.server_address[1]}{token_path}"

import datetime as dt
import duckdb
import dagster as dg
from finops_demo.generator.kpis import sqlite_url
from ingestion.finance.runner import demo_ledger_database
from finops_demo.vendor_servers.demo import ANTHROPIC_ORGS, DEMO_END, DEMO_START, OPENAI_ORG, demo_vendor_servers
from finops_demo.vendor_servers.stripe import DEMO_SAAS_VENDORS
from finops_cli.runner import instance, run_pipeline

def closed_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

result = {}
with demo_vendor_servers(set_env=False) as v, demo_ledger_database(landing):
    # the servers accept only this run's keys
    v.openai.api_keys = {S["openai_admin_key"]: OPENAI_ORG}
    v.anthropic.api_keys = {S["anthropic_admin_key_robotics"]: "northwind-robotics",
                            S["anthropic_admin_key_research"]: "northwind-research"}
    v.saas.api_keys = {S["saas_key_" + slug.replace("-", "_")]: slug for slug in DEMO_SAAS_VENDORS.values()}
    def vendors(cursor_key):
        return json.dumps([{"name": name, "base_url": v.saas.vendor_base_url(slug),
                            "api_key": cursor_key if slug == "cursor" else S["saas_key_" + slug.replace("-", "_")]}
                           for name, slug in DEMO_SAAS_VENDORS.items()])
    os.environ.update({
        "SOURCES__OPENAI_USAGE__ORGANIZATIONS": json.dumps(
            [{"name": OPENAI_ORG, "api_key": S["openai_admin_key"], "base_url": v.openai.base_url}]),
        "SOURCES__ANTHROPIC_USAGE__ORGANIZATIONS": json.dumps(
            [{"name": org, "api_key": S["anthropic_admin_key_" + org.split("-")[1]], "base_url": v.anthropic.base_url}
             for org in ANTHROPIC_ORGS]),
        "SOURCES__SAAS_INVOICES__VENDORS": vendors(S["saas_key_cursor"]),
        "SOURCES__SAAS_INVOICES__START_DATE": DEMO_START,
        "SOURCES__BUSINESS_KPIS__CREDENTIALS": sqlite_url(landing),
    })
    for ds in ("OPENAI_USAGE", "ANTHROPIC_USAGE"):
        os.environ[f"SOURCES__{ds}__START_DATE"] = DEMO_START
        os.environ[f"SOURCES__{ds}__END_DATE"] = DEMO_END
    import time
    t0 = time.time()
    # as `finops run`: the log (every record, DEBUG) to <warehouse dir>/logs/finops-run-<run id>.log, scanned below
    result["ok"] = run_pipeline(echo=print, log_level="DEBUG", detail_log=True)
    print("PHASE full run", round(time.time() - t0, 1), flush=True)

    start, end = (dt.datetime.fromisoformat(d).replace(tzinfo=dt.UTC) for d in (DEMO_START, DEMO_END))
    result["truth"] = {"openai_usage/" + OPENAI_ORG: str(v.openai.total_cost(OPENAI_ORG, start, end))}
    result["truth"] |= {"anthropic_usage/" + org: str(v.anthropic.total_cost_cents(org, start.date(), end.date()) / 100)
                        for org in ANTHROPIC_ORGS}
    with duckdb.connect(warehouse, read_only=True) as con:
        result["loaded"] = {f"{ds}/{org}": str(t) for ds, org, t in con.execute(
            "select 'openai_usage', organization, sum(amount) from openai_usage.costs group by all union all "
            "select 'anthropic_usage', organization_name, sum(amount) from anthropic_usage.costs group by all"
        ).fetchall()}
    result["requests"] = {"openai": sum(r.principal is not None for r in v.openai.requests_seen),
                          "anthropic": sum(r.principal is not None for r in v.anthropic.requests_seen),
                          "saas": sum(r.principal is not None for r in v.saas.requests_seen)}

    # the alert sensor posts the governance findings to the webhook (token in its path), then a failing delivery
    from serving.alert_webhook import RetryPolicy
    from orchestration.defs.governance import alerts
    from orchestration.lib.resources import finops_resources
    resources = finops_resources()
    alerts.retry_policy = lambda: RetryPolicy(attempts=2, backoff_seconds=0.01, timeout_seconds=5)
    res = alerts.governance_alert_sensor(dg.build_sensor_context(instance=instance(), resources=resources))
    print("sensor evaluated:", type(res).__name__, flush=True)
    result["posts"] = len(posts)
    result["posts_to_token"] = sum(p == token_path for p in posts)
    fail["on"] = True
    res = alerts.governance_alert_sensor(dg.build_sensor_context(instance=instance(), resources=resources))
    print("sensor evaluated after the failure:", type(res).__name__, flush=True)
    result["failed_posts"] = len(posts) - result["posts"]
    print("PHASE sensor", round(time.time() - t0, 1), flush=True)

    # a run with a revoked OpenAI key, a revoked SaaS key and a wrong ledger password: it fails, clearly
    os.environ["SOURCES__OPENAI_USAGE__ORGANIZATIONS"] = json.dumps(
        [{"name": OPENAI_ORG, "api_key": S["rejected_openai_key"], "base_url": v.openai.base_url}])
    os.environ["SOURCES__SAAS_INVOICES__VENDORS"] = vendors(S["rejected_saas_key"])
    os.environ["SOURCES__FINANCE__LEDGER__CREDENTIALS"] = (
        f"postgresql+psycopg://ledger_reader:{quote(S['ledger_password'], safe='')}@127.0.0.1:{closed_port()}/erp")
    lines = []
    result["failing_run_ok"] = run_pipeline(
        "group:ingest_openai_usage or group:ingest_saas_invoices or group:ingest_finance",
        echo=lambda m: (lines.append(m), print(m)), log_level="DEBUG")
    print("PHASE failing run", round(time.time() - t0, 1), flush=True)
    result["rejected_statuses"] = sorted({r.status for r in v.openai.requests_seen + v.saas.requests_seen
                                          if r.principal is None})

from serving.focus_export import export_focus
export_focus(warehouse, str(Path(warehouse).parent / "exports" / "focus.parquet"))
print("RESULT " + json.dumps(result), flush=True)
"""


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("security")
    landing, warehouse, home = base / "landing", base / "warehouse" / "finops.duckdb", base / "dagster_home"
    demo.generate(landing, seed=7, rows=1500, redelivery=False)
    secrets = make_secrets()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCES__", "FINOPS_"))}
    env.update(
        FINOPS_WAREHOUSE=str(warehouse),
        FINOPS_LANDING=str(landing),
        DAGSTER_HOME=str(home),
        SECSCAN_SECRETS=json.dumps(secrets),
        PYTHONUNBUFFERED="1",
    )
    started = time.time()
    proc = subprocess.run(
        [PYTHON, "-c", SCENARIO], env=env, cwd=REPO, capture_output=True, text=True, timeout=900, check=False
    )
    result = next((json.loads(line[7:]) for line in proc.stdout.splitlines() if line.startswith("RESULT ")), None)
    assert proc.returncode == 0 and result is not None, proc.stderr[-5000:]
    return {
        "base": base,
        "landing": landing,
        "warehouse": warehouse,
        "home": home,
        "secrets": secrets,
        "stdout": proc.stdout,
        "stderr": proc.stderr,
        "result": result,
        "started": started,
    }


@pytest.mark.slow
def test_no_secret_of_a_full_run_appears_in_output_logs_warehouse_dlt_state_dagster_or_dbt(full_run):
    r = full_run["result"]
    # the run used every secret, and reconciled
    assert r["ok"], full_run["stdout"][-3000:]
    assert {k: Decimal(v).quantize(CENT) for k, v in r["loaded"].items()} == {
        k: Decimal(v).quantize(CENT) for k, v in r["truth"].items()
    }
    assert r["requests"]["openai"] > 0 and r["requests"]["anthropic"] > 0 and r["requests"]["saas"] > 0
    assert r["posts"] >= 1 and r["posts_to_token"] == r["posts"] and r["failed_posts"] >= 1
    assert r["failing_run_ok"] is False and r["rejected_statuses"] == [401]
    out, err = full_run["stdout"], full_run["stderr"]
    assert "HTTP 401" in err and "SOURCES__OPENAI_USAGE__ORGANIZATIONS" in err  # the errors were reported
    assert "ledger_reader:***@127.0.0.1" in err  # the ledger URL shown with its password masked
    assert "governance alert not delivered" in err
    assert (full_run["warehouse"].parent / "published" / "finops_bi.duckdb").exists()

    scanner = Scanner(full_run["secrets"])
    scanner.data("stdout", out)
    scanner.data("stderr (every log record, DEBUG)", full_run["stderr"])
    scanner.tree(full_run["warehouse"].parent)  # warehouse, .finops.dlt/, published/, exports/, logs/
    # the first run's log file (`finops run`: Dagster's DEBUG records, dbt's output) is among the files scanned
    run_logs = sorted((full_run["warehouse"].parent / "logs").glob("finops-run-*.log"))
    assert len(run_logs) == 1 and str(run_logs[0]) in out, out[-3000:]
    assert "Running dbt command" in run_logs[0].read_text() and "STEP_START" in run_logs[0].read_text()
    scanner.tree(full_run["home"])  # run history, event logs, compute logs, schedules
    # dbt's target folder of this run (dagster-dbt: target/finops_dbt-<run id prefix>-...) and its logs
    run_id = out.split("Dagster run ", 1)[1][:7]
    dbt_dirs = [d for d in (REPO / "dbt_project" / "target").glob(f"*{run_id}*") if d.is_dir()]
    assert dbt_dirs, "no dbt target folder of the run found"
    for d in dbt_dirs:
        scanner.tree(d)
    if (REPO / "dbt_project" / "logs").exists():
        scanner.tree(REPO / "dbt_project" / "logs", newer_than=full_run["started"])
    assert scanner.findings == [], "\n".join(scanner.findings[:50])
    assert scanner.scanned["files"] > 50 and scanner.scanned["tables"] > 100 and scanner.scanned["rows"] > 10_000

    # positive control: a secret planted in dlt's pipelines dir and in DAGSTER_HOME is found by the same scan
    planted = [full_run["warehouse"].parent / ".finops.dlt" / "planted.jsonl.gz", full_run["home"] / "planted.log"]
    planted[0].write_bytes(gzip.compress(base64.b64encode(b"x" + full_run["secrets"]["openai_admin_key"].encode())))
    planted[1].write_text(quote(full_run["secrets"]["ledger_password"], safe=""))
    try:
        scanner = Scanner(full_run["secrets"])
        scanner.tree(full_run["warehouse"].parent / ".finops.dlt")
        scanner.tree(full_run["home"])
    finally:
        for p in planted:
            p.unlink()
    assert any("openai_admin_key (base64@" in f and "planted.jsonl.gz (gunzipped)" in f for f in scanner.findings)
    assert any("ledger_password (url-encoded)" in f and "planted.log" in f for f in scanner.findings)


# ----------------------------------------------------------------------------------------------------------------------
# errors raised on purpose, in process (caplog + capfd)
# ----------------------------------------------------------------------------------------------------------------------
def _chain(exc: BaseException) -> str:
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts += [str(exc), repr(exc)]
        exc = exc.__cause__ or exc.__context__
    return "\n".join(parts)


def test_errors_raised_on_purpose_never_carry_a_secret(tmp_path, monkeypatch, caplog, capfd):
    import logging
    import socket
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from finops_demo.vendor_servers.anthropic import AnthropicServer
    from finops_demo.vendor_servers.openai import OpenAIServer
    from finops_demo.vendor_servers.stripe import StripeServer
    from ingestion._common.api_sources import ApiSourceError
    from ingestion._common.http import VendorApiError
    from ingestion.business_kpis.runner import load_business_kpis
    from ingestion.catalogue import load_api_dataset
    from ingestion.finance.runner import load_finance
    from ingestion.saas_invoices.runner import load_saas_invoices
    from serving.alert_webhook import RetryPolicy, WebhookError, post_json

    caplog.set_level(logging.DEBUG)
    s = make_secrets()
    warehouse = str(tmp_path / "wh" / "finops.duckdb")
    for k in list(os.environ):
        if k.startswith("SOURCES__"):
            monkeypatch.delenv(k)
    errors: list[BaseException] = []

    def expect(kind, fn, *words):
        with pytest.raises(kind) as info:
            fn()
        for w in words:
            assert w in str(info.value), (w, str(info.value))
        errors.append(info.value)

    with (
        OpenAIServer({"sk-admin-the-right-one": "acme"}) as oa,
        AnthropicServer({"sk-ant-admin01-the-right-one": "northwind-robotics"}) as an,
        StripeServer.demo() as st,
    ):
        monkeypatch.setenv(
            "SOURCES__OPENAI_USAGE__ORGANIZATIONS",
            json.dumps([{"name": "acme", "api_key": s["rejected_openai_key"], "base_url": oa.base_url}]),
        )
        expect(ApiSourceError, lambda: load_api_dataset("openai_usage", warehouse), "HTTP 401", "acme")
        monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__API_KEY", s["anthropic_admin_key_robotics"])
        monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__ORGANIZATION_NAME", "northwind-robotics")
        monkeypatch.setenv("SOURCES__ANTHROPIC_USAGE__BASE_URL", an.base_url)
        expect(ApiSourceError, lambda: load_api_dataset("anthropic_usage", warehouse), "HTTP 401")
        monkeypatch.setenv(
            "SOURCES__SAAS_INVOICES__VENDORS",
            json.dumps(
                [{"name": "Cursor", "base_url": st.vendor_base_url("cursor"), "api_key": s["rejected_saas_key"]}]
            ),
        )
        expect(VendorApiError, lambda: load_saas_invoices(warehouse), "HTTP 401", "'Cursor'")

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: the connection is refused
    pw = quote(s["ledger_password"], safe="")
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv(
        "SOURCES__FINANCE__LEDGER__CREDENTIALS", f"postgresql+psycopg://ledger_reader:{pw}@127.0.0.1:{port}/erp"
    )
    expect(Exception, lambda: load_finance(warehouse, str(landing)), "127.0.0.1")
    monkeypatch.setenv("SOURCES__BUSINESS_KPIS__CREDENTIALS", f"postgresql+psycopg://kpi:{pw}@127.0.0.1:{port}/kpi")
    expect(Exception, lambda: load_business_kpis(warehouse, str(landing)), "127.0.0.1")

    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{hook.server_address[1]}/services/T0/B0/{quote(s['webhook_token'], safe='')}"
        expect(
            WebhookError,
            lambda: post_json(url, {"text": "x"}, policy=RetryPolicy(attempts=2, backoff_seconds=0.01)),
            "500",
        )
    finally:
        hook.shutdown()
        hook.server_close()

    assert len(errors) == 6
    captured = capfd.readouterr()
    scanner = Scanner(s)
    for e in errors:
        scanner.data(f"{type(e).__name__} (message, repr and chain)", _chain(e))
    scanner.data("caplog", caplog.text)
    scanner.data("captured stdout", captured.out)
    scanner.data("captured stderr", captured.err)
    scanner.tree(tmp_path / "wh")  # warehouse and dlt's pipelines dir after the failed loads
    assert scanner.findings == [], "\n".join(scanner.findings)
    assert scanner.scanned["files"] > 0


def test_the_shared_http_client_never_shows_a_key(caplog):
    """The REST sources' one HTTP client (ingestion/_common/http.py): the account, the client, its auth object and
    every error its response check raises (401, 403, 429, 5xx, another 4xx whose vendor message echoes the key,
    malformed JSON, a wrong shape) carry no form of the key, and the key is only sent in the request's header."""
    import logging

    import requests

    from ingestion._common.http import (
        Account,
        HttpSettings,
        PagePosition,
        VendorApiError,
        VendorAuthError,
        VendorClient,
        VendorHTTPError,
        VendorResponseError,
        response_check,
    )

    caplog.set_level(logging.DEBUG)
    s = make_secrets()
    key = s["openai_admin_key"]
    texts: dict[str, str] = {}
    for header in ("Authorization", "x-api-key"):
        account = Account(
            "OpenAI", "organisation", "acme", "http://127.0.0.1:1/v1", key, "SOURCES__X__API_KEY", auth_header=header
        )
        client = VendorClient(account, HttpSettings())
        texts[f"{header}: account, client, auth"] = " ".join(
            [repr(account), str(account), repr(client), repr(account.auth()), str(account.auth())]
        )
        prepared = requests.Request("GET", "http://127.0.0.1:1/v1/x", auth=account.auth()).prepare()
        assert key in prepared.headers[header]  # sent where the vendor expects it, and only there

    position = PagePosition(account)
    position.path, position.page = "/v1/organization/costs", 2
    check = response_check(position, HttpSettings(max_attempts=3))
    cases = {
        401: VendorAuthError,
        403: VendorAuthError,
        429: VendorHTTPError,
        503: VendorHTTPError,
        400: VendorHTTPError,
        200: VendorResponseError,
    }
    for status, kind in cases.items():
        for body in (json.dumps({"error": {"message": f"invalid key {key}"}}), "{not json " + key):
            response = requests.Response()
            response.status_code, response._content = status, body.encode()
            with pytest.raises(VendorApiError) as info:
                check(response)
            assert isinstance(info.value, kind), (status, info.value)
            msg = str(info.value)
            assert msg.startswith("OpenAI organisation 'acme', GET /v1/organization/costs, page 2: "), msg
            texts[f"HTTP {status} {body[:5]}"] = _chain(info.value)
    assert "SOURCES__X__API_KEY" in texts['HTTP 401 {"err']  # says what to set
    scanner = Scanner(s)
    for where, text in texts.items():
        scanner.data(where, text)
    scanner.data("caplog", caplog.text)
    assert scanner.findings == [], "\n".join(scanner.findings)


# ----------------------------------------------------------------------------------------------------------------------
# BI: the published read-only copy
# ----------------------------------------------------------------------------------------------------------------------
HOLD_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])          # the pipeline's single writer
con.execute("create table if not exists main.writer_was_here (written_at timestamp)")
con.execute("insert into main.writer_was_here values (now())")
print("open", flush=True)
time.sleep(600)
"""


def _mart_totals(path: Path, read_only: bool = True) -> dict[str, tuple]:
    with duckdb.connect(str(path), read_only=read_only) as con:
        return {
            "fct_charges": con.execute(
                "select count(*), sum(billed_cost), sum(effective_cost) from marts.fct_charges"
            ).fetchone(),
            "fct_cost_allocated": con.execute(
                "select count(*), sum(allocated_effective_cost) from marts.fct_cost_allocated"
            ).fetchone(),
            "focus_cost_and_usage": con.execute(
                'select count(*), sum("BilledCost") from marts.focus_cost_and_usage'
            ).fetchone(),
        }


@pytest.mark.slow
def test_bi_reads_the_published_copy_read_only_while_the_pipeline_holds_the_warehouse(full_run):
    from serving.publish import INFO_TABLE, published_path

    warehouse = full_run["warehouse"]
    published = published_path(warehouse)
    assert published.exists() and oct(published.stat().st_mode & 0o777) == "0o444"  # written by the run
    expected = _mart_totals(warehouse)
    assert expected["fct_charges"][0] > 1000 and expected["fct_charges"][1] > 0
    writer = subprocess.Popen([PYTHON, "-c", HOLD_WRITER, str(warehouse)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(duckdb.IOException, match="lock"):  # why BI must not open the live file
            duckdb.connect(str(warehouse), read_only=True)
        assert _mart_totals(published) == expected  # same totals, to the last decimal
        with duckdb.connect(str(published), read_only=True) as bi:
            rows = {
                (s, t): n
                for s, t, n in bi.execute(
                    f"select table_schema, table_name, row_count from main.{INFO_TABLE}"
                ).fetchall()
            }
            assert rows[("marts", "fct_charges")] == expected["fct_charges"][0] and ("reference", "budgets") in rows
            for statement in (
                "insert into main.publication values (now(), 'x', 'y', 1)",
                "create table marts.x as select 1",
                "delete from marts.fct_charges",
                "update marts.fct_charges set billed_cost = 0",
            ):
                with pytest.raises(duckdb.Error, match="read-only|read only"):
                    bi.execute(statement)
        assert _mart_totals(published) == expected  # and nothing changed
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)


@pytest.mark.slow
def test_a_failing_blocking_check_on_a_mart_stops_the_publication(full_run, monkeypatch):
    """The real ``bi_publication`` asset, with its real dependencies (every mart of the dbt manifest), after a
    stand-in for ``fct_charges`` whose blocking check fails: not run, the published copy untouched; with the check
    passing it publishes again."""
    import dagster as dg

    from orchestration.defs.quality.publish import BI_PUBLICATION, bi_relations, build_publication_asset
    from orchestration.lib.resources import WarehouseResource
    from serving.publish import published_path

    deps = bi_relations()
    assert dg.AssetKey(["fct_charges"]) in deps and dg.AssetKey(["focus_cost_and_usage"]) in deps
    monkeypatch.setenv("FINOPS_WAREHOUSE", str(full_run["warehouse"]))
    published = published_path(full_run["warehouse"])
    before = published.stat()
    verdict = {"passed": False}

    @dg.asset(key=["fct_charges"])
    def fct_charges():
        return None

    @dg.asset_check(asset=fct_charges, name="finance_mart_is_sound", blocking=True)
    def finance_mart_is_sound():
        return dg.AssetCheckResult(passed=verdict["passed"], severity=dg.AssetCheckSeverity.ERROR)

    defs = dg.Definitions(
        assets=[fct_charges, build_publication_asset(deps)],
        asset_checks=[finance_mart_is_sound],
        resources={"warehouse": WarehouseResource()},
    )
    job = defs.resolve_implicit_global_asset_job_def()

    def materialized(result) -> set:
        return {
            e.event_specific_data.materialization.asset_key
            for e in result.all_events
            if e.event_type_value == "ASSET_MATERIALIZATION"
        }

    result = job.execute_in_process(raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    assert not result.success and BI_PUBLICATION not in materialized(result)
    after = published.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # BI keeps the last good copy

    verdict["passed"] = True
    result = job.execute_in_process(raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    assert result.success and BI_PUBLICATION in materialized(result)
    assert published.stat().st_ino != before.st_ino  # a new copy, swapped in
    assert _mart_totals(published) == _mart_totals(full_run["warehouse"])


# ----------------------------------------------------------------------------------------------------------------------
# landing paths cannot escape the landing root
# ----------------------------------------------------------------------------------------------------------------------
OUTSIDE_MARK = "OUTSIDE-THE-LANDING-ROOT-7731"


@pytest.fixture
def zone(tmp_path) -> tuple[Path, Path]:
    """(landing root with one good CUR 2.0 delivery, a folder outside it holding a file that must never be read)."""
    root, outside = tmp_path / "landing", tmp_path / "outside"
    demo.generate(root, seed=3, rows=300, formats=["aws_cur2"], redelivery=False)
    outside.mkdir()
    (outside / "passwd.csv").write_text(f"name,secret\nroot,{OUTSIDE_MARK}\n")
    return root, outside


def _legacy_manifest(root: Path, **doc) -> Path:
    rng = root / "aws" / "cur-legacy" / "evil-cur" / "20261001-20261101"
    (rng / "assembly-1").mkdir(parents=True, exist_ok=True)
    (rng / "assembly-1" / "evil-cur-1.csv").write_text("identity/LineItemId,lineItem/UnblendedCost\nx,1\n")
    (rng / "evil-cur-Manifest.json").write_text(json.dumps({"assemblyId": "assembly-1", **doc}))
    return rng


ESCAPES = {
    "symlinked file": lambda root, out: (root / "aws" / "evil.csv").symlink_to(out / "passwd.csv"),
    "symlinked folder": lambda root, out: (root / "aws" / "evil").symlink_to(out, target_is_directory=True),
    "percent-encoded dot-dot folder": lambda root, out: (
        (root / "%2e%2e").mkdir(),
        (root / "%2e%2e" / "passwd.csv").write_text("a,b\n1,2\n"),
    ),
    "double-encoded dot-dot folder": lambda root, out: (
        (root / "x" / "%252E%252E").mkdir(parents=True),
        (root / "x" / "%252E%252E" / "p.csv").write_text("a\n1\n"),
    ),
    "manifest naming ../../etc/passwd": lambda root, out: _legacy_manifest(
        root, reportKeys=["cur/evil-cur/20261001-20261101/assembly-1/evil-cur-1.csv", "../../etc/passwd"]
    ),
    "manifest naming a URL": lambda root, out: _legacy_manifest(root, reportKeys=[f"file://{out}/passwd.csv"]),
    "manifest naming a drive path": lambda root, out: _legacy_manifest(root, reportKeys=["C:\\Windows\\passwd.csv"]),
    "manifest naming %2e%2e": lambda root, out: _legacy_manifest(root, reportKeys=["%2e%2e/%2e%2e/etc/passwd"]),
    "manifest assemblyId ../..": lambda root, out: _legacy_manifest(root, assemblyId="../../outside"),
}


@pytest.mark.parametrize("case", list(ESCAPES))
def test_landing_paths_cannot_escape_the_landing_root(case, zone, tmp_path):
    from ingestion.catalogue import load_dataset, plan

    root, outside = zone
    ESCAPES[case](root, outside)
    with pytest.raises(LandingPathError) as info:
        group_deliveries(str(root), list_files(str(root)))
    msg = str(info.value)
    assert "refusing" in msg and ("outside the landing root" in msg or "not a key inside the export" in msg), msg
    # the whole load refuses the same way before reading any file: nothing from outside reaches the warehouse
    warehouse = tmp_path / "wh" / "finops.duckdb"
    with pytest.raises(LandingPathError):
        load_dataset("aws_cur", plan(str(root)), str(warehouse))
    assert not warehouse.exists() or OUTSIDE_MARK.encode() not in warehouse.read_bytes()


def test_manifest_keys_with_a_leading_slash_are_keys_inside_the_bucket(zone, tmp_path):
    """AWS writes a report without an S3 prefix with keys '/<report>/<range>/<assembly>/<file>': such a key is a
    key inside the bucket, and only its file name selects among the files listed under the root. A key naming a
    file outside (``/<outside>/passwd.csv``) therefore selects nothing and reads nothing outside."""
    from ingestion.catalogue import load_dataset, plan

    root, outside = zone
    rng = _legacy_manifest(
        root, reportKeys=["/evil-cur/20261001-20261101/assembly-1/evil-cur-1.csv", str(outside / "passwd.csv")]
    )
    (d,) = [d for d in group_deliveries(str(root), list_files(str(root))) if d.export_id.endswith("evil-cur")]
    assert [f.rel for f in d.files] == [(rng / "assembly-1" / "evil-cur-1.csv").relative_to(root).as_posix()]
    warehouse = tmp_path / "wh" / "finops.duckdb"
    load_dataset("aws_cur", plan(str(root)), str(warehouse))
    assert OUTSIDE_MARK.encode() not in warehouse.read_bytes()


def test_explicit_paths_with_dot_dot_or_absolute_are_refused(tmp_path):
    root = tmp_path / "landing"
    root.mkdir()
    for path in (f"{root}/../outside.csv", f"{root}/a/../../outside.csv", "/etc/passwd", f"{root}/../../etc/passwd"):
        with pytest.raises(LandingPathError, match="outside the landing root"):
            safe_rel(str(root), path)
    for key, why in (
        ("../x", "'..'"),
        ("a/%2e%2e/b", "percent-encoded"),
        ("%252e%252e/x", "percent-encoded"),
        ("/etc/passwd", "absolute"),
        ("s3://other-bucket/x", "URL"),
        ("C:\\Windows\\x", "absolute"),
        ("a\\..\\..\\x", "'..'"),
        ("a/./b", "'.'"),
    ):
        assert why in (escapes(key) or ""), key
    for key in ("cur/report/20261001-20261101/abc/report-1.csv.gz", "a..b/c", "cost%20report.csv"):
        assert escapes(key) is None, key


@pytest.mark.parametrize("source", ["finance", "business_kpis"])
def test_file_drop_paths_cannot_escape_their_folder(source, tmp_path, monkeypatch):
    from ingestion.business_kpis.runner import load_business_kpis
    from ingestion.finance.runner import load_finance

    for k in list(os.environ):
        if k.startswith("SOURCES__"):
            monkeypatch.delenv(k)
    root, outside = tmp_path / "landing", tmp_path / "outside"
    outside.mkdir()
    (outside / "rates.csv").write_text(f"rate_date,from_currency,to_currency,rate\n2026-10-01,{OUTSIDE_MARK},USD,1\n")
    drop = root / ("finance/fx_rates" if source == "finance" else "business_kpis")
    drop.mkdir(parents=True)
    (drop / "rates.csv").symlink_to(outside / "rates.csv")
    warehouse = tmp_path / "wh" / "finops.duckdb"
    load = load_finance if source == "finance" else load_business_kpis
    with pytest.raises(Exception) as info:
        load(str(warehouse), str(root))
    msg = str(info.value)
    assert msg.startswith(f"{source}: ") and "resolves outside the landing root" in msg and "refusing" in msg, msg
    assert "ResourceExtractionError" not in msg  # the refusal itself, not dlt's wrapping
    assert not warehouse.exists() or OUTSIDE_MARK.encode() not in warehouse.read_bytes()
