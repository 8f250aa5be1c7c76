"""``python -m ingestion.<dataset> PATH --warehouse W``: load one dataset's deliveries found under PATH,
without Dagster or dbt (the pure-dlt entry point every source package exposes; :func:`ingestion.catalogue.main`
gives it the catalogue's planner and loader); :func:`run_loader` is the same for the sources that find their own
files (business KPIs, finance)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .source import LoadReport, Plan


def main(
    dataset: str,
    argv: list[str] | None = None,
    *,
    format_ids: Sequence[str],
    plan: Callable[[str, str | None], Plan],
    load: Callable[..., LoadReport],
) -> int:
    """``format_ids``: the formats of ``dataset`` (for ``--format``); ``plan(path, format_id)`` finds the deliveries
    under a path; ``load(dataset, planned, warehouse, full_refresh=)`` loads them."""
    ids = ", ".join(format_ids)
    ap = argparse.ArgumentParser(
        prog=f"python -m ingestion.{dataset}",
        description=f"Load every {dataset} delivery found under PATH into the warehouse.",
    )
    ap.add_argument("path", help="landing folder, file or fsspec URL (s3://, az://, gs://)")
    ap.add_argument("--warehouse", default="warehouse/finops.duckdb", help="DuckDB warehouse file")
    ap.add_argument("--format", dest="format_id", default=None, help=f"force a format ({ids}) instead of sniffing")
    ap.add_argument("--full-refresh", action="store_true", help="reload deliveries already loaded")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")

    planned = plan(args.path, args.format_id)
    if not planned.for_dataset(dataset) and not planned.errors:
        print(f"No {dataset} deliveries found under {args.path}.", file=sys.stderr)
        return 1
    report = load(dataset, planned, args.warehouse, full_refresh=args.full_refresh)
    print(f"{dataset}: {len(report.deliveries_loaded)} deliveries loaded, {report.rows} rows")
    for err in report.quarantined:
        print(f"QUARANTINED {err}", file=sys.stderr)
    return 0 if report.ok else 2


def run_loader(
    prog: str,
    description: str,
    load: Callable[..., Any],
    error: type[Exception],
    landing_help: str,
    argv: list[str] | None = None,
) -> int:
    """``python -m ingestion.<source> --warehouse W [--landing L] [--full-refresh]`` for a source that reads its
    configuration itself (business KPIs, finance): ``load(warehouse, landing, full_refresh=)`` returns a report with
    ``summary()``, ``all_quarantined`` and ``ok``. Exit 0 ok, 1 the load failed (``error``), 2 rows quarantined."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("--warehouse", default=os.environ.get("FINOPS_WAREHOUSE") or "warehouse/finops.duckdb")
    ap.add_argument("--landing", default=os.environ.get("FINOPS_LANDING") or "demo/landing", help=landing_help)
    ap.add_argument("--full-refresh", action="store_true", help="read unchanged files again")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        report = load(args.warehouse, args.landing, full_refresh=args.full_refresh)
    except error as e:
        print(f"ERROR {e}", file=sys.stderr)
        return 1
    print(report.summary())
    for e in report.all_quarantined:
        print(f"QUARANTINED {e}", file=sys.stderr)
    return 0 if report.ok else 2
