"""Read-only summaries of the warehouse for people: the demo's closing table and `finops load` output."""

from __future__ import annotations

from decimal import Decimal

import duckdb

SPEND_BY = {
    "provider": "provider_name",
    "service category": "service_category",
    "billing period": "x_billing_period",
}


def _fmt(v: Decimal | None) -> str:
    return f"{(v or Decimal(0)):,.2f}"


def spend_summary(warehouse: str, where: str = "1=1", marts: bool = True) -> str:
    """Spend by provider, by service category and by period, plus the AI share, as text, from the FOCUS record
    (marts.fct_charges); with ``marts`` also the AI model costs, allocation, reconciliation, shadow AI and AI
    inventory marts. Without (`finops load`, which rebuilds the record only) a closing line says where they are."""
    con = duckdb.connect(warehouse, read_only=True)
    try:
        lines: list[str] = []
        for title, col in SPEND_BY.items():
            rows = con.execute(
                f"select {col}, billing_currency, sum(billed_cost), sum(effective_cost), count(*) "
                f"from marts.fct_charges where {where} group by all order by 4 desc nulls last"
            ).fetchall()
            lines.append(f"\nSpend by {title}:")
            lines.append(f"  {'':<34} {'cur':<4} {'billed':>16} {'effective':>16} {'rows':>10}")
            for name, cur, billed, eff, n in rows:
                lines.append(f"  {name!s:<34} {cur or '':<4} {_fmt(billed):>16} {_fmt(eff):>16} {n:>10,}")
        ai, total, cur, no_rate = con.execute(
            "select sum(x_reporting_effective_cost) filter (where service_category = 'AI and Machine Learning'), "
            "sum(x_reporting_effective_cost), any_value(x_reporting_currency), "
            "count(*) filter (where x_fx_rate_missing) "
            f"from marts.fct_charges where {where}"
        ).fetchone()
        share = (ai or Decimal(0)) / total * 100 if total else Decimal(0)
        lines.append(
            f"\nAI and Machine Learning share of effective cost ({cur or 'reporting currency'}, every billing "
            f"currency converted by charge date): {_fmt(ai)} of {_fmt(total)} = {share:.1f}%"
            + (f" ({no_rate:,} rows without an FX rate left out)" if no_rate else "")
        )
        if marts:
            lines += _ai_model_summary(con)
            lines += _allocation_summary(con)
            lines += _finance_summary(con)
        else:
            lines.append(
                "\nThe FOCUS record and its checks are rebuilt; the AI model cost, allocation, finance and "
                "governance marts are not (run `finops run` to refresh them)."
            )
        return "\n".join(lines)
    finally:
        con.close()


def _has_mart(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?", [table]
        ).fetchone()[0]
        > 0
    )


def _ai_model_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Token-priced AI spend per vendor: tokens, billed, usage x contracted price, effective USD per 1M tokens."""
    if not _has_mart(con, "fct_ai_model_costs_daily"):
        return []
    rows = con.execute(
        "select vendor, currency, sum(tokens), sum(billed_token_cost), sum(expected_cost), "
        "count(*) filter (where reconciliation_status in ('over_billed', 'under_billed', 'unpriced')) "
        "from marts.fct_ai_model_costs_daily group by all order by 4 desc nulls last"
    ).fetchall()
    if not rows:
        return []
    out = [
        "\nAI model spend (token-priced lines; expected = usage x contracted price):",
        f"  {'vendor':<16} {'cur':<4} {'tokens':>18} {'billed':>14} {'expected':>14} "
        f"{'$/1M tok':>9} {'out of tol.':>11}",
    ]
    for vendor, cur, tokens, billed, expected, off in rows:
        per_m = billed / tokens * 1_000_000 if tokens and billed is not None else None
        out.append(
            f"  {vendor:<16} {cur or '':<4} {(tokens or 0):>18,.0f} {_fmt(billed):>14} {_fmt(expected):>14} "
            f"{(f'{per_m:.3f}' if per_m is not None else '-'):>9} {off:>11,}"
        )
    return out


def _allocation_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Allocation accuracy per month: allocated share, unallocated amount and its main causes."""
    if not _has_mart(con, "fct_allocation_accuracy"):
        return []
    rows = con.execute(
        "select distinct billing_period, billing_currency, period_total_cost, period_unallocated_cost, "
        "period_accuracy_ratio, main_unallocated_causes from marts.fct_allocation_accuracy order by 1, 2"
    ).fetchall()
    if not rows:
        return []
    out = [
        "\nAllocation (rules: seeds/allocation/allocation_rules.csv; marts.fct_cost_allocated):",
        f"  {'period':<8} {'cur':<4} {'total':>16} {'unallocated':>14} {'accuracy':>9}  main causes",
    ]
    for period, cur, total, unalloc, acc, causes in rows:
        out.append(
            f"  {period:<8} {cur or '':<4} {_fmt(total):>16} {_fmt(unalloc):>14} "
            f"{(f'{acc * 100:.2f}%' if acc is not None else '-'):>9}  {causes or '-'}"
        )
    return out


def _finance_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Three-way reconciliation outcome, shadow AI per vendor and the AI inventory per type and status."""
    out: list[str] = []
    if _has_mart(con, "fct_invoice_reconciliation"):
        rows = con.execute(
            "select vendor, invoice_number, billing_period, currency, variance, unexplained_variance, status, "
            "explanation "
            "from marts.fct_invoice_reconciliation order by status = 'matched', vendor, billing_period"
        ).fetchall()
        if rows:
            counts: dict[str, int] = {}
            for r in rows:
                counts[r[6]] = counts.get(r[6], 0) + 1
            out += [
                "\nThree-way reconciliation (billing vs invoice vs ledger; marts.fct_invoice_reconciliation): "
                + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
                f"  {'vendor':<20} {'invoice':<16} {'period':<8} {'cur':<4} {'variance':>14} "
                f"{'unexplained':>12}  status",
            ]
            for vendor, inv, period, cur, var, unexpl, status, _expl in rows:
                if status == "matched" and abs(var or 0) < Decimal("0.01"):
                    continue
                out.append(
                    f"  {vendor!s:<20} {inv!s:<16} {period:<8} {cur or '':<4} {_fmt(var):>14} "
                    f"{_fmt(unexpl):>12}  {status}"
                )
    if _has_mart(con, "fct_shadow_ai_spend"):
        rows = con.execute(
            "select vendor, coalesce(product, ''), string_agg(distinct channel, ', ' order by channel), count(*), "
            "sum(amount_reporting), count(*) filter (where fx_rate_missing), min(spend_date), "
            "any_value(reporting_currency) "
            "from marts.fct_shadow_ai_spend group by 1, 2 order by 5 desc nulls last"
        ).fetchall()
        if rows:
            out += [
                "\nShadow AI (AI vendor spend no sanctioned contract covers; marts.fct_shadow_ai_spend):",
                f"  {'vendor':<14} {'product':<14} {'channels':<16} {'lines':>5} {'amount':>12} "
                f"{'no FX rate':>10}  first seen",
            ]
            for vendor, product, channels, n, amount, no_fx, first, cur in rows:
                out.append(
                    f"  {vendor:<14} {product:<14} {channels:<16} {n:>5} {_fmt(amount):>8} {cur or '':<3} "
                    f"{no_fx:>10}  {first}"
                )
    if _has_mart(con, "dim_ai_workloads"):
        rows = con.execute(
            "select workload_type, status, count(*), count(*) filter (where not sanctioned) "
            "from marts.dim_ai_workloads group by all order by 1, 2"
        ).fetchall()
        if rows:
            out.append(
                "\nAI inventory (marts.dim_ai_workloads): "
                + "; ".join(f"{t} {s} {n}" + (f" ({u} unsanctioned)" if u else "") for t, s, n, u in rows)
            )
    return out


def quarantine_rows(warehouse: str, dataset: str | None = None):
    """Every quarantined record (of ``dataset`` only, when given), newest first: a
    :class:`~data_quality.quarantine.QuarantineReport` read read-only from ``marts.fct_quarantined_records`` (the raw
    quarantine tables before dbt has built it)."""
    from data_quality.quarantine import read_records

    return read_records(warehouse, dataset)
