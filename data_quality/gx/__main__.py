"""``python -m data_quality.gx [--warehouse PATH] [--relation schema.table ...]``: run the GX suites on a warehouse
(read-only), print one line per suite and the failures, and the time taken; exit 1 when an error-severity suite
fails."""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import all_suites, run_suites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_quality.gx", description=__doc__)
    parser.add_argument(
        "--warehouse", default=None, help="DuckDB file (default: $FINOPS_WAREHOUSE or warehouse/finops.duckdb)"
    )
    parser.add_argument("--relation", action="append", default=[], help="only the suites of this relation")
    args = parser.parse_args(argv)
    warehouse = args.warehouse or os.environ.get("FINOPS_WAREHOUSE") or "warehouse/finops.duckdb"
    started = time.monotonic()
    suites = [s for s in all_suites().suites if not args.relation or s.relation in args.relation]
    results = run_suites(warehouse, suites)
    failed_errors = 0
    for r in results:
        print(f"{r.status:<13} {r.seconds:6.2f}s {r.rows:>8} rows  {r.suite.id}")
        if not r.passed:
            failed_errors += r.suite.severity == "error"
            print("  " + r.summary().replace("\n", "\n  "))
    total = time.monotonic() - started
    print(
        f"{len(results)} suites, {sum(not r.passed for r in results)} failed, "
        f"{sum(r.status == 'not built yet' for r in results)} not built yet; {total:.1f} s "
        f"(validation {sum(r.seconds for r in results):.1f} s)"
    )
    return 1 if failed_errors else 0


if __name__ == "__main__":
    sys.exit(main())
