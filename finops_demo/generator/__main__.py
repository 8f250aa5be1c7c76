"""python -m finops_demo.generator --seed 42 --rows 60000 --out DIR [--formats aws_cur2,...] [--no-redelivery]"""

from __future__ import annotations

import argparse
import json
import sys

from . import FORMATS, generate, write_redelivery


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m finops_demo.generator", description="Write Northwind Robotics demo billing exports"
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rows", type=int, default=60_000, help="approximate total row budget")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--formats", default=None, help="comma separated, any of: " + ",".join(FORMATS))
    p.add_argument("--months", default=None, help="comma separated YYYY-MM (default: 2026-09,2026-10)")
    p.add_argument("--no-redelivery", action="store_true", help="write only the original deliveries")
    p.add_argument("--redelivery-only", action="store_true", help="only land the restated 2026-09 delivery")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)
    fmts = a.formats.split(",") if a.formats else None
    months = a.months.split(",") if a.months else None
    if a.redelivery_only:
        s = write_redelivery(a.out, seed=a.seed, rows=a.rows, formats=fmts, months=months, progress=not a.quiet)
    else:
        s = generate(
            a.out,
            seed=a.seed,
            rows=a.rows,
            formats=fmts,
            progress=not a.quiet,
            months=months,
            redelivery=not a.no_redelivery,
        )
    brief = {
        k: {"rows": v["rows"], "rows_per_period": v["rows_per_period"], "files": len(v["files"])}
        for k, v in s["formats"].items()
    }
    json.dump({"seconds": s.get("seconds"), "formats": brief}, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
