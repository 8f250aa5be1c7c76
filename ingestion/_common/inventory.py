"""The landing-zone inventory: every file seen under the landing root, with what became of it
(recognised as a delivery of a known format, unrecognised, or unreadable). Loaded to
``landing_zone.files`` (replace) so that nothing that lands is silently ignored."""
from __future__ import annotations

from datetime import UTC, datetime

import dlt

from .source import Plan, make_pipeline


def inventory_rows(planned: Plan) -> list[dict]:
    seen_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = []
    for d, fmt in planned.deliveries:
        for f in d.files:
            rows.append({"path": f.rel, "size_bytes": f.size, "status": "recognised", "format": fmt.id,
                         "dataset": fmt.dataset, "delivery_key": d.key, "fingerprint": d.fingerprint,
                         "reason": None, "seen_at": seen_at})
    for rel, dataset in planned.other_sources:  # e.g. the business-KPI CSV drop, loaded by its own asset
        rows.append({"path": rel, "size_bytes": None, "status": "recognised", "format": f"{dataset}_csv",
                     "dataset": dataset, "delivery_key": None, "fingerprint": None, "reason": None,
                     "seen_at": seen_at})
    for rel in planned.unrecognised:
        rows.append({"path": rel, "size_bytes": None, "status": "unrecognised", "format": None, "dataset": None,
                     "delivery_key": None, "fingerprint": None,
                     "reason": "not a known billing export format; load it with `finops load PATH --format F`",
                     "seen_at": seen_at})
    for e in planned.errors:
        rows.append({"path": e.file, "size_bytes": None, "status": "unreadable", "format": None, "dataset": None,
                     "delivery_key": (e.delivery_id or "").rsplit("|", 1)[0] or None, "fingerprint": None,
                     "reason": str(e), "seen_at": seen_at})
    return rows


DATASET, TABLE = "landing_zone", "files"
_TEXT = {"data_type": "text", "nullable": True}
COLUMNS = {"path": {"data_type": "text"}, "size_bytes": {"data_type": "bigint", "nullable": True},
           "status": _TEXT, "format": _TEXT, "dataset": _TEXT, "delivery_key": _TEXT, "fingerprint": _TEXT,
           "reason": _TEXT, "seen_at": {"data_type": "timestamp", "nullable": True}}


def load_inventory(planned: Plan, warehouse: str) -> list[dict]:
    rows = inventory_rows(planned)

    @dlt.resource(name=TABLE, write_disposition="replace", primary_key="path", columns=COLUMNS)
    def files():
        yield rows

    make_pipeline(DATASET, warehouse).run(files())
    return rows


def ensure_inventory_table(warehouse: str, existing: set[tuple[str, str]] | None = None) -> list[str]:
    """Create ``landing_zone.files`` empty when it does not exist (a dbt source of the quarantine view)."""
    from .tables import ensure_tables

    return ensure_tables(warehouse, DATASET, {TABLE: {"write_disposition": "replace", "primary_key": ["path"],
                                                      "columns": COLUMNS}}, existing)
