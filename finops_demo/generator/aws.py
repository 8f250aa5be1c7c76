"""AWS line-item generator shared by CUR 2.0 (Parquet / CSV) and the legacy CUR writer.

Rows of one billing month are laid out slot-major: every time slot (hour, or day for
small budgets) holds one usage row per resource, plus one ``SavingsPlanNegation`` row per
Savings-Plan-covered resource. The fleet (resource ids, SKUs, teams, tags) is the same in
every month; SageMaker endpoints and GPU instances also carry their traffic line (data
processed / transferred) on the same resource id. Tail rows (the planted waste scenarios of
``PLANTED`` on the main payer, Savings Plan fees / RI fees, credit, refund, tax) are computed
from running totals and written last, so memory stays bounded and the row count is exactly
the requested budget.

The parts, one responsibility each:

- ``aws_catalog.py``: the CUR 2.0 column set, the SKUs, the payer ids;
- ``aws_planted.py``: the planted waste scenarios and their rows in a month;
- ``aws_fleet.py``: the fleet (resources drawn from the SKUs);
- ``aws_plan.py``: one month's layout (slots, fleet size, tail size, commitment);
- ``aws_lookups.py``: per-resource / per-SKU arrays for the vectorised rows;
- ``aws_usage.py``: the usage batches and the running totals;
- ``aws_tail.py``: the tail rows;
- this module: ``AwsGenerator``, which runs them for the writers (``aws_cur2.py``, ``aws_cur_legacy.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa

from .aws_catalog import (
    AWS_MAIN_ID,
    AWS_SKUS,
    AWS_SUB_ID,
    CUR2_COLUMNS,
    CUR2_SCHEMA,
    MAP_COLUMNS,
    SKU_INDEX,
    AwsSku,
    product_map,
    product_sku_id,
)
from .aws_lookups import build_lookups
from .aws_plan import AwsPlan
from .aws_planted import PLANTED, PlantedLine
from .aws_tail import tail_rows
from .aws_usage import RunningTotals, usage_batch
from .enterprise import AwsAccount, AwsPayer, Month, Resource

__all__ = [
    "AWS_MAIN_ID",
    "AWS_SKUS",
    "AWS_SUB_ID",
    "CUR2_COLUMNS",
    "CUR2_SCHEMA",
    "MAP_COLUMNS",
    "PLANTED",
    "SKU_INDEX",
    "AwsGenerator",
    "AwsPlan",
    "AwsSku",
    "PlantedLine",
    "product_map",
    "product_sku_id",
]


class AwsGenerator:
    """Generates one payer's line items for one month as CUR 2.0 Arrow tables (``iter_batches``)."""

    def __init__(
        self,
        payer: AwsPayer,
        month: Month,
        total_rows: int,
        seed: int,
        commitment: str = "sp",
        version: int = 1,
        restate: bool = False,
        batch_rows: int = 50_000,
        teams: tuple[str, ...] | None = None,
    ):
        self.version = version
        self.batch_rows = batch_rows
        self.plan = AwsPlan(payer, month, total_rows, seed, commitment, restate, teams)
        self._lk: dict | None = None
        self._tag_dicts: list[dict] = []

    @property
    def hourly(self) -> bool:
        return self.plan.hourly

    @property
    def accounts(self) -> list[AwsAccount]:
        return self.plan.accounts

    @property
    def resources(self) -> list[Resource]:
        return self.plan.resources

    def lookups(self) -> dict:
        """The per-resource / per-SKU lookup arrays (built once)."""
        if self._lk is None:
            self._lk, self._tag_dicts = build_lookups(self.plan)
        return self._lk

    @property
    def tag_dicts(self) -> list[dict]:
        """The clean tags of each resource (the legacy CUR's tag columns)."""
        self.lookups()
        return self._tag_dicts

    def iter_batches(self) -> Iterator[tuple[pa.Table, dict]]:
        """Yields (CUR 2.0 table, aux) where aux has numpy arrays 'res', 'sku' (or None for tail rows)."""
        plan = self.plan
        totals = RunningTotals(plan.n_slots)
        n = plan.usage_rows
        for a in range(0, n, self.batch_rows):
            yield usage_batch(plan, self.lookups(), totals, a, min(n, a + self.batch_rows))
        tail = tail_rows(plan, totals)
        if tail:
            yield pa.Table.from_pylist(tail, schema=CUR2_SCHEMA), {"res": None, "sku": None}
