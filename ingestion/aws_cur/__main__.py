"""``python -m ingestion.aws_cur PATH --warehouse W``: load every AWS CUR delivery found under PATH."""
from __future__ import annotations

import argparse
import logging
import sys

from ingestion._common.source import load_dataset, plan

from .settings import DATASET


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingestion.aws_cur", description=__doc__)
    ap.add_argument("path", help="landing folder, file or fsspec URL holding CUR 2.0 / legacy CUR exports")
    ap.add_argument("--warehouse", default="warehouse/finops.duckdb", help="DuckDB warehouse file")
    ap.add_argument("--format", dest="format_id", default=None,
                    help="force a format (aws_cur2, aws_cur2_csv, aws_cur_legacy) instead of sniffing")
    ap.add_argument("--full-refresh", action="store_true", help="reload deliveries already loaded")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")

    planned = plan(args.path, args.format_id)
    mine = planned.for_dataset(DATASET)
    if not mine and not planned.errors:
        print(f"No AWS CUR deliveries found under {args.path}.", file=sys.stderr)
        return 1
    report = load_dataset(DATASET, planned, args.warehouse, full_refresh=args.full_refresh)
    print(f"{DATASET}: {len(report.deliveries_loaded)} deliveries loaded, {report.rows} rows")
    for err in report.quarantined:
        print(f"QUARANTINED {err}", file=sys.stderr)
    return 0 if report.ok else 2


if __name__ == "__main__":
    sys.exit(main())
