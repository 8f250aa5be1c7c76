"""Governance findings (budget crossings, new cost anomalies) read from the warehouse, and the alert messages built
from them. Pure Python + DuckDB, no Dagster import: the asset checks and the alert sensor
(``orchestration/defs/governance/``) and the tests call it.

Findings are *business signals*, not data-quality failures: a budget breach is what the warehouse is for. Each has a
stable ``finding_id`` so that an alert is sent once (the sensor's cursor keeps the hashes of the ids it notified):

=========================  ==========================================================  ======================
source                     finding                                                      severity
=========================  ==========================================================  ======================
marts.fct_budget_vs_actual  ``threshold_crossed = 'warn'``  (actual or projection        warn
                           reached ``warn_threshold_pct`` of the budget)
                           ``threshold_crossed = 'alert'`` (reached                     error (budget breach)
                           ``alert_threshold_pct``)
marts.fct_cost_anomalies    ``is_new`` anomalies, the mart's ``severity``                warn | error
=========================  ==========================================================  ======================

``finding_id``: ``budget:<budget_id>:<warn|alert>`` (an escalation warn -> alert is a new finding),
``anomaly:<anomaly_id>:<warn|error>``. A mart that does not exist yet (not built, or a warehouse without it) gives
``MartFindings(built=False)``, never an error. The warehouse is opened read-only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ingestion._common.relations import relation_columns
from serving.vendor_names import VendorNames

__all__ = [
    "ANOMALIES",
    "BUDGETS",
    "AlertCursor",
    "Finding",
    "MartFindings",
    "anomaly_findings",
    "budget_findings",
    "finding_hash",
    "slack_messages",
    "slack_payloads",
    "summary_line",
]

BUDGETS = "marts.fct_budget_vs_actual"
ANOMALIES = "marts.fct_cost_anomalies"
SEVERITIES = ("error", "warn")  # most severe first
SLACK_FINDINGS_PER_MESSAGE = 20  # Slack allows 50 blocks per message; 20 findings + header, summary, context
CURSOR_MAX_IDS = 5000


@dataclass(frozen=True)
class Finding:
    """One governance signal. ``amount`` is what crossed (budget: the actual or the projection named by ``basis``;
    anomaly: the impact actual - baseline) in ``currency``."""

    finding_id: str
    kind: str  # budget | anomaly
    severity: str  # warn | error
    reference: str  # budget_id | anomaly_id
    title: str
    detail: str
    scope_type: str | None = None
    scope_value: str | None = None
    owner: str | None = None
    currency: str | None = None
    amount: Decimal | None = None
    period: str | None = None  # budget month YYYY-MM | anomaly day YYYY-MM-DD
    as_of_date: date | None = None

    def line(self) -> str:
        """Plain one-line text (check descriptions, logs)."""
        return f"[{self.severity.upper()}] {self.title}: {self.detail}"


@dataclass(frozen=True)
class MartFindings:
    """The findings of one mart. ``built`` is false when the relation (or the warehouse) does not exist."""

    relation: str
    built: bool
    findings: tuple[Finding, ...] = ()
    rows: int = 0
    as_of_date: date | None = None

    @property
    def severity(self) -> str | None:
        """The worst severity among the findings (error > warn), None without findings."""
        return next((s for s in SEVERITIES if any(f.severity == s for f in self.findings)), None)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)


def _money(v: Decimal | None) -> str:
    return "-" if v is None else f"{v:,.2f}"


def _pct(v: Decimal | float | None) -> str:
    return "-" if v is None else f"{Decimal(v) * 100:.1f} %"


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str] | None:
    return list(relation_columns(con, relation)) or None


def _read(
    warehouse: str | Path, relation: str, select: Sequence[str], required: Iterable[str], where: str, order_by: str
) -> tuple[list[dict] | None, int]:
    """Rows of ``relation`` matching ``where`` as dicts (optional columns missing from the mart are None), and the
    mart's row count; (None, 0) when the warehouse or the relation does not exist."""
    if not Path(warehouse).exists():
        return None, 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cols = _columns(con, relation)
        if cols is None:
            return None, 0
        missing = [c for c in required if c not in cols]
        if missing:
            raise ValueError(f"{relation} lacks the column(s) {', '.join(missing)} the governance alerts read")
        exprs = [c if c in cols else f"null as {c}" for c in select]
        rows = con.execute(f"select {', '.join(exprs)} from {relation} where {where} order by {order_by}").fetchall()
        total = con.execute(f"select count(*) from {relation}").fetchone()[0]
    return [dict(zip(select, r, strict=True)) for r in rows], total


_BUDGET_COLUMNS = (
    "budget_id",
    "scope_type",
    "scope_value",
    "period",
    "currency",
    "owner",
    "budget_amount",
    "warn_threshold_pct",
    "alert_threshold_pct",
    "actual_to_date",
    "projected_month_end",
    "projection_method",
    "consumed_pct",
    "projected_pct",
    "threshold_crossed",
    "threshold_basis",
    "status",
    "period_state",
    "as_of_date",
)


def budget_findings(warehouse: str | Path, relation: str = BUDGETS) -> MartFindings:
    """Every budget whose actual or projection crossed its warn (warn) or alert (error) threshold."""
    rows, total = _read(
        warehouse,
        relation,
        _BUDGET_COLUMNS,
        ("budget_id", "threshold_crossed"),
        "threshold_crossed in ('warn', 'alert')",
        "threshold_crossed = 'alert' desc, period, budget_id",
    )

    def finding(r: dict) -> Finding:
        alert = r["threshold_crossed"] == "alert"
        projected = r["threshold_basis"] == "projected"
        amount = r["projected_month_end"] if projected else r["actual_to_date"]
        pct = r["projected_pct"] if projected else r["consumed_pct"]
        threshold = r["alert_threshold_pct"] if alert else r["warn_threshold_pct"]
        what = {"over_budget": "over budget", "projected_over_budget": "projected over budget"}.get(
            r["status"], f"{'alert' if alert else 'warn'} threshold {_pct(threshold)} reached"
        )
        cur = r["currency"] or ""
        detail = (
            f"{'projected month end' if projected else 'actual'} {_money(amount)} {cur} of budget "
            f"{_money(r['budget_amount'])} {cur} ({_pct(pct)}; {what}"
            + (f", projection by {r['projection_method']}" if projected and r["projection_method"] else "")
            + f"); owner {r['owner'] or 'unassigned'}"
        )
        return _scoped(
            r,
            finding_id=f"budget:{r['budget_id']}:{r['threshold_crossed']}",
            kind="budget",
            severity="error" if alert else "warn",
            reference=r["budget_id"],
            title=f"Budget {'breach' if alert else 'warning'} {r['budget_id']} "
            f"({r['scope_type']} {r['scope_value']}, {r['period']})",
            detail=detail,
            amount=amount,
            period=r["period"],
        )

    return _mart_findings(warehouse, relation, rows, total, finding)


_ANOMALY_COLUMNS = (
    "anomaly_id",
    "scope_type",
    "scope_value",
    "provider_name",
    "anomaly_date",
    "actual_cost",
    "baseline_cost",
    "impact_amount",
    "impact_pct",
    "currency",
    "direction",
    "primary_driver",
    "owner",
    "business_unit",
    "severity",
    "is_new",
    "as_of_date",
)


def anomaly_findings(warehouse: str | Path, relation: str = ANOMALIES) -> MartFindings:
    """Every new anomaly (``is_new``) of severity warn or error."""
    rows, total = _read(
        warehouse,
        relation,
        _ANOMALY_COLUMNS,
        ("anomaly_id", "severity", "is_new"),
        "is_new and severity in ('warn', 'error')",
        "severity = 'error' desc, abs(impact_amount) desc nulls last, anomaly_id",
    )

    vendor = VendorNames.of(warehouse) if rows else VendorNames()  # "(AWS)" shown as "(Amazon Web Services)"

    def finding(r: dict) -> Finding:
        cur = r["currency"] or ""
        scope = " ".join(str(v) for v in (r["scope_type"], r["scope_value"]) if v) or r["anomaly_id"]
        provider = (
            f" ({vendor(r['provider_name'])})" if r["provider_name"] and r["provider_name"] != r["scope_value"] else ""
        )
        impact = r["impact_amount"]
        sign = "+" if impact is not None and impact >= 0 else ""
        detail = (
            f"{r['direction'] or 'change'} of {sign}{_money(impact)} {cur} vs baseline "
            f"{_money(r['baseline_cost'])} {cur}"
            + (f" ({sign}{_pct(r['impact_pct'])})" if r["impact_pct"] is not None else "")
            + (f"; primary driver {r['primary_driver']}" if r["primary_driver"] else "")
            + f"; owner {r['owner'] or 'unassigned'}"
        )
        day = r["anomaly_date"].isoformat() if isinstance(r["anomaly_date"], date) else r["anomaly_date"]
        return _scoped(
            r,
            finding_id=f"anomaly:{r['anomaly_id']}:{r['severity']}",
            kind="anomaly",
            severity=r["severity"],
            reference=r["anomaly_id"],
            title=f"Cost anomaly on {scope}{provider}" + (f" on {day}" if day else ""),
            detail=detail,
            amount=impact,
            period=day,
        )

    return _mart_findings(warehouse, relation, rows, total, finding)


def _scoped(r: dict, **fields: Any) -> Finding:
    """A finding with the scope, owner, currency and as-of date of the mart row ``r``."""
    return Finding(
        scope_type=r["scope_type"],
        scope_value=r["scope_value"],
        owner=r["owner"],
        currency=r["currency"],
        as_of_date=r["as_of_date"],
        **fields,
    )


def _mart_findings(
    warehouse: str | Path, relation: str, rows: list[dict] | None, total: int, finding: Callable[[dict], Finding]
) -> MartFindings:
    """The mart's findings, one per row read (``rows`` None: the mart is not built), as of the rows' date."""
    if rows is None:
        return MartFindings(relation, built=False)
    out = tuple(finding(r) for r in rows)
    as_of = next((r["as_of_date"] for r in rows), None) or _as_of(warehouse, relation, total)
    return MartFindings(relation, built=True, findings=out, rows=total, as_of_date=as_of)


def _as_of(warehouse: str | Path, relation: str, total: int) -> date | None:
    if not total:
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if "as_of_date" not in (_columns(con, relation) or []):
            return None
        return con.execute(f"select max(as_of_date) from {relation}").fetchone()[0]


def summary_line(result: MartFindings) -> str:
    """One sentence for a check description or a log line."""
    if not result.built:
        return f"{result.relation} not built yet"
    noun = "budget" if result.relation == BUDGETS else "new anomaly"
    as_of = f" as of {result.as_of_date}" if result.as_of_date else ""
    if not result.findings:
        return f"no {noun} finding among {result.rows} rows of {result.relation}{as_of}"
    return (
        f"{len(result.findings)} {noun} finding(s){as_of}: {result.count('error')} error, {result.count('warn')} warn"
    )


# --- deduplication ------------------------------------------------------------------------------------------------


def finding_hash(finding_id: str) -> str:
    """Short stable hash of a finding id (what the sensor's cursor stores)."""
    return hashlib.sha256(finding_id.encode()).hexdigest()[:16]


@dataclass
class AlertCursor:
    """The alert sensor's cursor: hashes of the finding ids already posted (oldest first, at most
    ``CURSOR_MAX_IDS``) and the marts' last materialization seen (``marks``: asset -> run id / timestamp)."""

    notified: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def decode(cls, cursor: str | None) -> AlertCursor:
        if not cursor:
            return cls()
        data = json.loads(cursor)
        return cls(notified=list(data.get("notified") or []), marks=dict(data.get("marks") or {}))

    def encode(self) -> str:
        return json.dumps(
            {"v": 1, "notified": self.notified[-CURSOR_MAX_IDS:], "marks": self.marks},
            sort_keys=True,
            separators=(",", ":"),
        )

    def unnotified(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings not posted yet, in order, each once."""
        seen = set(self.notified)
        out = []
        for f in findings:
            h = finding_hash(f.finding_id)
            if h not in seen:
                seen.add(h)
                out.append(f)
        return out

    def mark_notified(self, findings: Iterable[Finding]) -> None:
        known = set(self.notified)
        for f in findings:
            h = finding_hash(f.finding_id)
            if h not in known:
                known.add(h)
                self.notified.append(h)
        del self.notified[:-CURSOR_MAX_IDS]


# --- Slack-compatible messages ------------------------------------------------------------------------------------

_EMOJI = {"error": ":red_circle:", "warn": ":large_yellow_circle:"}


def _escape(text: str) -> str:
    """Slack mrkdwn control characters (&, <, >) escaped, so data cannot inject links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
            f.kind != "budget",
            f.finding_id,
        ),
    )


def _counts(findings: Sequence[Finding]) -> str:
    parts = []
    for kind, sev, one, many in (
        ("budget", "error", "budget breach", "budget breaches"),
        ("budget", "warn", "budget warning", "budget warnings"),
        ("anomaly", "error", "new anomaly (error)", "new anomalies (error)"),
        ("anomaly", "warn", "new anomaly (warn)", "new anomalies (warn)"),
    ):
        n = sum(f.kind == kind and f.severity == sev for f in findings)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "no findings"


def slack_messages(
    findings: Iterable[Finding], *, source: str = "FinOps warehouse", per_message: int = SLACK_FINDINGS_PER_MESSAGE
) -> list[tuple[dict, list[Finding]]]:
    """Slack incoming-webhook messages (``{"text", "blocks"}``) for ``findings``, most severe first, at most
    ``per_message`` findings per message, each with the findings it carries. ``text`` is the notification fallback;
    every value from the warehouse is escaped for mrkdwn."""
    ordered = _ordered(findings)
    chunks = [ordered[i : i + per_message] for i in range(0, len(ordered), per_message)]
    as_of = max((f.as_of_date for f in ordered if f.as_of_date), default=None)
    messages = []
    for n, chunk in enumerate(chunks, start=1):
        part = f" ({n}/{len(chunks)})" if len(chunks) > 1 else ""
        headline = f"{source}: {_counts(chunk)}{part}"
        blocks: list[dict] = [
            {"type": "header", "text": {"type": "plain_text", "text": headline[:150], "emoji": True}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _escape(
                        f"New governance findings{f' as of {as_of}' if as_of else ''}: {_counts(ordered)}."
                    ),
                },
            },
        ]
        for f in chunk:
            blocks.append(
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": (
                            f"{_EMOJI.get(f.severity, ':white_circle:')} *{_escape(f.title)}*\n{_escape(f.detail)}"
                        )[:3000],
                    },
                }
            )
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": _escape("finding ids: " + ", ".join(f.reference for f in chunk))[:3000]}
                ],
            }
        )
        text = headline + "\n" + "\n".join(f.line() for f in chunk)
        messages.append(({"text": text[:3000], "blocks": blocks}, chunk))
    return messages


def slack_payloads(findings: Iterable[Finding], **kwargs) -> list[dict]:
    """The messages of :func:`slack_messages` alone."""
    return [payload for payload, _ in slack_messages(findings, **kwargs)]
