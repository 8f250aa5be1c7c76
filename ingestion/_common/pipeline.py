"""The dlt pipeline every dataset loads with: one pipeline per dataset, named after it, writing the dataset's schema
of the warehouse DuckDB, its working directory beside the warehouse file (:func:`pipelines_dir`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

log = logging.getLogger("finops.ingestion")


def pipelines_dir(warehouse: str) -> str:
    p = Path(warehouse).resolve()
    return str(p.parent / f".{p.stem}.dlt")


def duckdb_settings(default_memory_limit: str = "1GB") -> dict:
    """DuckDB settings for the loads, read at call time: ``FINOPS_DUCKDB_MEMORY_LIMIT`` (default 1GB: DuckDB
    spills to disk beyond it instead of growing to the size of the load), ``FINOPS_DUCKDB_THREADS`` if set,
    and ``preserve_insertion_order=false`` (lets DuckDB stream inserts without buffering for order)."""
    cfg: dict = {
        "memory_limit": os.environ.get("FINOPS_DUCKDB_MEMORY_LIMIT") or default_memory_limit,
        "preserve_insertion_order": False,
    }
    threads = os.environ.get("FINOPS_DUCKDB_THREADS")
    if threads:
        cfg["threads"] = int(threads)
    if os.environ.get("FINOPS_DUCKDB_TEMP_DIRECTORY"):
        cfg["temp_directory"] = os.environ["FINOPS_DUCKDB_TEMP_DIRECTORY"]
    return cfg


def make_pipeline(dataset: str, warehouse: str) -> dlt.Pipeline:
    Path(warehouse).resolve().parent.mkdir(parents=True, exist_ok=True)
    credentials = DuckDbCredentials(str(Path(warehouse).resolve()), global_config=duckdb_settings())
    return dlt.pipeline(
        pipeline_name=dataset,
        pipelines_dir=pipelines_dir(warehouse),
        destination=dlt.destinations.duckdb(credentials=credentials),
        dataset_name=dataset,
        progress="log" if log.isEnabledFor(logging.DEBUG) else None,
    )
