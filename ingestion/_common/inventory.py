"""The landing-zone inventory: every file seen under the landing root, with what became of it
(recognised as a delivery of a known format, unrecognised, or unreadable). Loaded to
``landing_zone.files`` (replace) so that nothing that lands is silently ignored.

``landing_zone.load_rejects`` does the same for the files given to ``finops load PATH`` (anywhere, not only under the
landing root) that no dataset could load or quarantine: unreadable (empty, not a CSV, corrupt) or of no known format.
Keyed by the file's absolute path or URL as loaded; a later ``finops load`` that reads the file (or has a dataset
quarantine it) deletes its record. ``marts.fct_quarantined_records`` lists both tables (dataset ``landing_zone``)."""

from __future__ import annotations

from datetime import UTC, datetime

import dlt

from .pipeline import make_pipeline
from .source import Plan
from .tables import ensure_tables, has_table

UNRECOGNISED = "not a known billing export format; load it with `finops load PATH --format F`"


def _file_row(
    path: str,
    status: str,
    seen_at: str,
    *,
    size_bytes: int | None = None,
    format_id: str | None = None,
    dataset: str | None = None,
    delivery_key: str | None = None,
    fingerprint: str | None = None,
    reason: str | None = None,
) -> dict:
    """One row of ``landing_zone.files`` / ``load_rejects``: a landed file and what the plan made of it."""
    return {
        "path": path,
        "size_bytes": size_bytes,
        "status": status,
        "format": format_id,
        "dataset": dataset,
        "delivery_key": delivery_key,
        "fingerprint": fingerprint,
        "reason": reason,
        "seen_at": seen_at,
    }


def inventory_rows(planned: Plan) -> list[dict]:
    seen_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = []
    for d, fmt in planned.deliveries:
        for f in d.files:
            rows.append(
                _file_row(
                    f.rel,
                    "recognised",
                    seen_at,
                    size_bytes=f.size,
                    format_id=fmt.id,
                    dataset=fmt.dataset,
                    delivery_key=d.key,
                    fingerprint=d.fingerprint,
                )
            )
    for rel, dataset in planned.other_sources:  # e.g. the business-KPI CSV drop, loaded by its own asset
        rows.append(_file_row(rel, "recognised", seen_at, format_id=f"{dataset}_csv", dataset=dataset))
    for rel in planned.unrecognised:
        rows.append(_file_row(rel, "unrecognised", seen_at, reason=UNRECOGNISED))
    for e in planned.errors:
        rows.append(
            _file_row(
                e.file,
                "unreadable",
                seen_at,
                delivery_key=(e.delivery_id or "").rsplit("|", 1)[0] or None,
                reason=str(e),
            )
        )
    return rows


DATASET, TABLE = "landing_zone", "files"
_TEXT = {"data_type": "text", "nullable": True}
COLUMNS = {
    "path": {"data_type": "text"},
    "size_bytes": {"data_type": "bigint", "nullable": True},
    "status": _TEXT,
    "format": _TEXT,
    "dataset": _TEXT,
    "delivery_key": _TEXT,
    "fingerprint": _TEXT,
    "reason": _TEXT,
    "seen_at": {"data_type": "timestamp", "nullable": True},
}


def load_inventory(planned: Plan, warehouse: str) -> list[dict]:
    rows = inventory_rows(planned)

    @dlt.resource(name=TABLE, write_disposition="replace", primary_key="path", columns=COLUMNS)
    def files():
        yield rows

    make_pipeline(DATASET, warehouse).run(files())
    return rows


REJECTS_TABLE = "load_rejects"


def ensure_inventory_table(warehouse: str, existing: set[tuple[str, str]] | None = None) -> list[str]:
    """Create ``landing_zone.files`` and ``landing_zone.load_rejects`` empty when they do not exist (dbt sources of
    the quarantine view)."""
    return ensure_tables(
        warehouse,
        DATASET,
        {
            TABLE: {"write_disposition": "replace", "primary_key": ["path"], "columns": COLUMNS},
            REJECTS_TABLE: {"write_disposition": "merge", "primary_key": ["path"], "columns": COLUMNS},
        },
        existing,
    )


def record_load_rejects(
    planned: Plan,
    warehouse: str,
    quarantined: set[str] = frozenset(),
    format_id: str | None = None,
    dataset: str | None = None,
) -> list[dict]:
    """Keep ``landing_zone.load_rejects`` to what one ``finops load`` found: its unreadable files (``planned.errors``)
    that no dataset quarantined (``quarantined``: their relative paths) and its unrecognised files are recorded
    (replacing an earlier record of the same path); the records of its other files (loaded, unchanged, or
    quarantined by their dataset) are deleted. ``format_id`` / ``dataset``: the format forced with ``--format``.
    Returns the rows recorded."""
    seen_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    url_of = {f.rel: f.url for d, _ in planned.deliveries for f in d.files}
    url_of |= {f.rel: f.url for d, _ in planned.unreadable for f in d.files}
    rows = [
        _file_row(
            url_of.get(e.file, e.file), "unreadable", seen_at, format_id=format_id, dataset=dataset, reason=str(e)
        )
        for e in planned.errors
        if e.file not in quarantined
    ]
    rows += [_file_row(url, "unrecognised", seen_at, reason=UNRECOGNISED) for url in planned.unrecognised_urls]
    cleared = sorted(set(url_of.values()) - {r["path"] for r in rows})
    if not rows and not cleared:
        return rows
    if rows:
        ensure_inventory_table(warehouse)
    pipeline = make_pipeline(DATASET, warehouse)
    with pipeline.sql_client() as c:
        if has_table(c, DATASET, REJECTS_TABLE):
            t = c.make_qualified_table_name(REJECTS_TABLE)
            done = cleared + [r["path"] for r in rows]
            for i in range(0, len(done), 500):
                chunk = done[i : i + 500]
                c.execute_sql(f"delete from {t} where path in ({', '.join(['%s'] * len(chunk))})", *chunk)
    if rows:

        @dlt.resource(
            name=REJECTS_TABLE,
            write_disposition="merge",
            primary_key="path",
            columns={name: {**col, "name": name} for name, col in COLUMNS.items()},
        )
        def load_rejects():
            yield rows

        pipeline.run(load_rejects())
    return rows
