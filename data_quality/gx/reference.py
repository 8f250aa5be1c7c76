"""Reference data the Great Expectations suites check against, kept in code (no network, no env reads):

* :data:`ISO_4217_CODES` - the active ISO 4217 currency codes, defined once in :mod:`ingestion._common.currencies`
  (the billing loaders refuse any other billing currency at ingestion with the same list); see there what is in it.
  The dbt test ``iso_currency_code`` (``dbt_project/macros/finance.sql``) only checks the shape (three upper-case
  letters); this list checks the code.
* :data:`PLACEHOLDER_PATTERN` - strings that stand for "no value" and must be NULL instead (FOCUS null_handling.md):
  empty or blank, NULL, N/A, NA, None, NaN, undefined, '-' (any case, surrounding blanks ignored).
* :func:`mart_contracts` - every mart's enforced dbt contract (columns and types, not-null columns, unique keys,
  enumerated columns), read from ``dbt_project/models/marts/**/_*.yml`` so that the GX contract suites never drift
  from the models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ingestion._common.currencies import ISO_4217_CODES  # noqa: F401 - re-exported: the one list

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_MARTS_DIR = REPO_ROOT / "dbt_project" / "models" / "marts"
MARTS_SCHEMA = "marts"

#: Python regex (case-insensitive) of a placeholder string; GX evaluates it on text columns (NULLs are ignored).
PLACEHOLDER_PATTERN = r"(?i)^\s*(null|n/?a|none|nan|undefined|-)?\s*$"
#: Longest placeholder ("undefined" plus some blanks): longer values are never placeholders, so the suites read
#: only the distinct values up to this length (an aggregate in SQL instead of every row).
PLACEHOLDER_MAX_LENGTH = 16

#: Oldest date a bill, invoice or usage record may carry; the newest is "today + FUTURE_DAYS" (billing periods and
#: invoices are issued ahead of the month at most by weeks).
EARLIEST_DATE = "2000-01-01"
FUTURE_DAYS = 45

_TYPE_ALIASES = {
    "TEXT": "VARCHAR",
    "STRING": "VARCHAR",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "INT8": "BIGINT",
    "LONG": "BIGINT",
    "BOOL": "BOOLEAN",
    "FLOAT8": "DOUBLE",
    "DOUBLE PRECISION": "DOUBLE",
    "FLOAT4": "FLOAT",
    "REAL": "FLOAT",
    "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
    "DATETIME": "TIMESTAMP",
    "NUMERIC": "DECIMAL(18,3)",
    "DECIMAL": "DECIMAL(18,3)",
}


def duckdb_type(declared: str) -> str:
    """The DuckDB ``information_schema.columns.data_type`` of a type as written in a dbt contract
    (``varchar`` -> ``VARCHAR``, ``decimal(38, 10)`` -> ``DECIMAL(38,10)``, ``numeric(9,4)`` -> ``DECIMAL(9,4)``)."""
    t = re.sub(r"\s+", " ", declared.strip().upper())
    t = re.sub(r"\s*([(),])\s*", r"\1", t)
    t = re.sub(r"^NUMERIC\(", "DECIMAL(", t)
    return _TYPE_ALIASES.get(t, t)


@dataclass(frozen=True)
class MartContract:
    """One mart's enforced dbt contract, as the GX contract suite checks it."""

    name: str
    relation: str  # schema.table
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type) in contract order
    not_null: tuple[str, ...]
    unique_keys: tuple[tuple[str, ...], ...]  # each a grain: `unique` column tests and `price_book_unique_key`
    enumerated: tuple[str, ...]  # columns with an accepted_values test (their allowed values are tested by dbt)
    source: str  # the YAML file, relative to the repository

    @property
    def column_types(self) -> dict[str, str]:
        return dict(self.columns)


def _test_name(test) -> str:
    return test if isinstance(test, str) else next(iter(test), "")


def _arguments(test) -> dict:
    if isinstance(test, str):
        return {}
    body = next(iter(test.values()), None) or {}
    return body.get("arguments") or body


@cache
def mart_contracts(marts_dir: Path = DBT_MARTS_DIR) -> dict[str, MartContract]:
    """Every model with an enforced contract under ``marts_dir`` (``_*.yml``), by model name. Read once per process
    (never at import time)."""
    import yaml

    out: dict[str, MartContract] = {}
    for path in sorted(Path(marts_dir).rglob("_*.yml")):
        doc = yaml.safe_load(path.read_text()) or {}
        for model in doc.get("models") or []:
            config = model.get("config") or {}
            if not (config.get("contract") or {}).get("enforced"):
                continue
            columns, not_null, keys, enumerated = [], [], [], []
            for col in model.get("columns") or []:
                tests = col.get("data_tests") or col.get("tests") or []
                names = [_test_name(t) for t in tests]
                columns.append((col["name"], duckdb_type(col.get("data_type") or "varchar")))
                if "not_null" in names:
                    not_null.append(col["name"])
                if "unique" in names:
                    keys.append((col["name"],))
                if "accepted_values" in names:
                    enumerated.append(col["name"])
            for test in model.get("data_tests") or model.get("tests") or []:
                if _test_name(test) in (
                    "price_book_unique_key",
                    "unique_combination_of_columns",
                    "dbt_utils.unique_combination_of_columns",
                ):
                    args = _arguments(test)
                    cols = args.get("columns") or args.get("combination_of_columns") or []
                    if cols and tuple(cols) not in keys:
                        keys.append(tuple(cols))
            schema = config.get("schema") or MARTS_SCHEMA
            out[model["name"]] = MartContract(
                name=model["name"],
                relation=f"{schema}.{model['name']}",
                columns=tuple(columns),
                not_null=tuple(not_null),
                unique_keys=tuple(keys),
                enumerated=tuple(enumerated),
                source=str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path),
            )
    return out
