"""The validator's rule model, classified (leaf / AND composite / OR composite), and the rules this project excuses
(see :mod:`data_quality.focus` for why)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from data_quality.focus.venv import default_validator_venv, validator_package_dir
from serving.focus_columns import ALLOWED_VALUES

LEAF, AND, OR = "leaf", "AND", "OR"

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
#: (:func:`excuse_wrong_allowed_values`); the dbt test in_focus_allowed_values checks the same per row.
WRONG_ALLOWED_VALUES_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "CommitmentDiscountStatus-C-005-M": ("CommitmentDiscountStatus", ALLOWED_VALUES["CommitmentDiscountStatus"]),
}

#: Every rule excused from the conformance count by default: the five wrongly generated leaves, plus the
#: wrong-allowed-values rules (those only after the per-row check above).
EXCUSED_RULES: frozenset[str] = KNOWN_WRONG_RULES | frozenset(WRONG_ALLOWED_VALUES_RULES)


@dataclass(frozen=True)
class RuleInfo:
    kind: str  # "leaf" | "AND" | "OR"
    function: str
    must_satisfy: str
    children: tuple[str, ...] = ()  # CheckModelRule references (composites only)


def _model_path(venv: Path) -> Path | None:
    pkg = validator_package_dir(venv)
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
