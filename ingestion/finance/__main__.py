"""``python -m ingestion.finance --warehouse W [--landing L]``: load the finance drops (AP, cards, expenses, FX
rates under ``<landing>/finance/``) and the ledger (``SOURCES__FINANCE__LEDGER__CREDENTIALS``) without Dagster or
dbt."""

from __future__ import annotations

import sys

from ingestion._common.cli import run_loader

from .helpers import FinanceError
from .runner import load_finance


def main(argv: list[str] | None = None) -> int:
    return run_loader(
        "python -m ingestion.finance",
        "Load the finance drops (AP, cards, expenses, FX rates) and the ledger into the warehouse.",
        load_finance,
        FinanceError,
        "landing root; the drops are <landing>/finance/{ap,cards,expenses,fx_rates} unless "
        "SOURCES__FINANCE__<AP|CARDS|EXPENSES|FX_RATES>_PATH",
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
