"""The validator's JUnit XML (``--output-type unittest``) read into per-rule results. Testcase names are
``"<RuleId> :: <Function>"``; a failure's message is only ``"<Function> check for <Reference>"`` (the report puts the
rule's ``MustSatisfy`` text from the model in its place)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from data_quality.focus.rules import LEAF


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    status: str  # "passed" | "failed" | "skipped" | "errored"
    function: str = ""  # from the testcase name "<RuleId> :: <Function>"
    message: str = ""
    kind: str = LEAF  # "leaf" | "AND" | "OR" | "unknown"

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}" if self.message else f"{self.rule_id}: {self.status}"


def parse_junit(source: str | Path) -> tuple[dict[str, int], list[RuleResult]]:
    """Parse the validator's JUnit XML (path or XML text).

    Returns (counts from the ``<testsuites>`` root: tests/failures/errors/skipped, per-rule results).
    """
    text = str(source)
    if not text.lstrip().startswith("<"):
        text = Path(source).read_text(encoding="utf-8")
    root = ET.fromstring(text.encode("utf-8"))
    if root.tag == "testsuite":  # tolerate a single suite
        suites = [root]
        attrs = root.attrib
    else:
        suites = root.findall("testsuite")
        attrs = root.attrib
    results: list[RuleResult] = []
    for suite in suites:
        for tc in suite.findall("testcase"):
            name = tc.get("name", "")
            rid, _, func = name.partition(" :: ")
            rid = rid.strip()
            func = func.strip()
            if func == "None":
                func = ""
            status, message = "passed", ""
            for tag, st in (("failure", "failed"), ("error", "errored"), ("skipped", "skipped")):
                el = tc.find(tag)
                if el is not None:
                    status, message = st, el.get("message") or (el.text or "")
                    break
            results.append(RuleResult(rid, status, func, message))

    def _int(key: str, fallback: int) -> int:
        try:
            return int(attrs.get(key, fallback))
        except (TypeError, ValueError):
            return fallback

    counted = {s: sum(1 for r in results if r.status == s) for s in ("failed", "errored", "skipped")}
    counts = {
        "tests": _int("tests", len(results)),
        "failures": _int("failures", counted["failed"]),
        "errors": _int("errors", counted["errored"]),
        "skipped": _int("skipped", counted["skipped"]),
    }
    return counts, results
