"""The conformance report: the JUnit results classified with the rule model, and the excuses that hold only when
the exported data shows the spec's exception (virtual currencies, the spec's CommitmentDiscountStatus values)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from data_quality.focus.junit import RuleResult, parse_junit
from data_quality.focus.rules import (
    AND,
    KNOWN_WRONG_RULES,
    VIRTUAL_CURRENCY_RULES,
    WRONG_ALLOWED_VALUES_RULES,
    RuleInfo,
)
from serving.focus_columns import PLACEHOLDER_STRINGS


@dataclass
class ConformanceReport:
    total: int
    passed: int
    failed: int
    skipped: int
    errored: int = 0
    failed_rules: list[RuleResult] = field(default_factory=list)  # every failed/errored rule
    conformance_failures: list[RuleResult] = field(default_factory=list)
    known_wrong_failures: list[str] = field(default_factory=list)  # which of KNOWN_WRONG_RULES failed
    allowed_values_excused: list[str] = field(default_factory=list)  # WRONG_ALLOWED_VALUES_RULES excused
    virtual_currency_excused: list[str] = field(default_factory=list)  # VIRTUAL_CURRENCY_RULES excused
    virtual_currencies: list[str] = field(default_factory=list)  # the virtual PricingCurrency values seen
    and_composite_failures: list[str] = field(default_factory=list)
    unexplained_and_failures: list[str] = field(default_factory=list)
    rows_exported: int | None = None
    junit_path: str | None = None
    validator_output: str = ""
    seconds: float | None = None

    @property
    def ok(self) -> bool:
        return not self.conformance_failures

    @property
    def failed_rule_ids(self) -> list[str]:
        return [r.rule_id for r in self.failed_rules]

    @property
    def conformance_failure_ids(self) -> list[str]:
        return [r.rule_id for r in self.conformance_failures]

    def summary_line(self) -> str:
        line = f"Total: {self.total} | Pass: {self.passed} | Fail: {self.failed} | Skipped: {self.skipped}"
        return line + (f" | Errors: {self.errored}" if self.errored else "")


def _descendant_failures(rid: str, kinds: Mapping[str, RuleInfo], failed: set[str], seen: set[str]) -> set[str]:
    out: set[str] = set()
    info = kinds.get(rid)
    if info is None:
        return out
    for child in info.children:
        if child in seen:
            continue
        seen.add(child)
        if child in failed:
            out.add(child)
        out |= _descendant_failures(child, kinds, failed, seen)
    return out


def build_report(
    junit: str | Path,
    kinds: Mapping[str, RuleInfo] | None,
    known_wrong: Iterable[str] = KNOWN_WRONG_RULES,
) -> ConformanceReport:
    """Turn a JUnit file/XML into a :class:`ConformanceReport` using the rule classification ``kinds``."""
    counts, results = parse_junit(junit)
    kinds = kinds or {}
    known_wrong = frozenset(known_wrong)
    enriched: list[RuleResult] = []
    for r in results:
        info = kinds.get(r.rule_id)
        kind = info.kind if info else "unknown"
        msg = r.message
        if info and info.must_satisfy and r.status in ("failed", "errored"):
            msg = info.must_satisfy if not r.message or r.status == "failed" else f"{r.message} ({info.must_satisfy})"
        enriched.append(RuleResult(r.rule_id, r.status, r.function, msg, kind))

    bad = [r for r in enriched if r.status in ("failed", "errored")]
    bad_ids = {r.rule_id for r in bad}
    conformance = [r for r in bad if r.kind != AND and r.rule_id not in known_wrong]
    and_fail = [r.rule_id for r in bad if r.kind == AND]
    unexplained = []
    for rid in and_fail:
        below = _descendant_failures(rid, kinds, bad_ids, set())
        if not {c for c in below if kinds.get(c) is None or kinds[c].kind != AND}:
            unexplained.append(rid)  # failed without any failed leaf/OR below it (e.g. an upstream dependency)
    total = counts["tests"]
    failed = counts["failures"]
    errored = counts["errors"]
    skipped = counts["skipped"]
    return ConformanceReport(
        total=total,
        passed=max(total - failed - errored - skipped, 0),
        failed=failed,
        skipped=skipped,
        errored=errored,
        failed_rules=bad,
        conformance_failures=conformance,
        known_wrong_failures=sorted(bad_ids & known_wrong),
        and_composite_failures=and_fail,
        unexplained_and_failures=unexplained,
        junit_path=str(junit) if not str(junit).lstrip().startswith("<") else None,
    )


def _qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _virtual_currency_query(rel: str) -> str:
    return (
        f"SELECT DISTINCT CAST(PricingCurrency AS VARCHAR) AS v FROM {rel} "
        "WHERE PricingCurrency IS NOT NULL AND NOT regexp_full_match(CAST(PricingCurrency AS VARCHAR), '[A-Z]{3}') "
        "ORDER BY 1"
    )


def virtual_currency_violations(values: Iterable[str]) -> list[str]:
    """PricingCurrency values (those that are not 3 upper-case letters) that are no acceptable virtual currency.

    A virtual currency (currency_format.md: "credits", "tokens") follows StringHandling: not empty, no leading or
    trailing blanks, printable ASCII; and it must not be a national code in the wrong shape: three letters in any
    case ("usd", "Eur") are a mis-cased ISO 4217 code, not a virtual currency.
    """
    bad = []
    for v in values:
        if (
            not v
            or v != v.strip()
            or not all(32 <= ord(ch) < 127 for ch in v)
            or re.fullmatch(r"[A-Za-z]{3}", v)
            or v.strip().lower() in PLACEHOLDER_STRINGS
        ):
            bad.append(v)
    return bad


def excuse_virtual_currencies(report: ConformanceReport, data_file: str | Path) -> ConformanceReport:
    """Move failed :data:`VIRTUAL_CURRENCY_RULES` out of the conformance failures when every non-ISO-shaped
    PricingCurrency value in ``data_file`` (the exported Parquet) is a virtual currency. Returns the report."""
    failing = [r for r in report.conformance_failures if r.rule_id in VIRTUAL_CURRENCY_RULES]
    if not failing:
        return report
    con = duckdb.connect()
    try:
        path = str(Path(data_file).resolve()).replace("'", "''")
        values = [row[0] for row in con.execute(_virtual_currency_query(f"read_parquet('{path}')")).fetchall()]
    finally:
        con.close()
    if values and not virtual_currency_violations(values):
        report.virtual_currency_excused = sorted(r.rule_id for r in failing)
        report.virtual_currencies = values
        report.conformance_failures = [
            r for r in report.conformance_failures if r.rule_id not in VIRTUAL_CURRENCY_RULES
        ]
    return report


def excuse_wrong_allowed_values(report: ConformanceReport, data_file: str | Path) -> ConformanceReport:
    """Move failed :data:`WRONG_ALLOWED_VALUES_RULES` out of the conformance failures when every non-null value of
    the rule's column in ``data_file`` (the exported Parquet) is one of the spec's allowed values. A value outside
    them (or a column missing from the file) keeps the failure. Returns the report."""
    failing = [r for r in report.conformance_failures if r.rule_id in WRONG_ALLOWED_VALUES_RULES]
    if not failing:
        return report
    con = duckdb.connect()
    excused = []
    try:
        path = str(Path(data_file).resolve()).replace("'", "''")
        names = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()}
        for r in failing:
            column, allowed = WRONG_ALLOWED_VALUES_RULES[r.rule_id]
            if column not in names:
                continue
            bad = con.execute(
                f"SELECT count(*) FROM read_parquet('{path}') WHERE {_qi(column)} IS NOT NULL "
                f"AND CAST({_qi(column)} AS VARCHAR) NOT IN ({_sql_list(allowed)})"
            ).fetchone()[0]
            if not bad:
                excused.append(r.rule_id)
    finally:
        con.close()
    if excused:
        report.allowed_values_excused = sorted(excused)
        report.conformance_failures = [r for r in report.conformance_failures if r.rule_id not in excused]
    return report
