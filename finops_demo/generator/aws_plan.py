"""The layout of one AWS payer's billing month: time slots, the fleet that fills them, the tail rows and the
commitment (Savings Plan or Reserved Instances).

Rows are laid out slot-major: every time slot (hour, or day for small budgets) holds one usage row per resource,
plus one ``SavingsPlanNegation`` row per Savings-Plan-covered resource. The tail (planted scenarios, commitment
fees, credits, refund, tax) is sized up front so that usage + tail is exactly the row budget.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from .aws_arrow import STR, iso
from .aws_catalog import AWS_MAIN_ID, AWS_SKUS, AWS_SUB_ID, SKU_INDEX
from .aws_fleet import fleet_stream, make_fleet
from .aws_planted import planted_rows
from .enterprise import AwsPayer, Month, Resource, py_hex, py_rand, py_uuid

RESTATED = "2026-09"  # the month whose first delivery is restated later


class AwsPlan:
    """All per-month layout numbers for one payer (``commitment``: "sp" Savings Plan or "ri" Reserved Instances;
    ``restate``: the documented restatement of a later delivery; ``teams``: restrict the fleet to these projects)."""

    def __init__(
        self,
        payer: AwsPayer,
        month: Month,
        total_rows: int,
        seed: int,
        commitment: str = "sp",
        restate: bool = False,
        teams: tuple[str, ...] | None = None,
    ):
        self.payer = payer
        self.month = month
        self.seed = seed
        self.commitment = commitment
        self.restate = restate
        self.teams = teams
        self.budget = max(int(total_rows), 0)
        self.stream = 100 + month.index % 1000 + (0 if payer.payer_id.startswith("2") else 5000)
        self.fleet_stream = fleet_stream(payer)  # month-independent
        self.accounts = list(payer.members)
        self.acct_index = {a.id: i for i, a in enumerate(self.accounts)}
        self._interval_strings: pa.Array | None = None
        self._layout_slots()
        self._size_fleet()
        self._size_tail()
        self._commit()

    @property
    def sub_payer(self) -> bool:
        return self.payer.payer_id == AWS_SUB_ID

    # ---------------------------------------------------------------- layout
    def _layout_slots(self) -> None:
        m = self.month
        self.hourly = self.budget >= m.hours * 400
        self.slot_hours = 1 if self.hourly else 24
        self.n_slots = m.hours if self.hourly else m.days
        self.n_fee = self.n_slots if self.commitment == "sp" else 1
        # the planted scenarios (PLANTED; main payer only) when they stay within an eighth of the budget
        main = self.payer.payer_id == AWS_MAIN_ID and self.teams is None
        planted = planted_rows(m, self.hourly) if main else []
        self.planted = planted if len(planted) * 8 <= self.budget else []

    def _fleet(self, n: int) -> tuple[int, list[Resource]]:
        """(rows per slot, fleet) for a fleet of ``n`` resources (plus companions and SP negations)."""
        res = make_fleet(self.payer, self.seed, self.commitment, self.teams, n)
        return len(res) + (sum(r.covered for r in res) if self.commitment == "sp" else 0), res

    def _size_fleet(self) -> None:
        """The smallest fleet whose rows per slot (resources, their traffic companions, SP negations) fill a slot:
        rows per slot grow with the fleet (resource i is the same for every fleet size), so bisect."""
        usage_budget = max(self.budget - self.n_fee - len(self.planted), 0)
        per_slot = max(1, math.ceil(usage_budget / self.n_slots))
        lo, hi = 1, per_slot
        while lo < hi:
            mid = (lo + hi) // 2
            if self._fleet(mid)[0] >= per_slot:
                hi = mid
            else:
                lo = mid + 1
        self.resources = self._fleet(lo)[1]
        cov = [i for i, r in enumerate(self.resources) if r.covered]
        self.covered = np.array(cov, dtype=np.int64)  # resource indexes covered by SP/RI
        self.cov_rank = np.full(len(self.resources), -1, dtype=np.int64)
        self.cov_rank[self.covered] = np.arange(len(cov))
        self.neg_per_slot = len(cov) if self.commitment == "sp" else 0  # negation rows per slot (SP only)
        self.rows_per_slot = len(self.resources) + self.neg_per_slot

    def _size_tail(self) -> None:
        """The exact tail size now that resources are known (tiny budgets: usage rows only)."""
        self.tax_keys = sorted(
            {(r.account, AWS_SKUS[r.sku].product_code) for r in self.resources}
            | {(self.acct_index[p.account], AWS_SKUS[SKU_INDEX[p.sku]].product_code) for p, _slot, _qty in self.planted}
        )
        self.bedrock_accounts = sorted(
            {r.account for r in self.resources if AWS_SKUS[r.sku].product_code == "AmazonBedrock"}
        )
        self.sm_resources = [i for i, r in enumerate(self.resources) if AWS_SKUS[r.sku].key == "sm-host-g5"]
        has_refund = bool(self.sm_resources) and (self.restate or self.month.ym != RESTATED)
        self.n_refund = 1 if has_refund else 0
        self.n_credit = len(self.bedrock_accounts)
        tail = self.n_fee + self.n_credit + self.n_refund + len(self.tax_keys) + len(self.planted)
        if self.budget and self.budget < tail + 1:
            tail = 0
            self.n_refund = self.n_credit = self.n_fee = 0
            self.tax_keys = []
            self.planted = []
        # the restated delivery's refund is an extra row on top of the original delivery's budget
        extra = self.n_refund if (self.restate and self.month.ym == RESTATED) else 0
        self.usage_rows = min(max(self.budget - (tail - extra), 0), self.n_slots * self.rows_per_slot)
        self.tail_rows = tail

    def _commit(self) -> None:
        """Savings Plan / RI commitment sized from the always-on covered resources."""
        cov = [self.resources[i] for i in self.covered]
        seed, payer_id = self.seed, self.payer.payer_id
        if self.commitment == "sp":
            used_hr = sum(AWS_SKUS[r.sku].sp_rate for r in cov)
            self.sp_hourly = math.ceil(used_hr / 0.88 * 100) / 100 if cov else 0.0
            plan_id = (
                f"{py_hex(seed, 31, 1, 8)}-{py_hex(seed, 32, 1, 4)}-4{py_hex(seed, 33, 1, 3)}"
                f"-9{py_hex(seed, 34, 1, 3)}-{py_hex(seed, 35, 1, 12)}"
            )
            self.sp_arn = f"arn:aws:savingsplans::{payer_id}:savingsplan/{plan_id}"
        else:
            self.ri_count = max(1, math.ceil(len(cov) * 1.15)) if cov else 0
            self.ri_rate = 0.121  # 1yr No Upfront m5.xlarge effective hourly
            self.ri_arn = f"arn:aws:ec2:us-east-1:{payer_id}:reserved-instances/{py_uuid(seed, 41, 1)}"
            self.ri_sku = AWS_SKUS[SKU_INDEX["ec2-m5x"]]

    # ---------------------------------------------------------------- per-slot values
    def slot_start_ms(self, slot: np.ndarray) -> np.ndarray:
        return self.month.start_epoch_ms() + slot.astype(np.int64) * self.slot_hours * 3_600_000

    def interval_strings(self, slot: np.ndarray) -> pa.Array:
        """``identity_time_interval`` of each slot ("start/end", ISO UTC)."""
        if self._interval_strings is None:
            ms0 = self.month.start_epoch_ms()
            step = self.slot_hours * 3_600_000
            self._interval_strings = pa.array(
                [f"{iso(ms0 + s * step)}/{iso(ms0 + (s + 1) * step)}" for s in range(self.n_slots)], STR
            )
        return self._interval_strings.take(pa.array(slot))

    def invoice_id(self) -> str | None:
        if self.month.ym == RESTATED and not self.restate:
            return None  # first delivery: the invoice is not final yet, InvoiceId blank
        serial = int(py_rand(self.seed, 77, self.month.index) * 1e5)
        return f"{self.payer.invoice_prefix}{self.month.compact[2:]}{serial:05d}"
