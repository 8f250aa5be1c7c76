"""The demo enterprise's finance data: what the ERP, the card provider, treasury and the general ledger hold for
Northwind Robotics' billing months 2026-09 and 2026-10 (layouts: the Issue 6 finance contract, loaded by
``ingestion/finance``).

Under ``<out>/finance/``:

* ``ap/ap_invoices_2026-09.csv`` and ``ap/ap_invoices_2026-10.xlsx`` - the ERP accounts-payable export (one row
  per invoice line): one invoice per vendor x billing account x month for every cloud billing account of the
  demo, OpenAI (``northwind``), Anthropic (``northwind-robotics``, ``northwind-research``), the Stripe-billed
  SaaS vendors (Cursor, ElevenLabs, Mistral AI: the local Stripe server's invoices, same numbers and lines),
  GitHub Copilot Business (200 seats x 19.00, invoiced through AP only) and the shadow-AI vendor Jasper
  (marketing, no PO);
* ``cards/card_statement_YYYY-MM.csv`` and ``expenses/expense_lines_YYYY-MM.csv`` - ordinary spend (travel, meals,
  non-AI SaaS, the look-alike traps of :data:`TRAP_MERCHANTS`), the shadow-AI lines and one sanctioned ElevenLabs
  top-up (:data:`SHADOW_LINES`);
* ``fx_rates/fx_rates.csv`` - EUR->USD (ECB) and GBP->USD (Bank of England) on business days 2026-08-03 ..
  2026-11-30; no CHF rate;
* ``ledger.sqlite`` - table ``gl_journal_lines``: every AP invoice posted (expense debit per AP line, tax debit to
  1410-TAX-INPUT, AP credit on 2000-AP for the gross), plus rent, payroll and depreciation journals that reference
  no invoice. Every journal balances per currency.

Invoice totals equal the FINAL billing data (the restated 2026-09 delivery, summed from the provider files by
``billing_totals.py``) and the vendor APIs' truth, rounded to the cent, so that the planted variances
(:data:`PLANTED`) are the only differences. As on the provider's own invoice, the billing data's Tax lines are
the invoice's tax and its Credit lines (credits, Savings Plans negation, promotions) are negative invoice lines:
net + tax = Σ BilledCost, tax = Σ of the Tax lines, Σ negative lines = Σ of the Credit lines (each to the cent).
:func:`expected_reconciliation` returns the outcome per invoice, decomposed as marts.fct_invoice_reconciliation
does.
Deterministic: the same seed, rows, formats and months give the same bytes (the XLSX has fixed properties and zip
timestamps). No dagster import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

from .enterprise import AWS_SUBSIDIARY, DOMAIN, MONTHS, Month, hash64, py_rand

FOLDER = "finance"
CENT = Decimal("0.01")
XLSX_MONTHS = frozenset({"2026-10"})  # the ERP's October export is an Excel workbook, September a CSV
# the demo vendor servers (OpenAI, Anthropic, Stripe) always serve seed 42 (`finops run --demo-vendors`)
VENDOR_SEED = 42
_STREAM = 9_300  # hash streams of the finance data: 9_300 ..

AP_HEADER = [
    "Supplier",
    "Supplier Number",
    "Supplier Account",
    "Invoice Number",
    "Invoice Date",
    "Service Period",
    "Line",
    "Description",
    "Net Amount",
    "Tax Amount",
    "Currency",
    "GL Account",
    "Cost Center",
    "PO Number",
]
CARD_HEADER = [
    "Transaction ID",
    "Posted Date",
    "Cardholder",
    "Employee ID",
    "Merchant",
    "Description",
    "Amount",
    "Currency",
    "Cost Center",
    "MCC Category",
]
EXPENSE_HEADER = [
    "Report Line ID",
    "Expense Date",
    "Employee",
    "Employee ID",
    "Payee",
    "Purpose",
    "Amount",
    "Currency",
    "Cost Center",
    "Category",
]
FX_HEADER = ["Date", "Base Currency", "Quote Currency", "Rate", "Source"]
LEDGER_TABLE = "gl_journal_lines"

GL_CLOUD, GL_SAAS, GL_SOFTWARE = "6150-CLOUD-AI", "6160-SAAS-AI", "6420-SOFTWARE"
GL_TAX, GL_AP = "1410-TAX-INPUT", "2000-AP"
TOLERANCE_ABS, TOLERANCE_PCT = Decimal("1.00"), Decimal("0.01")  # the reconciliation's default tolerance

# the planted reconciliation variances (contract numbers 1..7)
AWS_TAX_ACCOUNT, AWS_TAX_RATE = AWS_SUBSIDIARY.payer_id, Decimal("0.0825")  # 1: US sales tax on the invoice
OPENAI_CREDIT = ("2026-10", Decimal("-250.00"))  # 2: promotional credit line
GCP_LATE = ("2026-10", "2026-11", dt.date(2026, 11, 5))  # 3: posted in the next period
MISTRAL_POSTING_LAG = dt.timedelta(days=10)  # 4: USD at the posting-date rate
ORACLE_KEYED = ("2026-09", Decimal("63.00"))  # 6: expense keyed 63.00 too high
EA_SHORT = ("2026-10", Decimal("-0.40"))  # 7: ledger 0.40 short
PLANTED = {1: "tax", 2: "credits", 3: "timing", 4: "fx", 5: "rounding", 6: "unexplained", 7: "within_tolerance"}

FX_START, FX_END = dt.date(2026, 8, 3), dt.date(2026, 11, 30)
FX_SOURCES = {"EUR": "ECB euro foreign exchange reference rates", "GBP": "Bank of England spot rate"}


# ----------------------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------------------
def _cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def _u(seed: int, stream: int, i: int) -> float:
    return py_rand(seed, _STREAM + stream, i)


def _digits(seed: int, stream: int, i: int, n: int) -> str:
    h = int(hash64(seed, _STREAM + stream, np.array([i]))[0])
    return str(h % 10**n).zfill(n)


def _hex(seed: int, stream: int, i: int, n: int) -> str:
    return f"{int(hash64(seed, _STREAM + stream, np.array([i]))[0]):016X}"[:n]


def _next_month(ym: str) -> Month:
    m = Month(ym)
    return Month(f"{m.end:%Y-%m}")


def _label(ym: str) -> str:  # "September 2026"
    return f"{Month(ym).start:%B %Y}"


def _business_days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [
        start + dt.timedelta(days=i)
        for i in range((end - start).days + 1)
        if (start + dt.timedelta(days=i)).weekday() < 5
    ]


# ----------------------------------------------------------------------------------------------------------------------
# the ERP vendor master
# ----------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Supplier:
    id: str
    name: str  # the ERP vendor master name
    vendor: str  # canonical vendor name (contract)
    gl_account: str
    cost_center: str  # the contract owner's cost centre
    po_number: str | None


SUPPLIERS: dict[str, Supplier] = {
    s.id: s
    for s in (
        Supplier("V-10001", "Amazon Web Services, Inc.", "Amazon Web Services", GL_CLOUD, "CC-3100", "PO-2026-0101"),
        Supplier(
            "V-10002", "Amazon Web Services Canada, Inc.", "Amazon Web Services", GL_CLOUD, "CC-3100", "PO-2026-0102"
        ),
        Supplier("V-10003", "Microsoft Corporation", "Microsoft", GL_CLOUD, "CC-3100", "PO-2026-0103"),
        Supplier("V-10004", "Microsoft Ireland Operations Ltd", "Microsoft", GL_CLOUD, "CC-3100", "PO-2026-0104"),
        Supplier("V-10005", "Google LLC", "Google Cloud", GL_CLOUD, "CC-3100", "PO-2026-0105"),
        Supplier("V-10006", "Oracle America, Inc.", "Oracle", GL_CLOUD, "CC-2100", "PO-2026-0106"),
        Supplier("V-10007", "OpenAI, LLC", "OpenAI", GL_CLOUD, "CC-1100", "PO-2026-0107"),
        Supplier("V-10008", "Anthropic, PBC", "Anthropic", GL_CLOUD, "CC-1100", "PO-2026-0108"),
        Supplier("V-10009", "Anysphere, Inc.", "Cursor", GL_SAAS, "CC-8100", "PO-2026-0109"),
        Supplier("V-10010", "ElevenLabs Inc.", "ElevenLabs", GL_SAAS, "CC-4200", "PO-2026-0110"),
        Supplier("V-10011", "Mistral AI SAS", "Mistral AI", GL_CLOUD, "CC-2100", "PO-2026-0111"),
        Supplier("V-10012", "GitHub, Inc.", "GitHub", GL_SAAS, "CC-8100", "PO-2026-0112"),
        Supplier("V-10013", "Jasper AI, Inc.", "Jasper", GL_SOFTWARE, "CC-4200", None),  # shadow AI: no contract, no PO
    )
}
_SAAS_SUPPLIER = {"Cursor": "V-10009", "ElevenLabs": "V-10010", "Mistral AI": "V-10011"}


def _cloud_supplier(provider: str, account: str) -> Supplier:
    if provider == "AWS":
        return SUPPLIERS["V-10002" if account == AWS_SUBSIDIARY.payer_id else "V-10001"]
    if provider == "Microsoft":
        return SUPPLIERS["V-10003" if account.isdigit() else "V-10004"]  # EA enrollment number vs MCA profile
    return SUPPLIERS[{"Google Cloud": "V-10005", "Oracle": "V-10006"}[provider]]


# ----------------------------------------------------------------------------------------------------------------------
# invoices
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class ApLine:
    description: str
    amount: Decimal
    tax: Decimal = Decimal("0.00")
    kind: str = "charge"  # charge | credit


@dataclass
class Invoice:
    supplier: Supplier
    account: str | None
    number: str
    date: dt.date
    period: str
    currency: str
    lines: list[ApLine]
    billing_source: str  # billing_export | usage_api | saas_api | ap_invoice | shadow
    billing_total: Decimal | None = None  # what the billing data / vendor API says (exact), None = AP is the source
    billing_tax: Decimal = Decimal(0)  # of which Tax lines
    billing_credits: Decimal = Decimal(0)  # of which Credit lines
    planted: dict[str, Decimal] = field(default_factory=dict)

    @property
    def net(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return sum((ln.tax for ln in self.lines), Decimal(0))

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax

    @property
    def vendor(self) -> str:
        return self.supplier.vendor


def _allocate(amounts: list[Decimal], total: Decimal) -> list[Decimal]:
    """Cent amounts proportional to ``amounts`` that sum to ``total`` exactly (the residual on the largest)."""
    base = sum(amounts, Decimal(0))
    out = [_cents(total * a / base) if base else Decimal("0.00") for a in amounts]
    if out:
        out[max(range(len(out)), key=lambda k: abs(amounts[k]))] += total - sum(out, Decimal(0))
    return out


def _charge_lines(services: dict[str, Decimal], total: Decimal, label: str, top: int = 5) -> list[ApLine]:
    """Positive invoice lines per service group (the largest ``top`` services, the rest as one line) that sum to
    ``total`` (cents); a group that nets negative (a refund) stays in "Other services"."""
    ranked = sorted(((n, a) for n, a in services.items() if a > 0), key=lambda kv: (-kv[1], kv[0]))
    groups = ranked[:top]
    rest = sum(services.values(), Decimal(0)) - sum((a for _, a in groups), Decimal(0))
    if rest:
        groups.append(("Other services", rest))
    lines = [ApLine(f"{name} - {label}", _cents(amt)) for name, amt in groups if _cents(amt) > 0]
    if not lines:
        return [ApLine(f"Charges for {label}", total)]
    lines[0].amount += total - sum((ln.amount for ln in lines), Decimal(0))
    return lines


def _credit_lines(credits: dict[str, Decimal], label: str) -> list[ApLine]:
    """Negative lines per credit name that sum to the credits rounded to the cent."""
    names = sorted(n for n, a in credits.items() if a)
    amounts = _allocate([credits[n] for n in names], _cents(sum(credits.values(), Decimal(0))))
    return [ApLine(f"{n} - {label}", a, kind="credit") for n, a in zip(names, amounts, strict=True) if a]


def _cloud_invoices(totals: dict, months: tuple[str, ...], seed: int) -> list[Invoice]:
    """One invoice per cloud billing account and month. Like the provider's invoice, the billing data's Tax lines
    are the invoice's tax, its Credit lines (credits, Savings Plans negation, promotions) negative lines and the
    rest one line per service: gross (net + tax) = Σ BilledCost rounded to the cent."""
    out = []
    for (account, period), t in sorted(totals.items()):
        if period not in months:
            continue
        sup = _cloud_supplier(t.provider, account)
        label = _label(period)
        gross, tax = _cents(t.billed), _cents(t.tax)
        credits = _credit_lines(t.credits, label)
        charges = _charge_lines(t.services, gross - tax - sum((c.amount for c in credits), Decimal(0)), label)
        inv = Invoice(
            sup,
            account,
            t.invoice_id or _vendor_number(sup, account, period, seed),
            _invoice_date(period),
            period,
            t.currency,
            charges + credits,
            "billing_export",
            t.billed,
            billing_tax=t.tax,
            billing_credits=sum(t.credits.values(), Decimal(0)),
        )
        if account == AWS_TAX_ACCOUNT:  # planted 1: US sales tax on the invoice, not in the billing data
            inv.planted["tax"] = _cents(inv.net * AWS_TAX_RATE)
            tax += inv.planted["tax"]
        for ln, x in zip(charges, _allocate([c.amount for c in charges], tax), strict=True):
            ln.tax = x
        out.append(inv)
    return out


def _invoice_date(period: str) -> dt.date:
    """Invoices are dated the 3rd of the month after the service period."""
    return _next_month(period).start.date().replace(day=3)


def _vendor_number(sup: Supplier, account: str, period: str, seed: int) -> str:
    """A vendor-style invoice number where the billing data has no final invoice id."""
    i = Month(period).index
    if sup.id == "V-10003":  # Microsoft EA
        return f"E04{_hex(seed, 1, i, 7)}"
    if sup.id == "V-10005":  # Google: 10 digits
        return f"3{_digits(seed, 2, i, 9)}"
    if sup.id == "V-10006":  # Oracle
        return f"1{_digits(seed, 3, i, 8)}"
    return f"{sup.id[2:]}-{Month(period).compact}-{_digits(seed, 4, i, 5)}"


def _api_invoices(months: tuple[str, ...], vendor_seed: int) -> list[Invoice]:
    """OpenAI and Anthropic: the demo vendor servers' cost truth per organisation and month, in cents."""
    from finops_demo.vendor_servers.anthropic import AnthropicServer
    from finops_demo.vendor_servers.demo import ANTHROPIC_ORGS, OPENAI_ORG
    from finops_demo.vendor_servers.openai import OpenAIServer

    openai = OpenAIServer({"unused-local-key": OPENAI_ORG}, seed=vendor_seed)  # not started: the truth only
    anthropic = AnthropicServer({f"unused-local-key-{o}": o for o in ANTHROPIC_ORGS}, seed=vendor_seed)
    out = []
    for period in months:
        m = Month(period)
        total = openai.total_cost(OPENAI_ORG, m.start, m.end)
        lines = [ApLine(f"API usage - {_label(period)}", _cents(total))]
        if period == OPENAI_CREDIT[0]:  # planted 2
            lines.append(ApLine("Promotional credit applied", OPENAI_CREDIT[1], kind="credit"))
        inv = Invoice(
            SUPPLIERS["V-10007"],
            OPENAI_ORG,
            f"INV-NW-{m.compact}",
            _invoice_date(period),
            period,
            "USD",
            lines,
            "usage_api",
            total,
        )
        if period == OPENAI_CREDIT[0]:
            inv.planted["credits"] = OPENAI_CREDIT[1]
        out.append(inv)
        for org in ANTHROPIC_ORGS:
            total = anthropic.total_cost_cents(org, m.start.date(), m.end.date()) / 100
            suffix = org.removeprefix("northwind-").upper()
            inv = Invoice(
                SUPPLIERS["V-10008"],
                org,
                f"ANT-NW{suffix[:3]}-{m.compact}",
                _invoice_date(period),
                period,
                "USD",
                [ApLine(f"Claude API usage - {_label(period)} ({org})", _cents(total))],
                "usage_api",
                total,
            )
            inv.planted["rounding"] = inv.net - total  # planted 5 (< 0.01)
            out.append(inv)
    return out


def _saas_invoices(months: tuple[str, ...], vendor_seed: int) -> list[Invoice]:
    """Cursor, ElevenLabs, Mistral AI: the Stripe-style server's invoices (number, lines) as entered in the ERP."""
    from finops_demo.vendor_servers.stripe import DEMO_SAAS_VENDORS, demo_invoices, to_major

    out = []
    for vendor in DEMO_SAAS_VENDORS:
        sup = SUPPLIERS[_SAAS_SUPPLIER[vendor]]
        for si in demo_invoices(vendor, vendor_seed):
            period = f"{dt.datetime.fromtimestamp(si['period_start'], dt.UTC):%Y-%m}"
            if period not in months:
                continue
            cur = si["currency"]
            lines = [
                ApLine(
                    li["description"],
                    to_major(li["amount"], cur).quantize(CENT),
                    kind="credit" if li["amount"] < 0 else "charge",
                )
                for li in si["lines"]["data"]
            ]
            if si.get("tax"):
                lines[0].tax = to_major(si["tax"], cur).quantize(CENT)
            out.append(
                Invoice(
                    sup,
                    si["customer"],
                    si["number"],
                    _invoice_date(period),
                    period,
                    cur.upper(),
                    lines,
                    "saas_api",
                    to_major(si["total"], cur),
                    billing_tax=to_major(si.get("tax") or 0, cur),
                    billing_credits=sum((ln.amount for ln in lines if ln.amount < 0), Decimal(0)),
                )
            )
    return out


def _ap_only_invoices(months: tuple[str, ...], seed: int) -> list[Invoice]:
    out = []
    for i, period in enumerate(MONTHS):
        if period not in months:
            continue
        m = Month(period)
        out.append(
            Invoice(
                SUPPLIERS["V-10012"],
                "nw-robotics-enterprise",
                f"GH-{m.compact}-{_digits(seed, 5, i, 6)}",
                _invoice_date(period),
                period,
                "USD",
                [ApLine(f"GitHub Copilot Business - 200 seats x USD 19.00 ({_label(period)})", Decimal("3800.00"))],
                "ap_invoice",
            )
        )
        out.append(
            Invoice(
                SUPPLIERS["V-10013"],
                "northwind-marketing",
                f"{_hex(seed, 6, 0, 8)}-{4 + i:04d}",
                _invoice_date(period),
                period,
                "USD",
                [ApLine(f"Jasper Teams - 3 seats ({_label(period)})", Decimal("207.00"))],
                "shadow",
            )
        )
    return out


# ----------------------------------------------------------------------------------------------------------------------
# FX rates
# ----------------------------------------------------------------------------------------------------------------------
def fx_rates(seed: int = 42) -> dict[str, dict[dt.date, Decimal]]:
    """{"EUR": {date: rate}, "GBP": {...}}: 1 unit = rate USD, business days FX_START .. FX_END, 4 decimals."""
    days = _business_days(FX_START, FX_END)
    out: dict[str, dict[dt.date, Decimal]] = {}
    for k, (cur, start, lo, hi, step) in enumerate(
        (("EUR", 1.0950, 1.08, 1.12, 0.007), ("GBP", 1.2740, 1.25, 1.30, 0.008))
    ):
        mid, r, rates = (lo + hi) / 2, start, {}
        for i, d in enumerate(days):
            if i:
                r += 0.12 * (mid - r) + (_u(seed, 10 + k, i) - 0.5) * step
                r = min(max(r, lo + 0.002), hi - 0.002)
            rates[d] = Decimal(f"{r:.4f}")
        out[cur] = rates
    return out


def rate_on(rates: dict[dt.date, Decimal], day: dt.date) -> tuple[dt.date, Decimal]:
    """The rate of ``day`` or of the latest business day before it (weekends use Friday's)."""
    d = day
    while d not in rates:
        d -= dt.timedelta(days=1)
        if d < FX_START:
            raise KeyError(f"no rate on or before {day}")
    return d, rates[d]


# ----------------------------------------------------------------------------------------------------------------------
# cards and expense reports
# ----------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Employee:
    id: str
    name: str
    cost_center: str
    currency: str  # the currency of the employee's card / expense reports

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@{DOMAIN}"


EMPLOYEES: dict[str, Employee] = {
    e.id: e
    for e in (
        Employee("E-1001", "Maya Chen", "CC-1100", "USD"),
        Employee("E-1002", "Liam Okafor", "CC-1100", "USD"),
        Employee("E-1003", "Sofia Rossi", "CC-2100", "EUR"),
        Employee("E-1004", "Jonas Weber", "CC-3100", "EUR"),
        Employee("E-1005", "Ana Souza", "CC-3200", "USD"),
        Employee("E-1006", "Tom Becker", "CC-4100", "USD"),
        Employee("E-1007", "Priya Raman", "CC-5100", "USD"),
        Employee("E-1008", "Omar Haddad", "CC-5200", "GBP"),
        Employee("E-1011", "Grace Liu", "CC-4200", "USD"),
        Employee("E-1012", "Hannah Morgan", "CC-7100", "GBP"),
        Employee("E-1013", "Daniel Kim", "CC-8100", "USD"),
        Employee("E-1014", "Carlos Mendes", "CC-6100", "USD"),
        Employee("E-1015", "Nina Keller", "CC-6100", "CHF"),  # Zurich: her Otter.ai expense is the one CHF line
        Employee("E-1016", "Elena Petrova", "CC-5100", "EUR"),
        Employee("E-1017", "Marcus Johnson", "CC-6100", "USD"),
        Employee("E-1018", "Aisha Bello", "CC-7100", "USD"),
        Employee("E-1019", "Kenji Sato", "CC-8100", "USD"),
        Employee("E-1020", "Chloe Martin", "CC-4100", "EUR"),
    )
}
_BY_CCY = {c: [e for e in EMPLOYEES.values() if e.currency == c] for c in ("USD", "EUR", "GBP")}


@dataclass(frozen=True)
class Template:
    """Ordinary (not AI) spend: ``count`` (lo, hi) lines a month; amount = base x (0.75 .. 1.25) unless fixed."""

    channel: str
    merchant: str
    description: str
    category: str
    base: str
    count: tuple[int, int]
    currency: str | None = None  # None: the employee's own currency (USD, EUR or GBP)
    employees: tuple[str, ...] = ()  # restrict to these employee ids
    fixed: bool = False
    trap: bool = False


TEMPLATES: tuple[Template, ...] = (
    # corporate cards
    Template(
        "card",
        "DELTA AIR 0062371845920",
        "Flight BOS-SFO, customer visit",
        "Airlines",
        "412.00",
        (1, 3),
        "USD",
        trap=True,
    ),
    Template("card", "UBER *TRIP", "Ride to customer site", "Taxicabs/Rideshares", "31.00", (3, 5), trap=True),
    Template("card", "AIRBNB * HM4KX2PZ", "Team offsite lodging", "Lodging", "640.00", (1, 2), trap=True),
    Template(
        "card",
        "OPENTABLE*DEPOSIT",
        "Team dinner reservation deposit",
        "Restaurants",
        "50.00",
        (1, 1),
        "USD",
        fixed=True,
        trap=True,
    ),
    Template(
        "card",
        "ZOOM.US 888-799-9666",
        "Zoom Workplace Pro, monthly",
        "Computer Software Stores",
        "15.99",
        (1, 1),
        "USD",
        ("E-1017",),
        fixed=True,
        trap=True,
    ),
    Template(
        "card",
        "SLACK T03NW7QK2",
        "Slack Pro, 12 members",
        "Computer Software Stores",
        "105.00",
        (1, 1),
        "USD",
        ("E-1013",),
        fixed=True,
        trap=True,
    ),
    Template(
        "card",
        "GITHUB INC",
        "GitHub Enterprise, 25 seats",
        "Computer Software Stores",
        "525.00",
        (1, 1),
        "USD",
        ("E-1019",),
        fixed=True,
        trap=True,
    ),
    Template(
        "card", "DELTA AIR 0062371845977", "Flight JFK-ATL, conference", "Airlines", "286.00", (0, 1), "USD", trap=True
    ),
    Template("card", "HILTON HOTELS", "Hotel, customer workshop", "Lodging", "289.00", (1, 3), "USD"),
    Template("card", "LUFTHANSA 2207", "Flight FRA-LHR", "Airlines", "310.00", (1, 1), "EUR"),
    Template("card", "BRITISH AIRWAYS 1254", "Flight LHR-BER", "Airlines", "240.00", (0, 1), "GBP"),
    Template("card", "STARBUCKS 04512", "Coffee with candidate", "Restaurants", "14.00", (2, 4)),
    Template("card", "PRET A MANGER", "Working lunch", "Restaurants", "11.00", (1, 3), "GBP"),
    Template("card", "AMTRAK", "Train NYC-BOS", "Railroads", "118.00", (1, 2), "USD"),
    Template("card", "SHELL OIL 5742", "Fuel, rental car", "Service Stations", "54.00", (0, 2), "USD"),
    Template("card", "DB BAHN FERNVERKEHR", "Train Berlin-Munich", "Railroads", "129.00", (1, 1), "EUR"),
    Template(
        "card",
        "DROPBOX*BUSINESS",
        "Dropbox Business, 5 users",
        "Computer Software Stores",
        "75.00",
        (1, 1),
        "USD",
        ("E-1005",),
        fixed=True,
    ),
    Template(
        "card",
        "ATLASSIAN",
        "Jira Software, monthly",
        "Computer Software Stores",
        "160.00",
        (1, 1),
        "USD",
        ("E-1019",),
        fixed=True,
    ),
    Template(
        "card",
        "FIGMA",
        "Figma Professional, 3 editors",
        "Computer Software Stores",
        "45.00",
        (1, 1),
        "USD",
        ("E-1006",),
        fixed=True,
    ),
    Template(
        "card",
        "LINKEDIN SALES NAV",
        "Sales Navigator Core",
        "Business Services",
        "99.99",
        (1, 1),
        "USD",
        ("E-1017",),
        fixed=True,
    ),
    Template("card", "FEDEX OFFICE 1187", "Printing, trade-show flyers", "Business Services", "38.00", (0, 1), "USD"),
    Template(
        "card",
        "WEWORK LONDON",
        "Hot desk, London",
        "Business Services",
        "350.00",
        (1, 1),
        "GBP",
        ("E-1008",),
        fixed=True,
    ),
    Template(
        "card",
        "DOCUSIGN INC",
        "DocuSign Business Pro",
        "Computer Software Stores",
        "65.00",
        (1, 1),
        "USD",
        ("E-1018",),
        fixed=True,
    ),
    # expense reports
    Template(
        "expense", "THAI ORCHID RESTAURANT", "Team lunch after sprint review", "Meals", "86.00", (1, 3), trap=True
    ),
    Template(
        "expense", "CLAUDE MONET GALLERY SHOP", "Client gift, art prints", "Gifts", "120.00", (1, 1), "EUR", trap=True
    ),
    Template(
        "expense",
        "RUNWAY FITNESS CLUB",
        "Wellness allowance, monthly",
        "Wellness",
        "55.00",
        (1, 1),
        "USD",
        fixed=True,
        trap=True,
    ),
    Template("expense", "UBER", "Airport transfer", "Ground Transport", "48.00", (2, 3), trap=True),
    Template("expense", "MARRIOTT HOTELS", "Conference hotel, 2 nights", "Lodging", "420.00", (1, 1), "USD"),
    Template("expense", "MILEAGE REIMBURSEMENT", "Mileage, customer visits", "Mileage", "62.00", (1, 3), "USD"),
    Template(
        "expense",
        "O'REILLY MEDIA",
        "Online learning subscription",
        "Training",
        "49.00",
        (1, 1),
        "USD",
        ("E-1005",),
        fixed=True,
    ),
    Template("expense", "SNCF", "Train Paris-Lyon", "Ground Transport", "89.00", (1, 2), "EUR"),
    Template("expense", "LYFT", "Ride to the airport", "Ground Transport", "36.00", (1, 2), "USD"),
    Template("expense", "HEATHROW EXPRESS", "Train to Heathrow", "Ground Transport", "25.00", (1, 2), "GBP"),
    Template("expense", "TESCO EXPRESS", "Workshop supplies", "Supplies", "23.00", (0, 1), "GBP"),
)
TRAP_MERCHANTS = (
    "AIRBNB",
    "THAI ORCHID RESTAURANT",
    "OPENTABLE",
    "CLAUDE MONET GALLERY SHOP",
    "RUNWAY FITNESS CLUB",
    "GITHUB INC",
    "UBER",
    "DELTA AIR",
    "ZOOM.US",
    "SLACK",
)


@dataclass(frozen=True)
class ShadowLine:
    """An AI purchase outside AP: (channel, month, day, employee, merchant, description, amount, currency, cost
    centre, category, canonical vendor, product, sanctioned)."""

    channel: str
    month: str
    day: int
    employee: str
    merchant: str
    description: str
    amount: str
    currency: str
    cost_center: str
    category: str
    vendor: str
    product: str | None
    sanctioned: bool = False


SHADOW_LINES: tuple[ShadowLine, ...] = tuple(
    ShadowLine(*row)
    for row in (
        (
            "card",
            "2026-09",
            9,
            "E-1011",
            "MIDJOURNEY INC.",
            "Midjourney Pro plan",
            "60.00",
            "USD",
            "CC-4200",
            "Computer Software Stores",
            "Midjourney",
            None,
        ),
        (
            "card",
            "2026-10",
            9,
            "E-1011",
            "MIDJOURNEY INC.",
            "Midjourney Pro plan",
            "60.00",
            "USD",
            "CC-4200",
            "Computer Software Stores",
            "Midjourney",
            None,
        ),
        (
            "card",
            "2026-09",
            14,
            "E-1012",
            "PERPLEXITY.AI",
            "Perplexity Pro, legal research",
            "16.40",
            "GBP",
            "CC-7100",
            "Computer Software Stores",
            "Perplexity",
            None,
        ),
        (
            "card",
            "2026-10",
            14,
            "E-1012",
            "PERPLEXITY.AI",
            "Perplexity Pro, legal research",
            "16.22",
            "GBP",
            "CC-7100",
            "Computer Software Stores",
            "Perplexity",
            None,
        ),
        (
            "card",
            "2026-09",
            21,
            "E-1013",
            "OPENAI *CHATGPT SUBSCR",
            "ChatGPT Plus subscription",
            "20.00",
            "USD",
            "CC-8100",
            "Computer Software Stores",
            "OpenAI",
            "ChatGPT Plus",
        ),
        (
            "card",
            "2026-10",
            21,
            "E-1013",
            "OPENAI *CHATGPT SUBSCR",
            "ChatGPT Plus subscription",
            "20.00",
            "USD",
            "CC-8100",
            "Computer Software Stores",
            "OpenAI",
            "ChatGPT Plus",
        ),
        (
            "expense",
            "2026-09",
            7,
            "E-1014",
            "OTTER.AI",
            "Otter Pro, meeting transcription",
            "16.99",
            "USD",
            "CC-6100",
            "Software",
            "Otter.ai",
            None,
        ),
        (
            "expense",
            "2026-10",
            7,
            "E-1014",
            "OTTER.AI",
            "Otter Pro, meeting transcription",
            "16.99",
            "USD",
            "CC-6100",
            "Software",
            "Otter.ai",
            None,
        ),
        (
            "expense",
            "2026-10",
            12,
            "E-1015",
            "OTTER.AI",
            "Otter Pro, customer call notes",
            "15.90",
            "CHF",
            "CC-6100",
            "Software",
            "Otter.ai",
            None,
        ),
        (
            "expense",
            "2026-09",
            16,
            "E-1016",
            "CLAUDE.AI SUBSCRIPTION",
            "Claude Pro, monthly",
            "21.60",
            "EUR",
            "CC-5100",
            "Software",
            "Anthropic",
            "Claude Pro",
        ),
        (
            "expense",
            "2026-10",
            16,
            "E-1016",
            "CLAUDE.AI SUBSCRIPTION",
            "Claude Pro, monthly",
            "21.60",
            "EUR",
            "CC-5100",
            "Software",
            "Anthropic",
            "Claude Pro",
        ),
        # sanctioned: the ElevenLabs contract owner tops up credits by card (covered by C-ELEVENLABS, not shadow)
        (
            "card",
            "2026-10",
            20,
            "E-1006",
            "ELEVENLABS.IO",
            "ElevenLabs credit top-up",
            "99.00",
            "USD",
            "CC-4200",
            "Computer Software Stores",
            "ElevenLabs",
            "ElevenLabs Business",
            True,
        ),
    )
)


def _day_in(ym: str, u: float) -> dt.date:
    days = _business_days(Month(ym).start.date(), (Month(ym).end - dt.timedelta(days=1)).date())
    return days[min(int(u * len(days)), len(days) - 1)]


def spend_lines(seed: int = 42, months: Iterable[str] = MONTHS) -> list[dict]:
    """Every card and expense line of the months: dicts with channel, id, date, employee, merchant, description,
    amount (Decimal), currency, cost_center, category, and ``vendor``/``product``/``sanctioned``/``trap``
    (None/None/False/False for ordinary spend). Sorted by (channel, date, id)."""
    out: list[dict] = []
    for mi, ym in enumerate(months):
        raw: list[dict] = []
        for ti, t in enumerate(TEMPLATES):
            lo, hi = t.count
            n = lo + int(_u(seed, 20, mi * 1000 + ti) * (hi - lo + 1))
            for k in range(n):
                i = (mi * 1000 + ti) * 10 + k
                pool = (
                    [EMPLOYEES[e] for e in t.employees]
                    if t.employees
                    else _BY_CCY[t.currency]
                    if t.currency
                    else [e for c in ("USD", "EUR", "GBP") for e in _BY_CCY[c]]
                )
                emp = pool[int(_u(seed, 21, i) * len(pool)) % len(pool)]
                base = Decimal(t.base)
                amount = base if t.fixed else _cents(base * Decimal(f"{0.75 + 0.5 * _u(seed, 22, i):.4f}"))
                raw.append(
                    {
                        "channel": t.channel,
                        "date": _day_in(ym, _u(seed, 23, i)),
                        "employee": emp,
                        "merchant": t.merchant,
                        "description": t.description,
                        "amount": amount,
                        "currency": t.currency or emp.currency,
                        "cost_center": emp.cost_center,
                        "category": t.category,
                        "vendor": None,
                        "product": None,
                        "sanctioned": False,
                        "trap": t.trap,
                    }
                )
        if mi == 0:  # a refund: a cancelled flight comes back on the card
            first = next(r for r in raw if r["merchant"].startswith("DELTA AIR"))
            raw.append(
                dict(
                    first,
                    date=first["date"] + dt.timedelta(days=3),
                    amount=-first["amount"],
                    description="Refund, cancelled flight",
                )
            )
        for s in SHADOW_LINES:
            if s.month == ym:
                emp = EMPLOYEES[s.employee]
                raw.append(
                    {
                        "channel": s.channel,
                        "date": dt.date.fromisoformat(f"{ym}-{s.day:02d}"),
                        "employee": emp,
                        "merchant": s.merchant,
                        "description": s.description,
                        "amount": Decimal(s.amount),
                        "currency": s.currency,
                        "cost_center": s.cost_center,
                        "category": s.category,
                        "vendor": s.vendor,
                        "product": s.product,
                        "sanctioned": s.sanctioned,
                        "trap": False,
                    }
                )
        for channel in ("card", "expense"):
            rows = sorted(
                (r for r in raw if r["channel"] == channel),
                key=lambda r: (r["date"], r["merchant"], r["employee"].id, r["amount"]),
            )
            reports: dict[str, int] = {}
            for seq, r in enumerate(rows, 1):
                if channel == "card":
                    r["id"] = f"CT{Month(ym).compact}{seq:04d}{_digits(seed, 24, mi * 1000 + seq, 4)}"
                else:  # one expense report per employee and month
                    rep = reports.setdefault(r["employee"].id, len(reports) + 1)
                    n = sum(1 for x in rows[:seq] if x["employee"].id == r["employee"].id)
                    r["id"] = f"ER-{Month(ym).compact}-{rep:03d}-{n:02d}"
                out.append(r)
    return sorted(out, key=lambda r: (r["channel"], r["date"], r["id"]))


# ----------------------------------------------------------------------------------------------------------------------
# the ledger
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class Journal:
    id: str
    period: str
    posting_date: dt.date
    currency: str
    lines: list[dict]  # gl_account, cost_center, amount, description
    vendor: Supplier | None = None
    reference: str | None = None
    updated_at: str = ""


def _post_invoice(inv: Invoice, seq: int, fx: dict, seed: int) -> Journal:
    posting, period, currency, rate = inv.date, inv.period, inv.currency, None
    if inv.vendor == "Mistral AI" and inv.currency == "EUR":  # planted 4
        posting = inv.date + MISTRAL_POSTING_LAG
        currency, rate = "USD", rate_on(fx["EUR"], posting)[1]
    if inv.vendor == "Google Cloud" and inv.period == GCP_LATE[0]:  # planted 3
        period, posting = GCP_LATE[1], GCP_LATE[2]
    amounts, taxes = [ln.amount for ln in inv.lines], [ln.tax for ln in inv.lines]
    if rate is not None:  # converted as a whole, then spread over the lines (sums to the converted total)
        amounts = _allocate(amounts, _cents(inv.net * rate))
        taxes = _allocate(taxes, _cents(inv.tax * rate)) if inv.tax else taxes
    lines = []
    for ln, amount, tax in zip(inv.lines, amounts, taxes, strict=True):
        lines.append(
            {
                "gl_account": inv.supplier.gl_account,
                "cost_center": inv.supplier.cost_center,
                "amount": amount,
                "description": ln.description,
            }
        )
        if tax:
            lines.append(
                {
                    "gl_account": GL_TAX,
                    "cost_center": None,
                    "amount": tax,
                    "description": f"Input tax: {ln.description}",
                }
            )
    if inv.vendor == "Oracle" and inv.period == ORACLE_KEYED[0]:  # planted 6: keyed too high, AP as booked
        lines[0]["amount"] += ORACLE_KEYED[1]
    if inv.vendor == "Microsoft" and inv.account == "84012345" and inv.period == EA_SHORT[0]:  # planted 7
        lines[0]["amount"] += EA_SHORT[1]
    booked = sum((ln["amount"] for ln in lines), Decimal(0))
    lines.append(
        {
            "gl_account": GL_AP,
            "cost_center": None,
            "amount": -booked,
            "description": f"{inv.supplier.name} invoice {inv.number}",
        }
    )
    minute = int(_u(seed, 30, seq) * 50)
    return Journal(
        f"APJ-{Month(period).compact}-{seq:04d}",
        period,
        posting,
        currency,
        lines,
        inv.supplier,
        inv.number,
        f"{posting.isoformat()} {17 + minute // 30}:{minute % 30 + 10:02d}:00",
    )


def _noise_journals(months: tuple[str, ...], seed: int) -> list[Journal]:
    """Rent, payroll accruals and depreciation: ordinary GL activity that references no invoice."""
    out = []
    for mi, ym in enumerate(months):
        last = _business_days(Month(ym).start.date(), (Month(ym).end - dt.timedelta(days=1)).date())[-1]
        stamp = f"{last.isoformat()} 20:15:00"
        c = Month(ym).compact
        out.append(
            Journal(
                f"GL-{c}-RENT-US",
                ym,
                last,
                "USD",
                [
                    {
                        "gl_account": "6300-RENT",
                        "cost_center": "CC-3200",
                        "amount": Decimal("48500.00"),
                        "description": f"Boston HQ rent {_label(ym)}",
                    },
                    {
                        "gl_account": "2100-ACCRUED-LIABILITIES",
                        "cost_center": None,
                        "amount": Decimal("-48500.00"),
                        "description": f"Boston HQ rent {_label(ym)}",
                    },
                ],
                updated_at=stamp,
            )
        )
        out.append(
            Journal(
                f"GL-{c}-RENT-DE",
                ym,
                last,
                "EUR",
                [
                    {
                        "gl_account": "6300-RENT",
                        "cost_center": "CC-2100",
                        "amount": Decimal("12400.00"),
                        "description": f"Berlin lab rent {_label(ym)}",
                    },
                    {
                        "gl_account": "2100-ACCRUED-LIABILITIES",
                        "cost_center": None,
                        "amount": Decimal("-12400.00"),
                        "description": f"Berlin lab rent {_label(ym)}",
                    },
                ],
                updated_at=stamp,
            )
        )
        pay = []
        for k, cc in enumerate(
            ("CC-1100", "CC-2100", "CC-3100", "CC-3200", "CC-4100", "CC-5100", "CC-6100", "CC-7100", "CC-8100")
        ):
            amt = _cents(Decimal(90_000 + int(_u(seed, 40, mi * 100 + k) * 160_000)) + Decimal("0.37") * k)
            pay.append(
                {
                    "gl_account": "6000-SALARIES",
                    "cost_center": cc,
                    "amount": amt,
                    "description": f"Payroll accrual {_label(ym)}",
                }
            )
        pay.append(
            {
                "gl_account": "2200-ACCRUED-PAYROLL",
                "cost_center": None,
                "amount": -sum((p["amount"] for p in pay), Decimal(0)),
                "description": f"Payroll accrual {_label(ym)}",
            }
        )
        out.append(Journal(f"GL-{c}-PAYACC", ym, last, "USD", pay, updated_at=stamp))
        out.append(
            Journal(
                f"GL-{c}-DEPR",
                ym,
                last,
                "USD",
                [
                    {
                        "gl_account": "6800-DEPRECIATION",
                        "cost_center": "CC-2100",
                        "amount": Decimal("21733.33"),
                        "description": "Depreciation, robot test rigs",
                    },
                    {
                        "gl_account": "6800-DEPRECIATION",
                        "cost_center": "CC-3100",
                        "amount": Decimal("8416.67"),
                        "description": "Depreciation, on-premises GPU servers",
                    },
                    {
                        "gl_account": "1590-ACCUMULATED-DEPRECIATION",
                        "cost_center": None,
                        "amount": Decimal("-30150.00"),
                        "description": f"Depreciation {_label(ym)}",
                    },
                ],
                updated_at=stamp,
            )
        )
    return out


# ----------------------------------------------------------------------------------------------------------------------
# the model and the expected reconciliation
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class FinanceData:
    invoices: list[Invoice]
    journals: list[Journal]
    spend: list[dict]
    fx: dict[str, dict[dt.date, Decimal]]
    months: tuple[str, ...]


def build(
    seed: int = 42,
    rows: int = 60_000,
    formats: Iterable[str] | None = None,
    months: Iterable[str] = MONTHS,
    vendor_seed: int = VENDOR_SEED,
    totals: dict | None = None,
) -> FinanceData:
    """The finance data in memory. ``totals``: the billing totals per (account, period) (default: generate the final
    billing state of (seed, rows, formats, months) in a temporary folder and sum it)."""
    from .billing_totals import final_billing_totals

    months_ = tuple(m for m in months if m in MONTHS)
    if totals is None:
        totals = final_billing_totals(seed, rows, formats, months_ or None) if months_ else {}
    invoices = (
        _cloud_invoices(totals, months_, seed)
        + _api_invoices(months_, vendor_seed)
        + _saas_invoices(months_, vendor_seed)
        + _ap_only_invoices(months_, seed)
    )
    invoices.sort(key=lambda i: (i.period, i.supplier.id, i.account or "", i.number))
    fx = fx_rates(seed)
    journals = [_post_invoice(inv, k + 1, fx, seed) for k, inv in enumerate(invoices)]
    journals += _noise_journals(months_, seed)
    return FinanceData(invoices, journals, spend_lines(seed, months_), fx, months_)


_MONEY = Decimal("0.0000000001")  # the warehouse's DECIMAL(38, 10)
ROUNDING_TOLERANCE = Decimal("0.01")  # seed finance/reconciliation_policy.csv rounding_tolerance


def _convert(fx: dict, amount: Decimal, from_ccy: str, to_ccy: str, day: dt.date) -> Decimal:
    """``amount`` in ``to_ccy`` through USD at the rates of ``day`` (or the latest business day before)."""
    if from_ccy == to_ccy:
        return amount
    to_usd = {c: rate_on(r, day)[1] for c, r in fx.items()} | {"USD": Decimal(1)}
    return (amount * to_usd[from_ccy] / to_usd[to_ccy]).quantize(_MONEY)


def _reconcile(data: FinanceData) -> list[dict]:
    """The three-way outcome per invoice, decomposed as marts.fct_invoice_reconciliation does (every amount in the
    invoice currency; ledger lines at the invoice-date rate, fx = the difference to the posting-date rate)."""
    by_ref = {j.reference: j for j in data.journals if j.reference}
    out = []
    for inv in data.invoices:
        j = by_ref[inv.number]
        native = sum((ln["amount"] for ln in j.lines if ln["gl_account"] != GL_AP), Decimal(0))
        at_invoice_rate = _convert(data.fx, native, j.currency, inv.currency, inv.date)
        at_posting_rate = _convert(data.fx, native, j.currency, inv.currency, j.posting_date)
        in_period = j.period == inv.period
        ledger_in, ledger_other = (at_invoice_rate, Decimal(0)) if in_period else (Decimal(0), at_invoice_rate)
        has_feed = inv.billing_total is not None
        invoice_credit = sum((ln.amount for ln in inv.lines if ln.amount < 0), Decimal(0))
        base_total = inv.billing_total if has_feed else inv.gross
        tax_diff = inv.tax - inv.billing_tax if has_feed else Decimal(0)
        credit_diff = invoice_credit - inv.billing_credits if has_feed else Decimal(0)
        b = {
            "tax": tax_diff if abs(tax_diff) > ROUNDING_TOLERANCE else Decimal(0),
            "credits": credit_diff if abs(credit_diff) > ROUNDING_TOLERANCE else Decimal(0),
            "timing": -ledger_other,
            "fx": ledger_in + ledger_other - at_posting_rate,
        }
        to_ledger = at_posting_rate - inv.gross
        to_invoice = inv.gross - base_total - b["tax"] - b["credits"]
        if abs(to_invoice + to_ledger) <= ROUNDING_TOLERANCE:
            b["rounding"] = to_invoice + to_ledger
        else:
            b["rounding"] = sum((x for x in (to_invoice, to_ledger) if abs(x) <= ROUNDING_TOLERANCE), Decimal(0))
        b["unexplained"] = to_invoice + to_ledger - b["rounding"]
        tolerance = max(TOLERANCE_ABS, TOLERANCE_PCT / 100 * abs(inv.gross))
        unexplained = b["unexplained"]
        status = (
            "matched" if not unexplained else "within_tolerance" if abs(unexplained) <= tolerance else "unexplained"
        )
        fx_info = None
        if j.currency != inv.currency:
            fx_info = {
                "invoice_rate_date": rate_on(data.fx[inv.currency], inv.date)[0],
                "invoice_rate": rate_on(data.fx[inv.currency], inv.date)[1],
                "posting_date": j.posting_date,
                "posting_rate": rate_on(data.fx[inv.currency], j.posting_date)[1],
                "ledger_native": native,
                "ledger_currency": j.currency,
            }
        out.append(
            {
                "vendor": inv.vendor,
                "supplier_id": inv.supplier.id,
                "vendor_account_id": inv.account,
                "invoice_number": inv.number,
                "billing_period": inv.period,
                "billing_source": inv.billing_source,
                "currency": inv.currency,
                "has_billing_feed": has_feed,
                "billed_amount": base_total,
                "billed_tax_amount": inv.billing_tax if has_feed else inv.tax,
                "billed_credit_amount": inv.billing_credits if has_feed else invoice_credit,
                "invoice_net": inv.net,
                "invoice_tax": inv.tax,
                "invoice_credit": invoice_credit,
                "invoice_gross": inv.gross,
                "ledger_journal_id": j.id,
                "ledger_period": j.period,
                "ledger_posting_date": j.posting_date,
                "ledger_currency": j.currency,
                "ledger_amount": native,
                "variance": ledger_in - base_total,
                "buckets": {k: v.quantize(_MONEY) for k, v in b.items() if v},
                "planted": dict(inv.planted),
                "status": status,
                "tolerance": tolerance,
                "fx": fx_info,
            }
        )
    return out


def expected_reconciliation(
    seed: int = 42,
    rows: int = 60_000,
    formats: Iterable[str] | None = None,
    months: Iterable[str] = MONTHS,
    vendor_seed: int = VENDOR_SEED,
    totals: dict | None = None,
) -> list[dict]:
    """Per AP invoice (vendor, invoice_number, billing_period): the billing data (total, Tax and Credit lines;
    the invoice itself when the vendor has no billing feed: GitHub, Jasper), the invoice (net, tax, credit lines,
    gross), the ledger (lines of the invoice's journal other than 2000-AP), the nonzero variance ``buckets``
    ({tax, credits, timing, fx, rounding, unexplained: amount in the invoice currency}, summing to
    ``variance`` = ledger in period - billed) and ``status`` (matched | within_tolerance | unexplained), as
    marts.fct_invoice_reconciliation decomposes them: tax / credits = invoice - billing Tax / Credit lines (beyond
    0.01); timing = - ledger posted in other periods; fx = ledger at the invoice-date rate - at the posting-date
    rate (rates of the date or the latest business day before); rounding = the residuals up to 0.01 (every
    invoice of usage-based billing data has one: a 10-decimal total invoiced in cents); unexplained = the rest.
    ``planted`` names the contract's planted variance of the invoice."""
    return _reconcile(build(seed, rows, formats, months, vendor_seed, totals))


# ----------------------------------------------------------------------------------------------------------------------
# writers
# ----------------------------------------------------------------------------------------------------------------------
def _money(x: Decimal) -> str:
    return str(x.quantize(CENT))


def _ap_rows(invoices: list[Invoice]) -> list[list]:
    rows = []
    for inv in invoices:
        for n, ln in enumerate(inv.lines, 1):
            rows.append(
                [
                    inv.supplier.name,
                    inv.supplier.id,
                    inv.account or "",
                    inv.number,
                    inv.date,
                    inv.period,
                    n,
                    ln.description,
                    ln.amount.quantize(CENT),
                    ln.tax.quantize(CENT),
                    inv.currency,
                    inv.supplier.gl_account,
                    inv.supplier.cost_center,
                    inv.supplier.po_number or "",
                ]
            )
    return rows


def _write_csv(path: Path, header: list[str], rows: Iterable[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(
                [
                    ""
                    if v is None
                    else v.isoformat()
                    if isinstance(v, dt.date)
                    else _money(v)
                    if isinstance(v, Decimal)
                    else v
                    for v in r
                ]
            )
    return path


_FIXED_TIME = dt.datetime(2026, 11, 3, 8, 0, 0)
_ZIP_TIME = (2026, 11, 3, 8, 0, 0)


def _write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    """An ERP-style workbook (sheet "AP Invoices", header in row 1, dates and amounts typed), byte-identical per
    content: fixed document properties and zip entry timestamps."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "AP Invoices"
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([None if v == "" else v for v in r])
    for row in ws.iter_rows(min_row=2):
        row[4].number_format = "yyyy-mm-dd"
        row[8].number_format = row[9].number_format = "#,##0.00"
    for col, width in zip("ABCDEFGHIJKLMN", (34, 10, 24, 18, 12, 10, 6, 60, 14, 12, 9, 15, 11, 14), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "Northwind Robotics ERP"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps "modified" with the time of saving and the zip entries with the wall clock: rewrite both
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return path


def _write_ledger(path: Path, journals: list[Journal]) -> int:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    n = 0
    try:
        with con:
            con.execute(f"""create table {LEDGER_TABLE} (
                journal_id text not null,
                line_number integer not null,
                period text not null,
                posting_date date not null,
                gl_account text not null,
                cost_center text,
                vendor_name text,
                vendor_id text,
                amount numeric(18, 2) not null,
                currency text not null,
                reference text,
                description text,
                updated_at timestamp not null,
                primary key (journal_id, line_number))""")
            rows = []
            for j in sorted(journals, key=lambda j: (j.posting_date, j.id)):
                for k, ln in enumerate(j.lines, 1):
                    rows.append(
                        (
                            j.id,
                            k,
                            j.period,
                            j.posting_date.isoformat(),
                            ln["gl_account"],
                            ln["cost_center"],
                            j.vendor.name if j.vendor else None,
                            j.vendor.id if j.vendor else None,
                            _money(ln["amount"]),
                            j.currency,
                            j.reference,
                            ln["description"],
                            j.updated_at,
                        )
                    )
            con.executemany(f"insert into {LEDGER_TABLE} values ({', '.join('?' * 13)})", rows)
            n = len(rows)
    finally:
        con.close()
    return n


def write_finance(
    out_dir: str | Path,
    seed: int = 42,
    rows: int = 60_000,
    formats: Iterable[str] | None = None,
    months: Iterable[str] = MONTHS,
    vendor_seed: int = VENDOR_SEED,
    totals: dict | None = None,
) -> dict:
    """Write the finance data under ``<out_dir>/finance/`` and return a summary: ``files``, ``counts``,
    ``invoices`` (per-invoice totals), ``reconciliation`` (:func:`expected_reconciliation`), ``shadow_ai`` (the
    lines that must be found) and ``traps`` (look-alike merchants that must not)."""
    out = Path(out_dir)
    root = out / FOLDER
    data = build(seed, rows, formats, months, vendor_seed, totals)
    files: list[Path] = []
    for ym in data.months:
        invs = [i for i in data.invoices if i.period == ym]
        if ym in XLSX_MONTHS:
            files.append(_write_xlsx(root / "ap" / f"ap_invoices_{ym}.xlsx", AP_HEADER, _ap_rows(invs)))
        else:
            files.append(_write_csv(root / "ap" / f"ap_invoices_{ym}.csv", AP_HEADER, _ap_rows(invs)))
        month_spend = [r for r in data.spend if r["date"].strftime("%Y-%m") == ym]
        files.append(
            _write_csv(
                root / "cards" / f"card_statement_{ym}.csv",
                CARD_HEADER,
                [
                    [
                        r["id"],
                        r["date"],
                        r["employee"].name,
                        r["employee"].id,
                        r["merchant"],
                        r["description"],
                        r["amount"],
                        r["currency"],
                        r["cost_center"],
                        r["category"],
                    ]
                    for r in month_spend
                    if r["channel"] == "card"
                ],
            )
        )
        files.append(
            _write_csv(
                root / "expenses" / f"expense_lines_{ym}.csv",
                EXPENSE_HEADER,
                [
                    [
                        r["id"],
                        r["date"],
                        r["employee"].name,
                        r["employee"].id,
                        r["merchant"],
                        r["description"],
                        r["amount"],
                        r["currency"],
                        r["cost_center"],
                        r["category"],
                    ]
                    for r in month_spend
                    if r["channel"] == "expense"
                ],
            )
        )
    fx_rows = [
        [d, cur, "USD", f"{rate:.4f}", FX_SOURCES[cur]] for cur in ("EUR", "GBP") for d, rate in data.fx[cur].items()
    ]
    files.append(_write_csv(root / "fx_rates" / "fx_rates.csv", FX_HEADER, sorted(fx_rows, key=lambda r: (r[0], r[1]))))
    ledger = root / "ledger.sqlite"
    gl_lines = _write_ledger(ledger, data.journals)
    files.append(ledger)

    rel = {
        inv.number: (f"{FOLDER}/ap/ap_invoices_{inv.period}.{'xlsx' if inv.period in XLSX_MONTHS else 'csv'}")
        for inv in data.invoices
    }
    spend = data.spend
    return {
        "files": [str(p.relative_to(out)) for p in files],
        "counts": {
            "ap_invoices": len(data.invoices),
            "ap_lines": sum(len(i.lines) for i in data.invoices),
            "card_transactions": sum(r["channel"] == "card" for r in spend),
            "expense_lines": sum(r["channel"] == "expense" for r in spend),
            "fx_rates": len(fx_rows),
            "gl_journals": len(data.journals),
            "gl_lines": gl_lines,
        },
        "invoices": [
            {
                "vendor": i.vendor,
                "supplier": i.supplier.name,
                "supplier_id": i.supplier.id,
                "vendor_account_id": i.account,
                "invoice_number": i.number,
                "invoice_date": i.date,
                "billing_period": i.period,
                "currency": i.currency,
                "lines": len(i.lines),
                "net": i.net,
                "tax": i.tax,
                "gross": i.gross,
                "billing_source": i.billing_source,
                "billing_total": i.billing_total,
                "source_file": rel[i.number],
            }
            for i in data.invoices
        ],
        "reconciliation": _reconcile(data),
        "shadow_ai": [
            {
                "channel": r["channel"],
                "transaction_id": r["id"],
                "date": r["date"],
                "employee_id": r["employee"].id,
                "merchant": r["merchant"],
                "vendor": r["vendor"],
                "product": r["product"],
                "amount": r["amount"],
                "currency": r["currency"],
                "cost_center": r["cost_center"],
                "fx_rate_available": r["currency"] in ("USD", "EUR", "GBP"),
            }
            for r in spend
            if r["vendor"] and not r["sanctioned"]
        ],
        "sanctioned_card_lines": [
            {
                "channel": r["channel"],
                "transaction_id": r["id"],
                "merchant": r["merchant"],
                "vendor": r["vendor"],
                "amount": r["amount"],
                "currency": r["currency"],
            }
            for r in spend
            if r["sanctioned"]
        ],
        "traps": sorted({r["merchant"] for r in spend if r["trap"]}),
    }
