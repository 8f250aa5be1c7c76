"""The quarantine as people and checks see it: every record of ``marts.fct_quarantined_records`` (a view over every
dataset's ``quarantine`` table, the landing inventory's unreadable or unrecognised files and the files ``finops load``
was given that nothing could load: ``landing_zone.files`` and ``landing_zone.load_rejects``), read-only, and the
summary the asset check ``no_quarantined_records`` reports. Pure Python + DuckDB, no Dagster import: the check
(``orchestration/defs/quality/quarantine.py``), ``finops quarantine`` and the tests call it.

Before dbt has built the view (a fresh warehouse, ``finops load --no-transform``), the same union is read from the raw
tables that exist, so the listing never depends on a dbt run.

Severity: any record of a dataset, or an unreadable landed file, is an ``error`` (data did not load); landed files of
an unknown format alone are a ``warn`` (as the landing check ``every_file_recognised`` rates them).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from ingestion._common.relations import relation_exists

__all__ = ["DATASETS", "RELATION", "QuarantineRecord", "QuarantineReport", "quarantine_report", "read_records"]

RELATION = "marts.fct_quarantined_records"
# the datasets with a quarantine table, in the view's order; landing_zone = the inventory's files
DATASETS = ("aws_cur", "azure_cost_details", "gcp_billing", "focus_exports", "finance", "business_kpis")
LANDING = "landing_zone"
COLUMNS = (
    "dataset",
    "delivery_id",
    "source_file",
    "row_number",
    "field",
    "reason",
    "value",
    "raw_record",
    "hint",
    "quarantined_at",
)
# the view's hints for landing-zone files (dbt_project/models/marts/quality/fct_quarantined_records.sql)
UNREADABLE_HINT = "Fix or re-export the file and deliver it again; the previous delivery of its period stays loaded."
UNRECOGNISED_HINT = (
    "Not a known billing export: load it with `finops load PATH --format F`, or move it out of the landing zone."
)
WHAT_TO_DO = (
    "Fix each file and deliver it again (same path, or a new delivery folder of the same period): its "
    "records are then replaced by the new read's, none when it loads; until then the earlier delivery of "
    "that period stays loaded and finance sees everything else. `finops quarantine` lists every record."
)


@dataclass(frozen=True)
class QuarantineRecord:
    dataset: str
    delivery_id: str | None
    source_file: str
    row_number: int
    field: str | None
    reason: str
    value: str | None
    raw_record: str | None
    hint: str | None
    quarantined_at: dt.datetime | None

    @property
    def severity(self) -> str:
        """``warn`` for a landed file of an unknown format, else ``error``."""
        return "warn" if self.dataset == LANDING and self.reason.startswith("unrecognised") else "error"

    def where(self) -> str:
        """``file, row N, field 'F'`` (row and field when known, as the loaders' errors name them)."""
        out = self.source_file
        if self.row_number:
            out += f", row {self.row_number}"
        if self.field:
            out += f", field '{self.field}'"
        return out

    def line(self) -> str:
        """One line: ``<dataset>: <file>, row N, field 'F': <reason> (value 'v')``."""
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.dataset}: {self.where()}: {self.reason}{value}"

    def as_json(self, raw_limit: int | None = None) -> dict:
        out = asdict(self)
        out["quarantined_at"] = self.quarantined_at.isoformat() if self.quarantined_at else None
        if raw_limit is not None:
            out["raw_record"] = truncate(self.raw_record, raw_limit)
        return out


def truncate(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, with `` … (N chars)`` when cut."""
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]} … ({len(text):,} chars)"


@dataclass
class QuarantineReport:
    """The quarantine now: its records (newest first), where they were read from (the view, or the raw tables when
    the view is not built yet)."""

    records: list[QuarantineRecord] = field(default_factory=list)
    relation: str = RELATION

    @property
    def empty(self) -> bool:
        return not self.records

    @property
    def severity(self) -> str | None:
        """``error`` | ``warn`` (the worst record's), None when empty."""
        if not self.records:
            return None
        return "error" if any(r.severity == "error" for r in self.records) else "warn"

    def by_dataset(self) -> dict[str, int]:
        counts = Counter(r.dataset for r in self.records)
        return {ds: counts[ds] for ds in (*DATASETS, LANDING) if counts[ds]}

    def files(self) -> int:
        return len({(r.dataset, r.source_file) for r in self.records})

    def description(self, examples: int = 5) -> str:
        """The check's description: the counts per dataset and the fix (first line, what ``finops run`` prints), the
        first ``examples`` records of each dataset (file, row, field, reason), then what to do in full."""
        if self.empty:
            return "Quarantine is empty: every landed file and row loaded."
        counts = ", ".join(f"{ds} {n}" for ds, n in self.by_dataset().items())
        n = len(self.records)
        head = f"{n} quarantined record{'s' * (n != 1)} in {self.files()} file(s) ({counts})"
        lines = [f"{head}: fix each file and deliver it again."]
        for ds in self.by_dataset():
            mine = [r for r in self.records if r.dataset == ds]
            lines += [f"- {r.line()}" for r in mine[:examples]]
            if len(mine) > examples:
                lines.append(f"- {ds}: … and {len(mine) - examples} more")
        return "\n".join([*lines, WHAT_TO_DO])


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return relation_exists(con, f"{schema}.{table}")


def _raw_union(con: duckdb.DuckDBPyConnection) -> str | None:
    """The view's union over the raw tables that exist (DuckDB SQL), or None when there are none."""
    parts, dataset_files = [], []
    for ds in DATASETS:
        if _exists(con, ds, "quarantine"):
            parts.append(
                f"select '{ds}' as dataset, delivery_id, source_file, row_number, nullif(field, '') as field, "
                f"reason, value, raw_record, hint, cast(timezone('UTC', quarantined_at) as timestamp) "
                f'as quarantined_at from "{ds}".quarantine'
            )
            dataset_files.append(f'select source_file from "{ds}".quarantine')
    landed = [
        f"select path, status, reason, delivery_key, seen_at from {LANDING}.{t}"
        for t in ("files", "load_rejects")
        if _exists(con, LANDING, t)
    ]
    if landed:
        not_in = f" and path not in ({' union all '.join(dataset_files)})" if dataset_files else ""
        parts.append(
            "select 'landing_zone' as dataset, delivery_key as delivery_id, path as source_file, 0 as row_number, "
            "null as field, status || ': ' || coalesce(reason, '') as reason, null as value, null as raw_record, "
            f"case status when 'unreadable' then '{UNREADABLE_HINT}' else '{UNRECOGNISED_HINT}' end as hint, "
            f"cast(timezone('UTC', seen_at) as timestamp) as quarantined_at from ({' union all '.join(landed)}) "
            f"as landed where status <> 'recognised'{not_in}"
        )
    return " union all ".join(parts) or None


def read_records(warehouse: str | Path, dataset: str | None = None) -> QuarantineReport:
    """Every quarantined record (of ``dataset`` only, when given), newest first, then by dataset, file, row and field.
    Reads the view when it exists, else the raw tables. An absent warehouse is an empty quarantine."""
    report = QuarantineReport()
    if not Path(warehouse).exists():
        return report
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        schema, name = RELATION.split(".")
        if _exists(con, schema, name):
            source = RELATION
        else:
            union = _raw_union(con)
            if union is None:
                return report
            source = f"({union})"
            report.relation = "raw quarantine tables (the view is not built yet)"
        where, params = ("where dataset = ?", [dataset]) if dataset else ("", [])
        rows = con.execute(
            f"select {', '.join(COLUMNS)} from {source} as q {where} "
            "order by quarantined_at desc nulls last, dataset, source_file, row_number, field nulls first",
            params,
        ).fetchall()
    finally:
        con.close()
    report.records = [QuarantineRecord(*r) for r in rows]
    return report


def quarantine_report(warehouse: str | Path) -> QuarantineReport:
    """The whole quarantine (every dataset), for the asset check."""
    return read_records(warehouse)


def to_json(report: QuarantineReport, raw_limit: int | None = None) -> str:
    return json.dumps([r.as_json(raw_limit) for r in report.records], indent=2)
