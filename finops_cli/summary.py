"""Read-only summaries of the warehouse for people: the closing tables of `finops run` / `make demo` /
`finops summary`, and of `finops load`.

One way to read and one way to print: every section is a query on one mart (:func:`_rows`: nothing when the mart
is not built), shaped into rows and printed by :func:`_table` (aligned columns, a totals row per currency, never
adding two currencies). What is printed is what the marts say, only presented: amounts with thousands separators
and two decimals (a missing amount is ``-``, never ``None`` or ``0.00``), every vendor under one name in every
section (the AI vendor catalogue's, seed ``ai_vendor_catalogue``: ``AWS`` and the price book's ``aws_bedrock`` both
print as ``Amazon Web Services``), no Python lists or dicts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from serving.vendor_names import VendorNames

SPEND_BY = {
    "provider": "provider_name",
    "service category": "service_category",
    "billing period": "x_billing_period",
}
NONE = "-"


def _money(v: Decimal | None) -> str:
    """An amount for people: thousands separators, two decimals; ``-`` when there is none."""
    return NONE if v is None else f"{v:,.2f}"


def _text(v) -> str:
    """Any value for people: ``-`` for NULL, lists and dicts as ``a, b`` / ``k v, ...``."""
    if v is None:
        return NONE
    if isinstance(v, dict):
        return ", ".join(f"{k} {_text(x)}" for k, x in v.items()) or NONE
    if isinstance(v, list | tuple | set):
        return ", ".join(_text(x) for x in v) or NONE
    return str(v)


def _causes(v: str | None) -> str:
    """``untagged: 4515.68; no_rule: 12.00`` (fct_allocation_accuracy) with its amounts shown as amounts."""
    if not v:
        return NONE
    return re.sub(r"(?<=: )(-?\d+(?:\.\d+)?)(?=;|$)", lambda m: _money(Decimal(m.group(1))), v)


def _count(v: int | None) -> str:
    return NONE if v is None else f"{v:,}"


@dataclass(frozen=True)
class Col:
    """A printed column: its header, width, alignment (``<`` text, ``>`` figures) and how a value is shown."""

    header: str
    width: int
    align: str = "<"
    show: Callable[[object], str] = _text
    gap: int = 1  # spaces before the column


def _table(cols: Sequence[Col], rows: Iterable[Sequence], indent: str = "  ") -> list[str]:
    """The header line and one line per row, every cell shown by its column and padded to its width (a longer
    value widens its own line, never cut; ``""`` stays blank)."""

    def line(cells: Sequence[str]) -> str:
        text = "".join(
            " " * (col.gap if i else 0) + f"{c:{col.align}{col.width}}"
            for i, (col, c) in enumerate(zip(cols, cells, strict=True))
        )
        return (indent + text).rstrip()

    out = [line([c.header for c in cols])]
    out += [line(["" if v == "" else col.show(v) for col, v in zip(cols, row, strict=True)]) for row in rows]
    return out


def _currency_totals(
    rows: Sequence[Sequence], currency: int, sums: Sequence[int], min_rows: int = 2
) -> list[list[object]]:
    """Totals rows, one per currency (column ``currency``, sorted): ``Total`` in the first column, the currency,
    and the sums of columns ``sums`` (``None`` stays out of a sum; a column with no value at all stays ``None``),
    the other columns blank; nothing for fewer than ``min_rows`` rows."""
    if len(rows) < min_rows:
        return []
    out = []
    for cur in sorted({r[currency] or "" for r in rows}):
        mine = [r for r in rows if (r[currency] or "") == cur]
        total: list[object] = [""] * len(rows[0])  # blank, not '-': a totals row has no vendor, period, ...
        total[0], total[currency] = "Total", cur or None
        for i in sums:
            values = [r[i] for r in mine if r[i] is not None]
            total[i] = sum(values[1:], values[0]) if values else None
        out.append(total)
    return out


def _has_mart(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, table = relation.split(".")
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
        ).fetchone()[0]
        > 0
    )


def _rows(con: duckdb.DuckDBPyConnection, relation: str, sql: str, params: Sequence = ()) -> list[tuple]:
    """``sql`` (which reads ``relation``) fetched, or no rows when ``relation`` is not built."""
    return con.execute(sql, list(params)).fetchall() if _has_mart(con, relation) else []


def _merge(rows: Iterable[Sequence], keys: int, sums: Sequence[int]) -> list[list]:
    """Rows with the same first ``keys`` values (two names of one vendor) merged, columns ``sums`` added."""
    merged: dict[tuple, list] = {}
    for r in rows:
        k = tuple(r[:keys])
        if k not in merged:
            merged[k] = list(r)
            continue
        m = merged[k]
        for i in sums:
            m[i] = r[i] if m[i] is None else m[i] if r[i] is None else m[i] + r[i]
    return list(merged.values())


MONEY = {"align": ">", "show": _money}
COUNT = {"align": ">", "show": _count}


def spend_summary(warehouse: str, where: str = "1=1", marts: bool = True) -> str:
    """Spend by provider, by service category and by period with totals per currency, plus the AI share, as text,
    from the FOCUS record (marts.fct_charges); with ``marts`` also the AI model costs, allocation, reconciliation,
    shadow AI and AI inventory marts. Without (`finops load`, which rebuilds the record only) a closing line says
    where they are."""
    con = duckdb.connect(warehouse, read_only=True)
    try:
        vendor = VendorNames.read(con)
        lines: list[str] = []
        for title, col in SPEND_BY.items():
            rows = con.execute(
                f"select {col}, billing_currency, sum(billed_cost), sum(effective_cost), count(*) "
                f"from marts.fct_charges where {where} group by all"
            ).fetchall()
            if col == "provider_name":
                rows = _merge(([vendor(n), c, b, e, k] for n, c, b, e, k in rows), 2, (2, 3, 4))
            rows = sorted(rows, key=lambda r: (r[3] is None, -(r[3] or 0), _text(r[0])))
            lines.append(f"\nSpend by {title}:")
            lines += _table(
                (
                    Col("", 34),
                    Col("cur", 4),
                    Col("billed", 16, **MONEY),
                    Col("effective", 16, **MONEY),
                    Col("rows", 10, **COUNT),
                ),
                [*rows, *_currency_totals(rows, 1, (2, 3, 4))],
            )
        ai, total, cur, no_rate = con.execute(
            "select sum(x_reporting_effective_cost) filter (where service_category = 'AI and Machine Learning'), "
            "sum(x_reporting_effective_cost), any_value(x_reporting_currency), "
            "count(*) filter (where x_fx_rate_missing) "
            f"from marts.fct_charges where {where}"
        ).fetchone()
        share = f"{(ai or Decimal(0)) / total * 100:.1f}%" if total else NONE
        lines.append(
            f"\nAI and Machine Learning share of effective cost ({cur or 'reporting currency'}, every billing "
            f"currency converted by charge date): {_money(ai or Decimal(0))} of {_money(total)} = {share}"
            + (f" ({no_rate:,} rows without an FX rate left out)" if no_rate else "")
        )
        if marts:
            lines += _ai_model_summary(con, vendor)
            lines += _allocation_summary(con)
            lines += _finance_summary(con, vendor)
        else:
            lines.append(
                "\nThe FOCUS record and its checks are rebuilt; the AI model cost, allocation, finance and "
                "governance marts are not (run `finops run` to refresh them)."
            )
        return "\n".join(lines)
    finally:
        con.close()


def _per_million(billed: Decimal | None, tokens: Decimal | None) -> str:
    return f"{billed / tokens * 1_000_000:.3f}" if tokens and billed is not None else NONE


def _ai_model_summary(con: duckdb.DuckDBPyConnection, vendor: VendorNames) -> list[str]:
    """Token-priced AI spend per vendor and channel: tokens, billed, usage x contracted price, effective price per
    1M tokens, days x models out of tolerance; a total per currency."""
    rows = _rows(
        con,
        "marts.fct_ai_model_costs_daily",
        "select vendor, usage_source, currency, sum(tokens), sum(billed_token_cost), sum(expected_cost), "
        "count(*) filter (where reconciliation_status in ('over_billed', 'under_billed', 'unpriced')) "
        "from marts.fct_ai_model_costs_daily group by all",
    )
    if not rows:
        return []
    via = {"api": "API", "cloud_billing": "cloud bill"}
    rows = _merge(([vendor(v), via.get(s, s), c, t, b, e, o] for v, s, c, t, b, e, o in rows), 3, (3, 4, 5, 6))
    rows.sort(key=lambda r: (r[4] is None, -(r[4] or 0), r[0]))
    totals = _currency_totals(rows, 2, (3, 4, 5, 6))
    return [
        "\nAI model spend (token-priced lines; expected = usage x contracted price):",
        *_table(
            (
                Col("vendor", 20),
                Col("via", 10),
                Col("cur", 4),
                Col("tokens", 18, ">", lambda v: NONE if v is None else f"{v:,.0f}"),
                Col("billed", 14, **MONEY),
                Col("expected", 14, **MONEY),
                Col("per 1M tok", 10, ">"),
                Col("out of tol.", 11, **COUNT),
            ),
            [[*r[:6], _per_million(r[4], r[3]), r[6]] for r in [*rows, *totals]],
        ),
    ]


def _allocation_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Allocation accuracy per month: allocated share, unallocated amount and its main causes; totals per currency."""
    rows = _rows(
        con,
        "marts.fct_allocation_accuracy",
        "select distinct billing_period, billing_currency, period_total_cost, period_unallocated_cost, "
        "period_accuracy_ratio, main_unallocated_causes from marts.fct_allocation_accuracy order by 1, 2",
    )
    if not rows:
        return []
    return [
        "\nAllocation (rules: seeds/allocation/allocation_rules.csv; marts.fct_cost_allocated):",
        *_table(
            (
                Col("period", 8),
                Col("cur", 4),
                Col("total", 16, **MONEY),
                Col("unallocated", 14, **MONEY),
                Col("accuracy", 9, ">", lambda v: NONE if v is None else f"{v * 100:.2f}%"),
                Col("main causes", 0, show=_causes, gap=2),
            ),
            [*rows, *_currency_totals(rows, 1, (2, 3))],
        ),
    ]


def _finance_summary(con: duckdb.DuckDBPyConnection, vendor: VendorNames) -> list[str]:
    """Three-way reconciliation outcome, shadow AI per vendor and the AI inventory per type and status."""
    return _reconciliation(con, vendor) + _shadow_ai(con, vendor) + _inventory(con)


def _reconciliation(con: duckdb.DuckDBPyConnection, vendor: VendorNames) -> list[str]:
    rows = _rows(
        con,
        "marts.fct_invoice_reconciliation",
        "select vendor, invoice_number, billing_period, currency, variance, unexplained_variance, status "
        "from marts.fct_invoice_reconciliation order by status = 'matched', vendor, billing_period",
    )
    if not rows:
        return []
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[6]] = counts.get(r[6], 0) + 1
    shown = [
        [vendor(v), inv, period, cur, var, unexpl, status]
        for v, inv, period, cur, var, unexpl, status in rows
        if not (status == "matched" and abs(var or 0) < Decimal("0.01"))
    ]
    totals = [
        [*t[:6], _rows_text(sum(1 for r in rows if (r[3] or None) == t[3]))]
        for t in _currency_totals(rows, 3, (4, 5), min_rows=1)
    ]
    hidden = len(rows) - len(shown)
    return [
        "\nThree-way reconciliation (billing vs invoice vs ledger; marts.fct_invoice_reconciliation): "
        + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        + (f"; {hidden} matched to the cent not listed" if hidden else ""),
        *_table(
            (
                Col("vendor", 20),
                Col("invoice", 16),
                Col("period", 8),
                Col("cur", 4),
                Col("variance", 14, **MONEY),
                Col("unexplained", 12, **MONEY),
                Col("status", 0, gap=2),
            ),
            [*shown, *totals],
        ),
    ]


def _rows_text(n: int) -> str:
    return "(1 row)" if n == 1 else f"(all {n:,} rows)"


def _shadow_ai(con: duckdb.DuckDBPyConnection, vendor: VendorNames) -> list[str]:
    rows = _rows(
        con,
        "marts.fct_shadow_ai_spend",
        "select vendor, product, string_agg(distinct channel, ', ' order by channel), count(*), "
        "any_value(reporting_currency), sum(amount_reporting), count(*) filter (where fx_rate_missing), "
        "min(spend_date) from marts.fct_shadow_ai_spend group by 1, 2 order by 6 desc nulls last",
    )
    if not rows:
        return []
    rows = [[vendor(v), *rest] for v, *rest in rows]
    return [
        "\nShadow AI (AI vendor spend no sanctioned contract covers; marts.fct_shadow_ai_spend):",
        *_table(
            (
                Col("vendor", 20),
                Col("product", 18),
                Col("channels", 16),
                Col("lines", 5, **COUNT),
                Col("cur", 4),
                Col("amount", 12, **MONEY),
                Col("no FX rate", 10, **COUNT),
                Col("first seen", 0, gap=2),
            ),
            [*rows, *_currency_totals(rows, 4, (3, 5, 6))],
        ),
    ]


def _inventory(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = _rows(
        con,
        "marts.dim_ai_workloads",
        "select workload_type, status, count(*), count(*) filter (where not sanctioned) "
        "from marts.dim_ai_workloads group by all order by 1, 2",
    )
    if not rows:
        return []
    return [
        f"\nAI inventory (marts.dim_ai_workloads): {sum(n for _, _, n, _ in rows):,} workloads: "
        + "; ".join(f"{_text(t)} {_text(s)} {n}" + (f" ({u} unsanctioned)" if u else "") for t, s, n, u in rows)
    ]


def quarantine_rows(warehouse: str, dataset: str | None = None):
    """Every quarantined record (of ``dataset`` only, when given), newest first: a
    :class:`~data_quality.quarantine.QuarantineReport` read read-only from ``marts.fct_quarantined_records`` (the raw
    quarantine tables before dbt has built it)."""
    from data_quality.quarantine import read_records

    return read_records(warehouse, dataset)
