"""``python -m ingestion.azure_cost_details PATH --warehouse W``: load Azure cost details exports under PATH."""
from __future__ import annotations

import argparse
import logging
import sys

from ingestion._common.source import load_dataset, plan

from .helpers import deliveries_merge_key_workaround
from .settings import DATASET, FORMATS


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ingestion.azure_cost_details", description=__doc__)
    p.add_argument("path", help="landing folder, file or fsspec URL holding Azure cost details exports")
    p.add_argument("--warehouse", required=True, help="DuckDB warehouse file")
    p.add_argument("--format", choices=[f.id for f in FORMATS], help="force a format instead of sniffing")
    p.add_argument("--full-refresh", action="store_true", help="reload deliveries already loaded")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")

    planned = plan(args.path, args.format)
    with deliveries_merge_key_workaround():  # shared-code bug, see the helper's docstring
        report = load_dataset(DATASET, planned, args.warehouse, full_refresh=args.full_refresh)
    print(f"{DATASET}: {len(report.deliveries_loaded)} deliveries, {report.rows} rows loaded")
    for e in report.quarantined:
        print(f"quarantined: {e}", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
