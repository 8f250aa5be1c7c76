"""python -m ingestion.focus_exports PATH --warehouse W [--format focus_1_0|focus_1_2] [--full-refresh]"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from ingestion._common.source import load_dataset, plan

from .settings import DATASET


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingestion.focus_exports", description=__doc__)
    ap.add_argument("path", help="landing folder, file or fsspec URL")
    ap.add_argument("--warehouse", default=os.environ.get("FINOPS_WAREHOUSE", "warehouse/finops.duckdb"))
    ap.add_argument("--format", dest="format_id", choices=["focus_1_0", "focus_1_2"], default=None,
                    help="force a format instead of sniffing each file's header")
    ap.add_argument("--full-refresh", action="store_true", help="reload deliveries even if unchanged")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    p = plan(args.path, args.format_id)
    report = load_dataset(DATASET, p, args.warehouse, full_refresh=args.full_refresh)
    print(f"{DATASET}: {len(report.deliveries_loaded)} deliveries loaded, {report.rows} rows")
    for e in report.quarantined:
        print(f"QUARANTINED {e}", file=sys.stderr)
    others = [f.dataset for _, f in p.deliveries if f.dataset != DATASET]
    if others:
        print(f"skipped {len(others)} deliveries of other datasets ({', '.join(sorted(set(others)))})")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
