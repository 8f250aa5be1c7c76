"""``python -m ingestion.gcp_billing PATH --warehouse W``: load the GCP billing exports found under PATH."""
from __future__ import annotations

import argparse
import logging
import sys

from ingestion._common.source import load_dataset, plan

from .settings import DATASET


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingestion.gcp_billing", description=__doc__)
    ap.add_argument("path", help="landing folder, file or fsspec URL holding GCP billing export files")
    ap.add_argument("--warehouse", required=True, help="DuckDB warehouse file")
    ap.add_argument("--format", default=None, help="force a format id (gcp_billing_jsonl|_parquet|_csv)")
    ap.add_argument("--full-refresh", action="store_true", help="reload deliveries even if unchanged")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    planned = plan(args.path, args.format)
    for e in planned.errors:
        print(f"unreadable: {e}", file=sys.stderr)
    others = sorted({f.dataset for _, f in planned.deliveries} - {DATASET})
    if others:
        print(f"ignored (other datasets): {', '.join(others)}", file=sys.stderr)
    report = load_dataset(DATASET, planned, args.warehouse, full_refresh=args.full_refresh)
    print(f"{DATASET}: {report.rows} rows loaded; {len(report.deliveries_loaded)} deliveries current "
          f"(unchanged ones are skipped), {len(report.quarantined)} quarantined")
    for e in report.quarantined:
        print(f"quarantined: {e}", file=sys.stderr)
    return 0 if report.ok and not planned.errors else 1


if __name__ == "__main__":
    sys.exit(main())
