"""The tail rows of one AWS month, written after the usage batches from their running totals: the planted
scenarios (main payer), Savings Plan recurring fees (per slot) or the RI fee, the Bedrock credits, the SageMaker
refund and one Tax row per (account, product code). As python dicts (few rows), column for column what the usage
batches write where the columns overlap.
"""

from __future__ import annotations

import numpy as np

from .aws_arrow import dtm, iso
from .aws_catalog import (
    AWS_SKUS,
    REGION_NAMES,
    SKU_INDEX,
    fmt_rate,
    instance_family,
    product_map,
    product_sku_id,
)
from .aws_plan import AwsPlan
from .aws_planted import PlantedLine
from .aws_usage import RunningTotals
from .enterprise import hash64, id_chars

_HOUR_MS = 3_600_000
_SP_TERMS = {
    "savings_plan_amortized_upfront_commitment_for_billing_period": 0.0,
    "savings_plan_start_time": "2026-03-01T00:00:00.000Z",
    "savings_plan_end_time": "2027-03-01T00:00:00.000Z",
    "savings_plan_offering_type": "ComputeSavingsPlans",
    "savings_plan_payment_option": "No Upfront",
    "savings_plan_purchase_term": "1yr",
    "savings_plan_region": "Any",
}
_RI_TERMS = {
    "pricing_unit": "Hrs",
    "pricing_term": "Reserved",
    "pricing_lease_contract_length": "1yr",
    "pricing_offering_class": "standard",
    "pricing_purchase_option": "No Upfront",
    "product_instance_type": "m5.xlarge",
    "product_product_family": "Compute Instance",
    "product_region_code": "us-east-1",
    "reservation_amortized_upfront_fee_for_billing_period": 0.0,
    "reservation_unused_amortized_upfront_fee_for_billing_period": 0.0,
    "reservation_upfront_value": 0.0,
    "reservation_start_time": "2026-04-01T00:00:00.000Z",
    "reservation_end_time": "2027-04-01T00:00:00.000Z",
    "reservation_modification_status": "Original",
}


def tail_rows(plan: AwsPlan, totals: RunningTotals) -> list[dict]:
    """All tail rows, in file order; updates ``totals.cost`` with what they add (taxes are computed on it)."""
    return _Tail(plan, totals).rows()


class _Tail:
    def __init__(self, plan: AwsPlan, totals: RunningTotals):
        self.plan = plan
        self.totals = totals
        m = plan.month
        self.ms0 = m.start_epoch_ms()
        self.ms1 = int(m.end.timestamp() * 1000)
        self.payer_acct = plan.accounts[0]

    def rows(self) -> list[dict]:
        plan = self.plan
        rows = self._planted()
        if plan.n_fee and plan.commitment == "sp":
            rows += self._sp_fees()
        if plan.n_fee and plan.commitment == "ri":
            rows.append(self._ri_fee())
        rows += self._credits()
        if plan.n_refund:
            rows.append(self._refund())
        self._add_commitment_fees(rows)
        rows += self._taxes()
        self._assign_ids(rows)
        return rows

    def _base_row(self, line_type: str, start_ms: int, end_ms: int) -> dict:
        m, payer = self.plan.month, self.plan.payer
        return {
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": "AWS",
            "bill_billing_period_start_date": m.start,
            "bill_billing_period_end_date": m.end,
            "bill_invoice_id": self.plan.invoice_id(),
            "bill_invoicing_entity": payer.legal_entity,
            "bill_payer_account_id": payer.payer_id,
            "bill_payer_account_name": payer.payer_name,
            "cost_category": [],
            "discount": [],
            "resource_tags": [],
            "identity_time_interval": f"{iso(start_ms)}/{iso(end_ms)}",
            "line_item_currency_code": "USD",
            "line_item_legal_entity": payer.legal_entity,
            "line_item_line_item_type": line_type,
            "line_item_usage_start_date": dtm(start_ms),
            "line_item_usage_end_date": dtm(end_ms),
            "pricing_currency": "USD",
        }

    def _month_row(self, line_type: str, account_index: int) -> dict:
        """A row over the whole billing period in a usage account."""
        acct = self.plan.accounts[account_index]
        r = self._base_row(line_type, self.ms0, self.ms1)
        r.update({"line_item_usage_account_id": acct.id, "line_item_usage_account_name": acct.name})
        return r

    def _planted(self) -> list[dict]:
        rows = []
        for p, slot, qty in self.plan.planted:
            r = self._planted_row(p, slot, qty)
            rows.append(r)
            self.totals.add_cost(
                (self.plan.acct_index[p.account], r["line_item_product_code"]), r["line_item_unblended_cost"]
            )
        return rows

    def _planted_row(self, p: PlantedLine, slot: int, qty: float) -> dict:
        """A planted Usage row, column for column what the usage batches write for an on-demand row."""
        plan = self.plan
        s = AWS_SKUS[SKU_INDEX[p.sku]]
        acct = plan.accounts[plan.acct_index[p.account]]
        st = plan.month.start_epoch_ms() + slot * plan.slot_hours * _HOUR_MS
        cost = round(qty * s.rate, 10)
        rate = fmt_rate(s.rate)
        sku_id = product_sku_id(s)
        r = self._base_row("Usage", st, st + plan.slot_hours * _HOUR_MS)
        r.update(
            {
                "cost_category": [("BusinessUnit", acct.business_unit), ("Environment", acct.env)],
                "line_item_availability_zone": s.region + "a" if s.kind == "instance" else None,
                "line_item_blended_cost": cost,
                "line_item_blended_rate": rate,
                "line_item_line_item_description": s.desc or f"{s.product_name} {s.usage_type}",
                "line_item_net_unblended_cost": cost,
                "line_item_net_unblended_rate": rate,
                "line_item_normalization_factor": s.nf,
                "line_item_normalized_usage_amount": round(qty * s.nf, 8) if s.nf else None,
                "line_item_operation": s.operation,
                "line_item_product_code": s.product_code,
                "line_item_resource_id": p.rid,
                "line_item_unblended_cost": cost,
                "line_item_unblended_rate": rate,
                "line_item_usage_account_id": acct.id,
                "line_item_usage_account_name": acct.name,
                "line_item_usage_amount": qty,
                "line_item_usage_type": s.usage_type,
                "pricing_public_on_demand_cost": cost,
                "pricing_public_on_demand_rate": rate,
                "pricing_rate_code": f"{sku_id}.JRTCKXETXF.6YS6EN2CT7",
                "pricing_rate_id": str(1000000000 + SKU_INDEX[s.key] * 7919),
                "pricing_term": "OnDemand",
                "pricing_unit": s.unit,
                "product": product_map(s),
                "product_instance_family": instance_family(s),
                "product_instance_type": s.instance_type,
                "product_location": REGION_NAMES[s.region],
                "product_location_type": "AWS Region",
                "product_operation": s.operation,
                "product_pricing_unit": s.unit,
                "product_product_family": s.family,
                "product_region_code": s.region,
                "product_servicecode": s.servicecode,
                "product_sku": sku_id,
                "product_usagetype": s.usage_type,
                "resource_tags": [("user_" + k, v) for k, v in p.tags],
            }
        )
        return r

    def _sp_fees(self) -> list[dict]:
        """One SavingsPlanRecurringFee row per slot, with the commitment used in it."""
        plan = self.plan
        fee = round(plan.sp_hourly * plan.slot_hours, 10)
        monthly = round(plan.sp_hourly * plan.month.hours, 10)
        description = f"1 year No Upfront Compute Savings Plan with {plan.sp_hourly} USD hourly commitment"
        rows = []
        for s in range(plan.n_slots):
            st = self.ms0 + s * plan.slot_hours * _HOUR_MS
            used = round(min(float(self.totals.used[s]), fee), 10)
            r = self._base_row("SavingsPlanRecurringFee", st, st + plan.slot_hours * _HOUR_MS)
            r.update(
                {
                    "line_item_usage_account_id": self.payer_acct.id,
                    "line_item_usage_account_name": self.payer_acct.name,
                    "line_item_product_code": "ComputeSavingsPlans",
                    "line_item_usage_type": "ComputeSP:1yrNoUpfront",
                    "line_item_operation": "",
                    "line_item_resource_id": plan.sp_arn,
                    "line_item_usage_amount": float(plan.slot_hours),
                    "line_item_unblended_rate": fmt_rate(plan.sp_hourly),
                    "line_item_unblended_cost": fee,
                    "line_item_blended_cost": fee,
                    "line_item_net_unblended_cost": fee,
                    "line_item_line_item_description": description,
                    "pricing_unit": "Hrs",
                    "pricing_term": "Savings Plan",
                    "product": [("product_name", "Savings Plans for AWS Compute usage")],
                    "product_product_family": "Savings Plan",
                    "savings_plan_savings_plan_a_r_n": plan.sp_arn,
                    "savings_plan_total_commitment_to_date": fee,
                    "savings_plan_used_commitment": used,
                    "savings_plan_recurring_commitment_for_billing_period": monthly,
                    **_SP_TERMS,
                }
            )
            rows.append(r)
        return rows

    def _ri_fee(self) -> dict:
        """The month's RIFee row: reserved hours, unused hours and their cost."""
        plan = self.plan
        hours = float(plan.month.hours)
        reserved = plan.ri_count * hours
        used = min(self.totals.ri_used, reserved)
        unused = round(reserved - used, 6)
        cost = round(reserved * plan.ri_rate, 10)
        r = self._month_row("RIFee", 0)
        r.update(
            {
                "line_item_product_code": "AmazonEC2",
                "line_item_usage_type": "HeavyUsage:m5.xlarge",
                "line_item_operation": "RunInstances",
                "line_item_usage_amount": reserved,
                "line_item_unblended_rate": fmt_rate(plan.ri_rate),
                "line_item_unblended_cost": cost,
                "line_item_blended_cost": cost,
                "line_item_net_unblended_cost": cost,
                "line_item_line_item_description": (
                    f"USD {plan.ri_rate} hourly fee per Linux/UNIX (Amazon VPC), m5.xlarge instance"
                ),
                "line_item_normalization_factor": 8.0,
                "line_item_normalized_usage_amount": reserved * 8,
                "product": product_map(plan.ri_sku),
                "reservation_reservation_a_r_n": plan.ri_arn,
                "reservation_number_of_reservations": str(plan.ri_count),
                "reservation_units_per_reservation": str(int(hours)),
                "reservation_total_reserved_units": str(reserved),
                "reservation_normalized_units_per_reservation": str(int(hours * 8)),
                "reservation_total_reserved_normalized_units": str(reserved * 8),
                "reservation_unused_quantity": unused,
                "reservation_unused_normalized_unit_quantity": unused * 8,
                "reservation_unused_recurring_fee": round(unused * plan.ri_rate, 10),
                "reservation_subscription_id": str(8_000_000_000 + plan.month.index),
                **_RI_TERMS,
            }
        )
        return r

    def _credits(self) -> list[dict]:
        """A Generative AI credit per Bedrock account: 30 % of its Bedrock cost, at most 5,000."""
        rows = []
        for a_i in self.plan.bedrock_accounts[: self.plan.n_credit]:
            base = self.totals.cost.get((a_i, "AmazonBedrock"), 0.0)
            amt = -round(min(base * 0.3, 5000.0), 2)
            r = self._month_row("Credit", a_i)
            r.update(
                {
                    "line_item_product_code": "AmazonBedrock",
                    "line_item_usage_type": "",
                    "line_item_operation": "",
                    "line_item_usage_amount": 0.0,
                    "line_item_unblended_cost": amt,
                    "line_item_blended_cost": amt,
                    "line_item_net_unblended_cost": amt,
                    "line_item_line_item_description": "AWS Credits - Generative AI Accelerator (PC-GENAI-2026)",
                    "product": [("product_name", "Amazon Bedrock")],
                }
            )
            rows.append(r)
            self.totals.cost[(a_i, "AmazonBedrock")] = base + amt
        return rows

    def _refund(self) -> dict:
        """A refund of 25 % of the costliest SageMaker endpoint (a capacity incident)."""
        plan, prod_cost = self.plan, self.totals.prod_cost
        r_i = max(plan.sm_resources, key=lambda i: prod_cost.get(i, 0.0))
        res = plan.resources[r_i]
        amt = -round(prod_cost.get(r_i, 0.0) * 0.25, 2)
        r = self._month_row("Refund", res.account)
        r.update(
            {
                "bill_bill_type": "Refund",
                "line_item_product_code": "AmazonSageMaker",
                "line_item_usage_type": "USE1-Host:ml.g5.xlarge",
                "line_item_operation": "RunInstance",
                "line_item_resource_id": res.rid,
                "line_item_usage_amount": 0.0,
                "line_item_unblended_cost": amt,
                "line_item_blended_cost": amt,
                "line_item_net_unblended_cost": amt,
                "line_item_line_item_description": "Refund: SageMaker endpoint capacity incident (case 17730016)",
                "product": [("product_name", "Amazon SageMaker")],
            }
        )
        self.totals.add_cost((res.account, "AmazonSageMaker"), amt)
        return r

    def _add_commitment_fees(self, rows: list[dict]) -> None:
        """The RI / Savings Plan fees count towards the payer account's taxable cost."""
        plan = self.plan
        if plan.sub_payer and plan.n_fee:
            k = (0, "AmazonEC2")
            self.totals.cost[k] = self.totals.cost.get(k, 0.0) + sum(
                r["line_item_unblended_cost"] for r in rows if r["line_item_line_item_type"] == "RIFee"
            )
        if plan.commitment == "sp" and plan.n_fee:
            k = (0, "ComputeSavingsPlans")
            fees = sum(
                r["line_item_unblended_cost"]
                for r in rows
                if r["line_item_line_item_type"] == "SavingsPlanRecurringFee"
            )
            self.totals.cost[k] = self.totals.cost.get(k, 0.0) + fees

    def _taxes(self) -> list[dict]:
        rows = []
        for a_i, pc in self.plan.tax_keys:
            tax = round(max(self.totals.cost.get((a_i, pc), 0.0), 0.0) * self.plan.payer.tax_rate, 2)
            r = self._month_row("Tax", a_i)
            r.update(
                {
                    "line_item_product_code": pc,
                    "line_item_usage_amount": 1.0,
                    "line_item_unblended_cost": tax,
                    "line_item_blended_cost": tax,
                    "line_item_net_unblended_cost": tax,
                    "line_item_line_item_description": f"Tax for product code {pc}",
                    "line_item_tax_type": self.plan.payer.tax_type,
                    "pricing_public_on_demand_cost": 0.0,
                    "product": [("product_name", next(s.product_name for s in AWS_SKUS if s.product_code == pc))],
                }
            )
            rows.append(r)
        return rows

    def _assign_ids(self, rows: list[dict]) -> None:
        plan = self.plan
        offset = plan.month.index * 100_000 + (7 if plan.sub_payer else 0) * 50_000
        for i, r in enumerate(rows):
            h = np.repeat(hash64(plan.seed, 9, np.array([offset + i])), 4) ^ np.arange(4, dtype=np.uint64)
            r["identity_line_item_id"] = id_chars(h, 13).tobytes().decode()
