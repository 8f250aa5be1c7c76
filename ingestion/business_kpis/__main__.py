"""``python -m ingestion.business_kpis --warehouse W [--landing L]``: load the business KPIs (CSV drop and SQL table,
as configured by ``SOURCES__BUSINESS_KPIS__*``) without Dagster or dbt."""

from __future__ import annotations

import sys

from ingestion._common.cli import run_loader

from .helpers import BusinessKpiError
from .runner import load_business_kpis


def main(argv: list[str] | None = None) -> int:
    return run_loader(
        "python -m ingestion.business_kpis",
        "Load the business KPIs (CSV drop, SQL table) into the warehouse.",
        load_business_kpis,
        BusinessKpiError,
        "landing root; the CSV drop is <landing>/business_kpis unless SOURCES__BUSINESS_KPIS__CSV_PATH",
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
