"""The resources every billing-export dataset's ``@dlt.source`` is made of (:func:`billing_resources`; each dataset
package declares its own source with them, e.g. :func:`ingestion.aws_cur.aws_cur`), the planner
(:func:`plan_deliveries`) and the run loop around a load (:func:`load_billing_dataset`). The formats, sources and
file drops come by parameter: :mod:`ingestion.catalogue` lists them.

* Resource ``<table>`` (e.g. ``aws_cur.line_items``): Arrow batches, ``append`` (no staging copy: dlt's ``merge``
  would copy every row into a staging table, then delete+insert); a local Parquet file is instead written by DuckDB
  straight into the table during the resource's run (one ``INSERT ... SELECT FROM read_parquet``: read, transformed
  and written once; :func:`_read_file`), dlt still committing the delivery's state and log. Replacement is explicit:
  every row carries its run's ``x_ingested_at``; after each load, and again before the next one (so that a crash
  between the append and the cleanup heals), :func:`supersede_old_deliveries` deletes, in one statement, the rows of
  an ``(x_export_id, x_billing_period)`` that are older than that key's latest load. A re-delivered period of an
  export therefore replaces that export's period, never adds to it. Cursor: the per-delivery fingerprint kept in the
  resource state; a delivery whose fingerprint is unchanged is not read again (a second run loads nothing, and a
  dataset with nothing to load whose table exists runs no dlt pipeline).
* Resource ``quarantine``: deliveries that could not be loaded, with file, row, field, reason and the raw
  record; merge on ``(delivery_id, source_file, row_number, field)``. It holds the *current* state: after each
  load, :func:`supersede_quarantine` deletes the records of a delivery key (export × period) that are not of the
  delivery landed now, once that delivery has loaded or has been quarantined itself (a fixed file re-delivered in
  place or in a new version folder clears its record; the same bad file again keeps exactly its one record).
* Resource ``deliveries``: an append-only log of every delivery loaded (files, fingerprint, rows).
* A delivery whose file has the same content as a file another delivery key loaded (the same export copied under
  another name or export folder), or as another file of the same delivery, is quarantined, not loaded twice
  (:func:`content_id`: the SHA-256 of a local file; size and ETag / MD5 on object stores; a file without rows is
  never a copy). The same content landing again under its own key (touched, or a new version folder) simply
  replaces itself. Azure exports are not compared with each other (:data:`IDENTICAL_EXPORTS_ALLOWED`).

The replacement key of a row is its *delivery*: the export and the period of the landing layout's period folder
(``BILLING_PERIOD=``, the range, ``invoice_month=``, ``YYYY/MM``), or, for a file outside such a layout, the file
and the row's own billing period. Rows of another billing period inside a period folder (a late correction that
still says September in November's delivery) are loaded with the billing period they state, and re-delivering
November never deletes September's own delivery.

A bad file fails only its own delivery: the run is retried without it, the earlier delivery of that period
stays loaded, and the error is recorded in ``quarantine`` and returned in the :class:`LoadReport`. A delivery
whose first file cannot even be read (corrupt gzip, empty file) is found by :func:`plan`; it is quarantined by the
dataset whose export it belongs to (another period of the same export is planned for that dataset, or was loaded by
it before), else only the landing inventory (``landing_zone.files``) records it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dlt
import duckdb
import fsspec
import pyarrow as pa
from dlt.pipeline.exceptions import PipelineStepFailed

from .duckread import GUARD_TRIPPED, insert_parquet_sql, local_path, transform_parquet
from .duckread import source_row as parquet_source_row
from .errors import BadInputError, find_bad_input
from .formats import BillingDataset, BillingFormat, detect_format, format_by_id
from .landing import Delivery, FileRef, group_deliveries, list_files
from .pipeline import duckdb_settings, make_pipeline, pipelines_dir  # noqa: F401 - re-exported (the runners' pipeline)
from .readers import iter_batches, read_header, read_types
from .tables import drop_pending, existing_table, finish_pending, has_table
from .transform import SelectBuilder, batch_source_row, count_bad_rows, lit, run_transform
from .values import check_values, violation_sql

log = logging.getLogger("finops.ingestion")

_TEXT = {"data_type": "text", "nullable": True}
DELIVERY_COLUMNS = {"billing_period": _TEXT, "rows": {"data_type": "bigint"}}
QUARANTINE_COLUMNS = {
    "delivery_id": {"data_type": "text"},
    "source_file": {"data_type": "text"},
    "row_number": {"data_type": "bigint"},
    "field": {"data_type": "text"},
    "reason": {"data_type": "text"},
    "value": _TEXT,
    "raw_record": _TEXT,
    "hint": _TEXT,
    "quarantined_at": {"data_type": "timestamp"},
}
QUARANTINE_TABLE = "quarantine"
# datasets where two exports may legitimately deliver identical files: Azure's ActualCost and AmortizedCost exports
# of an account without commitments are byte for byte the same (and both are needed). Copies across exports are
# not detected there; copies within one delivery still are.
IDENTICAL_EXPORTS_ALLOWED = frozenset({"azure_cost_details"})
QUARANTINE_KEY = ["delivery_id", "source_file", "row_number", "field"]


def quarantine_hints() -> dict:
    """The ``quarantine`` table's dlt hints (every dataset's: billing exports and file drops), as
    :func:`~ingestion._common.tables.ensure_tables` takes them."""
    return {
        "write_disposition": "merge",
        "primary_key": list(QUARANTINE_KEY),
        "merge_key": [],
        "columns": {name: {**col, "name": name} for name, col in QUARANTINE_COLUMNS.items()},
    }


@dataclass
class Plan:
    """Deliveries found under a root, by format, plus files nobody recognised."""

    deliveries: list[tuple[Delivery, BillingFormat]] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    errors: list[BadInputError] = field(default_factory=list)
    # files of another source's landing folder (business_kpis/...): (path, dataset), not billing exports
    other_sources: list[tuple[str, str]] = field(default_factory=list)
    # the deliveries behind ``errors`` (their first file cannot be read), for the dataset that owns their export
    unreadable: list[tuple[Delivery, BadInputError]] = field(default_factory=list)
    # the absolute paths / URLs of ``unrecognised``, in the same order
    unrecognised_urls: list[str] = field(default_factory=list)

    def for_dataset(self, dataset: str) -> list[tuple[Delivery, BillingFormat]]:
        return [(d, f) for d, f in self.deliveries if f.dataset == dataset]


def plan_deliveries(
    root: str,
    formats: Sequence[BillingFormat],
    format_id: str | None = None,
    other_sources: Mapping[str, str] | None = None,
) -> Plan:
    """Discover deliveries under ``root`` and sniff each one's format (of ``formats``: every format the warehouse
    knows, :func:`ingestion.catalogue.formats`) from its first file's header. ``format_id`` forces one format.
    ``other_sources``: landing folder -> dataset of the file drops loaded by their own source (``business_kpis/``):
    their files are listed in ``Plan.other_sources``, not sniffed."""
    forced = format_by_id(formats, format_id) if format_id else None
    out = Plan()
    for d in group_deliveries(root, list_files(root)):
        owner = _other_source(d.files[0].rel, other_sources or {})
        if owner:  # e.g. the business-KPI CSV drop: loaded by its own source
            out.other_sources.extend((f.rel, owner) for f in d.files)
            continue
        try:
            header = read_header(d.files[0])
        except BadInputError as e:
            e.delivery_id = d.delivery_id
            out.errors.append(e)
            out.unreadable.append((d, e))
            continue
        fmt = forced or detect_format(formats, header, d.files[0].rel)
        if fmt is None:
            out.unrecognised.extend(f.rel for f in d.files)
            out.unrecognised_urls.extend(f.url for f in d.files)
            continue
        d.format = fmt.id
        out.deliveries.append((d, fmt))
    return out


def _other_source(rel: str, other_sources: Mapping[str, str]) -> str | None:
    """The dataset owning a landing path that is not a billing export (``business_kpis/...``, ``finance/...``),
    else None."""
    if "/" not in rel:
        return None
    return other_sources.get(rel.split("/", 1)[0])


@dataclass
class Written:
    """Rows of a file that :func:`_read_file` wrote straight into the raw table (nothing for dlt to load)."""

    num_rows: int


def _read_delivery(
    d: Delivery,
    fmt: BillingFormat,
    ingested_at: str,
    copies: dict[str, tuple[str, str]] | None = None,
    table: str | None = None,
) -> Iterator:
    """The delivery's rows as Arrow tables, or :class:`Written` for a file written straight into ``table`` (see
    :func:`_read_file`). ``copies``: file -> (the file of the same content, its delivery key): such a file with rows
    is refused (its rows are already loaded)."""
    for ref in d.files:
        direct = None if copies and ref.rel in copies else table
        for tbl in _read_file(d, fmt, ingested_at, ref, direct):
            if copies and ref.rel in copies and tbl.num_rows:  # loading it again would double its cost
                other, key = copies[ref.rel]
                where = "of the same delivery" if key == d.key else f"of delivery {key}, which is loaded"
                raise BadInputError(
                    ref.rel,
                    f"same content as {other} {where}: a copy, not loaded twice",
                    row=0,
                    hint="Remove the copy from the landing zone. If this export now owns that "
                    "period, deliver the period there with its own content.",
                )
            yield tbl


def _read_file(d: Delivery, fmt: BillingFormat, ingested_at: str, ref: FileRef, table: str | None = None) -> Iterator:
    """One file of a delivery as Arrow tables in the raw table's columns (bad input: :class:`BadInputError`).

    A local Parquet file with ``table`` given (the raw table, which exists) is written by DuckDB straight into it
    in one statement of its own transaction (:func:`_write_direct`: read, transformed and written once, on every
    thread, no Arrow round trip through dlt's extract and load files); this yields :class:`Written`. If a row
    breaks a value rule, or DuckDB cannot read the file, nothing is written and the file takes the streaming path
    below, which reports the file, row, field and value. The write first deletes the file's rows of the same
    delivery left by an attempt that did not finish (the run retried without a bad delivery, or a crash before dlt
    committed the run's state), so a file is never loaded twice."""
    header = read_header(ref)
    missing = [alts for alts in fmt.required_columns if not any(a in header for a in alts.split("|"))]
    if missing:
        raise BadInputError(
            ref.rel,
            f"missing required column(s) {', '.join(missing)} for {fmt.label}" + _renamed(missing, header),
            row=0,
            field=missing[0].split("|")[0],
            hint="Re-export with the provider's standard column set (or pass --format if "
            "the file was detected as the wrong format) and deliver it again.",
        )
    path = local_path(ref) if fmt.duckdb_parquet else None
    b = SelectBuilder(header=header, types=read_types(ref), native_maps=bool(path))
    try:
        fmt.build_select(b, ref, d)
    except KeyError as e:
        cols = e.args[0] if isinstance(e.args[0], list) else [str(e.args[0])]
        raise BadInputError(
            ref.rel, f"missing required column(s) {', '.join(cols)} for {fmt.label}", row=0, field=cols[0]
        ) from None
    meta = {
        "x_source_format": lit(fmt.id),
        "x_source_file": lit(ref.rel),
        "x_export_id": lit(d.export_id),
        "x_delivery_id": lit(d.delivery_id),
        "x_ingested_at": f"TIMESTAMP {lit(ingested_at)}",
    }
    sql = b.sql(meta)
    cols = fmt.read_columns(header) if fmt.read_columns else None
    if path and table:
        written = _write_direct(table, path, d, ref, cols if cols is not None else header, b, sql)
        if written is not None:
            yield Written(written)
            return
    if path:
        yielded = False
        try:
            read = cols if cols is not None else header
            for tbl in transform_parquet(path, ref, read, b.types, sql, native_maps=True):
                check_values(tbl, ref.rel, header, lambda row, f: parquet_source_row(ref, read, row, f))
                yielded = True
                yield tbl
            return
        except BadInputError as e:
            if yielded or e.field:
                raise
            # unreadable file: the pyarrow path below reports it as it always has
            b = SelectBuilder(header=header, types=read_types(ref))
            fmt.build_select(b, ref, d)
            sql = b.sql(meta)
    batches = iter((fmt.reader or iter_batches)(ref, cols))
    for batch, first_row in batches:
        if batch.num_rows:
            try:
                tbl = run_transform(batch, first_row, sql, ref.rel)
            except BadInputError as e:
                if e.affected:  # a value error: the message says how many rows of the whole file have one
                    count_bad_rows(e, batches, sql)
                raise
            check_values(
                tbl,
                ref.rel,
                header,
                lambda row, f, batch=batch, first=first_row: batch_source_row(batch, row - first, f),
            )
            yield tbl


def _write_direct(
    table: str, path: str, d: Delivery, ref: FileRef, columns: list[str], b: SelectBuilder, sql: str
) -> int | None:
    """Rows written by ``INSERT INTO <table> BY NAME SELECT <format SQL> FROM read_parquet(<file>)`` on the running
    pipeline's warehouse connection, committed; None when nothing was written (a guarded row, an unreadable file:
    the caller takes the streaming path, which names the problem)."""
    pipeline = dlt.current.pipeline()
    out_columns = [out for out, _ in b.exprs]
    with pipeline.sql_client() as c:
        if not has_table(c, pipeline.dataset_name, table):
            return None
        stmt = insert_parquet_sql(
            c.make_qualified_table_name(table), path, columns, b.types, sql, violation_sql(out_columns)
        )
        con = c.native_connection
        con.begin()
        try:
            # this file's rows of this delivery from an attempt that did not finish (a retry without a bad delivery,
            # a crash before the run's state was committed): replaced, never doubled
            con.execute(
                f"DELETE FROM {c.make_qualified_table_name(table)} WHERE x_delivery_id = ? AND x_source_file = ?",
                [d.delivery_id, ref.rel],
            )
            n = con.execute(stmt).fetchone()[0]
        except duckdb.Error as e:
            con.rollback()
            why = "a row breaks a value rule" if GUARD_TRIPPED in str(e) else f"DuckDB cannot write it ({e})"
            log.info("%s: %s; reading it again to name the problem", ref.rel, why)
            return None
        con.commit()
    return int(n)


def content_id(ref: FileRef) -> str:
    """What identifies a file's content: the SHA-256 of a local file's bytes; for an object store, its size and
    version (ETag / MD5 where the store has one: no second download)."""
    if "://" in ref.url:
        return f"{ref.size}:{ref.version}"
    h = hashlib.sha256()
    with fsspec.open(ref.url, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _copies_within(ids: dict[str, str], d: Delivery) -> dict[str, tuple[str, str]]:
    """file -> (the earlier file of the same content, this key), for files of one delivery that are the same file
    (the older file is the original: by version, i.e. modification time on a local disk, then name)."""

    def age(f: FileRef) -> tuple:
        try:
            return (0, float(f.version), f.rel)
        except ValueError:
            return (1, 0.0, f.rel)

    first: dict[str, str] = {}
    out = {}
    key = d.key
    for rel in [f.rel for f in sorted(d.files, key=age)]:
        if ids[rel] in first:
            out[rel] = (first[ids[rel]], key)
        else:
            first[ids[rel]] = rel
    return out


def _copies_of(ids: dict[str, str], key: str, contents: dict) -> dict[str, tuple[str, str]]:
    """file -> (the file of the same content, its delivery key), for files of this delivery whose content another
    delivery key loaded (a copy under another name or export)."""
    out = {}
    for other_key, files in contents.items():
        if other_key != key:
            out |= {rel: (files[cid], other_key) for rel, cid in ids.items() if cid in files and rel not in out}
    return out


def _renamed(missing: list[str], header: list[str]) -> str:
    """``; the file has 'X' (renamed?)`` for header columns that contain a missing column's name: a renamed column
    (``lineItem/UnblendedCost`` -> ``lineItem/UnblendedCostUSD``) is named in the error."""
    names = [a.lower() for alts in missing for a in alts.split("|")]
    near = [h for h in header if h.lower() not in names and any(n in h.lower() for n in names)]
    return f"; the file has {', '.join(repr(h) for h in near[:3])} (renamed?)" if near else ""


def empty_table(formats: Iterable[BillingFormat]) -> pa.Table:
    """A zero-row Arrow table with a dataset's raw schema (from the first of its ``formats`` with a
    ``sample_header``)."""
    fmt = next(f for f in formats if f.sample_header)
    b = SelectBuilder(header=list(fmt.sample_header))
    fmt.build_select(b, None, Delivery(export_id="", period=None))  # type: ignore[arg-type]
    sql = b.sql(
        {
            "x_source_format": lit(""),
            "x_source_file": lit(""),
            "x_export_id": lit(""),
            "x_delivery_id": lit(""),
            "x_ingested_at": "CAST(NULL AS TIMESTAMP)",
        }
    )
    batch = pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in fmt.sample_header})
    return run_transform(batch, 1, sql, "<schema>")


def billing_resources(
    dataset: str,
    formats: Sequence[BillingFormat],
    deliveries: Iterable[tuple[Delivery, BillingFormat]] = (),
    quarantined: Iterable[BadInputError] = (),
    full_refresh: bool = False,
) -> list:
    """The resources of a billing-export dataset's ``@dlt.source`` (each dataset package's own source calls this,
    e.g. :func:`ingestion.aws_cur.aws_cur`): ``<table>`` (the planned ``(Delivery, BillingFormat)`` pairs of the
    dataset's ``formats``, appended, see the module doc; a re-delivered period replaces the old one) and
    ``quarantine`` (the ``BadInputError`` of deliveries that could not be loaded). Plan with
    :func:`ingestion.catalogue.plan` and load with :func:`ingestion.catalogue.load_dataset`, which also remove
    superseded deliveries after the run."""
    table = formats[0].table
    ingested_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    deliveries = list(deliveries)
    quarantined = list(quarantined)

    @dlt.resource(name=table, write_disposition="append")
    def line_items() -> Iterator:
        state = dlt.current.resource_state()
        seen: dict = state.setdefault("deliveries", {})
        contents: dict = state.setdefault("contents", {})  # delivery key -> {content id: file} as last loaded
        yield empty_table(formats)  # creates the table before the first delivery; loads nothing
        for d, fmt in deliveries:
            if not full_refresh and seen.get(d.key) == d.fingerprint:
                log.info("%s: %s unchanged, skipped", dataset, d.key)
                continue
            ids = {f.rel: content_id(f) for f in d.files}
            copies = _copies_within(ids, d)
            if dataset not in IDENTICAL_EXPORTS_ALLOWED:
                copies = _copies_of(ids, d.key, contents) | copies
            rows = 0
            try:
                for tbl in _read_delivery(d, fmt, ingested_at, copies, table):
                    rows += tbl.num_rows
                    if not isinstance(tbl, Written):
                        yield tbl
            except BadInputError as e:
                e.delivery_id = d.delivery_id
                raise
            contents[d.key] = {cid: rel for rel, cid in ids.items()}
            log.info("%s: loaded %s (%s rows)", dataset, d.key, rows)
            seen[d.key] = d.fingerprint
            yield dlt.mark.with_hints(
                {
                    "delivery_id": d.delivery_id,
                    "export_id": d.export_id,
                    "billing_period": d.period,
                    "format": fmt.id,
                    "layout": d.layout,
                    "files": json.dumps([f.rel for f in d.files]),
                    "fingerprint": d.fingerprint,
                    "rows": rows,
                    "loaded_at": ingested_at,
                },
                # a table variant: it must not inherit the raw table's merge key
                dlt.mark.make_hints(
                    table_name="deliveries", write_disposition="append", merge_key=[], columns=DELIVERY_COLUMNS
                ),
                create_table_variant=True,
            )

    # the columns copied with their names (several share one dict in QUARANTINE_COLUMNS, which dlt would merge)
    @dlt.resource(
        name=QUARANTINE_TABLE,
        write_disposition="merge",
        primary_key=list(QUARANTINE_KEY),
        columns=quarantine_hints()["columns"],
    )
    def quarantine() -> Iterator[dict]:
        for e in quarantined:
            yield {**e.as_record(), "quarantined_at": ingested_at}

    return [line_items(), quarantine()]


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


def load_billing_dataset(
    billing: BillingDataset, planned: Plan, warehouse: str, full_refresh: bool = False
) -> LoadReport:
    """Load one dataset's deliveries with its source (``billing.source``); bad deliveries are quarantined and the
    rest still load. Afterwards (and before, to heal a crash) superseded rows and quarantine records are removed."""
    dataset, table = billing.name, billing.table
    report = LoadReport(dataset)
    todo = planned.for_dataset(dataset)
    pipeline = make_pipeline(dataset, warehouse)
    finish_pending(pipeline)  # a crashed run: finish its load first
    seen = _seen_fingerprints(pipeline, dataset, table)
    # deliveries of this dataset's exports whose first file cannot be read: quarantined here (and retried each run)
    unreadable = _unreadable_of(dataset, planned, todo, seen)
    bad: list[BadInputError] = list(unreadable)
    if not full_refresh and not bad and _table_exists(pipeline, dataset, table):
        supersede_old_deliveries(pipeline, table)  # heals a crash between an append and its cleanup
        if all(seen.get(d.key) == d.fingerprint for d, _ in todo):
            supersede_quarantine(pipeline, todo, planned, seen)  # e.g. a bad version folder was removed
            for d, _ in todo:
                log.info("%s: %s unchanged, skipped", dataset, d.key)
            report.deliveries_skipped = len(todo)
            return report  # nothing to load: no dlt run at all
    # deliveries whose fingerprint is in the resource state: the resource skips them (a second run loads nothing)
    unchanged = set() if full_refresh else {d.delivery_id for d, _ in todo if seen.get(d.key) == d.fingerprint}
    if todo and not _table_exists(pipeline, dataset, table):
        # the raw table first (nothing loaded), so that Parquet files can be written straight into it
        pipeline.run(billing.source([], [], full_refresh))
    for _ in range(len(todo) + 1):
        skip = {e.delivery_id for e in bad}
        src = billing.source([(d, f) for d, f in todo if d.delivery_id not in skip], bad, full_refresh)
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
    supersede_quarantine(pipeline, todo, planned, _seen_fingerprints(pipeline, dataset, table))
    report.rows = _rows_loaded(pipeline)
    failed = {e.delivery_id for e in bad}
    skipped = unchanged - failed
    report.deliveries_loaded = [d.delivery_id for d, _ in todo if d.delivery_id not in failed | skipped]
    report.deliveries_skipped = len(skipped)
    return report


def _rows_loaded(pipeline: dlt.Pipeline) -> int:
    """Rows of the deliveries the pipeline's last run loaded, from their ``deliveries`` log records (each counts its
    rows whether dlt loaded them or DuckDB wrote them straight into the raw table)."""
    info = pipeline.last_trace.last_load_info if pipeline.last_trace else None
    ids = list(info.loads_ids) if info else []
    if not ids:
        return 0
    with existing_table(pipeline, "deliveries") as (c, t):
        if t is None:
            return 0
        rows = c.execute_sql(f"select sum(rows) from {t} where _dlt_load_id in ({', '.join(['%s'] * len(ids))})", *ids)
    return int(rows[0][0] or 0) if rows else 0


def _unreadable_of(
    dataset: str, planned: Plan, todo: list[tuple[Delivery, BillingFormat]], seen: dict
) -> list[BadInputError]:
    """The plan's unreadable deliveries that belong to ``dataset``: another period of the same export is planned
    for it, or it loaded a delivery of that export before (a corrupt re-delivery of a loaded period)."""
    exports = {d.export_id for d, _ in todo} | {k.rsplit("|", 1)[0] for k in seen}
    return [e for d, e in planned.unreadable if d.export_id in exports]


def _table_exists(pipeline: dlt.Pipeline, dataset: str, table: str) -> bool:
    with pipeline.sql_client() as c:
        return has_table(c, dataset, table)


def _seen_fingerprints(pipeline: dlt.Pipeline, dataset: str, table: str) -> dict:
    """The resource state's fingerprint per delivery key ({} when the pipeline never ran)."""
    try:
        return dict(pipeline.state["sources"][dataset]["resources"][table]["deliveries"])
    except (KeyError, TypeError):
        return {}


def supersede_old_deliveries(pipeline: dlt.Pipeline, table: str) -> int:
    """Delete every row loaded before the latest load of its replacement key (one load run stamps all its rows
    with one ``x_ingested_at``): a re-delivered period replaces the old one. The replacement key is the export and
    the delivery's period (from ``x_delivery_id`` = ``<export>|<period>|<fingerprint>``, the landing layout's period
    folder), or for a delivery without a period folder (``*``) the row's ``x_billing_period``: rows of another
    billing period inside a period folder never replace that period's own delivery. Idempotent; cheap when there
    is nothing to delete (the key is computed on the distinct deliveries, not per row). Returns rows deleted."""
    with pipeline.sql_client() as c:
        t = c.make_qualified_table_name(table)
        rows = c.execute_sql(f"""
            delete from {t}
            using (
                select g.x_export_id, g.x_billing_period, g.x_delivery_id, l.latest
                from (select x_export_id, x_billing_period, x_delivery_id, max(x_ingested_at) as last_at,
                             coalesce(nullif(string_split(x_delivery_id, '|')[-2], '*'), x_billing_period) as rk
                      from {t} group by x_export_id, x_billing_period, x_delivery_id) as g
                join (select x_export_id, rk, max(last_at) as latest
                      from (select x_export_id, max(x_ingested_at) as last_at,
                                   coalesce(nullif(string_split(x_delivery_id, '|')[-2], '*'), x_billing_period) as rk
                            from {t} group by x_export_id, x_billing_period, x_delivery_id) as k
                      group by x_export_id, rk) as l
                  on l.x_export_id = g.x_export_id and l.rk is not distinct from g.rk
                where g.last_at < l.latest) as s
            where s.x_export_id = {t}.x_export_id
              and s.x_delivery_id is not distinct from {t}.x_delivery_id
              and s.x_billing_period is not distinct from {t}.x_billing_period
              and {t}.x_ingested_at < s.latest""")
    n = int(rows[0][0]) if rows else 0
    if n:
        log.info("%s: %s rows of superseded deliveries removed", table, n)
    return n


def delivery_key_of(delivery_id: str) -> str:
    """``<export>|<period>`` of a delivery id ``<export>|<period>|<fingerprint>``."""
    return delivery_id.rsplit("|", 1)[0]


def supersede_quarantine(
    pipeline: dlt.Pipeline, todo: list[tuple[Delivery, BillingFormat]], planned: Plan, seen: dict
) -> int:
    """Delete the quarantine records that no longer describe the landing zone: those of a delivery key (export ×
    period) landed now as another delivery (new content at the same path, a new version / assembly / run folder,
    or the bad folder removed) once that delivery is loaded (its fingerprint is in the resource state ``seen``) or
    is itself in the quarantine. The records of the delivery landed now are never deleted, so a still-bad file
    keeps its record, and a crash between the load and this cleanup only delays it to the next load. Keys no
    longer landed at all are left alone. Returns how many superseded deliveries' records were deleted."""
    current = {d.key: d for d, _ in todo} | {d.key: d for d, _ in planned.unreadable}
    if not current:
        return 0
    with existing_table(pipeline, QUARANTINE_TABLE) as (c, t):
        if t is None:
            return 0
        ids = {r[0] for r in c.execute_sql(f"select distinct delivery_id from {t}") or []}
        stale = []
        for did in ids:
            d = current.get(delivery_key_of(did)) if did else None
            if d is None or did == d.delivery_id:
                continue
            if seen.get(d.key) == d.fingerprint or d.delivery_id in ids:
                stale.append(did)
        for i in range(0, len(stale), 500):
            chunk = stale[i : i + 500]
            c.execute_sql(f"delete from {t} where delivery_id in ({', '.join(['%s'] * len(chunk))})", *chunk)
    if stale:
        log.info("%s: quarantine records of %s superseded deliveries removed", pipeline.dataset_name, len(stale))
    return len(stale)
