"""Work-around for a bug in ``ingestion._common.source`` (shared code, not ours to edit).

``billing_exports`` yields the per-delivery log row with
``dlt.mark.make_hints(table_name="deliveries", write_disposition="append")`` and ``create_table_variant=True``.
dlt copies the resource's ``merge_key`` (``x_export_id``, ``x_billing_period``) into the variant table, so the
``deliveries`` table gets non-nullable merge-key columns that its rows never carry, and every load fails in
the normalize step with ``UnboundColumnException: ... table `deliveries` ... x_export_id (marked as
non-nullable merge key and must have values)``. The fix in the shared code is to pass ``merge_key=[]`` (or
``""``) to that ``make_hints`` call.

:func:`deliveries_hint_fix` applies exactly that, and only while a load runs: it wraps ``dlt.mark.make_hints``
so that a ``deliveries`` hint without an explicit ``merge_key`` gets ``merge_key=[]``. Once the shared code
passes ``merge_key`` itself the wrapper changes nothing.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dlt


@contextlib.contextmanager
def deliveries_hint_fix() -> Iterator[None]:
    original = dlt.mark.make_hints

    def make_hints(*args, **kwargs):
        if kwargs.get("table_name") == "deliveries" and "merge_key" not in kwargs:
            kwargs["merge_key"] = []
        return original(*args, **kwargs)

    dlt.mark.make_hints = make_hints
    try:
        yield
    finally:
        dlt.mark.make_hints = original
