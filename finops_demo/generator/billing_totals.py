"""What the demo's billing files add up to: Σ BilledCost per (billing account, billing period), straight from the
provider files (not from the warehouse), with the invoice id and a per-service split.

FOCUS BilledCost semantics per format (the same as the FOCUS record's staging models):

* AWS CUR 2.0 (Parquet or gzip CSV): ``line_item_unblended_cost``; account ``bill_payer_account_id``;
  legacy CUR: ``lineItem/UnblendedCost``, ``bill/PayerAccountId``; invoice id ``bill_invoice_id`` / ``bill/InvoiceId``;
* Azure cost details: the ActualCost dataset only, ``CostInBillingCurrency`` (MCA) or ``Cost`` (EA); account
  ``BillingAccountId`` (EA) or ``billingProfileId`` (MCA); MCA ``invoiceId``;
* GCP billing export: ``cost`` + Σ ``credits.amount``; account ``billing_account_id``; period ``invoice.month``;
* FOCUS exports: ``BilledCost``, ``BillingAccountId``, ``InvoiceId`` (when the export has one).

Each total is also split the way the FOCUS record's ChargeCategory splits it (the staging models' rules): ``tax``
(AWS line type Tax, Azure charge type Tax, GCP cost_type tax, FOCUS Tax), ``credits`` per credit name (AWS Credit,
SavingsPlanNegation and *Discount lines, Azure Credit, GCP credit entries that are not row discounts, FOCUS
Credit) and the rest per service (``services``).

``final_files`` picks the files of the latest delivery per (format, period) from the generator's summaries (a
restated period replaces the earlier delivery); ``final_billing_totals`` generates the final landing state into a
temporary folder and sums it. Used by the finance generator (``finance.py``) and its tests. No dagster import.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

__all__ = ["AccountTotals", "billing_totals", "file_totals", "final_billing_totals", "final_files", "period_of"]


# GCP credit types that the FOCUS record nets into the row (dbt macro gcp_billing_row_discount_credit_types); the
# others (PROMOTION, ...) become ChargeCategory Credit rows
GCP_ROW_DISCOUNTS = frozenset(
    {
        "COMMITTED_USAGE_DISCOUNT",
        "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE",
        "SUSTAINED_USAGE_DISCOUNT",
        "DISCOUNT",
        "FREE_TIER",
        "RESELLER_MARGIN",
        "SUBSCRIPTION_BENEFIT",
        "FEE_UTILIZATION_OFFSET",
    }
)


@dataclass
class AccountTotals:
    """Σ BilledCost of one billing account and period (exact, unrounded): ``billed`` = Σ ``services`` (the charges
    that are neither tax nor credit, per service) + ``tax`` + Σ ``credits`` (per credit name); the invoice ids seen."""

    provider: str
    account: str
    period: str
    currency: str = "USD"
    billed: Decimal = Decimal(0)
    services: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    tax: Decimal = Decimal(0)
    credits: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    invoice_ids: Counter = field(default_factory=Counter)
    rows: int = 0

    def add(
        self,
        amount: Decimal,
        service: str | None,
        invoice_id: str | None,
        category: str = "Usage",
        credit_name: str | None = None,
    ) -> None:
        """One billing line; ``category`` Tax or Credit (else a charge of ``service``)."""
        self.billed += amount
        if category == "Tax":
            self.tax += amount
        elif category == "Credit":
            self.credits[credit_name or "Credits"] += amount
        else:
            self.services[service or "Other"] += amount
        if invoice_id:
            self.invoice_ids[invoice_id] += 1
        self.rows += 1

    def merge(self, other: AccountTotals) -> None:
        self.billed += other.billed
        self.tax += other.tax
        for s, v in other.services.items():
            self.services[s] += v
        for s, v in other.credits.items():
            self.credits[s] += v
        self.invoice_ids.update(other.invoice_ids)
        self.rows += other.rows

    @property
    def invoice_id(self) -> str | None:
        """The invoice id of every row of the period, or None (provisional: missing or not unique)."""
        if len(self.invoice_ids) == 1 and sum(self.invoice_ids.values()) == self.rows:
            return next(iter(self.invoice_ids))
        return None


_PERIOD = re.compile(
    r"BILLING_PERIOD=(\d{4})-(\d{2})|/(\d{4})(\d{2})01-\d{8}/|invoice_month=(\d{4})(\d{2})"
    r"|/(\d{4})/(\d{2})/"
)


def period_of(path: str) -> str:
    """The billing period (YYYY-MM) of a demo data file, from its landing path."""
    m = _PERIOD.search(str(path))
    if not m:
        raise ValueError(f"no billing period in {path}")
    y, mo = [g for g in m.groups() if g][:2]
    return f"{y}-{mo}"


def final_files(first: dict, redelivered: dict | None = None) -> dict[tuple[str, str], list[str]]:
    """(demo format, period) -> data files of the latest delivery, from ``generate``'s (and ``write_redelivery``'s)
    summaries; manifests left out."""
    files: dict[tuple[str, str], list[str]] = {}
    for summary in [first] + ([redelivered] if redelivered else []):
        fresh: dict[tuple[str, str], list[str]] = defaultdict(list)
        for fmt, info in summary["formats"].items():
            for f in info["files"]:
                if "manifest" not in Path(f).name.lower():
                    fresh[(fmt, period_of(f))].append(f)
        files.update(fresh)  # a re-delivered (format, period) replaces the earlier files
    return files


def _dec(v) -> Decimal:
    """A file value as the decimal it stands for (doubles by their shortest repr, as the provider wrote them)."""
    if v is None:
        return Decimal(0)
    if isinstance(v, Decimal):
        return v
    if isinstance(v, float):
        return Decimal(repr(v))
    v = str(v).strip()
    return Decimal(v) if v else Decimal(0)


def _csv_rows(path: Path) -> Iterable[dict]:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    yield from csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))


def _period_text(v) -> str:
    """YYYY-MM of a billing-period start: a timestamp, ISO text or Azure's MM/DD/YYYY."""
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m")
    s = str(v).strip()
    return f"{s[6:10]}-{s[0:2]}" if "/" in s else s[:7]


_CREDIT = re.compile(r"'name':\s*'([^']*)',\s*'amount':\s*(?:np\.float64\()?(-?[0-9.eE+-]+)\)?,.*?'type':\s*'([^']*)'")


def _gcp_row(a: AccountTotals, cost, cost_type: str | None, service: str | None, credits: list[dict]) -> None:
    """One export row: the row (cost + row-discount credits; Tax when cost_type is tax) and one Credit line per
    other credit entry, as the FOCUS record splits it."""
    row = _dec(cost)
    for c in credits:
        if (c.get("type") or "") in GCP_ROW_DISCOUNTS:
            row += _dec(c["amount"])
    a.add(row, service, None, "Tax" if cost_type == "tax" else "Usage")
    for c in credits:
        if (c.get("type") or "") not in GCP_ROW_DISCOUNTS:
            a.rows -= 1  # the credit entries belong to the export row
            a.add(_dec(c["amount"]), service, None, "Credit", c.get("name") or c.get("type"))


class _Accounts(dict):
    """(billing account, period) -> AccountTotals, created on first use."""

    def __call__(self, provider: str, account: str, period: str, currency: str = "USD") -> AccountTotals:
        key = (account, period)
        if key not in self:
            self[key] = AccountTotals(provider, account, period, currency)
        return self[key]


def file_totals(fmt: str, path: str | Path) -> dict[tuple[str, str], AccountTotals]:
    """Totals of one billing data file of demo format ``fmt`` (a key of ``generate()['formats']``)."""
    path = Path(path)
    acc = _Accounts()
    if fmt in ("aws_cur2", "aws_cur2_csv", "aws_cur_legacy"):
        _aws_totals(path, acc)
    elif fmt.startswith("azure_"):
        if fmt.endswith("_actual"):  # BilledCost comes from the ActualCost dataset only
            _azure_totals(path, acc)
    elif fmt == "gcp_billing":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            _gcp_totals((json.loads(line, parse_float=Decimal) for line in fh), acc)
    elif fmt == "gcp_billing_parquet":
        _gcp_totals(
            pq.read_table(
                path, columns=["billing_account_id", "invoice", "cost", "credits", "service", "currency", "cost_type"]
            ).to_pylist(),
            acc,
        )
    elif fmt == "gcp_billing_csv":
        _gcp_csv_totals(path, acc)
    elif fmt in ("oci_focus", "aws_focus"):
        _focus_totals(path, acc)
    else:
        raise ValueError(f"unknown demo format {fmt!r}")
    return dict(acc)


def _aws_totals(path: Path, acc: _Accounts) -> None:
    if path.suffix == ".parquet":
        cols = [
            "bill_payer_account_id",
            "bill_billing_period_start_date",
            "bill_invoice_id",
            "line_item_unblended_cost",
            "line_item_product_code",
            "line_item_currency_code",
            "line_item_line_item_type",
        ]
        rows = pq.read_table(path, columns=cols).to_pylist()
    else:
        rows = _csv_rows(path)
    for r in rows:
        if "lineItem/UnblendedCost" in r:  # legacy CUR names
            r = {
                "bill_payer_account_id": r["bill/PayerAccountId"],
                "bill_billing_period_start_date": r["bill/BillingPeriodStartDate"],
                "bill_invoice_id": r.get("bill/InvoiceId"),
                "line_item_unblended_cost": r["lineItem/UnblendedCost"],
                "line_item_product_code": r.get("lineItem/ProductCode"),
                "line_item_currency_code": r.get("lineItem/CurrencyCode"),
                "line_item_line_item_type": r.get("lineItem/LineItemType"),
            }
        a = acc(
            "AWS",
            r["bill_payer_account_id"],
            _period_text(r["bill_billing_period_start_date"]),
            r.get("line_item_currency_code") or "USD",
        )
        t = r.get("line_item_line_item_type") or ""
        category = (
            "Tax"
            if t == "Tax"
            else "Credit"
            if t in ("Credit", "SavingsPlanNegation") or t.endswith("Discount")
            else "Usage"
        )
        a.add(
            _dec(r["line_item_unblended_cost"]),
            r.get("line_item_product_code"),
            r.get("bill_invoice_id"),
            category,
            {"SavingsPlanNegation": "Savings Plans negation"}.get(t, "Credits"),
        )


def _azure_totals(path: Path, acc: _Accounts) -> None:
    for r in _csv_rows(path):
        low = {k.lower(): v for k, v in r.items() if k}
        account = low["billingprofileid"] if "invoiceid" in low else low["billingaccountid"]  # MCA: profile
        cost = low["costinbillingcurrency"] if "costinbillingcurrency" in low else low["cost"]
        a = acc(
            "Microsoft",
            account,
            _period_text(low["billingperiodstartdate"]),
            low.get("billingcurrency") or low.get("billingcurrencycode") or "USD",
        )
        ct = (low.get("chargetype") or "").replace(" ", "").lower()
        a.add(
            _dec(cost),
            low.get("metercategory"),
            low.get("invoiceid"),
            "Tax" if ct == "tax" else "Credit" if ct == "credit" else "Usage",
        )


def _gcp_totals(rows: Iterable[dict], acc: _Accounts) -> None:
    """GCP rows as the JSON and Parquet flavours hold them (nested invoice, service, credits)."""
    for r in rows:
        month = r["invoice"]["month"]
        _gcp_row(
            acc("Google Cloud", r["billing_account_id"], f"{month[:4]}-{month[4:]}", r.get("currency") or "USD"),
            r["cost"],
            r.get("cost_type"),
            (r.get("service") or {}).get("description"),
            r.get("credits") or [],
        )


def _gcp_csv_totals(path: Path, acc: _Accounts) -> None:
    for r in _csv_rows(path):
        month = r["invoice.month"]
        credits = [{"amount": a, "type": t, "name": n} for n, a, t in _CREDIT.findall(r.get("credits") or "")]
        _gcp_row(
            acc("Google Cloud", r["billing_account_id"], f"{month[:4]}-{month[4:]}", r.get("currency") or "USD"),
            r["cost"],
            r.get("cost_type"),
            r.get("service.description"),
            credits,
        )


def _focus_totals(path: Path, acc: _Accounts) -> None:
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    else:
        rows = ({k.strip(): v for k, v in r.items() if k} for r in _csv_rows(path))
    for r in rows:
        a = acc(
            r.get("ProviderName") or "",
            r["BillingAccountId"],
            _period_text(r["BillingPeriodStart"]),
            r.get("BillingCurrency") or "USD",
        )
        a.add(
            _dec(r["BilledCost"]),
            r.get("ServiceName"),
            r.get("InvoiceId") or None,
            r.get("ChargeCategory") or "Usage",
            r.get("ChargeDescription") or "Credits",
        )


def billing_totals(files: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], AccountTotals]:
    """(billing account, period) -> totals over the given (format, period) -> files. When several GCP flavours
    carry the same rows, only one is counted (JSON, else Parquet, else CSV)."""
    gcp = [f for f in ("gcp_billing", "gcp_billing_parquet", "gcp_billing_csv") if any(k[0] == f for k in files)]
    skip = set(gcp[1:])
    out: dict[tuple[str, str], AccountTotals] = {}
    for (fmt, _period), paths in sorted(files.items()):
        if fmt in skip:
            continue
        for p in paths:
            for key, t in file_totals(fmt, p).items():
                if key not in out:
                    out[key] = AccountTotals(t.provider, t.account, t.period, t.currency)
                out[key].merge(t)
    return out


def final_billing_totals(
    seed: int = 42, rows: int = 60_000, formats: Iterable[str] | None = None, months: Iterable[str] | None = None
) -> dict[tuple[str, str], AccountTotals]:
    """Generate the final landing state (original deliveries + the restated one) into a temporary folder and
    return its totals per (billing account, period)."""
    from . import RESTATED_MONTH, _resolve, generate, write_redelivery

    fmts = None if formats is None else list(formats)
    months_ = list(_resolve(fmts, rows, None if months is None else tuple(months))[2])
    with tempfile.TemporaryDirectory(prefix="finops-demo-billing-") as tmp:
        first = generate(
            tmp, seed=seed, rows=rows, formats=fmts, months=months_, redelivery=False, kpis=False, finance=False
        )
        again = None
        if RESTATED_MONTH in months_:
            again = write_redelivery(tmp, seed=seed, rows=rows, formats=fmts, months=months_, kpis=False)
        return billing_totals(final_files(first, again))
