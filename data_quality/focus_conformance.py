"""FOCUS 1.2 conformance of the warehouse's export relation (pure Python, no dagster imports).

Two layers:

1. **The official validator** (``focus-validator==2.2.1``, FinOps Foundation). It needs Python >= 3.12 and pins
   numpy<2 / pandas<3 / duckdb<2 / sqlglot 27, so it lives in its *own* virtualenv
   (:func:`ensure_validator_venv`, default ``<repo>/.venv-focus-validator``, override with
   ``FINOPS_FOCUS_VALIDATOR_VENV``), never in the project venv. :func:`validate_focus` exports the relation to
   Parquet (:func:`serving.focus_export.export_focus`), runs::

       focus-validator --data-file X --validate-version 1.2 --block-download \\
           --applicability-criteria ALL --output-type unittest --output-destination junit.xml

   from a work directory that contains ``focus_validator/rules/currency_codes.csv`` (the validator opens that
   path relative to the CWD; we symlink the installed package's file), and parses the JUnit XML. The exit code
   of the validator is 0 even when rules fail, so it is ignored.

2. **The project's own SQL checks** (:func:`check_excluded_rules`): the requirements of the five validator
   rules that are generated wrongly, plus what the validator does not check at all.

How rules are classified (leaf / AND / OR)
------------------------------------------
The validator's rule model is ``focus_validator/rules/model-1.2.0.1.json`` inside the installed package
(``ModelRules``: 621 entries, of which the validator plans 578 for the CostAndUsage dataset; the 43 others are
attribute rules such as ``DateTimeFormat-A-*`` / ``NumericFormat-A-*`` that are not planned). For each rule,
``ValidationCriteria.Requirement.CheckFunction`` decides:

* ``"AND"`` -> **AND composite**. All of them have ``Function == "Composite"`` and their ``Items`` are
  ``{"CheckFunction": "CheckModelRule", "ModelRuleId": ...}`` references to other rules (134 planned).
* ``"OR"`` -> **OR composite** (11 planned): 2 are ``Function == "Composite"`` with ``CheckModelRule`` items
  (``InvoiceId-C-003-C`` and one more), 9 are ``Function == "Validation"`` with inline value checks (the
  "MUST be one of the allowed values" rules such as ``ChargeCategory-C-003-M``).
* anything else -> **leaf**.

This is exactly the classification the validator's own planner uses: ``focus-validator --explain-mode``
prints ``Type: composite`` with ``Generator: CompositeANDRuleGenerator`` / ``CompositeORRuleGenerator`` for
precisely these rules and ``Type: leaf`` / ``skipped`` for all others (checked for all 578 planned rules, see
the tests and :func:`explain_rule_kinds`). The JUnit file alone cannot tell AND from OR: its testcase names are
``"<RuleId> :: <Function>"`` (``Composite`` for both, ``Validation`` for the inline OR rules), and its failure
``message`` is only ``"<Function> check for <Reference>"``; so messages in the report are the rule's
``MustSatisfy`` text from the model.

Conformance, as this project measures it
----------------------------------------
``conformance_failures`` = failed (or errored) leaf rules and failed OR composites, except the five leaves that
the validator generates wrongly (:data:`KNOWN_WRONG_RULES`; see ``--explain-mode``: InvoiceId-C-004-C/-005-C and
CapacityReservationStatus-C-003-C/-004-C lose their conditions, CommitmentDiscountStatus-C-004-C has its
condition inverted). AND composites only echo the failures of their children and are not counted; they are
reported separately (``and_composite_failures``), and those whose failed descendants are not all among the five
are listed in ``unexplained_and_failures`` for information. Rules unknown to the model are counted
conservatively (a failed unknown rule is a conformance failure). One more leaf is excused only when the data
shows the spec's exception (:data:`VIRTUAL_CURRENCY_RULES`): PricingCurrency-C-003-M (FormatCurrency) requires
three upper-case letters on every row, but CurrencyFormat allows a virtual currency in PricingCurrency (the SaaS
rows price ElevenLabs usage in "Credits"); the failure is excused when every such value is a virtual currency
(:func:`virtual_currency_violations`), and the project's own checks verify the same on the warehouse.

Caveat found while testing: the validator evaluates the inline OR "allowed values" rules with OR semantics per
*dataset* (a child check passes when at least one row matches), so a single bad value such as
ChargeCategory ``'Usages'`` is not reported by ``ChargeCategory-C-003-M``. :func:`check_excluded_rules`
therefore checks allowed values per row itself.

One OR rule lists the wrong values (:data:`WRONG_ALLOWED_VALUES_RULES`): model 1.2.0.1's
CommitmentDiscountStatus-C-005-M allows ``Active/Expired/Pending``, while the 1.2 spec
(commitmentdiscountstatus.md) allows ``Used`` and ``Unused``; so a dataset whose statuses are all ``Used`` fails
it. It is excused like the five leaves, but only when every non-null CommitmentDiscountStatus of the exported
data is ``Used`` or ``Unused`` (:func:`excuse_wrong_allowed_values`, per row); any other value keeps the failure,
and :func:`check_excluded_rules` reports it too (AllowedValues).

A relation without rows is not validated (the validator would report 9 failures of an empty file):
:func:`validate_focus` raises :class:`EmptyFocusDataset`, and ``finops validate-focus`` prints
"no rows in focus_cost_and_usage" with how to load some and exits with :data:`EXIT_NO_ROWS` (3).
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from serving.focus_export import DEFAULT_RELATION, export_focus, quote_relation, relation_columns

__all__ = [
    "EXCUSED_RULES",
    "EXIT_NO_ROWS",
    "KNOWN_WRONG_RULES",
    "VALIDATOR_VERSION",
    "VIRTUAL_CURRENCY_RULES",
    "WRONG_ALLOWED_VALUES_RULES",
    "ConformanceReport",
    "EmptyFocusDataset",
    "RuleResult",
    "ValidatorNotAvailable",
    "build_report",
    "check_excluded_rules",
    "default_validator_venv",
    "ensure_validator_venv",
    "excuse_virtual_currencies",
    "excuse_wrong_allowed_values",
    "explain_rule_kinds",
    "find_python312",
    "load_rule_kinds",
    "main",
    "parse_junit",
    "run_validator",
    "validate_focus",
    "virtual_currency_violations",
]

VALIDATOR_VERSION = "2.2.1"
VALIDATOR_REQUIREMENTS = (f"focus-validator=={VALIDATOR_VERSION}", "pyarrow<21")
FOCUS_VERSION = "1.2"
VENV_ENV_VAR = "FINOPS_FOCUS_VALIDATOR_VENV"
WAREHOUSE_ENV_VAR = "FINOPS_WAREHOUSE"
DEFAULT_WAREHOUSE = "warehouse/finops.duckdb"
CURRENCY_CODES_RELPATH = Path("focus_validator/rules/currency_codes.csv")
_MARKER = ".finops-focus-validator.json"
_IMPORT_CHECK = (
    "import importlib.metadata as m, focus_validator.main, pyarrow; "
    "print(m.version('focus-validator'), pyarrow.__version__)"
)

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Leaf rules of model 1.2.0.1 that focus-validator 2.2.1 generates wrongly (see module docstring).
KNOWN_WRONG_RULES: frozenset[str] = frozenset(
    {
        "InvoiceId-C-004-C",
        "InvoiceId-C-005-C",
        "CapacityReservationStatus-C-003-C",
        "CapacityReservationStatus-C-004-C",
        "CommitmentDiscountStatus-C-004-C",
    }
)

#: Leaf rules that focus-validator 2.2.1 applies too narrowly, excused only when the data shows the spec's
#: exception: FormatCurrency (PricingCurrency-C-003-M) demands a 3-letter upper-case code on every row, while
#: CurrencyFormat (currency_format.md) allows a *virtual* currency ("Credits", "Tokens") in PricingCurrency, which
#: then follows StringHandling. The failure is excused when every PricingCurrency value that is not an ISO-shaped
#: code is a virtual currency (:func:`virtual_currency_violations` finds none); any other failure still counts.
VIRTUAL_CURRENCY_RULES: frozenset[str] = frozenset({"PricingCurrency-C-003-M"})

#: OR "allowed values" rules whose value list in model 1.2.0.1 is not the spec's: CommitmentDiscountStatus-C-005-M
#: lists Active/Expired/Pending, the 1.2 spec (commitmentdiscountstatus.md) Used/Unused. Rule id -> (column, the
#: spec's allowed values). Excused only when every non-null value of the column is one of the spec's values
#: (:func:`excuse_wrong_allowed_values`); :func:`check_excluded_rules` checks the same per row (AllowedValues).
WRONG_ALLOWED_VALUES_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "CommitmentDiscountStatus-C-005-M": ("CommitmentDiscountStatus", ("Used", "Unused")),
}

#: Every rule excused from the conformance count by default: the five wrongly generated leaves, plus the
#: wrong-allowed-values rules (those only after the per-row check above).
EXCUSED_RULES: frozenset[str] = KNOWN_WRONG_RULES | frozenset(WRONG_ALLOWED_VALUES_RULES)

#: Exit code of ``finops validate-focus`` when the relation has no rows (nothing to validate).
EXIT_NO_ROWS = 3
EXIT_NO_WAREHOUSE = 66  # EX_NOINPUT, as every finops command without a warehouse
EXIT_CANNOT_RUN = 69  # EX_UNAVAILABLE: the validator could not run (no Python 3.12, install failed, ...)

LEAF, AND, OR = "leaf", "AND", "OR"


class ValidatorNotAvailable(RuntimeError):
    """The validator venv cannot be created (no Python 3.12, pip failure, ...)."""


class EmptyFocusDataset(ValueError):
    """The relation to validate has no rows: there is nothing to check (and the validator would report the empty
    file as 9 failures)."""

    def __init__(self, relation: str, warehouse: str) -> None:
        self.relation = relation
        self.warehouse = warehouse
        name = relation.rsplit(".", 1)[-1]
        super().__init__(
            f"no rows in {name} ({relation} in {warehouse}): nothing to validate. Load billing data first: "
            "`finops load PATH` (one export file or folder), or `finops run` after landing exports "
            "(`finops generate` writes the demo's), then run `finops validate-focus` again."
        )


# --------------------------------------------------------------------------------------------------------------
# Validator virtualenv
# --------------------------------------------------------------------------------------------------------------


def default_validator_venv() -> Path:
    """``$FINOPS_FOCUS_VALIDATOR_VENV`` if set (read now), else ``<repo>/.venv-focus-validator``."""
    env = os.environ.get(VENV_ENV_VAR)
    return Path(env).expanduser() if env else REPO_ROOT / ".venv-focus-validator"


def _python_version(exe: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    m = re.match(r"^(\d+)\.(\d+)$", out.stdout.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def find_python312() -> str:
    """Locate a working Python 3.12 interpreter.

    Tried in order: ``pyenv which python3.12``, ``python3.12`` on PATH (pyenv shims that do not resolve are
    rejected because every candidate is executed), ``$PYENV_ROOT``/``~/.pyenv/versions/3.12*/bin/python3.12``.
    """
    candidates: list[str] = []
    if shutil.which("pyenv"):
        try:
            out = subprocess.run(
                ["pyenv", "which", "python3.12"], capture_output=True, text=True, timeout=30, check=False
            )
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    on_path = shutil.which("python3.12")
    if on_path:
        candidates.append(on_path)
    roots = [os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        candidates += sorted(
            glob.glob(os.path.join(root, "versions", "3.12*", "bin", "python3.12")), reverse=True
        )
    seen = set()
    for cand in candidates:
        if cand in seen:
            continue
        seen.add(cand)
        if _python_version(cand) == (3, 12):
            return cand
    raise ValidatorNotAvailable(
        "focus-validator 2.2.1 needs Python 3.12 and none was found (tried `pyenv which python3.12`, "
        "`python3.12` on PATH, ~/.pyenv/versions/3.12*/bin/python3.12). Install it, e.g. "
        "`pyenv install 3.12` (or `uv python install 3.12`, or your OS package `python3.12` + `python3.12-venv`), "
        "then re-run."
    )


def _venv_bin(venv: Path, name: str) -> Path:
    if os.name == "nt":  # pragma: no cover - not used on our machines
        return venv / "Scripts" / (name + (".exe" if not name.endswith(".exe") else ""))
    return venv / "bin" / name


def _validator_package_dir(venv: Path) -> Path | None:
    hits = sorted(glob.glob(str(venv / "lib" / "python3*" / "site-packages" / "focus_validator")))
    if not hits and os.name == "nt":  # pragma: no cover
        hits = glob.glob(str(venv / "Lib" / "site-packages" / "focus_validator"))
    return Path(hits[-1]) if hits else None


def _venv_ready(venv: Path) -> bool:
    marker = venv / _MARKER
    if not marker.exists():
        return False
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return (
        info.get("focus_validator") == VALIDATOR_VERSION
        and _venv_bin(venv, "focus-validator").exists()
        and _venv_bin(venv, "python").exists()
        and _validator_package_dir(venv) is not None
    )


def ensure_validator_venv(venv_dir: Path | None = None) -> Path:
    """Create (idempotently) the virtualenv holding ``focus-validator==2.2.1`` and ``pyarrow<21``; return its path.

    ``venv_dir`` defaults to :func:`default_validator_venv`. A marker file records a finished install, so a
    second call is a few stat() calls. Concurrent callers (pytest-xdist) are serialized with a lock file. Never
    touches the interpreter running this code.
    """
    venv = Path(venv_dir).expanduser() if venv_dir is not None else default_validator_venv()
    venv = venv.resolve()
    if _venv_ready(venv):
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Lock outside the repo/venv (the venv dir may be removed and re-created under the lock).
    digest = hashlib.sha256(str(venv).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"finops-focus-validator-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _venv_ready(venv):
                return venv
            py = _venv_bin(venv, "python")
            if not (py.exists() and _python_version(str(py)) == (3, 12)):
                if venv.exists():
                    shutil.rmtree(venv)
                py312 = find_python312()
                print(
                    f"[focus-validator] creating virtualenv {venv} with {py312}", file=sys.stderr, flush=True
                )
                subprocess.run([py312, "-m", "venv", str(venv)], check=True)
            print(
                f"[focus-validator] pip install {' '.join(VALIDATOR_REQUIREMENTS)} into {venv} "
                "(first run only, ~30 s - 3 min) ...",
                file=sys.stderr,
                flush=True,
            )
            t0 = time.monotonic()
            proc = subprocess.run(
                [
                    str(py),
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "--progress-bar",
                    "off",
                    *VALIDATOR_REQUIREMENTS,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise ValidatorNotAvailable(
                    f"pip install {' '.join(VALIDATOR_REQUIREMENTS)} into {venv} failed "
                    f"(exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
                )
            check = subprocess.run(
                [
                    str(py),
                    "-c",
                    _IMPORT_CHECK,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if check.returncode != 0:
                raise ValidatorNotAvailable(
                    f"focus-validator does not import in {venv}:\n{check.stderr[-4000:]}"
                )
            fv_version, pa_version = check.stdout.split()
            if fv_version != VALIDATOR_VERSION:
                raise ValidatorNotAvailable(f"expected focus-validator {VALIDATOR_VERSION}, got {fv_version}")
            (venv / _MARKER).write_text(
                json.dumps({"focus_validator": fv_version, "pyarrow": pa_version, "python": str(py)}) + "\n"
            )
            print(
                f"[focus-validator] ready in {time.monotonic() - t0:.0f} s "
                f"(focus-validator {fv_version}, pyarrow {pa_version})",
                file=sys.stderr,
                flush=True,
            )
            return venv
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare_work_dir(work_dir: Path, venv: Path) -> Path:
    """Make ``work_dir/focus_validator/rules/currency_codes.csv`` point at the installed package's file."""
    pkg = _validator_package_dir(venv)
    if pkg is None:
        raise ValidatorNotAvailable(f"focus_validator package not found in {venv}")
    src = pkg / "rules" / "currency_codes.csv"
    dst = work_dir / CURRENCY_CODES_RELPATH
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists():
        if dst.is_symlink():  # dangling
            dst.unlink()
        try:
            dst.symlink_to(src)
        except OSError:
            shutil.copyfile(src, dst)
    return work_dir


# --------------------------------------------------------------------------------------------------------------
# Rule model / classification
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInfo:
    kind: str  # "leaf" | "AND" | "OR"
    function: str
    must_satisfy: str
    children: tuple[str, ...] = ()  # CheckModelRule references (composites only)


def _model_path(venv: Path) -> Path | None:
    pkg = _validator_package_dir(venv)
    if pkg is None:
        return None
    hits = sorted(pkg.glob("rules/model-1.2*.json"))
    return hits[-1] if hits else None


def load_rule_kinds(source: Path | str | Mapping | None = None) -> dict[str, RuleInfo]:
    """Rule id -> :class:`RuleInfo` from the validator's model JSON.

    ``source``: a venv directory, a model JSON file, an already-parsed model dict, or None (default venv).
    Classification: ``ValidationCriteria.Requirement.CheckFunction`` == "AND" / "OR" -> composite of that kind,
    otherwise leaf (see module docstring).
    """
    if isinstance(source, Mapping):
        model = source
    else:
        p = Path(source) if source is not None else default_validator_venv()
        if p.is_dir():
            mp = _model_path(p)
            if mp is None:
                raise FileNotFoundError(f"no focus_validator/rules/model-1.2*.json under {p}")
            p = mp
        model = json.loads(p.read_text())
    rules = model.get("ModelRules", model)
    out: dict[str, RuleInfo] = {}
    for rid, rule in rules.items():
        vc = rule.get("ValidationCriteria") or {}
        req = vc.get("Requirement") or {}
        cf = req.get("CheckFunction")
        kind = cf if cf in (AND, OR) else LEAF
        children = tuple(
            i["ModelRuleId"]
            for i in req.get("Items", []) or []
            if isinstance(i, dict) and i.get("CheckFunction") == "CheckModelRule" and i.get("ModelRuleId")
        )
        out[rid] = RuleInfo(kind, str(rule.get("Function", "")), str(vc.get("MustSatisfy", "")), children)
    return out


def explain_rule_kinds(venv: Path | None = None, work_dir: Path | None = None) -> dict[str, str]:
    """Rule id -> "leaf" | "AND" | "OR" | "skipped" as the validator's planner sees it (``--explain-mode``).

    Used to cross-check :func:`load_rule_kinds`; needs no data file (~1 s).
    """
    venv = ensure_validator_venv(venv)
    with tempfile.TemporaryDirectory(prefix="focus-explain-") as tmp:
        wd = prepare_work_dir(Path(work_dir or tmp), venv)
        proc = subprocess.run(
            [
                str(_venv_bin(venv, "focus-validator")),
                "--validate-version",
                FOCUS_VERSION,
                "--block-download",
                "--applicability-criteria",
                "ALL",
                "--explain-mode",
            ],
            cwd=wd,
            capture_output=True,
            text=True,
            env=_validator_env(),
            check=False,
        )
    kinds: dict[str, str] = {}
    for block in proc.stdout.split("📋 ")[1:]:
        rid = block.split("\n", 1)[0].strip()
        typ = re.search(r"^\s*Type: (\S+)", block, re.MULTILINE)
        gen = re.search(r"^\s*Generator: (\S+)", block, re.MULTILINE)
        g = gen.group(1) if gen else ""
        if g == "CompositeANDRuleGenerator":
            kinds[rid] = AND
        elif g == "CompositeORRuleGenerator":
            kinds[rid] = OR
        else:
            kinds[rid] = typ.group(1) if typ else LEAF
    if not kinds:
        raise RuntimeError(
            f"could not parse --explain-mode output:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return kinds


# --------------------------------------------------------------------------------------------------------------
# JUnit parsing and the report
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    status: str  # "passed" | "failed" | "skipped" | "errored"
    function: str = ""  # from the testcase name "<RuleId> :: <Function>"
    message: str = ""
    kind: str = LEAF  # "leaf" | "AND" | "OR" | "unknown"

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}" if self.message else f"{self.rule_id}: {self.status}"


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


def _descendant_failures(
    rid: str, kinds: Mapping[str, RuleInfo], failed: set[str], seen: set[str]
) -> set[str]:
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
            msg = (
                info.must_satisfy
                if not r.message or r.status == "failed"
                else f"{r.message} ({info.must_satisfy})"
            )
        enriched.append(RuleResult(r.rule_id, r.status, r.function, msg, kind))

    bad = [r for r in enriched if r.status in ("failed", "errored")]
    bad_ids = {r.rule_id for r in bad}
    conformance = [r for r in bad if r.kind != AND and r.rule_id not in known_wrong]
    and_fail = [r.rule_id for r in bad if r.kind == AND]
    unexplained = []
    for rid in and_fail:
        below = _descendant_failures(rid, kinds, bad_ids, set())
        if not {c for c in below if kinds.get(c) is None or kinds[c].kind != AND}:
            unexplained.append(
                rid
            )  # failed without any failed leaf/OR below it (e.g. an upstream dependency)
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


# --------------------------------------------------------------------------------------------------------------
# Running the validator
# --------------------------------------------------------------------------------------------------------------


def _validator_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(var, None)  # do not leak the project interpreter into the 3.12 venv
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("NO_COLOR", "1")
    return env


def run_validator(
    data_file: Path,
    junit_path: Path,
    *,
    venv: Path | None = None,
    work_dir: Path | None = None,
    applicability: str = "ALL",
    echo: bool = False,
    timeout: float | None = None,
) -> tuple[int, str]:
    """Run focus-validator on ``data_file`` writing JUnit XML to ``junit_path``. Returns (exit code, output).

    The exit code is returned for diagnostics only: it is 0 even when rules fail.
    """
    venv = ensure_validator_venv(venv)
    wd = prepare_work_dir(Path(work_dir) if work_dir else Path(junit_path).parent, venv)
    cmd = [
        str(_venv_bin(venv, "focus-validator")),
        "--data-file",
        str(Path(data_file).resolve()),
        "--validate-version",
        FOCUS_VERSION,
        "--block-download",
        "--output-type",
        "unittest",
        "--output-destination",
        str(Path(junit_path).resolve()),
    ]
    if applicability:
        cmd[5:5] = ["--applicability-criteria", applicability]
    lines: list[str] = []
    proc = subprocess.Popen(
        cmd,
        cwd=wd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_validator_env(),
        encoding="utf-8",
        errors="replace",
    )
    deadline = time.monotonic() + timeout if timeout else None
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if echo:
            sys.stderr.write(line)
        if deadline and time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"focus-validator exceeded {timeout} s")
    rc = proc.wait()
    return rc, "".join(lines)


def validate_focus(
    warehouse_path: str,
    relation: str = DEFAULT_RELATION,
    applicability: str = "ALL",
    work_dir: str | Path | None = None,
    *,
    venv_dir: Path | None = None,
    echo: bool = False,
) -> ConformanceReport:
    """Export ``relation`` to Parquet, run focus-validator 1.2 on it and classify the results.

    Raises :class:`EmptyFocusDataset` when the relation has no rows (the validator is not run).

    ``work_dir``: where the Parquet file, ``junit.xml`` and the currency-codes symlink go (kept afterwards);
    a temporary directory (deleted) when None.
    """
    t0 = time.monotonic()
    tmp = None
    if work_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="focus-validate-")
        wd = Path(tmp.name)
    else:
        wd = Path(work_dir)
        wd.mkdir(parents=True, exist_ok=True)
    try:
        data_file = wd / "focus.parquet"
        junit = wd / "junit.xml"
        if junit.exists():
            junit.unlink()
        rows = export_focus(str(warehouse_path), str(data_file), relation=relation)
        if rows == 0:
            raise EmptyFocusDataset(relation, str(warehouse_path))
        venv = ensure_validator_venv(venv_dir)
        rc, output = run_validator(
            data_file, junit, venv=venv, work_dir=wd, applicability=applicability, echo=echo
        )
        if not junit.exists() or junit.stat().st_size == 0:
            raise RuntimeError(f"focus-validator wrote no JUnit report (exit {rc}):\n{output[-4000:]}")
        report = build_report(junit, load_rule_kinds(venv))
        excuse_virtual_currencies(report, data_file)
        excuse_wrong_allowed_values(report, data_file)
        report.rows_exported = rows
        report.validator_output = output
        report.junit_path = str(junit) if tmp is None else None
        report.seconds = time.monotonic() - t0
        return report
    finally:
        if tmp is not None:
            tmp.cleanup()


# --------------------------------------------------------------------------------------------------------------
# The project's own checks
# --------------------------------------------------------------------------------------------------------------

FOCUS_12_COLUMNS: tuple[str, ...] = (
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
)
FOCUS_13_COLUMNS: tuple[str, ...] = (
    "ServiceProviderName",
    "HostProviderName",
    "AllocatedMethodId",
    "AllocatedMethodDetails",
    "AllocatedResourceId",
    "AllocatedResourceName",
    "AllocatedTags",
    "ContractApplied",
)
FOCUS_COLUMNS = frozenset(FOCUS_12_COLUMNS) | frozenset(FOCUS_13_COLUMNS)

#: Case-insensitive, after trimming: strings that mean "no value" and MUST be NULL instead (null_handling.md).
PLACEHOLDER_STRINGS = ("", "null", "n/a", "none", "not applicable")

ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "ChargeCategory": ("Usage", "Purchase", "Tax", "Credit", "Adjustment"),
    "ChargeClass": ("Correction",),
    "ChargeFrequency": ("One-Time", "Recurring", "Usage-Based"),
    "PricingCategory": ("Standard", "Dynamic", "Committed", "Other"),
    "CommitmentDiscountCategory": ("Spend", "Usage"),
    "CommitmentDiscountStatus": ("Used", "Unused"),
    "CapacityReservationStatus": ("Used", "Unused"),
    "ServiceCategory": (
        "AI and Machine Learning",
        "Analytics",
        "Business Applications",
        "Compute",
        "Databases",
        "Developer Tools",
        "Multicloud",
        "Identity",
        "Integration",
        "Internet of Things",
        "Management and Governance",
        "Media",
        "Migration",
        "Mobile",
        "Networking",
        "Security",
        "Storage",
        "Web",
        "Other",
    ),
}


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
        values = [
            row[0] for row in con.execute(_virtual_currency_query(f"read_parquet('{path}')")).fetchall()
        ]
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


def check_excluded_rules(
    con_or_warehouse_path: duckdb.DuckDBPyConnection | str | os.PathLike,
    relation: str = DEFAULT_RELATION,
) -> list[str]:
    """The project's own SQL checks; returns violation messages (empty list = pass).

    What the five wrongly generated validator rules were meant to check (model 1.2.0.1 ``MustSatisfy``):

    * InvoiceId-C-003-C (OR of -004-C "MUST be null when the charge is not associated with an invoice" and
      -005-C "MUST NOT be null when associated with an issued or provisional invoice"): with no invoice source
      in the warehouse, association is not observable row by row; we check what follows from it: a non-null
      InvoiceId is a real identifier (not blank/placeholder) and one InvoiceId has exactly one BillingCurrency
      and one InvoiceIssuerName (an invoice is issued by one party in one currency, billingcurrency.md).
    * CapacityReservationStatus-C-003-C: MUST be null when CapacityReservationId is null.
    * CapacityReservationStatus-C-004-C: MUST NOT be null when CapacityReservationId is not null and
      ChargeCategory = 'Usage'.
    * CommitmentDiscountStatus-C-004-C: MUST NOT be null when CommitmentDiscountId is not null and
      ChargeCategory = 'Usage'; with -003-C: MUST be null when CommitmentDiscountId is null.

    Checks the validator does not do: all FOCUS 1.2 columns present; every non-FOCUS column starts with ``x_``
    and comes after all FOCUS columns; no placeholder strings (PLACEHOLDER_STRINGS) in string columns; allowed
    values per row for the enumerated columns (the validator's OR "allowed values" rules only require that
    *some* row matches); PricingCurrency an ISO-shaped code or a virtual currency name, never a mis-cased code,
    and BillingCurrency never a virtual currency (what PricingCurrency-C-003-M should check, see
    VIRTUAL_CURRENCY_RULES); CommitmentDiscountStatus Used/Unused per row (what CommitmentDiscountStatus-C-005-M
    should check, see WRONG_ALLOWED_VALUES_RULES). BilledCost per InvoiceId = invoice total is a dbt test
    (assert_saas_charges_equal_invoice_totals for the SaaS invoices; the reconciliation for the clouds).
    """
    own = not isinstance(con_or_warehouse_path, duckdb.DuckDBPyConnection)
    con = duckdb.connect(str(con_or_warehouse_path), read_only=True) if own else con_or_warehouse_path
    violations: list[str] = []
    try:
        rel = quote_relation(relation)
        columns = relation_columns(con, relation)
        names = [c for c, _ in columns]
        present = set(names)

        def count(where: str) -> int:
            return int(con.execute(f"SELECT count(*) FROM {rel} WHERE {where}").fetchone()[0])

        def has(*cols: str) -> bool:
            return all(c in present for c in cols)

        # --- column handling ----------------------------------------------------------------------------------
        missing = [c for c in FOCUS_12_COLUMNS if c not in present]
        if missing:
            violations.append(f"ColumnHandling: missing FOCUS 1.2 columns: {', '.join(missing)}")
        custom = [c for c in names if c not in FOCUS_COLUMNS]
        bad_prefix = [c for c in custom if not c.startswith("x_")]
        if bad_prefix:
            violations.append(
                f"ColumnHandling: custom columns must be prefixed 'x_': {', '.join(bad_prefix)}"
            )
        focus_positions = [i for i, c in enumerate(names) if c in FOCUS_COLUMNS]
        if focus_positions:
            last_focus = max(focus_positions)
            intermixed = [c for i, c in enumerate(names) if c not in FOCUS_COLUMNS and i < last_focus]
            if intermixed:
                violations.append(
                    "ColumnHandling: custom columns must come after all FOCUS columns, found before "
                    f"{names[last_focus]}: {', '.join(intermixed)}"
                )

        # --- InvoiceId (InvoiceId-C-003/004/005-C) --------------------------------------------------------------
        if has("InvoiceId"):
            for other in ("BillingCurrency", "InvoiceIssuerName"):
                if has(other):
                    n = int(
                        con.execute(
                            f"SELECT count(*) FROM (SELECT InvoiceId FROM {rel} WHERE InvoiceId IS NOT NULL "
                            f"GROUP BY InvoiceId HAVING count(DISTINCT {_qi(other)}) > 1)"
                        ).fetchone()[0]
                    )
                    if n:
                        violations.append(
                            f"InvoiceId-C-003-C (intended): {n} InvoiceId value(s) span more than one {other}"
                        )

        # --- CapacityReservationStatus-C-003-C / -004-C -------------------------------------------------------
        if has("CapacityReservationStatus", "CapacityReservationId"):
            n = count("CapacityReservationId IS NULL AND CapacityReservationStatus IS NOT NULL")
            if n:
                violations.append(
                    f"CapacityReservationStatus-C-003-C (intended): {n} row(s) have CapacityReservationStatus "
                    "while CapacityReservationId is null"
                )
            if has("ChargeCategory"):
                n = count(
                    "CapacityReservationId IS NOT NULL AND ChargeCategory = 'Usage' "
                    "AND CapacityReservationStatus IS NULL"
                )
                if n:
                    violations.append(
                        f"CapacityReservationStatus-C-004-C (intended): {n} Usage row(s) with a "
                        "CapacityReservationId have a null CapacityReservationStatus"
                    )

        # --- CommitmentDiscountStatus-C-004-C (and -003-C) -----------------------------------------------------
        if has("CommitmentDiscountStatus", "CommitmentDiscountId"):
            if has("ChargeCategory"):
                n = count(
                    "CommitmentDiscountId IS NOT NULL AND ChargeCategory = 'Usage' "
                    "AND CommitmentDiscountStatus IS NULL"
                )
                if n:
                    violations.append(
                        f"CommitmentDiscountStatus-C-004-C (intended): {n} Usage row(s) with a "
                        "CommitmentDiscountId have a null CommitmentDiscountStatus"
                    )
            n = count("CommitmentDiscountId IS NULL AND CommitmentDiscountStatus IS NOT NULL")
            if n:
                violations.append(
                    f"CommitmentDiscountStatus-C-003-C: {n} row(s) have CommitmentDiscountStatus while "
                    "CommitmentDiscountId is null"
                )

        # --- CurrencyFormat: PricingCurrency is an ISO 4217 code or a virtual currency (VIRTUAL_CURRENCY_RULES) ---
        if has("PricingCurrency"):
            values = [row[0] for row in con.execute(_virtual_currency_query(rel)).fetchall()]
            bad = virtual_currency_violations(values)
            if bad:
                violations.append(
                    "CurrencyFormat: PricingCurrency values that are neither 3-letter ISO 4217 codes nor virtual "
                    f"currency names: {bad[:5]}"
                )
            if values and has("BillingCurrency"):
                n = count(f"CAST(BillingCurrency AS VARCHAR) IN ({_sql_list(values)})")
                if n:
                    violations.append(
                        f"BillingCurrency-C-006-M: {n} row(s) bill in a virtual currency ({values[:5]})"
                    )

        # --- allowed values, per row -----------------------------------------------------------------------------
        for col, allowed in ALLOWED_VALUES.items():
            if not has(col):
                continue
            bad = con.execute(
                f"SELECT DISTINCT CAST({_qi(col)} AS VARCHAR) FROM {rel} "
                f"WHERE {_qi(col)} IS NOT NULL AND CAST({_qi(col)} AS VARCHAR) NOT IN ({_sql_list(allowed)}) "
                "ORDER BY 1 LIMIT 5"
            ).fetchall()
            if bad:
                violations.append(
                    f"AllowedValues: {col} has values outside {list(allowed)}: {[b[0] for b in bad]}"
                )

        # --- placeholder strings ---------------------------------------------------------------------------------
        string_cols = [
            c for c, t in columns if t.upper() in ("VARCHAR", "JSON") or t.upper().startswith("VARCHAR")
        ]
        if string_cols:
            placeholders = _sql_list(PLACEHOLDER_STRINGS)
            sums = ", ".join(
                f"count(*) FILTER (WHERE lower(trim(CAST({_qi(c)} AS VARCHAR))) IN ({placeholders}))"
                for c in string_cols
            )
            row = con.execute(f"SELECT {sums} FROM {rel}").fetchone()
            for c, n in zip(string_cols, row):
                if n:
                    violations.append(
                        f"NullHandling: {c} has {n} placeholder value(s) (empty, 'NULL', 'N/A', 'None', ...) "
                        "instead of NULL"
                    )
    finally:
        if own:
            con.close()
    return violations


# --------------------------------------------------------------------------------------------------------------
# CLI entry point
# --------------------------------------------------------------------------------------------------------------


def default_warehouse() -> str:
    """``$FINOPS_WAREHOUSE`` (read now) else ``warehouse/finops.duckdb``."""
    return os.environ.get(WAREHOUSE_ENV_VAR) or DEFAULT_WAREHOUSE


def main(argv: Sequence[str] | None = None) -> int:
    """``finops validate-focus [--warehouse PATH] [--relation R]``; exit 0 when conformant, 1 on any conformance
    failure or own-check violation, 3 (:data:`EXIT_NO_ROWS`) when the relation has no rows, 66 without a warehouse,
    69 when the validator could not run."""
    parser = argparse.ArgumentParser(
        prog="finops validate-focus",
        description="Validate the warehouse's FOCUS export with focus-validator 1.2 plus the project's own checks.",
        epilog=(
            "exit codes: 0 conformant (no conformance failure, project checks pass); 1 conformance failures or "
            f"project-check violations (listed); {EXIT_NO_ROWS} no rows in the relation (nothing to validate: load "
            f"billing data with `finops load PATH` or `finops run`); {EXIT_NO_WAREHOUSE} no warehouse; "
            f"{EXIT_CANNOT_RUN} the validator could not run (no Python 3.12, install failed, ...)."
        ),
    )
    parser.add_argument(
        "--warehouse",
        default=None,
        help=f"DuckDB file (default: ${WAREHOUSE_ENV_VAR} or {DEFAULT_WAREHOUSE})",
    )
    parser.add_argument(
        "--relation", default=DEFAULT_RELATION, help="relation to export (default: %(default)s)"
    )
    parser.add_argument("--applicability", default="ALL", help="--applicability-criteria (default: ALL)")
    parser.add_argument("--work-dir", default=None, help="keep the Parquet export and junit.xml here")
    parser.add_argument(
        "--venv",
        default=None,
        help=f"validator virtualenv (default: ${VENV_ENV_VAR} or <repo>/.venv-focus-validator)",
    )
    parser.add_argument("--verbose", action="store_true", help="echo the validator's own output")
    args = parser.parse_args(list(argv) if argv is not None else None)

    warehouse = args.warehouse or default_warehouse()
    if not Path(warehouse).exists():
        print(f"error: warehouse not found: {warehouse} (run `make demo`, or `finops load PATH` first)",
              file=sys.stderr)
        return EXIT_NO_WAREHOUSE
    try:
        report = validate_focus(
            warehouse,
            relation=args.relation,
            applicability=args.applicability,
            work_dir=args.work_dir,
            venv_dir=Path(args.venv) if args.venv else None,
            echo=args.verbose,
        )
        own = check_excluded_rules(warehouse, args.relation)
    except EmptyFocusDataset as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_NO_ROWS
    except (ValidatorNotAvailable, duckdb.Error, FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN

    print(
        f"focus-validator {VALIDATOR_VERSION}, FOCUS {FOCUS_VERSION}, applicability {args.applicability}, "
        f"{report.rows_exported} rows from {args.relation}"
    )
    print(report.summary_line())
    if report.known_wrong_failures:
        print(f"ignored (known-wrong validator rules): {', '.join(report.known_wrong_failures)}")
    if report.allowed_values_excused:
        print(
            "excused (the validator's allowed values differ from the FOCUS 1.2 spec's; every row checked against "
            f"the spec's values): {', '.join(report.allowed_values_excused)}"
        )
    if report.virtual_currency_excused:
        print(
            f"excused (virtual currencies in PricingCurrency, allowed by CurrencyFormat: "
            f"{', '.join(report.virtual_currencies)}): {', '.join(report.virtual_currency_excused)}"
        )
    if report.and_composite_failures:
        print(
            f"AND composites failing (echo their children, not counted): {len(report.and_composite_failures)}"
        )
    if report.conformance_failures:
        print(f"Conformance failures ({len(report.conformance_failures)}):")
        for r in report.conformance_failures:
            print(f"  FAIL {r.rule_id} [{r.kind}] {r.message}")
    else:
        print("Conformance failures: none")
    if own:
        print(f"Project checks: {len(own)} violation(s):")
        for v in own:
            print(f"  FAIL {v}")
    else:
        print("Project checks: pass")
    if report.junit_path:
        print(f"JUnit report: {report.junit_path}")
    return 1 if (report.conformance_failures or own) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
