"""``python -m ingestion.saas_invoices --warehouse W``: load the SaaS vendors' invoices (as configured by
``SOURCES__SAAS_INVOICES__VENDORS``) without Dagster or dbt."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ingestion._common.http import VendorApiError

from .runner import load_saas_invoices


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m ingestion.saas_invoices",
        description="Load SaaS vendor invoices (Stripe-style invoices APIs) into the warehouse.",
    )
    ap.add_argument("--warehouse", default=os.environ.get("FINOPS_WAREHOUSE") or "warehouse/finops.duckdb")
    ap.add_argument("--lookback-days", type=float, default=None, help="override the configured look-back (days)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        report = load_saas_invoices(args.warehouse, lookback_days=args.lookback_days)
    except VendorApiError as e:
        print(f"ERROR {e}", file=sys.stderr)
        return 1
    print(report.summary())
    for vendor, rows in report.rows_by_vendor.items():
        print(f"  {vendor}: {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
