"""The dlt source shared by all billing-export datasets, and the run loop around it.

* Resource ``<table>`` (e.g. ``aws_cur.line_items``): Arrow batches, ``append`` (no staging copy: dlt's
  ``merge`` would copy every row into a staging table, then delete+insert). Replacement is explicit: every
  row carries its run's ``x_ingested_at``; after each load, and again before the next one (so that a crash
  between the append and the cleanup heals), :func:`supersede_old_deliveries` deletes, in one statement, the
  rows of an ``(x_export_id, x_billing_period)`` that are older than that key's latest load. A re-delivered
  period of an export therefore replaces that export's period, never adds to it. Cursor: the per-delivery
  fingerprint kept in the resource state; a delivery whose fingerprint is unchanged is not read again (a
  second run loads nothing, and a dataset with nothing to load whose table exists runs no dlt pipeline).
* Resource ``quarantine``: deliveries that could not be loaded, with file, row, field, reason and the raw
  record; merge on ``(delivery_id, source_file, row_number, field)``.
* Resource ``deliveries``: an append-only log of every delivery loaded (files, fingerprint, rows).

A bad file fails only its own delivery: the run is retried without it, the earlier delivery of that period
stays loaded, and the error is recorded in ``quarantine`` and returned in the :class:`LoadReport`.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion import registry

from .duckread import local_path, transform_parquet
from .errors import BadInputError, find_bad_input
from .formats import BillingFormat
from .landing import Delivery, group_deliveries, list_files
from .readers import iter_batches, read_header, read_types
from .tables import drop_pending, existing_tables
from .transform import SelectBuilder, lit, run_transform

log = logging.getLogger("finops.ingestion")

_TEXT = {"data_type": "text", "nullable": True}
DELIVERY_COLUMNS = {"billing_period": _TEXT, "rows": {"data_type": "bigint"}}
QUARANTINE_COLUMNS = {"delivery_id": {"data_type": "text"}, "source_file": {"data_type": "text"},
                      "row_number": {"data_type": "bigint"}, "field": {"data_type": "text"},
                      "reason": {"data_type": "text"}, "value": _TEXT, "raw_record": _TEXT, "hint": _TEXT,
                      "quarantined_at": {"data_type": "timestamp"}}


@dataclass
class Plan:
    """Deliveries found under a root, by format, plus files nobody recognised."""

    deliveries: list[tuple[Delivery, BillingFormat]] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    errors: list[BadInputError] = field(default_factory=list)
    # files of another source's landing folder (business_kpis/...): (path, dataset), not billing exports
    other_sources: list[tuple[str, str]] = field(default_factory=list)

    def for_dataset(self, dataset: str) -> list[tuple[Delivery, BillingFormat]]:
        return [(d, f) for d, f in self.deliveries if f.dataset == dataset]


def plan(root: str, format_id: str | None = None) -> Plan:
    """Discover deliveries under ``root`` and sniff each one's format from its first file's header."""
    forced = registry.by_id(format_id) if format_id else None
    out = Plan()
    for d in group_deliveries(root, list_files(root)):
        owner = _other_source(d.files[0].rel)
        if owner:  # e.g. the business-KPI CSV drop: loaded by its own source
            out.other_sources.extend((f.rel, owner) for f in d.files)
            continue
        try:
            header = read_header(d.files[0])
        except BadInputError as e:
            e.delivery_id = d.delivery_id
            out.errors.append(e)
            continue
        fmt = forced or registry.detect(header, d.files[0].rel)
        if fmt is None:
            out.unrecognised.extend(f.rel for f in d.files)
            continue
        d.format = fmt.id
        out.deliveries.append((d, fmt))
    return out


def _other_source(rel: str) -> str | None:
    """The dataset owning a landing path that is not a billing export (``business_kpis/...``, ``finance/...``),
    else None."""
    from ingestion.business_kpis import settings as kpis
    from ingestion.finance import settings as finance

    if "/" not in rel:
        return None
    return {kpis.LANDING_PREFIX: kpis.DATASET, finance.LANDING_PREFIX: finance.DATASET}.get(rel.split("/", 1)[0])


def _read_delivery(d: Delivery, fmt: BillingFormat, ingested_at: str) -> Iterator:
    for ref in d.files:
        header = read_header(ref)
        missing = [alts for alts in fmt.required_columns if not any(a in header for a in alts.split("|"))]
        if missing:
            raise BadInputError(ref.rel, f"missing required column(s) {', '.join(missing)} for {fmt.label}",
                                row=0, field=missing[0].split("|")[0],
                                hint="Re-export with the provider's standard column set (or pass --format if "
                                     "the file was detected as the wrong format) and deliver it again.")
        path = local_path(ref) if fmt.duckdb_parquet else None
        b = SelectBuilder(header=header, types=read_types(ref), native_maps=bool(path))
        try:
            fmt.build_select(b, ref, d)
        except KeyError as e:
            cols = e.args[0] if isinstance(e.args[0], list) else [str(e.args[0])]
            raise BadInputError(ref.rel, f"missing required column(s) {', '.join(cols)} for {fmt.label}",
                                row=0, field=cols[0]) from None
        meta = {
            "x_source_format": lit(fmt.id),
            "x_source_file": lit(ref.rel),
            "x_export_id": lit(d.export_id),
            "x_delivery_id": lit(d.delivery_id),
            "x_ingested_at": f"TIMESTAMP {lit(ingested_at)}",
        }
        sql = b.sql(meta)
        cols = fmt.read_columns(header) if fmt.read_columns else None
        if path:
            yielded = False
            try:
                for tbl in transform_parquet(path, ref, cols if cols is not None else header, b.types, sql,
                                             native_maps=True):
                    yielded = True
                    yield tbl
                continue
            except BadInputError as e:
                if yielded or e.field:
                    raise
                # unreadable file: the pyarrow path below reports it as it always has
                b = SelectBuilder(header=header, types=read_types(ref))
                fmt.build_select(b, ref, d)
                sql = b.sql(meta)
        for batch, first_row in (fmt.reader or iter_batches)(ref, cols):
            if batch.num_rows:
                yield run_transform(batch, first_row, sql, ref.rel)


def empty_table(dataset: str):
    """A zero-row Arrow table with the dataset's raw schema (from a format's ``sample_header``)."""
    import pyarrow as pa

    fmt = next(f for f in registry.formats() if f.dataset == dataset and f.sample_header)
    b = SelectBuilder(header=list(fmt.sample_header))
    fmt.build_select(b, None, Delivery(export_id="", period=None))  # type: ignore[arg-type]
    sql = b.sql({"x_source_format": lit(""), "x_source_file": lit(""), "x_export_id": lit(""),
                 "x_delivery_id": lit(""), "x_ingested_at": "CAST(NULL AS TIMESTAMP)"})
    batch = pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in fmt.sample_header})
    return run_transform(batch, 1, sql, "<schema>")


def billing_exports(
    dataset: str,
    deliveries: list[tuple[Delivery, BillingFormat]],
    quarantined: Iterable[BadInputError] = (),
    full_refresh: bool = False,
):
    """Build the dlt source for one dataset from planned deliveries."""
    table = registry.raw_tables()[dataset]
    ingested_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    quarantined = list(quarantined)
    skipped: list[str] = []

    @dlt.resource(name=table, write_disposition="append")
    def line_items() -> Iterator:
        state = dlt.current.resource_state()
        seen: dict = state.setdefault("deliveries", {})
        yield empty_table(dataset)  # creates the table before the first delivery; loads nothing
        for d, fmt in deliveries:
            if not full_refresh and seen.get(d.key) == d.fingerprint:
                log.info("%s: %s unchanged, skipped", dataset, d.key)
                skipped.append(d.delivery_id)
                continue
            rows = 0
            try:
                for tbl in _read_delivery(d, fmt, ingested_at):
                    rows += tbl.num_rows
                    yield tbl
            except BadInputError as e:
                e.delivery_id = d.delivery_id
                raise
            log.info("%s: loaded %s (%s rows)", dataset, d.key, rows)
            seen[d.key] = d.fingerprint
            yield dlt.mark.with_hints(
                {"delivery_id": d.delivery_id, "export_id": d.export_id, "billing_period": d.period,
                 "format": fmt.id, "layout": d.layout, "files": json.dumps([f.rel for f in d.files]),
                 "fingerprint": d.fingerprint, "rows": rows, "loaded_at": ingested_at},
                # a table variant: it must not inherit the raw table's merge key
                dlt.mark.make_hints(table_name="deliveries", write_disposition="append", merge_key=[],
                                    columns=DELIVERY_COLUMNS),
                create_table_variant=True,
            )

    @dlt.resource(name="quarantine", write_disposition="merge",
                  primary_key=["delivery_id", "source_file", "row_number", "field"], columns=QUARANTINE_COLUMNS)
    def quarantine() -> Iterator[dict]:
        for e in quarantined:
            yield {**e.as_record(), "quarantined_at": ingested_at}

    @dlt.source(name=dataset, max_table_nesting=0)
    def source():
        return [line_items(), quarantine()]

    src = source()
    src.skipped_deliveries = skipped  # filled during extraction; read by load_dataset
    return src


@dataclass
class LoadReport:
    dataset: str
    deliveries_loaded: list[str] = field(default_factory=list)
    deliveries_skipped: int = 0
    rows: int = 0
    quarantined: list[BadInputError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.quarantined


def pipelines_dir(warehouse: str) -> str:
    p = Path(warehouse).resolve()
    return str(p.parent / f".{p.stem}.dlt")


def duckdb_settings(default_memory_limit: str = "1GB") -> dict:
    """DuckDB settings for the loads, read at call time: ``FINOPS_DUCKDB_MEMORY_LIMIT`` (default 1GB: DuckDB
    spills to disk beyond it instead of growing to the size of the load), ``FINOPS_DUCKDB_THREADS`` if set,
    and ``preserve_insertion_order=false`` (lets DuckDB stream inserts without buffering for order)."""
    import os

    cfg: dict = {"memory_limit": os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT") or default_memory_limit,
                 "preserve_insertion_order": False}
    threads = os.environ.get("FINOPS_DUCKDB_THREADS")
    if threads:
        cfg["threads"] = int(threads)
    if os.environ.get("FINOPS_DUCKDB_TEMP_DIRECTORY"):
        cfg["temp_directory"] = os.environ["FINOPS_DUCKDB_TEMP_DIRECTORY"]
    return cfg


def make_pipeline(dataset: str, warehouse: str) -> dlt.Pipeline:
    from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

    Path(warehouse).resolve().parent.mkdir(parents=True, exist_ok=True)
    credentials = DuckDbCredentials(str(Path(warehouse).resolve()), global_config=duckdb_settings())
    return dlt.pipeline(
        pipeline_name=dataset,
        pipelines_dir=pipelines_dir(warehouse),
        destination=dlt.destinations.duckdb(credentials=credentials),
        dataset_name=dataset,
        progress="log" if log.isEnabledFor(logging.DEBUG) else None,
    )


def load_dataset(dataset: str, planned: Plan, warehouse: str, full_refresh: bool = False) -> LoadReport:
    """Load one dataset's deliveries; bad deliveries are quarantined and the rest still load."""
    report = LoadReport(dataset)
    todo = planned.for_dataset(dataset)
    bad: list[BadInputError] = []  # deliveries whose files fail while loading (unreadable headers never plan)
    pipeline = make_pipeline(dataset, warehouse)
    table = registry.raw_tables()[dataset]
    if pipeline.has_pending_data:  # a crashed run: finish its load first (dlt's run loads it and exits)
        pipeline.run()
    if not full_refresh and not bad and _table_exists(pipeline, dataset, table):
        supersede_old_deliveries(pipeline, table)  # heals a crash between an append and its cleanup
        seen = _seen_fingerprints(pipeline, dataset, table)
        if all(seen.get(d.key) == d.fingerprint for d, _ in todo):
            for d, _ in todo:
                log.info("%s: %s unchanged, skipped", dataset, d.key)
            report.deliveries_skipped = len(todo)
            return report  # nothing to load: no dlt run at all
    for _ in range(len(todo) + 1):
        skip = {e.delivery_id for e in bad}
        src = billing_exports(dataset, [(d, f) for d, f in todo if d.delivery_id not in skip], bad, full_refresh)
        try:
            pipeline.run(src)
            break
        except PipelineStepFailed as e:
            err = find_bad_input(e)
            if err is None or err.delivery_id is None or err.delivery_id in skip:
                raise
            log.warning("%s", err)
            drop_pending(pipeline)
            bad.append(err)
    else:  # pragma: no cover - every iteration removes one delivery
        raise RuntimeError("load loop did not converge")
    report.quarantined = bad
    supersede_old_deliveries(pipeline, table)
    trace = pipeline.last_trace
    counts = trace.last_normalize_info.row_counts if trace and trace.last_normalize_info else {}
    report.rows = int(sum(v for k, v in counts.items() if not k.startswith("_dlt") and k not in {"deliveries", "quarantine"}))
    skipped = set(getattr(src, "skipped_deliveries", []))
    failed = {e.delivery_id for e in bad}
    report.deliveries_loaded = [d.delivery_id for d, _ in todo if d.delivery_id not in failed | skipped]
    report.deliveries_skipped = len(skipped)
    return report


def _table_exists(pipeline: dlt.Pipeline, dataset: str, table: str) -> bool:
    with pipeline.sql_client() as c:
        rows = c.execute_sql("select count(*) from information_schema.tables where table_schema = %s and "
                             "table_name = %s", dataset, table)
    return bool(rows and rows[0][0])


def _seen_fingerprints(pipeline: dlt.Pipeline, dataset: str, table: str) -> dict:
    """The resource state's fingerprint per delivery key ({} when the pipeline never ran)."""
    try:
        return dict(pipeline.state["sources"][dataset]["resources"][table]["deliveries"])
    except (KeyError, TypeError):
        return {}


def supersede_old_deliveries(pipeline: dlt.Pipeline, table: str) -> int:
    """Delete the rows of every ``(x_export_id, x_billing_period)`` loaded before that key's latest load (one
    load run stamps all its rows with one ``x_ingested_at``): a re-delivered period replaces the old one.
    Idempotent; cheap when there is nothing to delete (one scan of three columns). Returns rows deleted."""
    with pipeline.sql_client() as c:
        t = c.make_qualified_table_name(table)
        rows = c.execute_sql(f"""
            delete from {t}
            using (select x_export_id, x_billing_period, max(x_ingested_at) as latest
                   from {t} group by x_export_id, x_billing_period) as l
            where l.x_export_id = {t}.x_export_id
              and l.x_billing_period is not distinct from {t}.x_billing_period
              and {t}.x_ingested_at < l.latest""")
    n = int(rows[0][0]) if rows else 0
    if n:
        log.info("%s: %s rows of superseded deliveries removed", table, n)
    return n


def ensure_raw_tables(warehouse: str) -> list[str]:
    """Create, empty, every dataset's raw table that does not exist yet (so that dbt finds all its sources
    when only some providers have delivered): the billing exports' raw tables, every table of the vendor API
    datasets (``openai_usage``, ``anthropic_usage``; :func:`~ingestion._common.api_sources.ensure_api_tables`) and
    the business KPIs' (:func:`~ingestion.business_kpis.runner.ensure_kpi_tables`), the SaaS invoices'
    (:func:`~ingestion.saas_invoices.runner.ensure_saas_tables`) and the finance tables
    (:func:`~ingestion.finance.runner.ensure_finance_tables`).
    Returns the datasets created."""
    from ingestion.business_kpis.runner import ensure_kpi_tables
    from ingestion.finance.runner import ensure_finance_tables
    from ingestion.saas_invoices.runner import ensure_saas_tables

    from .api_sources import ensure_api_tables

    wanted = registry.raw_tables()
    existing = existing_tables(warehouse)
    created = []
    for ds, table in sorted(wanted.items()):
        if (ds, table) not in existing:
            load_dataset(ds, Plan(), warehouse)
            created.append(ds)
    api = ensure_api_tables(warehouse, existing=existing)
    kpi = ensure_kpi_tables(warehouse, existing=existing)
    saas = ensure_saas_tables(warehouse, existing=existing)
    fin = ensure_finance_tables(warehouse, existing=existing)
    created += sorted({t.split(".")[0] for t in api + kpi + saas + fin})
    return created
