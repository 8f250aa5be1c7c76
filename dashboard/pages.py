"""The ten pages. Each reads only through :mod:`dashboard.queries` (by figure name, via :func:`dashboard.ui.figure`
or :func:`dashboard.ui.data`) and draws with :mod:`dashboard.charts` (vega-lite specs, in Altair's API); every figure
has its rows and a CSV download under it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from . import charts as alt
from . import queries as q
from . import ui

STATUS_COLORS = alt.Scale(
    domain=["breached", "over_budget", "at_risk", "on_track", "not_started", "closed"],
    range=["#c0392b", "#c0392b", "#e67e22", "#27ae60", "#95a5a6", "#7f8c8d"],
)


def _money_axis(title: str) -> dict:
    return alt.Axis(title=title, format=",.0f")


# ---------------------------------------------------------------------------------------------------------------------
def summary(f: q.Filters) -> None:
    st.title("Executive summary")
    head = ui.data("spend_headline", f)
    if head is None:
        return
    if head.empty:
        st.info("No spend in the FOCUS record for these filters.")
        return
    h = head.iloc[0]
    cur = h["currency"]
    st.caption(
        f"Billing period {h['period']}; amounts in the reporting currency {cur} (every billing currency converted at "
        "the charge date's rate). The business-unit filter applies to the showback, budgets and anomalies, not to "
        "the FOCUS record's totals."
    )
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    c1.metric(f"Effective cost {h['period']} ({cur})", ui.money(h["effective_cost"], cur))
    c2.metric(f"AI and ML cost ({cur})", ui.money(h["ai_cost"], cur))
    c3.metric("AI share of effective cost", ui.pct(h["ai_share"]))
    c4.metric(
        f"Month over month (vs {h['previous_period'] or '-'})",
        ui.money(h["change"], cur),
        delta=ui.pct(h["change_ratio"]) if pd.notna(h["change_ratio"]) else None,
        delta_color="inverse",
    )
    if h["rows_without_fx"]:
        st.warning(f"{int(h['rows_without_fx']):,} rows have no FX rate to {cur} and are left out of the totals.")

    left, right = st.columns(2)
    with left:
        df = ui.figure(
            "Spend by month: AI and ML vs the rest",
            "spend_by_month",
            f,
            lambda d: (
                alt.Chart(d)
                .mark_bar()
                .encode(
                    x=alt.X("period:N", title=None),
                    y=alt.Y("effective_cost:Q", axis=_money_axis(f"effective cost ({cur})")),
                    color=alt.Color("category:N", scale=alt.Scale(range=["#8e44ad", "#95a5a6"])),
                    tooltip=["period", "category", "currency", alt.Tooltip("effective_cost:Q", format=",.2f")],
                )
            ),
        )
        if df is not None and not df.empty:
            ui.focus_drill(f, df.assign(provider_name=None), "spend-by-month", by=("category",))
    with right:
        df = ui.figure(
            "Top movers vs the previous period",
            "top_movers",
            f,
            lambda d: (
                alt.Chart(d)
                .mark_bar()
                .encode(
                    x=alt.X("change:Q", axis=_money_axis(f"change ({cur})")),
                    y=alt.Y(
                        "service_name:N", sort=alt.EncodingSortField("change", op="sum", order="descending"), title=None
                    ),
                    color=alt.condition("datum.change > 0", alt.value("#c0392b"), alt.value("#27ae60")),
                    tooltip=["provider_name", "service_name", "currency", "effective_cost", "previous_cost", "change"],
                )
            ),
        )
        if df is not None and not df.empty:
            ui.focus_drill(f, df, "top-movers")
    left, right = st.columns(2)
    with left:
        ui.figure(
            "Forecast vs budget",
            "budget_status",
            f,
            _budget_chart,
            empty="No budgets for this period: add them to seeds/reference/budgets.csv and run `finops run`.",
        )
    with right:
        df = ui.figure(
            "Spend by provider",
            "spend_by_provider",
            f,
            lambda d: (
                alt.Chart(d)
                .mark_bar()
                .encode(
                    x=alt.X("sum(effective_cost):Q", axis=_money_axis(f"effective cost ({cur})")),
                    y=alt.Y("provider_name:N", sort="-x", title=None),
                    color=alt.Color("service_category:N", legend=alt.Legend(orient="bottom", columns=2)),
                    tooltip=["provider_name", "service_category", "currency", "effective_cost", "rows"],
                )
            ),
        )
        if df is not None and not df.empty:
            ui.focus_drill(f, df.assign(service_name=None), "spend-by-provider", by=("provider_name",))


def _budget_chart(d: pd.DataFrame):
    d = d.assign(label=d["scope_value"] + " (" + d["scope_type"].str.replace("_", " ") + ", " + d["currency"] + ")")
    bars = (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("projected_month_end:Q", axis=_money_axis("projected month end (bar) vs budget (tick)")),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("status:N", scale=STATUS_COLORS),
            tooltip=[
                "budget_id",
                "owner",
                "currency",
                "budget_amount",
                "actual_to_date",
                "projected_month_end",
                "status",
            ],
        )
    )
    ticks = (
        alt.Chart(d)
        .mark_tick(color="black", thickness=3, size=18)
        .encode(x="budget_amount:Q", y=alt.Y("label:N", sort="-x"))
    )
    return bars + ticks


# ---------------------------------------------------------------------------------------------------------------------
def ai_models(f: q.Filters) -> None:
    st.title("AI models and unit economics")
    df = ui.figure(
        "AI spend per model",
        "ai_model_costs",
        f,
        lambda d: (
            alt.Chart(d.dropna(subset=["model_name"]).head(20))
            .mark_bar()
            .encode(
                x=alt.X("billed_cost:Q", axis=_money_axis("billed cost (vendor currency)")),
                y=alt.Y("model_name:N", sort="-x", title=None),
                color="vendor:N",
                tooltip=[
                    "vendor",
                    "model_name",
                    "currency",
                    "tokens",
                    "requests",
                    "billed_cost",
                    "expected_cost",
                    "cost_per_million_tokens",
                ],
            )
        ),
        empty="No AI model usage in this period.",
    )
    if df is not None and not df.empty:
        ui.figure(
            "Cost per 1M tokens",
            "ai_model_costs",
            f,
            lambda d: (
                alt.Chart(d.dropna(subset=["cost_per_million_tokens"]))
                .mark_bar()
                .encode(
                    x=alt.X("cost_per_million_tokens:Q", title="cost per 1M tokens (vendor currency)"),
                    y=alt.Y("model_name:N", sort="-x", title=None),
                    color="vendor:N",
                    tooltip=["vendor", "model_name", "currency", "tokens", "cost_per_million_tokens"],
                )
            ),
            key="ai-cost-per-million",
        )
        models = sorted(df["model_name"].dropna().unique())
        ui.drill(
            "Drill down to the usage lines (API key, project)", "ai-usage", "model", models, "ai_usage_rows", f, "model"
        )
        ui.focus_drill(f, df, "ai-models", by=("model_name",))
    ui.figure(
        "AI spend per day",
        "ai_daily_cost",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_area()
            .encode(
                x=alt.X("usage_date:T", title=None),
                y=alt.Y("sum(billed_cost):Q", axis=_money_axis("billed cost")),
                color="vendor:N",
                tooltip=["usage_date:T", "vendor", "currency", "billed_cost"],
            )
        ),
    )
    ui.figure(
        "Unit economics per product",
        "unit_costs",
        f,
        lambda d: (
            alt.Chart(d[d["scope"] == "product"] if "product" in set(d["scope"]) else d)
            .mark_bar()
            .encode(
                x=alt.X("cost_per_transaction:Q", title="cost per business transaction"),
                y=alt.Y("product:N", sort="-x", title=None),
                color="business_unit:N",
                tooltip=[
                    "product",
                    "business_unit",
                    "currency",
                    "allocated_cost",
                    "transactions",
                    "cost_per_transaction",
                    "cost_per_request",
                    "cost_per_active_user",
                ],
            )
        ),
        empty="No unit costs: load business KPIs (docs: Sources > Business KPIs) and run `finops run`.",
    )


# ---------------------------------------------------------------------------------------------------------------------
def showback(f: q.Filters) -> None:
    st.title("Showback and chargeback")
    st.caption("Allocated amounts are in the billing currency, one row per currency.")
    df = ui.figure(
        "Showback by business unit",
        "showback_by_business_unit",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("effective_cost:Q", axis=_money_axis("allocated effective cost")),
                y=alt.Y("business_unit:N", sort="-x", title=None),
                color="currency:N",
                tooltip=["business_unit", "currency", "effective_cost", "previous_effective_cost", "change"],
            )
        ),
    )
    if df is not None and not df.empty:
        cols = st.columns(min(len(df), 4))
        for col, (_, r) in zip(cols, df.head(4).iterrows(), strict=False):
            col.metric(f"{r['business_unit']} ({r['currency']})", ui.money(r["effective_cost"], r["currency"]))
        units = sorted(df["business_unit"].unique())
        ui.drill(
            "Drill down to the allocated lines (rule, method, FOCUS charge)",
            "allocated",
            "business unit",
            units,
            "cost_allocated_rows",
            f,
            "business_unit",
        )
        detail = ui.data("showback_detail", f)
        if detail is not None:
            ui.focus_drill(f, detail, "showback")
    ui.figure("Showback detail", "showback_detail", f, None)
    left, right = st.columns(2)
    with left:
        ui.figure(
            "Allocation accuracy",
            "allocation_accuracy",
            f,
            lambda d: (
                alt.Chart(d)
                .mark_line(point=True)
                .encode(
                    x=alt.X("billing_period:N", title=None),
                    y=alt.Y("accuracy_ratio:Q", axis=alt.Axis(format="%", title="allocated share of effective cost")),
                    color="currency:N",
                    tooltip=[
                        "billing_period",
                        "currency",
                        "total_cost",
                        "unallocated_cost",
                        "accuracy_ratio",
                        "main_unallocated_causes",
                    ],
                )
            ),
        )
    with right:
        ui.figure(
            "Required-tag coverage",
            "tag_coverage",
            f,
            lambda d: (
                alt.Chart(d)
                .mark_bar()
                .encode(
                    x=alt.X("covered_ratio:Q", axis=alt.Axis(format="%", title="covered share of taggable cost")),
                    y=alt.Y("tag_key:N", sort="x", title=None),
                    color="currency:N",
                    tooltip=["tag_key", "currency", "taggable_cost", "covered_cost", "uncovered_cost", "covered_ratio"],
                )
            ),
        )
    ui.figure("Chargeback journal", "chargeback_journal", f, None, empty="No journal for this period.")


# ---------------------------------------------------------------------------------------------------------------------
def budgets(f: q.Filters) -> None:
    st.title("Budgets and forecast")
    ui.figure(
        "Budgets: projected month end vs budget",
        "budget_status",
        f,
        _budget_chart,
        empty="No budgets for this period: add them to seeds/reference/budgets.csv and run `finops run`.",
    )
    scopes = ui.data("forecast_scopes", f)
    if scopes is None or scopes.empty:
        return
    c1, c2, c3 = st.columns(3)
    types = list(dict.fromkeys(scopes["scope_type"]))
    scope_type = c1.selectbox("forecast scope", types, index=types.index("total") if "total" in types else 0)
    values = list(scopes.loc[scopes["scope_type"] == scope_type, "scope_value"])
    scope_value = c2.selectbox("scope value", values)
    currencies = ui.data("forecast_currencies", f, scope_type=scope_type, scope_value=scope_value)
    currency = c3.selectbox("currency", list(currencies["currency"]) if currencies is not None else ["USD"])
    ui.figure(
        f"Forecast fan: {scope_type} {scope_value} ({currency})",
        "forecast_fan",
        f,
        _fan,
        scope_type=scope_type,
        scope_value=scope_value,
        currency=currency,
    )
    ui.figure(
        f"Burn projection of {f.period or 'the latest period'} ({currency})",
        "burn_projection",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_area(opacity=0.25)
            .encode(
                x="day:T", y=alt.Y("lower_80:Q", axis=_money_axis(f"cumulative cost ({currency})")), y2="upper_80:Q"
            )
            + alt.Chart(d)
            .mark_line(point=True)
            .encode(
                x=alt.X("day:T", title=None),
                y="cumulative:Q",
                color=alt.Color("series:N", scale=alt.Scale(range=["#2c3e50", "#e67e22"])),
                tooltip=["day:T", "series", "currency", "cumulative", "lower_80", "upper_80"],
            )
        ),
        currency=currency,
        empty="No spend in this period in that currency.",
    )
    # drawn when asked for: the page's first view stays within its time budget (issue 16: <= 2 s warm)
    st.subheader("Forecast accuracy on the holdout")
    if ui.lazy("Show the WAPE of each scope vs the seasonal-naive baseline", "accuracy"):
        ui.figure(
            f"Forecast accuracy: {scope_type} scopes (every scope in the rows below)",
            "forecast_accuracy",
            f,
            lambda d: _accuracy(d, scope_type),
        )


def _accuracy(d: pd.DataFrame, scope_type: str):
    """WAPE of the selected method vs the seasonal-naive baseline per scope of one scope type (a chart: the table of
    every scope is in the rows under it)."""
    d = d[d["scope_type"] == scope_type]
    if d.empty:
        return None
    long = d.assign(scope=d["scope_value"].astype(str) + " (" + d["currency"] + ")").melt(
        id_vars=["scope", "selected_method", "beats_baseline", "coverage_80", "coverage_95"],
        value_vars=["selected_wape", "snaive_wape"],
        var_name="method",
        value_name="wape",
    )
    long["method"] = long["method"].map({"selected_wape": "selected method", "snaive_wape": "seasonal naive"})
    return (
        alt.Chart(long.head(60))
        .mark_bar()
        .encode(
            x=alt.X("wape:Q", axis=alt.Axis(format="%", title="WAPE (lower is better)")),
            y=alt.Y("scope:N", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color("method:N", scale=alt.Scale(range=["#2980b9", "#95a5a6"])),
            yOffset="method:N",
            tooltip=["scope", "method", "wape", "selected_method", "beats_baseline", "coverage_80", "coverage_95"],
        )
    )


def _fan(d: pd.DataFrame):
    base = alt.Chart(d).encode(x=alt.X("day:T", title=None))
    return (
        base.mark_area(opacity=0.18, color="#2980b9").encode(
            y=alt.Y("lower_95:Q", axis=_money_axis("daily cost")), y2="upper_95:Q"
        )
        + base.mark_area(opacity=0.3, color="#2980b9").encode(y="lower_80:Q", y2="upper_80:Q")
        + base.mark_line(color="#2980b9", strokeDash=[4, 2]).encode(y="forecast:Q")
        + base.mark_line(color="#2c3e50").encode(
            y="actual:Q",
            tooltip=[
                "day:T",
                "currency",
                "actual",
                "forecast",
                "lower_80",
                "upper_80",
                "lower_95",
                "upper_95",
                "method",
            ],
        )
    )


# ---------------------------------------------------------------------------------------------------------------------
def anomalies(f: q.Filters) -> None:
    st.title("Anomalies")
    df = ui.data("open_anomalies", f)
    if df is not None:
        c1, c2, c3 = st.columns(3)
        c1.metric("Open anomalies", f"{len(df):,}")
        c2.metric("of them errors", f"{int((df['severity'] == 'error').sum()):,}")
        c3.metric("Oldest open (days)", f"{int(df['age_days'].max()):,}" if len(df) else "-")
    ui.figure(
        "Open anomalies: impact by driver (volume, price, mix, FX)",
        "open_anomalies",
        f,
        _decomposition,
        empty="No open anomalies.",
    )
    period_df = ui.figure(
        "Anomalies detected in the period, with owner and remediation time",
        "anomalies_of_period",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_circle(size=120)
            .encode(
                x=alt.X("detected_date:T", title="detected"),
                y=alt.Y("impact_amount:Q", axis=_money_axis("impact")),
                color=alt.Color("status:N"),
                shape="severity:N",
                tooltip=[
                    "scope_type",
                    "scope_value",
                    "owner",
                    "business_unit",
                    "currency",
                    "impact_amount",
                    "status",
                    "hours_to_acknowledge",
                    "hours_to_resolve",
                    "note",
                ],
            )
        ),
        empty="No anomaly detected in this period.",
    )
    if period_df is not None and not period_df.empty:
        st.caption("The largest, by impact:")
        ui.preview(
            period_df.head(10)[
                [
                    "scope_type",
                    "scope_value",
                    "owner",
                    "impact_amount",
                    "currency",
                    "status",
                    "hours_to_resolve",
                    "hours_to_acknowledge",
                    "primary_driver",
                    "detected_date",
                ]
            ],
        )
    ui.figure(
        "Remediation time per month",
        "remediation_trend",
        f,
        lambda d: (
            alt.Chart(
                d.melt(
                    id_vars=["detection_month"],
                    value_vars=["mean_hours_to_acknowledge", "mean_hours_to_resolve"],
                    var_name="measure",
                    value_name="hours",
                )
            )
            .mark_line(point=True)
            .encode(
                x=alt.X("detection_month:N", title=None),
                y="hours:Q",
                color="measure:N",
                tooltip=["detection_month", "measure", "hours"],
            )
        ),
    )


def _decomposition(d: pd.DataFrame):
    d = d.assign(
        label=d["scope_type"] + ": " + d["scope_value"].astype(str) + " (" + d["owner"].fillna("no owner") + ")"
    )
    long = d.melt(
        id_vars=["label", "currency", "age_days"],
        value_vars=["volume_effect", "price_effect", "mix_effect", "fx_effect", "residual_effect"],
        var_name="driver",
        value_name="amount",
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("sum(amount):Q", axis=_money_axis("impact")),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            color="driver:N",
            tooltip=["label", "driver", "currency", "amount", "age_days"],
        )
    )


# ---------------------------------------------------------------------------------------------------------------------
def waste(f: q.Filters) -> None:
    st.title("Waste and cost avoidance")
    df = ui.data("waste_candidates", f)
    if df is not None and not df.empty:
        c1, c2 = st.columns(2)
        cur = df["currency"].iloc[0]
        c1.metric("Waste candidates", f"{len(df):,}")
        c2.metric(f"Estimated monthly savings ({cur})", ui.money(df["estimated_monthly_savings"].sum(), cur))
    ui.figure(
        "Waste found: estimated monthly savings",
        "waste_candidates",
        f,
        lambda d: (
            alt.Chart(d.assign(label=d["waste_type"] + ": " + d["name"].fillna("")))
            .mark_bar()
            .encode(
                x=alt.X("estimated_monthly_savings:Q", axis=_money_axis("estimated monthly savings")),
                y=alt.Y("label:N", sort="-x", title=None),
                color="waste_type:N",
                tooltip=[
                    "waste_type",
                    "name",
                    "resource_id",
                    "owner",
                    "currency",
                    "cost_30d",
                    "estimated_monthly_savings",
                    "evidence",
                ],
            )
        ),
        empty="No waste found.",
    )
    ui.figure(
        "Cost avoided: projected vs realised",
        "cost_avoidance",
        f,
        lambda d: (
            alt.Chart(
                d.melt(
                    id_vars=["action_id", "currency"],
                    value_vars=["projected_monthly_savings", "realised_monthly_savings"],
                    var_name="measure",
                    value_name="amount",
                )
            )
            .mark_bar()
            .encode(
                x=alt.X("amount:Q", axis=_money_axis("monthly savings")),
                y=alt.Y("action_id:N", title=None),
                color="measure:N",
                yOffset="measure:N",
                tooltip=["action_id", "measure", "currency", "amount"],
            )
        ),
        empty="No action recorded on waste yet (seeds/reference/waste_actions.csv).",
    )


# ---------------------------------------------------------------------------------------------------------------------
def shadow_ai(f: q.Filters) -> None:
    st.title("Shadow AI and the AI inventory")
    df = ui.figure(
        "Shadow AI: spend no sanctioned contract covers",
        "shadow_ai_by_vendor",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("sum(amount):Q", axis=_money_axis(f"amount ({d['currency'].iloc[0]})")),
                y=alt.Y("vendor:N", sort="-x", title=None),
                color="spend_month:N",
                tooltip=["vendor", "spend_month", "currency", "amount", "lines", "channels", "payers", "first_seen"],
            )
        ),
        empty="No shadow AI spend found (or no AP / card data loaded: docs Sources > Finance).",
    )
    if df is not None and not df.empty:
        vendors = sorted(df["vendor"].unique())
        ui.drill(
            "Drill down to the AP and card lines (source file and row)",
            "shadow",
            "vendor",
            vendors,
            "shadow_ai_rows",
            f,
            "vendor",
        )
    ui.figure(
        "AI inventory",
        "ai_inventory",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("count():Q", title="workloads"),
                y=alt.Y("workload_type:N", title=None),
                color="status:N",
                tooltip=["workload_type", "status", "count()"],
            )
        ),
    )


# ---------------------------------------------------------------------------------------------------------------------
def contracts(f: q.Filters) -> None:
    st.title("Contracts and commitments")
    ui.figure(
        "Commitment utilisation",
        "commitment_utilization",
        f,
        lambda d: (
            alt.Chart(d.assign(label=d["commitment_name"].fillna(d["commitment_id"])))
            .mark_bar()
            .encode(
                x=alt.X("projected_utilization:Q", axis=alt.Axis(format="%", title="projected utilisation")),
                y=alt.Y("label:N", sort="-x", title=None),
                color="status:N",
                tooltip=[
                    "commitment_id",
                    "provider_name",
                    "currency",
                    "minimum_commit",
                    "spend_to_date",
                    "projected_utilization",
                    "projected_shortfall",
                    "status",
                ],
            )
        ),
        empty="No commitment in this period.",
    )
    ui.figure("AI vendor contracts on file", "vendor_contracts", f, None, empty="No AI vendor contract on file.")


# ---------------------------------------------------------------------------------------------------------------------
def reconciliation(f: q.Filters) -> None:
    st.title("Reconciliation and close status")
    ui.figure("Close status per billing period", "close_status", f, None)
    ui.figure(
        "Invoice reconciliation: variance by cause",
        "reconciliation",
        f,
        _variance,
        empty="No invoices to reconcile (load AP invoices and the ledger: docs Sources > Finance).",
    )


def _variance(d: pd.DataFrame):
    d = d[d["status"] != "matched"]
    if d.empty:
        return None
    long = d.assign(label=d["vendor"] + " " + d["billing_period"] + " (" + d["status"] + ")").melt(
        id_vars=["label", "currency"],
        value_vars=[
            "tax_variance",
            "credit_variance",
            "timing_variance",
            "fx_variance",
            "rounding_variance",
            "unexplained_variance",
        ],
        var_name="cause",
        value_name="amount",
    )
    return (
        alt.Chart(long[long["amount"].fillna(0) != 0])
        .mark_bar()
        .encode(
            x=alt.X("sum(amount):Q", title="variance (invoice currency)"),
            y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=320)),
            color="cause:N",
            tooltip=["label", "cause", "currency", "amount"],
        )
    )


# ---------------------------------------------------------------------------------------------------------------------
def data_health(f: q.Filters) -> None:
    st.title("Data health")
    pub = ui.data("publication", f)
    if pub is not None and not pub.empty:
        st.metric("Published at (UTC)", str(pub["published_at"].max())[:19])
    ui.figure(
        "Freshness per source",
        "source_freshness",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("rows:Q", title="rows in the FOCUS record"),
                y=alt.Y("source:N", sort="-x", title=None),
                color=alt.Color("last_period:N", title="last period"),
                tooltip=[
                    "source",
                    "format",
                    "rows",
                    "first_period",
                    "last_period",
                    "latest_charge_date",
                    "last_loaded_at",
                    "deliveries",
                ],
            )
        ),
    )
    ui.figure("Last loads", "last_loads", f, None)
    ui.figure(
        "Quarantine",
        "quarantine",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x="records:Q",
                y=alt.Y("dataset:N", title=None),
                color="reason:N",
                tooltip=["dataset", "field", "reason", "records", "files", "hint"],
            )
        ),
        empty="No record is quarantined.",
    )
    ui.figure(
        "FOCUS conformance (spot checks on the published record; `finops validate-focus` runs the full validator)",
        "conformance",
        f,
        lambda d: (
            alt.Chart(d)
            .mark_bar()
            .encode(
                x=alt.X("rows_violating:Q", title="rows violating"),
                y=alt.Y("rule:N", title=None),
                color=alt.Color("status:N", scale=alt.Scale(domain=["pass", "fail"], range=["#27ae60", "#c0392b"])),
                tooltip=["rule", "rows_checked", "rows_violating", "status"],
            )
        ),
    )
    if pub is not None:
        ui.figure("What the published copy holds", "publication", f, None)


# (url path, title, function), in the sidebar's order
PAGES = [
    ("summary", "Executive summary", summary),
    ("ai-models", "AI models and unit economics", ai_models),
    ("showback", "Showback and chargeback", showback),
    ("budgets", "Budgets and forecast", budgets),
    ("anomalies", "Anomalies", anomalies),
    ("waste", "Waste and cost avoidance", waste),
    ("shadow-ai", "Shadow AI and AI inventory", shadow_ai),
    ("contracts", "Contracts and commitments", contracts),
    ("reconciliation", "Reconciliation and close", reconciliation),
    ("data-health", "Data health", data_health),
]
