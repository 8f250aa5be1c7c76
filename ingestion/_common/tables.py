"""Warehouse table bookkeeping shared by every dlt dataset: which tables exist, creating declared tables empty,
and discarding the package of a failed run. No Dagster."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dlt

from .pipeline import make_pipeline

log = logging.getLogger("finops.ingestion")


def existing_tables(warehouse: str) -> set[tuple[str, str]]:
    """(schema, table) of every table in the warehouse (empty when the file does not exist yet)."""
    from .relations import warehouse_relations

    return {(schema, table) for schema, _, table in (r.partition(".") for r in warehouse_relations(warehouse))}


def has_table(client: Any, dataset: str, table: str) -> bool:
    """Whether ``dataset.table`` exists, through an open dlt SQL client (``pipeline.sql_client()``)."""
    rows = client.execute_sql(
        "select count(*) from information_schema.tables where table_schema = %s and table_name = %s", dataset, table
    )
    return bool(rows and rows[0][0])


@contextmanager
def existing_table(pipeline: dlt.Pipeline, table: str) -> Iterator[tuple[Any, str | None]]:
    """An open SQL client of the pipeline's dataset and ``table``'s qualified name, None when the table does not
    exist (yet)."""
    with pipeline.sql_client() as c:
        yield c, (c.make_qualified_table_name(table) if has_table(c, pipeline.dataset_name, table) else None)


def finish_pending(pipeline: dlt.Pipeline) -> bool:
    """Finish the load of a run that was interrupted (killed) after dlt committed its extracted package: dlt
    normalizes and loads the pending package (jobs the destination had already committed are not re-run) and the
    package's resource state (cursors, fingerprints) is committed with it. True if there was one."""
    if not pipeline.has_pending_data:
        return False
    log.warning(
        "%s: an earlier run was interrupted before its load finished; finishing that load first", pipeline.pipeline_name
    )
    pipeline.run()
    return True


def drop_pending(pipeline: dlt.Pipeline) -> None:
    """Discard the extracted-but-not-loaded package of a failed run, so the next run starts clean."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            pipeline.drop_pending_packages()
        except Exception:  # noqa: BLE001, S110 - nothing pending, or nothing to drop
            pass


def empty_tables_source(dataset: str, hints: Mapping[str, Mapping[str, Any]], tables: Iterable[str]):
    """A dlt source named ``dataset`` whose resources yield one zero-row Arrow table per table, typed from the
    declared hints (``columns``, ``write_disposition``, ``primary_key``, optional ``merge_key``) plus dlt's
    ``_dlt_load_id`` / ``_dlt_id``: dlt creates the tables exactly as the first real load would, and loads nothing."""
    import pyarrow as pa
    from dlt.common.libs.pyarrow import columns_to_arrow
    from dlt.common.schema.utils import dlt_id_column, dlt_load_id_column

    caps = dlt.destinations.duckdb().capabilities()

    def resource(table: str):
        h = hints[table]
        columns = {name: {**col, "name": name} for name, col in h["columns"].items()}
        pk = h.get("primary_key") or []
        for key in [pk] if isinstance(pk, str) else pk:  # dlt makes key columns NOT NULL: so does the Arrow schema
            columns[key]["nullable"] = False
        columns.update({c["name"]: c for c in (dlt_load_id_column(), dlt_id_column())})
        # json columns have no Arrow type that dlt reads back as json: the declared hint creates them
        schema = columns_to_arrow({n: c for n, c in columns.items() if c.get("data_type") != "json"}, caps, "UTC")

        def rows() -> Iterator[Any]:
            yield pa.Table.from_batches([], schema=schema)

        extra = {"merge_key": h["merge_key"]} if h.get("merge_key") else {}
        return dlt.resource(
            rows,
            name=f"empty_{table}",
            table_name=table,
            write_disposition=h["write_disposition"],
            primary_key=h.get("primary_key"),
            columns=columns,
            **extra,
        )()

    @dlt.source(name=dataset, max_table_nesting=0)
    def source():
        return [resource(t) for t in tables]

    return source()


def ensure_tables(
    warehouse: str, dataset: str, hints: Mapping[str, Mapping[str, Any]], existing: set[tuple[str, str]] | None = None
) -> list[str]:
    """Create, empty, every table of ``hints`` that ``dataset`` does not have yet. Returns ``dataset.table``."""
    existing = existing_tables(warehouse) if existing is None else existing
    missing = [t for t in hints if (dataset, t) not in existing]
    if not missing:
        return []
    make_pipeline(dataset, warehouse).run(empty_tables_source(dataset, hints, missing))
    log.info("%s: created empty tables %s", dataset, ", ".join(missing))
    return [f"{dataset}.{t}" for t in missing]
