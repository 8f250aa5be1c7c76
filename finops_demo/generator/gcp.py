"""GCP Cloud Billing standard usage cost export (BigQuery ``gcp_billing_export_v1_*``) as newline
delimited JSON gzip, optionally also Parquet (nested) and the flattened CSV form.

Layout: ``gcp/<export>/invoice_month=YYYYMM/billing-export-000000000000.json.gz``; a re-export of a
month replaces the folder content. Rows are hourly for large budgets, day-long for small ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa

from .enterprise import TEAM_BY_PROJECT, Month, tag_style, tags_for, urand
from .writers import GzipCsvWriter, GzipJsonLinesWriter, ParquetPartWriter

EXPORT = "northwind-billing-export"
BILLING_ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
SVC = {
    "compute": ("6F81-5844-456A", "Compute Engine"),
    "vertex": ("C7E2-9256-1C43", "Vertex AI"),
    "bq": ("24E6-581D-38E5", "BigQuery"),
    "gcs": ("95FF-2EF5-5EA1", "Cloud Storage"),
}
# (key, service, sku id, sku description, usage unit, pricing unit, units per pricing unit, price per pricing unit,
#  hourly lo, hourly hi, teams, weight, credit)
SKUS = (
    (
        "n2-core",
        "compute",
        "BB77-5FDA-7B69",
        "N2 Instance Core running in Americas",
        "seconds",
        "hour",
        3600,
        0.031611,
        4,
        32,
        ("website", "data-lake", "forecasting"),
        5,
        "cud",
    ),
    (
        "n2-ram",
        "compute",
        "9A43-D2CB-FD7C",
        "N2 Instance Ram running in Americas",
        "byte-seconds",
        "gibibyte hour",
        3600 * 2**30,
        0.004237,
        16,
        128,
        ("website", "data-lake", "forecasting"),
        5,
        "cud",
    ),
    (
        "a100",
        "compute",
        "0A6B-8E9F-A1B2",
        "Nvidia Tesla A100 GPU running in Americas",
        "seconds",
        "hour",
        3600,
        2.933908,
        1,
        8,
        ("robot-vision", "ml-platform"),
        1.5,
        "sud",
    ),
    (
        "vx-pred",
        "vertex",
        "3A1C-7D5E-8F90",
        "Vertex AI: Online/Batch Prediction N1 Predefined Instance Core running in Americas",
        "seconds",
        "hour",
        3600,
        0.0436,
        4,
        16,
        ("fraud-model", "ml-platform"),
        2,
        None,
    ),
    (
        "gem-in",
        "vertex",
        "E2F4-1A3B-5C6D",
        "Gemini 1.5 Pro Input Tokens",
        "count",
        "count",
        1,
        0.00000125,
        200000,
        6000000,
        ("support-copilot", "robot-vision", "forecasting"),
        2,
        "promo",
    ),
    (
        "gem-out",
        "vertex",
        "F3A5-2B4C-6D7E",
        "Gemini 1.5 Pro Output Tokens",
        "count",
        "count",
        1,
        0.000005,
        40000,
        900000,
        ("support-copilot", "robot-vision", "forecasting"),
        2,
        "promo",
    ),
    (
        "bq-analysis",
        "bq",
        "F17B-412E-CB64",
        "Analysis",
        "bytes",
        "tebibyte",
        2**40,
        6.25,
        2**36,
        2**39,
        ("data-lake", "forecasting"),
        3,
        None,
    ),
    (
        "gcs-std",
        "gcs",
        "E5F0-6A5B-7BCD",
        "Standard Storage US Multi-region",
        "byte-seconds",
        "gibibyte month",
        2**30 * 86400 * 30,
        0.026,
        2**39,
        2**44,
        ("data-lake", "robot-vision"),
        3,
        None,
    ),
)
PROJECTS = {}


def _project(team, env):
    pid = f"nw-{team.project}-{env}"
    if pid not in PROJECTS:
        num = str(100000000000 + abs(sum(ord(c) * 131**i for i, c in enumerate(pid))) % 899999999999)
        PROJECTS[pid] = {
            "id": pid,
            "number": num,
            "name": f"{team.project} ({env})",
            "labels": [
                {"key": "business_unit", "value": team.business_unit},
                {"key": "cost_center", "value": team.cost_center.lower()},
            ],
            "ancestry_numbers": f"/512345678901/{'7' + num[1:12]}/",
            "ancestors": None,
        }
    return PROJECTS[pid]


def _ts(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S UTC")


class GcpMonth:
    def __init__(self, month: Month, rows: int, seed: int, restate: bool):
        self.m, self.seed, self.restate = month, seed, restate
        self.hourly = rows >= month.hours * 60
        self.slot_h = 1 if self.hourly else 24
        self.n_slots = month.hours // self.slot_h
        self.n_tail = 2 + (1 if restate else 0)
        per = max(1, -(-max(rows - 20, 1) // self.n_slots))
        self.res = self._resources(per)
        self.tax_projects = sorted({r["project"]["id"] for r in self.res})
        self.n_tail += len(self.tax_projects)
        extra = 1 if restate else 0  # the restated delivery's adjustment row comes on top of the budget
        self.usage_rows = min(max(rows - self.n_tail + extra, 0), per * self.n_slots) if rows > self.n_tail else rows
        self.totals: dict = {}

    def _resources(self, n):
        w = np.array([s[11] for s in SKUS])
        cdf = np.cumsum(w) / w.sum()
        idx = np.arange(n)
        u = [urand(self.seed, 4000 + k, idx) for k in range(5)]
        out = []
        for i in range(n):
            s = SKUS[min(int(np.searchsorted(cdf, u[0][i], side="right")), len(SKUS) - 1)]
            team = TEAM_BY_PROJECT[s[10][int(u[1][i] * len(s[10]))]]
            env = "prod" if u[2][i] < 0.7 else "dev"
            out.append(
                {
                    "sku": s,
                    "team": team,
                    "env": env,
                    "project": _project(team, env),
                    "qty": s[8] + (s[9] - s[8]) * u[3][i] ** 2,
                    "style": tag_style(u[4][i]),
                    "zone": "us-central1-" + "abc"[i % 3],
                }
            )
        return out

    def rows(self, lo, hi):
        nres = len(self.res)
        idx = np.arange(lo, hi)
        slot, ri = idx // nres, idx % nres
        u = urand(self.seed, 4100, ri.astype(np.int64) * 100_000 + slot)
        out = []
        for k in range(len(idx)):
            r = self.res[int(ri[k])]
            s = r["sku"]
            svc = SVC[s[1]]
            st = self.m.start + dt.timedelta(hours=int(slot[k]) * self.slot_h)
            day = (st - self.m.start).days
            f = 1.0 if s[0] in ("n2-core", "n2-ram", "a100", "gcs-std", "vx-pred") else (0.4 + 1.2 * float(u[k]))
            pu = r["qty"] * self.slot_h * f  # amount in pricing units per slot
            if s[0] == "gcs-std":
                pu = r["qty"] / 2**30 * self.slot_h / (24 * 30)
            elif s[6] not in (1,) and s[0] != "bq-analysis":
                pu = r["qty"] * self.slot_h * f  # hours or GiB-hours
            if s[0] == "bq-analysis":
                pu = r["qty"] * self.slot_h * f / 2**40
            if self.restate and s[1] == "vertex" and day >= self.m.days - 2:
                pu *= 1.08
            pu = round(pu, 6)
            amount = round(pu * s[6], 3)
            cost = round(pu * s[7], 6)
            credits = []
            if s[12] == "cud" and r["env"] == "prod":
                credits.append(
                    {
                        "name": "Committed use discount: N2 CPU/RAM",
                        "amount": -round(cost * 0.37, 6),
                        "full_name": None,
                        "id": f"CUD-{BILLING_ACCOUNT}",
                        "type": "COMMITTED_USAGE_DISCOUNT",
                    }
                )
            elif s[12] == "sud":
                credits.append(
                    {
                        "name": "Sustained Usage Discount",
                        "amount": -round(cost * 0.2, 6),
                        "full_name": None,
                        "id": "",
                        "type": "SUSTAINED_USAGE_DISCOUNT",
                    }
                )
            elif s[12] == "promo" and r["team"].project == "support-copilot":
                credits.append(
                    {
                        "name": "Vertex AI Gemini launch promotion",
                        "amount": -round(cost * 0.5, 6),
                        "full_name": "Vertex AI Gemini launch promotion 2026",
                        "id": "promo-gemini-2026",
                        "type": "PROMOTION",
                    }
                )
            labels = [{"key": k, "value": v} for k, v in sorted(tags_for(r["team"], r["env"], r["style"]).items())]
            p = r["project"]
            self.totals[p["id"]] = self.totals.get(p["id"], 0.0) + cost + sum(c["amount"] for c in credits)
            usage = {"amount": amount, "unit": s[4], "amount_in_pricing_units": pu, "pricing_unit": s[5]}
            price = {"effective_price": s[7], "tier_start_amount": 0.0, "unit": s[5], "pricing_unit_quantity": 1.0}
            out.append(
                self._row(
                    svc,
                    (s[2], s[3]),
                    st,
                    st + dt.timedelta(hours=self.slot_h),
                    p,
                    labels,
                    {
                        "location": "us-central1",
                        "country": "US",
                        "region": "us-central1",
                        "zone": r["zone"] if s[1] == "compute" else None,
                    },
                    cost,
                    usage,
                    credits,
                    "regular",
                    price,
                )
            )
        return out

    def _row(self, svc, sku, st, en, project, labels, loc, cost, usage, credits, cost_type, price, adj=None):
        export = en + dt.timedelta(hours=5, minutes=17)
        return {
            "billing_account_id": BILLING_ACCOUNT,
            "service": {"id": svc[0], "description": svc[1]},
            "sku": {"id": sku[0], "description": sku[1]},
            "usage_start_time": _ts(st),
            "usage_end_time": _ts(en),
            "project": project,
            "labels": labels,
            "system_labels": [{"key": "compute.googleapis.com/machine_spec", "value": "n2-standard-8"}]
            if svc[1] == "Compute Engine"
            else [],
            "location": loc,
            "tags": [],
            "export_time": _ts(export),
            "cost": cost,
            "currency": "USD",
            "currency_conversion_rate": 1.0,
            "usage": usage,
            "credits": credits,
            "invoice": {"month": self.m.compact, "publisher_type": "GOOGLE"},
            "cost_type": cost_type,
            "adjustment_info": adj,
            "cost_at_list": cost if cost_type == "regular" else None,
            "transaction_type": "GOOGLE",
            "seller_name": None,
            "price": price,
        }

    def tail(self):
        out = []
        m = self.m
        end = m.end
        zero_usage = {"amount": 0.0, "unit": None, "amount_in_pricing_units": 0.0, "pricing_unit": None}
        for pid in self.tax_projects:
            p = next(r["project"] for r in self.res if r["project"]["id"] == pid)
            out.append(
                self._row(
                    ("", "Invoice"),
                    ("", "Tax"),
                    m.start,
                    end,
                    p,
                    [],
                    {"location": None, "country": "US", "region": None, "zone": None},
                    round(max(self.totals.get(pid, 0.0), 0) * 0.0725, 6),
                    zero_usage,
                    [],
                    "tax",
                    None,
                )
            )
        p0 = self.res[0]["project"]
        out.append(
            self._row(
                ("", "Invoice"),
                ("", "Rounding error"),
                m.start,
                end,
                p0,
                [],
                {"location": None, "country": None, "region": None, "zone": None},
                0.000004,
                zero_usage,
                [],
                "rounding_error",
                None,
            )
        )
        out.append(
            self._row(
                SVC["compute"],
                ("A1B2-C3D4-E5F6", "Commitment v1: N2 Cpu in Americas for 1 Year"),
                m.start,
                end,
                p0,
                [],
                {"location": "us-central1", "country": "US", "region": "us-central1", "zone": None},
                2150.0,
                {
                    "amount": 64 * m.hours * 3600.0,
                    "unit": "seconds",
                    "amount_in_pricing_units": 64.0 * m.hours,
                    "pricing_unit": "hour",
                },
                [],
                "regular",
                {
                    "effective_price": round(2150.0 / (64 * m.hours), 10),
                    "tier_start_amount": 0.0,
                    "unit": "hour",
                    "pricing_unit_quantity": 1.0,
                },
            )
        )
        if self.restate:
            loc = {"location": "us-central1", "country": "US", "region": "us-central1", "zone": None}
            out.append(
                self._row(
                    SVC["vertex"],
                    ("E2F4-1A3B-5C6D", "Gemini 1.5 Pro Input Tokens"),
                    m.start,
                    end,
                    self.res[0]["project"],
                    [],
                    loc,
                    -125.0,
                    zero_usage,
                    [],
                    "adjustment",
                    None,
                    {
                        "id": "adj-2026-09-gemini",
                        "description": "Gemini billing correction for 2026-09",
                        "mode": "MANUAL_ADJUSTMENT",
                        "type": "GENERAL_ADJUSTMENT",
                    },
                )
            )
        return out


def _schema() -> pa.Schema:
    kv = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
    return pa.schema(
        [
            ("billing_account_id", pa.string()),
            ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
            ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
            ("usage_start_time", pa.string()),
            ("usage_end_time", pa.string()),
            (
                "project",
                pa.struct(
                    [
                        ("id", pa.string()),
                        ("number", pa.string()),
                        ("name", pa.string()),
                        ("labels", kv),
                        ("ancestry_numbers", pa.string()),
                        ("ancestors", pa.string()),
                    ]
                ),
            ),
            ("labels", kv),
            ("system_labels", kv),
            (
                "location",
                pa.struct(
                    [
                        ("location", pa.string()),
                        ("country", pa.string()),
                        ("region", pa.string()),
                        ("zone", pa.string()),
                    ]
                ),
            ),
            ("tags", pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))),
            ("export_time", pa.string()),
            ("cost", pa.float64()),
            ("currency", pa.string()),
            ("currency_conversion_rate", pa.float64()),
            (
                "usage",
                pa.struct(
                    [
                        ("amount", pa.float64()),
                        ("unit", pa.string()),
                        ("amount_in_pricing_units", pa.float64()),
                        ("pricing_unit", pa.string()),
                    ]
                ),
            ),
            (
                "credits",
                pa.list_(
                    pa.struct(
                        [
                            ("name", pa.string()),
                            ("amount", pa.float64()),
                            ("full_name", pa.string()),
                            ("id", pa.string()),
                            ("type", pa.string()),
                        ]
                    )
                ),
            ),
            ("invoice", pa.struct([("month", pa.string()), ("publisher_type", pa.string())])),
            ("cost_type", pa.string()),
            (
                "adjustment_info",
                pa.struct(
                    [("id", pa.string()), ("description", pa.string()), ("mode", pa.string()), ("type", pa.string())]
                ),
            ),
            ("cost_at_list", pa.float64()),
            ("transaction_type", pa.string()),
            ("seller_name", pa.string()),
            (
                "price",
                pa.struct(
                    [
                        ("effective_price", pa.float64()),
                        ("tier_start_amount", pa.float64()),
                        ("unit", pa.string()),
                        ("pricing_unit_quantity", pa.float64()),
                    ]
                ),
            ),
        ]
    )


FLAT_COLUMNS = (
    "billing_account_id",
    "service.id",
    "service.description",
    "sku.id",
    "sku.description",
    "usage_start_time",
    "usage_end_time",
    "project.id",
    "project.name",
    "project.labels",
    "project.ancestry_numbers",
    "labels",
    "system_labels",
    "location.location",
    "location.country",
    "location.region",
    "location.zone",
    "export_time",
    "cost",
    "currency",
    "currency_conversion_rate",
    "usage.amount",
    "usage.unit",
    "usage.amount_in_pricing_units",
    "usage.pricing_unit",
    "credits",
    "invoice.month",
    "cost_type",
    "partition_date",
)


def _flat(r: dict) -> dict:
    out = {}
    for c in FLAT_COLUMNS:
        if c == "partition_date":
            out[c] = r["usage_start_time"][:10] + " 00:00:00+00:00"
            continue
        v = r
        for part in c.split("."):
            v = v.get(part) if isinstance(v, dict) else None
        if isinstance(v, list):
            v = repr(v)
        out[c] = v
    for c in ("usage_start_time", "usage_end_time", "export_time"):
        out[c] = out[c].replace(" UTC", "+00:00")
    return out


def write_gcp(out_dir: Path, month: Month, rows: int, seed: int, restate: bool, fmts=("json",), batch=20_000) -> dict:
    gen = GcpMonth(month, rows, seed, restate)
    folder = Path(out_dir) / "gcp" / EXPORT / f"invoice_month={month.compact}"
    res = {}
    writers = {}
    if "json" in fmts:
        writers["json"] = GzipJsonLinesWriter(folder / "billing-export-000000000000.json.gz")
    if "parquet" in fmts:
        pdir = Path(out_dir) / "gcp" / (EXPORT + "-parquet") / f"invoice_month={month.compact}"
        writers["parquet"] = ParquetPartWriter(
            pdir, "billing-export", _schema(), name_fn=lambda n: f"billing-export-{n - 1:012d}.snappy.parquet"
        )
    if "csv" in fmts:
        writers["csv"] = GzipCsvWriter(
            Path(out_dir)
            / "gcp"
            / (EXPORT + "-csv")
            / f"invoice_month={month.compact}"
            / "billing-export-000000000000.csv.gz"
        )

    def emit(rows_):
        if "json" in writers:
            writers["json"].write_rows(rows_)
        if "parquet" in writers:
            writers["parquet"].write(pa.Table.from_pylist(rows_, schema=_schema()))
        if "csv" in writers:
            flat = [_flat(r) for r in rows_]
            writers["csv"].write(
                pa.Table.from_pylist(
                    flat,
                    schema=pa.schema(
                        [
                            (
                                c,
                                pa.float64()
                                if c
                                in ("cost", "currency_conversion_rate", "usage.amount", "usage.amount_in_pricing_units")
                                else pa.string(),
                            )
                            for c in FLAT_COLUMNS
                        ]
                    ),
                )
            )

    for lo in range(0, gen.usage_rows, batch):
        emit(gen.rows(lo, min(gen.usage_rows, lo + batch)))
    if gen.usage_rows >= 1 and rows > gen.n_tail:
        emit(gen.tail())
    for k, w in writers.items():
        files = w.close()
        files = files if isinstance(files, list) else [files]
        res[k] = {"files": [str(f) for f in files], "rows": w.rows}
    return res
