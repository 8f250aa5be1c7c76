"""Synthetic multi-cloud billing exports for one enterprise ("Northwind Robotics").

Public API::

    generate(out_dir, seed=42, rows=60_000, formats=None, progress=False, months=None, redelivery=True,
             kpis=None, finance=None) -> dict
    write_redelivery(out_dir, seed=42, rows=60_000, formats=None, progress=False) -> dict

Every provider is written in its native format and landing layout (see README.md); with the default formats
also the business KPIs (``kpis.py``) and the finance data (AP invoices, card and expense lines, FX rates, the
ledger: ``finance.py``). Output is deterministic for (seed, rows, formats); gzip headers carry mtime 0. No
dagster import here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path

from .enterprise import MONTHS, RESTATED_MONTH, Month

__all__ = ["DEFAULT_FORMATS", "FORMATS", "MONTHS", "RESTATED_MONTH", "generate", "write_redelivery"]

FORMATS = (
    "aws_cur2",
    "aws_cur2_csv",
    "aws_cur_legacy",
    "azure_ea",
    "azure_mca",
    "gcp_billing",
    "gcp_billing_parquet",
    "gcp_billing_csv",
    "oci_focus",
    "aws_focus",
)
DEFAULT_FORMATS = ("aws_cur2", "aws_cur_legacy", "azure_ea", "azure_mca", "gcp_billing", "oci_focus", "aws_focus")
# share of the total row budget per format family
_SHARES = {
    "cur2": 0.57,
    "legacy": 0.12,
    "azure_ea": 0.08,
    "azure_mca": 0.05,
    "gcp": 0.12,
    "oci_focus": 0.02,
    "aws_focus": 0.04,
}
_FAMILY = {
    "aws_cur2": "cur2",
    "aws_cur2_csv": "cur2",
    "aws_cur_legacy": "legacy",
    "azure_ea": "azure_ea",
    "azure_mca": "azure_mca",
    "gcp_billing": "gcp",
    "gcp_billing_parquet": "gcp",
    "gcp_billing_csv": "gcp",
    "oci_focus": "oci_focus",
    "aws_focus": "aws_focus",
}
# Azure exports write two datasets (actual + amortized) from one usage stream: the budget is per dataset pair.


def _resolve(formats, rows, months):
    fmts = tuple(DEFAULT_FORMATS if formats is None else formats)
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown format(s) {bad}; known: {FORMATS}")
    families = sorted({_FAMILY[f] for f in fmts})
    if months is None:
        months = MONTHS if len(families) > 1 else (MONTHS[-1],)
    months = tuple(months)
    total_share = sum(_SHARES[f] for f in families)
    budget = {f: int(rows * _SHARES[f] / total_share) for f in families}
    if len(families) > 1:  # remainder to CUR 2.0 (or the largest family)
        top = "cur2" if "cur2" in budget else max(budget, key=budget.get)
        budget[top] += rows - sum(budget.values())
    else:
        budget[families[0]] = rows
    per_month = {}
    for f, b in budget.items():
        base, rem = divmod(b, len(months))
        per_month[f] = {m: base + (1 if i < rem else 0) for i, m in enumerate(months)}
    return fmts, families, months, per_month


class _Summary:
    def __init__(self, out_dir, seed, rows, fmts, months):
        self.d = {
            "out_dir": str(out_dir),
            "seed": seed,
            "rows_budget": rows,
            "months": list(months),
            "restated_month": RESTATED_MONTH,
            "formats": {},
            "deliveries": [],
        }

    def add(self, fmt, period, files, rows, version, **extra):
        f = self.d["formats"].setdefault(fmt, {"files": [], "rows": 0, "rows_per_period": {}})
        for p in files:
            if p not in f["files"]:
                f["files"].append(p)
        f["rows_per_period"][period] = rows  # a later delivery replaces the period's count
        f["rows"] = sum(f["rows_per_period"].values())
        self.d["deliveries"].append({"format": fmt, "period": period, "version": version, "rows": rows, **extra})


def _log(progress, msg):
    if progress:
        print(msg, file=sys.stderr, flush=True)


def _write_month(out, seed, fmts, per_month, ym, version, restate, summ, progress, skip_unrestated=False):
    from .aws_cur2 import write_cur2
    from .aws_cur_legacy import write_legacy
    from .azure import EA, MCA, write_azure
    from .focus import write_focus
    from .gcp import write_gcp

    m = Month(ym)
    t0 = time.time()
    for fmt in ("aws_cur2", "aws_cur2_csv"):
        if fmt in fmts:
            r = write_cur2(out, m, per_month["cur2"][ym], seed, version, restate, csv=fmt == "aws_cur2_csv")
            summ.add(fmt, ym, r["files"], r["rows"], version, granularity=r["granularity"])
            _log(progress, f"{fmt} {ym} v{version}: {r['rows']} rows ({time.time() - t0:.1f}s)")
    if "aws_cur_legacy" in fmts:
        r = write_legacy(out, m, per_month["legacy"][ym], seed, version, restate)
        summ.add("aws_cur_legacy", ym, r["files"], r["rows"], version, assembly_id=r["assembly_id"])
        _log(progress, f"aws_cur_legacy {ym} v{version}: {r['rows']} rows")
    for fmt, acct in (("azure_ea", EA), ("azure_mca", MCA)):
        if fmt in fmts:
            r = write_azure(out, acct, m, per_month[fmt][ym], seed, version, restate)
            for ds, v in r.items():
                summ.add(f"{fmt}_{ds}", ym, v["files"], v["rows"], version, run_id=v["run_id"])
            _log(progress, f"{fmt} {ym} v{version}: {r['actual']['rows']}+{r['amortized']['rows']} rows")
    gfm = [
        x
        for x, f in (("json", "gcp_billing"), ("parquet", "gcp_billing_parquet"), ("csv", "gcp_billing_csv"))
        if f in fmts
    ]
    if gfm:
        r = write_gcp(out, m, per_month["gcp"][ym], seed, restate, fmts=tuple(gfm))
        for x, v in r.items():
            name = {"json": "gcp_billing", "parquet": "gcp_billing_parquet", "csv": "gcp_billing_csv"}[x]
            summ.add(name, ym, v["files"], v["rows"], version)
        _log(progress, f"gcp {ym} v{version}: {next(iter(r.values()))['rows']} rows")
    if skip_unrestated:
        return
    for fmt, kind in (("oci_focus", "oci"), ("aws_focus", "aws")):
        if fmt in fmts:
            r = write_focus(out, kind, m, per_month[fmt][ym], seed)
            summ.add(fmt, ym, r["files"], r["rows"], version)


def generate(
    out_dir: str | Path,
    seed: int = 42,
    rows: int = 60_000,
    formats: Iterable[str] | None = None,
    progress: bool = False,
    months: Iterable[str] | None = None,
    redelivery: bool = True,
    kpis: bool | None = None,
    finance: bool | None = None,
) -> dict:
    """Write the demo exports under ``out_dir`` and return a summary dict.

    ``rows`` is the approximate total row budget, split across formats (CUR 2.0 gets most). When a
    single format family is requested it gets the whole budget in ONE billing month (2026-10) unless
    ``months`` is given, so ``generate(d, rows=N, formats=["aws_cur2"])`` writes exactly N CUR 2.0 rows.
    With ``redelivery=True`` (default) the restated delivery of 2026-09 is written after the
    original one (final landing state); with ``False`` only the original deliveries are written and
    ``write_redelivery`` can be called later. ``kpis`` (default: when ``formats`` is None) also writes the
    business KPIs (``business_kpis/daily_volumes.csv`` and ``business_kpis/kpis.sqlite``, see ``kpis.py``);
    the summary has them under ``"business_kpis"`` (not among the billing ``"formats"``). ``finance`` (default:
    when ``formats`` is None) also writes the finance data under ``finance/`` (``finance.py``: AP invoices that
    equal the FINAL billing data except the planted variances, card and expense lines, FX rates, the GL ledger);
    summary key ``"finance"`` with the expected reconciliation. The finance files are final from the start:
    ``write_redelivery`` leaves them unchanged.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fmts, _families, months_, per_month = _resolve(formats, rows, months)
    summ = _Summary(out, seed, rows, fmts, months_)
    t0 = time.time()
    for ym in months_:
        _write_month(out, seed, fmts, per_month, ym, 1, False, summ, progress)
    if redelivery and RESTATED_MONTH in months_:
        _write_month(out, seed, fmts, per_month, RESTATED_MONTH, 2, True, summ, progress, skip_unrestated=True)
    if formats is None if kpis is None else kpis:
        from .kpis import restate_kpis, write_kpis

        summ.d["business_kpis"] = write_kpis(out, seed, months_)
        if redelivery and RESTATED_MONTH in months_:
            summ.d["business_kpis"]["restated"] = restate_kpis(out)
        kpi_rows = summ.d["business_kpis"]["rows"]
        kpi_text = ", ".join(f"{k} {v:,}" for k, v in kpi_rows.items()) if isinstance(kpi_rows, dict) else kpi_rows
        _log(progress, f"business_kpis: {kpi_text} rows (CSV drop, SQLite)")
    if formats is None if finance is None else finance:
        from .finance import write_finance

        summ.d["finance"] = write_finance(out, seed, rows, formats, months_)
        _log(progress, "finance: " + ", ".join(f"{k} {v:,}" for k, v in summ.d["finance"]["counts"].items()))
    summ.d["seconds"] = round(time.time() - t0, 2)
    return summ.d


def write_redelivery(
    out_dir: str | Path,
    seed: int = 42,
    rows: int = 60_000,
    formats: Iterable[str] | None = None,
    progress: bool = False,
    months: Iterable[str] | None = None,
    kpis: bool | None = None,
) -> dict:
    """Land the restated (second) delivery of 2026-09 on top of ``generate(..., redelivery=False)``.
    Use the same seed/rows/formats/months/kpis as the original call (the business KPIs' September correction is
    landed too when they were written)."""
    out = Path(out_dir)
    fmts, _families, months_, per_month = _resolve(formats, rows, months)
    if RESTATED_MONTH not in months_:
        months_ = months_ + (RESTATED_MONTH,)
        _, _, _, per_month = _resolve(formats, rows, months_)
    summ = _Summary(out, seed, rows, fmts, months_)
    _write_month(out, seed, fmts, per_month, RESTATED_MONTH, 2, True, summ, progress, skip_unrestated=True)
    if (formats is None if kpis is None else kpis) and (out / "business_kpis" / "kpis.sqlite").exists():
        from .kpis import restate_kpis

        summ.d["business_kpis"] = {"restated": restate_kpis(out)}
    return summ.d
