"""``python -m ingestion.business_kpis --warehouse W [--landing L]``: load the business KPIs (CSV drop and SQL table,
as configured by ``SOURCES__BUSINESS_KPIS__*``) without Dagster or dbt."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from .helpers import BusinessKpiError
from .runner import load_business_kpis


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingestion.business_kpis",
                                 description="Load the business KPIs (CSV drop, SQL table) into the warehouse.")
    ap.add_argument("--warehouse", default=os.environ.get("FINOPS_WAREHOUSE") or "warehouse/finops.duckdb")
    ap.add_argument("--landing", default=os.environ.get("FINOPS_LANDING") or "demo/landing",
                    help="landing root; the CSV drop is <landing>/business_kpis unless SOURCES__BUSINESS_KPIS__CSV_PATH")
    ap.add_argument("--full-refresh", action="store_true", help="read unchanged CSV files again")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        report = load_business_kpis(args.warehouse, args.landing, full_refresh=args.full_refresh)
    except BusinessKpiError as e:
        print(f"ERROR {e}", file=sys.stderr)
        return 1
    print(report.summary())
    for e in report.all_quarantined:
        print(f"QUARANTINED {e}", file=sys.stderr)
    return 0 if report.ok else 2


if __name__ == "__main__":
    sys.exit(main())
