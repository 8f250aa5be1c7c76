"""``python -m ingestion.<dataset> PATH --warehouse W``: load one dataset's deliveries found under PATH,
without Dagster or dbt (the pure-dlt entry point every source package exposes)."""
from __future__ import annotations

import argparse
import logging
import sys

from .source import load_dataset, plan


def main(dataset: str, argv: list[str] | None = None) -> int:
    from ingestion import registry

    ids = ", ".join(f.id for f in registry.formats() if f.dataset == dataset)
    ap = argparse.ArgumentParser(prog=f"python -m ingestion.{dataset}",
                                 description=f"Load every {dataset} delivery found under PATH into the warehouse.")
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
    report = load_dataset(dataset, planned, args.warehouse, full_refresh=args.full_refresh)
    print(f"{dataset}: {len(report.deliveries_loaded)} deliveries loaded, {report.rows} rows")
    for err in report.quarantined:
        print(f"QUARANTINED {err}", file=sys.stderr)
    return 0 if report.ok else 2
