"""The vectorised usage rows of one AWS plan: row ``i`` of the month is resource ``i % rows_per_slot`` (or the
Savings Plan negation of a covered resource) in slot ``i // rows_per_slot``; a batch of rows is built column by
column with numpy / Arrow, and the running totals the tail rows need (cost per account and product code, Savings
Plan use per slot, RI hours, SageMaker endpoint cost) are kept on the way.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .aws_arrow import STR, const, gather_map, masked_const, strings_from_matrix, where
from .aws_catalog import AWS_SKUS, CUR2_SCHEMA, DBL, MAP_SD, MAP_SS, TS
from .aws_plan import AwsPlan
from .enterprise import hash64, id_chars, urand

# line item type by role: 0 on-demand usage, 1 covered by the commitment, 2 Savings Plan negation
_LINE_ITEM_TYPES = {
    "sp": np.array(["Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation"], dtype=object),
    "ri": np.array(["Usage", "DiscountedUsage", "Usage"], dtype=object),
}
_RI_APPLIED = "USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), m5.xlarge reserved instance applied"
_HOUR_MS = 3_600_000


class RunningTotals:
    """What the tail rows are computed from, summed over the usage batches written so far."""

    def __init__(self, n_slots: int):
        self.cost: dict[tuple[int, str], float] = {}  # (account index, product code) -> unblended cost
        self.used = np.zeros(n_slots)  # Savings Plan commitment used per slot
        self.prod_cost: dict[int, float] = {}  # SageMaker endpoint resource index -> unblended cost
        self.ri_used = 0.0  # RI-covered hours

    def add_cost(self, key: tuple[int, str], amount: float) -> None:
        self.cost[key] = self.cost.get(key, 0.0) + amount

    def add_batch(self, plan: AwsPlan, lk: dict, res: np.ndarray, sku: np.ndarray, unblended: np.ndarray) -> None:
        sums = np.bincount(lk["res_acct"][res] * 1000 + sku, weights=unblended, minlength=0)
        for k in np.nonzero(sums)[0]:
            a_i, s_i = divmod(int(k), 1000)
            self.add_cost((a_i, AWS_SKUS[s_i].product_code), float(sums[k]))
        sm = np.bincount(res, weights=unblended, minlength=len(plan.resources))
        for r_i in plan.sm_resources:
            self.prod_cost[r_i] = self.prod_cost.get(r_i, 0.0) + float(sm[r_i])


def quantities(plan: AwsPlan, lk: dict, res: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """Usage amount of resource ``res`` in ``slot``: instances run the whole slot (dev ones part of a day on daily
    slots), storage grows slowly over the month, metered usage varies and dips on weekends."""
    sku = lk["res_sku"][res]
    kind = lk["sku_num"]["kind"][sku]
    base = lk["res_qty"][res]
    gidx = res.astype(np.int64) * 100_003 + slot.astype(np.int64)
    u = urand(plan.seed, plan.stream + 50, gidx)
    hours = float(plan.slot_hours)
    day = (slot * plan.slot_hours) // 24
    weekday = (plan.month.start.weekday() + day) % 7
    wk = np.where(weekday >= 5, 0.6, 1.0)
    q = np.empty(len(res))
    inst = kind == 0
    if plan.hourly:
        q[inst] = 1.0
    else:
        always_on = lk["res_env_prod"][res] | (plan.cov_rank[res] >= 0)
        up = np.where(always_on, 1.0, np.round(0.35 + 0.65 * u, 2))
        q[inst] = (hours * up)[inst]
    st = kind == 1
    q[st] = (base * hours / plan.month.hours * (1.0 + 0.003 * day))[st]
    me = kind == 2
    q[me] = (base * hours * (0.4 + 1.2 * u) * wk)[me]
    if plan.restate:  # late-arriving Bedrock usage on the last two days of the restated month
        late = lk["res_ai"][res] & (day >= plan.month.days - 2)
        q = np.where(late, q * 1.08, q)
    return np.round(q, 8)


def usage_batch(plan: AwsPlan, lk: dict, totals: RunningTotals, a: int, b: int) -> tuple[pa.Table, dict]:
    """Usage rows ``a``..``b`` of the month as a CUR 2.0 table, and aux arrays ``res``, ``sku``, ``role``."""
    idx, slot, res, role = _layout(plan, a, b)
    sku = lk["res_sku"][res]
    qty = quantities(plan, lk, res, slot)
    od_cost = np.round(qty * lk["sku_num"]["rate"][sku], 10)
    if plan.commitment == "sp":
        unblended = np.where(role == 2, -od_cost, od_cost)
        np.add.at(totals.used, slot[role == 1], _sp_effective(lk, sku, qty)[role == 1])
    else:
        unblended = np.where(role == 1, 0.0, od_cost)
        totals.ri_used += float(qty[role == 1].sum())
    totals.add_batch(plan, lk, res, sku, unblended)
    n = len(idx)
    cols: dict[str, pa.Array] = {}
    _bill_columns(plan, lk, cols, res, n)
    _identity_columns(plan, cols, idx, slot)
    _line_item_columns(plan, lk, cols, res, slot, sku, role, qty, unblended)
    _pricing_columns(plan, lk, cols, sku, role, od_cost)
    _product_columns(lk, cols, res, sku)
    if plan.commitment == "sp":
        _savings_plan_columns(plan, lk, cols, sku, role, qty)
    else:
        _reservation_columns(plan, cols, role, qty)
    table = pa.Table.from_arrays(
        [cols[f.name] if f.name in cols else pa.nulls(n, f.type) for f in CUR2_SCHEMA], schema=CUR2_SCHEMA
    )
    return table, {"res": res, "sku": sku, "role": role}


def _layout(plan: AwsPlan, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row index, slot, resource, role) of rows ``a``..``b``; role 0 usage, 1 covered, 2 SP negation."""
    idx = np.arange(a, b, dtype=np.int64)
    rps = plan.rows_per_slot
    slot = idx // rps
    j = idx % rps
    nres = len(plan.resources)
    neg = j >= nres
    n_cov = len(plan.covered)
    res = np.where(neg, plan.covered[np.clip(j - nres, 0, max(n_cov - 1, 0))] if n_cov else 0, j)
    covered = (plan.cov_rank[res] >= 0) & ~neg
    # a truncated last slot may lack some negations: those covered rows become plain usage
    last_slot = (plan.usage_rows - 1) // rps
    rows_last = plan.usage_rows - last_slot * rps
    negs_last = max(0, rows_last - nres)
    if plan.commitment == "sp":
        dangling = (slot == last_slot) & covered & (plan.cov_rank[res] >= negs_last)
        covered &= ~dangling
    role = np.zeros(len(idx), dtype=np.int8)
    role[covered] = 1
    role[neg] = 2
    return idx, slot, res, role


def _sp_effective(lk: dict, sku: np.ndarray, qty: np.ndarray) -> np.ndarray:
    return np.round(qty * lk["sku_num"]["sp_rate"][sku], 10)


def _bill_columns(plan: AwsPlan, lk: dict, cols: dict, res: np.ndarray, n: int) -> None:
    payer = plan.payer
    cols["bill_bill_type"] = const("Anniversary", n)
    cols["bill_billing_entity"] = const("AWS", n)
    period_end_ms = int(plan.month.end.timestamp() * 1000)
    cols["bill_billing_period_start_date"] = pa.array(np.full(n, plan.month.start_epoch_ms(), dtype=np.int64), TS)
    cols["bill_billing_period_end_date"] = pa.array(np.full(n, period_end_ms, dtype=np.int64), TS)
    cols["bill_invoice_id"] = const(plan.invoice_id(), n)
    cols["bill_invoicing_entity"] = const(payer.legal_entity, n)
    cols["bill_payer_account_id"] = const(payer.payer_id, n)
    cols["bill_payer_account_name"] = const(payer.payer_name, n)
    cols["cost_category"] = gather_map(lk["cc_off"], lk["cc_k"], lk["cc_v"], res, MAP_SS)
    cols["discount"] = pa.MapArray.from_arrays(
        pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], STR), pa.array([], DBL), type=MAP_SD
    )


def _identity_columns(plan: AwsPlan, cols: dict, idx: np.ndarray, slot: np.ndarray) -> None:
    """Line item ids unique per (month, row): hashed, base32 like AWS."""
    gid = idx + plan.month.index * 10_000_000_000
    h1 = hash64(plan.seed, 7 + plan.sub_payer, gid)
    h2 = hash64(plan.seed, 8, gid)
    chars = np.concatenate(
        [id_chars(h1, 13), id_chars(h2, 13), id_chars(h1 ^ h2, 13), id_chars(h2 >> np.uint64(7), 13)], axis=1
    )
    cols["identity_line_item_id"] = strings_from_matrix(chars)
    cols["identity_time_interval"] = plan.interval_strings(slot)


def _line_item_columns(
    plan: AwsPlan,
    lk: dict,
    cols: dict,
    res: np.ndarray,
    slot: np.ndarray,
    sku: np.ndarray,
    role: np.ndarray,
    qty: np.ndarray,
    unblended: np.ndarray,
) -> None:
    n = len(res)
    ss, r_idx, s_idx = lk["sku_str"], pa.array(res), pa.array(sku)
    rate_s = ss["rate"].take(s_idx)
    if plan.commitment == "ri":
        rate_s = where(role == 1, _repeat("0.0", n), rate_s)
    nf = lk["sku_num"]["nf"][sku]
    start_ms = plan.slot_start_ms(slot)
    cols["line_item_availability_zone"] = lk["az"].take(r_idx)
    cols["line_item_blended_cost"] = pa.array(unblended)
    cols["line_item_blended_rate"] = rate_s
    cols["line_item_currency_code"] = const("USD", n)
    cols["line_item_legal_entity"] = const(plan.payer.legal_entity, n)
    cols["line_item_line_item_description"] = _descriptions(plan, lk, sku, role)
    cols["line_item_line_item_type"] = pa.array(_LINE_ITEM_TYPES[plan.commitment][role], STR)
    cols["line_item_net_unblended_cost"] = pa.array(unblended)
    cols["line_item_net_unblended_rate"] = rate_s
    cols["line_item_normalization_factor"] = pa.array(nf, mask=np.isnan(nf))
    cols["line_item_normalized_usage_amount"] = pa.array(np.round(qty * nf, 8), mask=np.isnan(nf))
    cols["line_item_operation"] = ss["operation"].take(s_idx)
    cols["line_item_product_code"] = ss["product_code"].take(s_idx)
    cols["line_item_resource_id"] = lk["rid"].take(r_idx)
    cols["line_item_unblended_cost"] = pa.array(unblended)
    cols["line_item_unblended_rate"] = rate_s
    cols["line_item_usage_account_id"] = lk["acct_id"].take(r_idx)
    cols["line_item_usage_account_name"] = lk["acct_name"].take(r_idx)
    cols["line_item_usage_amount"] = pa.array(qty)
    cols["line_item_usage_start_date"] = pa.array(start_ms, TS)
    cols["line_item_usage_end_date"] = pa.array(start_ms + plan.slot_hours * _HOUR_MS, TS)
    cols["line_item_usage_type"] = ss["usage_type"].take(s_idx)


def _descriptions(plan: AwsPlan, lk: dict, sku: np.ndarray, role: np.ndarray) -> pa.Array:
    n = len(sku)
    desc = lk["sku_str"]["desc"].take(pa.array(sku))
    if plan.commitment == "sp":
        desc = where(role == 1, _repeat("Compute Savings Plan covered usage", n), desc)
        negation = f"SavingsPlanNegation used by AccountId : {plan.payer.payer_id}"
        return where(role == 2, _repeat(negation, n), desc)
    return where(role == 1, _repeat(_RI_APPLIED, n), desc)


def _pricing_columns(
    plan: AwsPlan, lk: dict, cols: dict, sku: np.ndarray, role: np.ndarray, od_cost: np.ndarray
) -> None:
    ss, s_idx = lk["sku_str"], pa.array(sku)
    cols["pricing_currency"] = const("USD", len(sku))
    cols["pricing_public_on_demand_cost"] = pa.array(np.where(role == 2, 0.0, od_cost))
    cols["pricing_public_on_demand_rate"] = ss["rate"].take(s_idx)
    cols["pricing_rate_code"] = ss["rate_code"].take(s_idx)
    cols["pricing_rate_id"] = ss["rate_id"].take(s_idx)
    term = np.where((role == 1) & (plan.commitment == "ri"), "Reserved", "OnDemand").astype(object)
    cols["pricing_term"] = pa.array(term, STR)
    cols["pricing_unit"] = ss["unit"].take(s_idx)


def _product_columns(lk: dict, cols: dict, res: np.ndarray, sku: np.ndarray) -> None:
    ss, s_idx = lk["sku_str"], pa.array(sku)
    cols["product"] = gather_map(lk["prod_off"], lk["prod_k"], lk["prod_v"], sku, MAP_SS)
    cols["product_instance_family"] = ss["instance_family"].take(s_idx)
    cols["product_instance_type"] = ss["instance_type"].take(s_idx)
    cols["product_location"] = ss["location"].take(s_idx)
    cols["product_location_type"] = const("AWS Region", len(sku))
    cols["product_operation"] = cols["line_item_operation"]
    cols["product_pricing_unit"] = cols["pricing_unit"]
    cols["product_product_family"] = ss["family"].take(s_idx)
    cols["product_region_code"] = ss["region"].take(s_idx)
    cols["product_servicecode"] = ss["servicecode"].take(s_idx)
    cols["product_sku"] = ss["sku"].take(s_idx)
    cols["product_usagetype"] = cols["line_item_usage_type"]
    cols["resource_tags"] = gather_map(lk["tag_off"], lk["tag_k"], lk["tag_v"], res, MAP_SS)


def _savings_plan_columns(
    plan: AwsPlan, lk: dict, cols: dict, sku: np.ndarray, role: np.ndarray, qty: np.ndarray
) -> None:
    m1 = role == 1
    cols["savings_plan_savings_plan_a_r_n"] = masked_const(plan.sp_arn, m1)
    cols["savings_plan_savings_plan_effective_cost"] = pa.array(
        np.where(m1, _sp_effective(lk, sku, qty), 0.0), mask=~m1
    )
    cols["savings_plan_net_savings_plan_effective_cost"] = cols["savings_plan_savings_plan_effective_cost"]
    cols["savings_plan_savings_plan_rate"] = pa.array(np.where(m1, lk["sku_num"]["sp_rate"][sku], 0.0), mask=~m1)
    cols["savings_plan_start_time"] = masked_const("2026-03-01T00:00:00.000Z", m1)
    cols["savings_plan_end_time"] = masked_const("2027-03-01T00:00:00.000Z", m1)
    cols["savings_plan_offering_type"] = masked_const("ComputeSavingsPlans", m1)
    cols["savings_plan_payment_option"] = masked_const("No Upfront", m1)
    cols["savings_plan_purchase_term"] = masked_const("1yr", m1)
    cols["savings_plan_region"] = masked_const("Any", m1)


def _reservation_columns(plan: AwsPlan, cols: dict, role: np.ndarray, qty: np.ndarray) -> None:
    m1 = role == 1
    eff = np.round(qty * plan.ri_rate, 10)
    cols["reservation_reservation_a_r_n"] = masked_const(plan.ri_arn, m1)
    cols["reservation_effective_cost"] = pa.array(np.where(m1, eff, 0.0), mask=~m1)
    cols["reservation_net_effective_cost"] = cols["reservation_effective_cost"]
    cols["reservation_recurring_fee_for_usage"] = cols["reservation_effective_cost"]
    cols["reservation_amortized_upfront_cost_for_usage"] = pa.array(np.zeros(len(qty)), mask=~m1)
    cols["reservation_start_time"] = masked_const("2026-04-01T00:00:00.000Z", m1)
    cols["reservation_end_time"] = masked_const("2027-04-01T00:00:00.000Z", m1)
    cols["pricing_lease_contract_length"] = masked_const("1yr", m1)
    cols["pricing_offering_class"] = masked_const("standard", m1)
    cols["pricing_purchase_option"] = masked_const("No Upfront", m1)


def _repeat(v: str, n: int) -> pa.Array:
    return pa.array(np.full(n, v, dtype=object), STR)
