"""Workaround for a bug in the shared load loop (ingestion/_common/source.py, not ours to edit).

``billing_exports`` yields each delivery record with
``dlt.mark.make_hints(table_name="deliveries", write_disposition="append")`` and ``create_table_variant=True``.
dlt copies the resource's ``merge_key`` (``x_export_id``, ``x_billing_period``) into that variant table, so
``deliveries`` gets two non-nullable merge-key columns its rows never carry, and the first load that loads a
delivery fails in normalize with ``UnboundColumnException: ... table `deliveries` ... x_export_id (marked as
non-nullable merge key and must have values)``. The one-line fix in the shared code: pass ``merge_key=[]`` in
that ``make_hints`` call.

:func:`deliveries_hint_fix` applies exactly that while a load runs (wrapping ``dlt.mark.make_hints`` for the
``deliveries`` table only); once the shared code passes ``merge_key`` itself it changes nothing.
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
