"""The FOCUS record's columns and the allowed values of its enumerated columns, read from their one owner,
``dbt_project/macros/focus_columns.sql`` (macros ``focus_charge_columns``, ``focus_13_column_ids`` and
``focus_allowed_values``, plain literals). The FOCUS export (:mod:`serving.focus_export`) and the checks
(``data_quality/``) use these; nothing in Python repeats the lists."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

MACRO_FILE = Path(__file__).resolve().parents[1] / "dbt_project" / "macros" / "focus_columns.sql"

__all__ = [
    "ALLOWED_VALUES",
    "CHARGE_COLUMNS",
    "FOCUS_12_COLUMNS",
    "FOCUS_13_COLUMNS",
    "FOCUS_COLUMNS",
    "FOCUS_JSON_COLUMNS",
    "MACRO_FILE",
    "PLACEHOLDER_STRINGS",
    "macro_literal",
]


@cache
def macro_literal(name: str, path: Path = MACRO_FILE):
    """The literal a list macro returns (``{% macro name() -%} {{ return(LITERAL) }} {%- endmacro %}``)."""
    text = path.read_text(encoding="utf-8")
    head = r"\{%-?\s*macro\s+" + re.escape(name) + r"\(\)\s*-?%\}\s*"
    m = re.search(head + r"\{\{\s*return\((.*?)\)\s*\}\}\s*\{%-?\s*endmacro", text, re.DOTALL)
    if not m:
        raise ValueError(f"{path}: no list macro {name}() returning a literal")
    return ast.literal_eval(m.group(1))


#: (snake_case name, FOCUS column ID, kind) of every column of the FOCUS record, in contract order.
CHARGE_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(tuple(c) for c in macro_literal("focus_charge_columns"))
FOCUS_13_COLUMNS: tuple[str, ...] = tuple(macro_literal("focus_13_column_ids"))
FOCUS_12_COLUMNS: tuple[str, ...] = tuple(
    focus_id for _, focus_id, _ in CHARGE_COLUMNS if not focus_id.startswith("x_") and focus_id not in FOCUS_13_COLUMNS
)
FOCUS_COLUMNS: frozenset[str] = frozenset(FOCUS_12_COLUMNS) | frozenset(FOCUS_13_COLUMNS)
#: FOCUS columns whose spec type is JSON (KeyValueFormat).
FOCUS_JSON_COLUMNS: frozenset[str] = frozenset(
    focus_id for _, focus_id, kind in CHARGE_COLUMNS if kind == "json" and focus_id in FOCUS_COLUMNS
)
#: Case-insensitive, after trimming: strings that mean "no value" and MUST be NULL instead (null_handling.md).
PLACEHOLDER_STRINGS: tuple[str, ...] = tuple(macro_literal("focus_placeholder_strings"))
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    column: tuple(values) for column, values in macro_literal("focus_allowed_values").items()
}
