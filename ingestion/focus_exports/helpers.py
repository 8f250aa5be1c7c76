"""Sniffing and the batch transform for FOCUS exports.

The raw table keeps what the export delivered, column by column (matched case-insensitively, so
``SkuPriceid`` is ``SkuPriceId``); only money is parsed here (DECIMAL(38,10), ``$1,000.00``-style and
E-notation accepted) and dates are validated (kept as text, parsed by the staging model with the same
rules). Every column of the file that is not a FOCUS column (the provider's ``x_``/``oci_`` columns) goes into
``x_provider_extensions``, one JSON object per row.
"""

from __future__ import annotations

from ingestion._common.errors import BadInputError
from ingestion._common.landing import Delivery, FileRef
from ingestion._common.readers import file_kind
from ingestion._common.transform import MONEY, SelectBuilder, lit, q

from . import settings as s

_PLACEHOLDER_RE = "^(?i:" + "|".join(s.NULL_PLACEHOLDERS) + ")$"
# Date/time shapes accepted (mirrored by the dbt macro ``focus_exports_parse_timestamp``; keep both in step):
# * M/D/YY or M/D/YYYY [H:MM[:SS]] (US order, as in the FOCUS spec's SaaS samples);
# * anything DuckDB casts to TIMESTAMPTZ (ISO 8601 with or without zone, 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS');
# * ISO without seconds ('2024-06-01T00:00Z', OCI) or with an hour up to 47 ('2023-02-01T30:00:00Z' in the
#   FOCUS spec samples: rolled over into the next day), UTC only.
MDY_RE = r"^\d{1,2}/\d{1,2}/(\d{2}|\d{4})( \d{1,2}:\d{2}(:\d{2})?)?$"
MDY_FORMATS = ("%m/%d/%y", "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M:%S")
LOOSE_RE = r"^(\d{4}-\d{2}-\d{2})[T ]([01]?\d|2\d|3\d|4[0-7]):([0-5]\d)(:([0-5]\d)(\.\d+)?)?\s*(Z|UTC|[+-]00:?00)?$"
# '$1,234.50', '-$5', '1234.5', '35.2E-7': a dollar sign and thousands separators are dropped; a comma that is
# not a thousands separator ('1,5') is not, and fails.
MONEY_RE = r"^[-+]?\$?[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?$"
_FMTS = "[" + ", ".join(lit(f) for f in MDY_FORMATS) + "]"


# ---------------------------------------------------------------------------------------------- sniffing
def _names(header: list[str]) -> set[str]:
    return {h.strip().lower() for h in header}


def is_focus(header: list[str]) -> bool:
    return len(_names(header) & s.FOCUS_SIGNATURE) >= 2


def sniff_focus_1_2(header: list[str], rel_path: str) -> bool:
    names = _names(header)
    return is_focus(header) and bool(names & (s.V11_MARKERS | s.V12_MARKERS))


def sniff_focus_1_0(header: list[str], rel_path: str) -> bool:
    return is_focus(header)


def detect_version(header: list[str]) -> str:
    """The FOCUS version a header looks like: '1.2', '1.1', '1.0', '1.0-preview' or '0.5'."""
    names = _names(header)
    if names & s.V12_MARKERS:
        return "1.2"
    if names & s.V11_MARKERS:
        return "1.1"
    if names & s.V05_MARKERS:
        return "0.5"
    if names & s.V10_PREVIEW_MARKERS and "providername" not in names:
        return "1.0-preview"
    return "1.0"


# ------------------------------------------------------------------------------------- SQL expressions
def clean_sql(col: str) -> str:
    """Trimmed text, NULL for '' and placeholders ('null', 'N/A', ...)."""
    return f"NULLIF(regexp_replace(TRIM(CAST({q(col)} AS VARCHAR)), '{_PLACEHOLDER_RE}', ''), '')"


def trimmed_sql(col: str) -> str:
    return f"NULLIF(TRIM(CAST({q(col)} AS VARCHAR)), '')"


def money_sql(t: str) -> str:
    """DECIMAL(38,10) from trimmed text (see MONEY_RE); plain numbers take the fast path."""
    return (
        f"COALESCE(TRY_CAST({t} AS {MONEY}), CASE WHEN regexp_full_match({t}, '{MONEY_RE}')"
        f" THEN TRY_CAST(replace(replace({t}, '$', ''), ',', '') AS {MONEY}) END)"
    )


def placeholder_sql(t: str) -> str:
    """Is trimmed text a placeholder for 'no value' ('null', 'N/A', ...)?"""
    return f"regexp_full_match({t}, '{_PLACEHOLDER_RE}')"


def timestamp_ok_sql(v: str) -> str:
    """Does cleaned text parse as a date/time (the shapes above)? Same branch order as the dbt macro."""
    return (
        f"(CASE WHEN regexp_full_match({v}, '{MDY_RE}') THEN TRY_STRPTIME({v}, {_FMTS}) IS NOT NULL"
        f" ELSE TRY_CAST({v} AS TIMESTAMPTZ) IS NOT NULL OR regexp_full_match({v}, '{LOOSE_RE}') END)"
    )


def year_month_sql(v: str) -> str:
    """'YYYY-MM' of a date/time (UTC), for x_billing_period."""
    return (
        f"(CASE WHEN regexp_full_match({v}, '{MDY_RE}') THEN strftime(TRY_STRPTIME({v}, {_FMTS}), '%Y-%m')"
        f" WHEN TRY_CAST({v} AS TIMESTAMPTZ) IS NOT NULL"
        f" THEN strftime(timezone('UTC', TRY_CAST({v} AS TIMESTAMPTZ)), '%Y-%m')"
        f" ELSE substr({v}, 1, 7) END)"
    )


def json_sql(col: str, typed: bool) -> str:
    """JSON text: CSV cells as delivered; typed (Parquet) MAP/STRUCT/LIST values serialised with to_json."""
    text = f"NULLIF(TRIM(CAST({q(col)} AS VARCHAR)), '')"
    if not typed:
        return text
    return (
        f"(CASE WHEN json_type(to_json({q(col)})) = 'VARCHAR' THEN {text} ELSE CAST(to_json({q(col)}) AS VARCHAR) END)"
    )


def extensions_sql(cols: list[str], typed: bool) -> str:
    """One JSON object per row with the non-FOCUS columns that have a value. Typed (Parquet) values keep their
    JSON type (a MAP is an object); a CSV cell holding a JSON object (AWS x_CostCategories, Azure x_SkuDetails)
    is embedded as an object. json_merge_patch into '{}' drops the NULL members."""
    if not cols:
        return "CAST(NULL AS VARCHAR)"
    pairs = []
    for c in cols:
        tr = trimmed_sql(c)
        if typed:
            v = f"CASE WHEN TRIM(CAST({q(c)} AS VARCHAR)) = '' THEN NULL ELSE {q(c)} END"
        else:
            v = f"CASE WHEN starts_with({tr}, '{{') AND json_valid({tr}) THEN CAST({tr} AS JSON) ELSE to_json({tr}) END"
        pairs.append(f"{lit(c)}, {v}")
    return f"NULLIF(CAST(json_merge_patch('{{}}', json_object({', '.join(pairs)})) AS VARCHAR), '{{}}')"


# ------------------------------------------------------------------------------------------ transform
def column_map(header: list[str]) -> dict[str, str]:
    """FOCUS/legacy column ID -> the file's own spelling of it (first case-insensitive match)."""
    by_lower: dict[str, str] = {}
    for h in header:
        by_lower.setdefault(h.strip().lower(), h)
    return {name: by_lower[name.lower()] for name, _, _ in s.ALL_COLUMNS if name.lower() in by_lower}


def build_select(b: SelectBuilder, ref: FileRef | None, delivery: Delivery) -> None:
    cmap = column_map(b.header)
    file = ref.rel if ref is not None else "<schema>"
    missing = [alts for alts in s.REQUIRED_COLUMNS if not any(a in cmap for a in alts)]
    if missing:
        names = ", ".join("|".join(alts) for alts in missing)
        raise BadInputError(
            file,
            f"missing required FOCUS column(s) {names}",
            row=0,
            field=missing[0][0],
            hint="A FOCUS export needs BilledCost, EffectiveCost, BillingPeriodStart/End, ChargePeriodStart/End "
            "and ChargeCategory (names matched case-insensitively; AmortizedCost and ChargeType accepted). "
            "Re-export with the provider's full FOCUS column set and deliver it again.",
        )
    typed = ref is not None and file_kind(ref.url) == "parquet"

    for name, out, kind in s.ALL_COLUMNS:
        col = cmap.get(name)
        if col is None:
            b.add(out, f"CAST(NULL AS {MONEY})" if kind == "money" else "CAST(NULL AS VARCHAR)")
            continue
        tr = trimmed_sql(col)
        if kind == "money":
            parsed = money_sql(tr)
            b.checks.append(
                (
                    col,
                    f"CAST({q(col)} AS VARCHAR)",
                    f"{tr} IS NOT NULL AND {parsed} IS NULL AND NOT {placeholder_sql(tr)}",
                )
            )
            b.add(out, parsed)
        elif kind == "date":
            b.checks.append(
                (
                    col,
                    f"CAST({q(col)} AS VARCHAR)",
                    f"{tr} IS NOT NULL AND NOT {placeholder_sql(tr)} AND NOT {timestamp_ok_sql(tr)}",
                )
            )
            b.add(out, tr)
        elif kind == "json":
            b.add(out, json_sql(col, typed))
        else:
            b.text(out, col)

    # required values: a row without one cannot be placed or counted
    for alts in s.REQUIRED_COLUMNS:
        col = next(cmap[a] for a in alts if a in cmap)
        tr = trimmed_sql(col)
        b.checks.append((col, "'(empty)'", f"{tr} IS NULL OR {placeholder_sql(tr)}"))
    cat = next(cmap[a] for a in ("ChargeCategory", "ChargeType") if a in cmap)
    allowed = "(" + ", ".join(lit(c.lower()) for c in s.CHARGE_CATEGORIES) + ")"
    b.checks.append((cat, f"CAST({q(cat)} AS VARCHAR)", f"lower({clean_sql(cat)}) NOT IN {allowed}"))

    known = set(cmap.values())
    b.add("x_provider_extensions", extensions_sql([h for h in b.header if h not in known], typed))
    b.add("source_focus_version", lit(detect_version(b.header)))
    b.add("x_billing_period", year_month_sql(clean_sql(cmap["BillingPeriodStart"])))
