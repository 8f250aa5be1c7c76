"""The demo enterprise's business KPIs: daily volumes per AI product, written as the two sources the business-KPI
loader reads (``ingestion/business_kpis``):

* ``<out>/business_kpis/daily_volumes.csv`` - the operations teams' CSV drop: the product-specific volumes
  (tickets_resolved, documents_processed, images_processed) and, for October, the finance team's own count of
  fraud-model transactions (a little higher than the product database's: staging keeps the database's value);
* ``<out>/business_kpis/kpis.sqlite`` - the product analytics database, table ``daily_volumes`` (kpi_date, product,
  kpi_name, kpi_value, kpi_unit, updated_at): transactions and active_users of every AI product.

Volumes follow the products' AI usage: transactions = the product's daily AI tokens (the demo vendor servers' prod
volumes, :data:`DAILY_AI_TOKENS`) / 1,000, with the vendor servers' weekday pattern (weekends x 0.55), 0.4 % growth
a day and +-10 % noise; active users and the product volumes are fixed ratios of transactions. robot-vision's line
stood still on :data:`ZERO_DAY`: every volume of that product is 0 that day (unit costs must give NULL, not fail).

Deterministic from the seed (the counter-based hash of ``enterprise``), byte-identical for a seed. The restatement
(:func:`restate_kpis`, landed with the billing re-delivery) corrects support-copilot's transactions on the last two
days of September (x 1.08, late events) with a later ``updated_at``: the next load reads exactly those rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import numpy as np

from .enterprise import MONTHS, TEAMS, Month, urand

FOLDER = "business_kpis"
CSV_NAME = "daily_volumes.csv"
SQLITE_NAME = "kpis.sqlite"
SQL_TABLE = "daily_volumes"

# daily AI tokens per AI product (the demo vendor servers' prod-key volumes, vendor_servers/anthropic.py _VOLUME)
DAILY_AI_TOKENS = {
    "support-copilot": 2_400_000,
    "doc-search": 3_100_000,
    "robot-vision": 450_000,
    "ml-platform": 1_600_000,
    "fraud-model": 900_000,
}
TOKENS_PER_TRANSACTION = 1_000
# transactions per active user and day
TRANSACTIONS_PER_USER = {
    "support-copilot": 4,
    "doc-search": 5,
    "robot-vision": 15,
    "ml-platform": 40,
    "fraud-model": 60,
}
# the CSV drop's product volumes: (kpi_name, unit, x transactions)
PRODUCT_VOLUMES = {
    "support-copilot": ("tickets_resolved", "Tickets", 0.35),
    "doc-search": ("documents_processed", "Documents", 12.0),
    "robot-vision": ("images_processed", "Images", 40.0),
}
ZERO_DAY = ("robot-vision", dt.date(2026, 10, 4))
FINANCE_OVERLAP = ("fraud-model", "2026-10", 1.02)  # finance's own transaction count in the drop, 2 % higher
RESTATED = ("support-copilot", "transactions", (dt.date(2026, 9, 29), dt.date(2026, 9, 30)), 1.08)
RESTATED_AT = "2026-11-02 02:00:00"
_STREAM = 9_100  # hash stream of the KPI noise


def _days(months: tuple[str, ...]) -> list[dt.date]:
    out = []
    for ym in months:
        m = Month(ym)
        out += [m.start.date() + dt.timedelta(days=i) for i in range(m.days)]
    return out


def daily_volumes(seed: int = 42, months: tuple[str, ...] = MONTHS) -> list[dict]:
    """Every demo volume: ``{kpi_date, product, kpi_name, kpi_value (int), kpi_unit, source}`` with source
    ``csv_drop`` or ``sql_database``, sorted by (date, product, kpi_name, source)."""
    products = [t.project for t in TEAMS if t.ai and t.project in DAILY_AI_TOKENS]
    days = _days(tuple(months))
    first = days[0]
    rows: list[dict] = []
    for pi, product in enumerate(products):
        noise = urand(seed, _STREAM + pi, np.arange(len(days) * 4))
        for di, day in enumerate(days):
            weekday = 0.55 if day.weekday() >= 5 else 1.0
            growth = 1 + (day - first).days * 0.004
            tx = DAILY_AI_TOKENS[product] / TOKENS_PER_TRANSACTION * weekday * growth * (0.9 + 0.2 * noise[di * 4])
            if (product, day) == ZERO_DAY:
                tx = 0.0
            users = tx / TRANSACTIONS_PER_USER[product] * (0.95 + 0.1 * noise[di * 4 + 1])
            values = [
                ("transactions", tx, "Transactions", "sql_database"),
                ("active_users", users, "Users", "sql_database"),
            ]
            if product in PRODUCT_VOLUMES:
                name, unit, ratio = PRODUCT_VOLUMES[product]
                values.append((name, tx * ratio * (0.97 + 0.06 * noise[di * 4 + 2]), unit, "csv_drop"))
            f_product, f_month, f_ratio = FINANCE_OVERLAP
            if product == f_product and day.isoformat().startswith(f_month):
                values.append(("transactions", tx * f_ratio, "Transactions", "csv_drop"))
            rows += [
                {
                    "kpi_date": day,
                    "product": product,
                    "kpi_name": name,
                    "kpi_value": round(value),
                    "kpi_unit": unit,
                    "source": source,
                }
                for name, value, unit, source in values
            ]
    return sorted(rows, key=lambda r: (r["kpi_date"], r["product"], r["kpi_name"], r["source"]))


def _updated_at(day: dt.date) -> str:
    return f"{day + dt.timedelta(days=1)} 02:00:00"  # the nightly job after the day


def write_kpis(out_dir: str | Path, seed: int = 42, months: tuple[str, ...] = MONTHS) -> dict:
    """Write the CSV drop and the SQLite database under ``<out_dir>/business_kpis/``; returns a summary."""
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rows = daily_volumes(seed, months)
    csv_rows = [r for r in rows if r["source"] == "csv_drop"]
    sql_rows = [r for r in rows if r["source"] == "sql_database"]
    csv_path = folder / CSV_NAME
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["kpi_date", "product", "kpi_name", "kpi_value", "kpi_unit"])
        for r in csv_rows:
            w.writerow([r["kpi_date"].isoformat(), r["product"], r["kpi_name"], r["kpi_value"], r["kpi_unit"]])
    db = folder / SQLITE_NAME
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    try:
        with con:
            con.execute(f"""create table {SQL_TABLE} (
                kpi_date date not null,
                product text not null,
                kpi_name text not null,
                kpi_value numeric(38, 10) not null,
                kpi_unit text not null,
                updated_at timestamp not null,
                primary key (kpi_date, product, kpi_name))""")
            con.executemany(
                f"insert into {SQL_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    (
                        r["kpi_date"].isoformat(),
                        r["product"],
                        r["kpi_name"],
                        r["kpi_value"],
                        r["kpi_unit"],
                        _updated_at(r["kpi_date"]),
                    )
                    for r in sql_rows
                ],
            )
    finally:
        con.close()
    return {
        "csv": str(csv_path),
        "sqlite": str(db),
        "table": SQL_TABLE,
        "rows": {"csv_drop": len(csv_rows), "sql_database": len(sql_rows)},
        "days": len({r["kpi_date"] for r in rows}),
        "products": sorted({r["product"] for r in rows}),
        "zero_day": {"product": ZERO_DAY[0], "date": ZERO_DAY[1].isoformat()},
    }


def restate_kpis(out_dir: str | Path) -> dict:
    """The product database corrects support-copilot's transactions of 29 and 30 September (x 1.08) with a later
    ``updated_at``; the CSV drop is unchanged. Returns the corrected rows."""
    db = Path(out_dir) / FOLDER / SQLITE_NAME
    product, name, days, factor = RESTATED
    con = sqlite3.connect(db)

    def values() -> dict:
        """kpi_date -> kpi_value of the restated days."""
        return dict(
            con.execute(
                f"select kpi_date, kpi_value from {SQL_TABLE} where product = ? and kpi_name = ? and kpi_date in "
                f"({', '.join('?' * len(days))}) order by kpi_date",
                (product, name, *[d.isoformat() for d in days]),
            ).fetchall()
        )

    try:
        with con:
            before = values()
            for day, value in before.items():
                new = int((Decimal(value) * Decimal(str(factor))).to_integral_value())
                con.execute(
                    f"update {SQL_TABLE} set kpi_value = ?, updated_at = ? where kpi_date = ? and "
                    "product = ? and kpi_name = ?",
                    (new, RESTATED_AT, day, product, name),
                )
            after = values()
    finally:
        con.close()
    return {"product": product, "kpi_name": name, "before": before, "after": after, "updated_at": RESTATED_AT}


def sqlite_url(out_dir: str | Path) -> str:
    """The SQLAlchemy URL of the demo database under ``out_dir`` (absolute)."""
    from ingestion._common.sqlsource import sqlite_url as url_of

    return url_of(Path(out_dir) / FOLDER / SQLITE_NAME)


@contextmanager
def demo_kpi_database(landing: str | Path) -> Iterator[str]:
    """Point the business-KPI source at the demo database under ``landing`` for the duration (sets
    ``SOURCES__BUSINESS_KPIS__CREDENTIALS``; the caller's value is restored on exit). Yields the URL.
    FileNotFoundError when the demo has not been generated there (SQLite would create an empty database)."""
    from ingestion._common.sqlsource import sqlite_env

    with sqlite_env(
        "SOURCES__BUSINESS_KPIS__CREDENTIALS", Path(landing) / FOLDER / SQLITE_NAME, "demo KPI database"
    ) as url:
        yield url
