"""The demo's finance data (finops_demo/generator/finance.py): AP invoices equal the final billing data and the vendor
APIs except the planted variances, every ledger journal balances, shadow-AI and trap lines are there, and the output is
byte-identical per seed. Small row budget (as the e2e test): fast."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import sqlite3
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from finops_demo.generator import finance as F
from finops_demo.generator import generate, write_redelivery
from finops_demo.generator.billing_totals import billing_totals, final_files
from finops_demo.vendor_servers.anthropic import AnthropicServer
from finops_demo.vendor_servers.demo import ANTHROPIC_ORGS, OPENAI_ORG
from finops_demo.vendor_servers.openai import OpenAIServer
from finops_demo.vendor_servers.stripe import DEMO_SAAS_VENDORS, demo_invoices, to_major
from tests.support.aws_cur import expected_sums as aws_expected
from tests.support.azure_cost_details import expected as azure_expected
from tests.support.focus_exports import expected_csv as focus_csv_expected
from tests.support.focus_exports import expected_parquet as focus_parquet_expected
from tests.support.gcp_billing import jsonl_month_totals

SEED, ROWS = 7, 8_000
CENT = Decimal("0.01")
MONTHS = ("2026-09", "2026-10")
# demo format -> the one billing account it delivers
ACCOUNT = {
    "aws_cur2": "210987654321",
    "aws_cur_legacy": "420000000001",
    "aws_focus": "530000000001",
    "azure_ea_actual": "84012345",
    "azure_mca_actual": "NWRE-4Q2Z-BG7-PGB",
    "gcp_billing": "01A2B3-C4D5E6-F7A8B9",
    "oci_focus": "ocid1.tenancy.oc1..aaaaaaaanorthwindroboticsoci7q2",
}
# every alias of an AI vendor (the catalogue seed's, and more): ordinary spend must contain none of them
AI_ALIASES = (
    "openai",
    "chatgpt",
    "anthropic",
    "claude.ai",
    "mistral",
    "cohere",
    "hugging face",
    "huggingface",
    "replicate.com",
    "together ai",
    "anysphere",
    "cursor",
    "elevenlabs",
    "copilot",
    "midjourney",
    "jasper",
    "otter.ai",
    "perplexity",
    "synthesia",
    "runwayml",
    "stability ai",
    "grammarly",
    "writer.com",
    "copy.ai",
    "character.ai",
    "amazon web services",
    "aws",
    "microsoft",
    "azure",
    "google",
    "oracle",
    "bedrock",
    "gemini",
    "gpt",
)


def _half_up(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """generate(redelivery=False) (finance written then), the restated delivery landed after it."""
    out = tmp_path_factory.mktemp("finance_demo")
    first = generate(out, seed=SEED, rows=ROWS, redelivery=False)
    fin_before = _digest(out / "finance")
    again = write_redelivery(out, seed=SEED, rows=ROWS)
    return out, first, again, fin_before


def ap_lines(out: Path) -> list[dict]:
    """Every AP line of the CSV and XLSX exports, keyed by the contract's header."""
    rows = []
    for ym in MONTHS:
        csv_path, xlsx_path = out / f"finance/ap/ap_invoices_{ym}.csv", out / f"finance/ap/ap_invoices_{ym}.xlsx"
        if csv_path.exists():
            with open(csv_path, newline="", encoding="utf-8") as fh:
                r = csv.reader(fh)
                assert next(r) == F.AP_HEADER
                rows += [dict(zip(F.AP_HEADER, x, strict=True)) for x in r]
        else:
            ws = openpyxl.load_workbook(xlsx_path).active
            it = ws.iter_rows(values_only=True)
            assert list(next(it)) == F.AP_HEADER
            for x in it:
                d = dict(zip(F.AP_HEADER, x, strict=True))
                d["Invoice Date"] = d["Invoice Date"].date().isoformat()
                for k in ("Net Amount", "Tax Amount"):
                    d[k] = repr(float(d[k]))
                rows.append({k: "" if v is None else str(v) for k, v in d.items()})
    return rows


def invoices(out: Path) -> dict[str, dict]:
    """invoice number -> {supplier, account, period, date, currency, net, tax, lines: [(description, net)]}."""
    inv: dict[str, dict] = {}
    for r in ap_lines(out):
        i = inv.setdefault(
            r["Invoice Number"],
            {
                "supplier": r["Supplier"],
                "account": r["Supplier Account"],
                "period": r["Service Period"],
                "date": r["Invoice Date"],
                "currency": r["Currency"],
                "net": Decimal(0),
                "tax": Decimal(0),
                "lines": [],
            },
        )
        i["net"] += Decimal(r["Net Amount"])
        i["tax"] += Decimal(r["Tax Amount"])
        i["lines"].append((r["Description"], Decimal(r["Net Amount"])))
    return inv


def ledger(out: Path) -> list[dict]:
    con = sqlite3.connect(out / "finance" / "ledger.sqlite")
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute("select * from gl_journal_lines order by journal_id, line_number")]
    finally:
        con.close()
    for r in rows:
        r["amount"] = Decimal(repr(r["amount"])) if isinstance(r["amount"], float) else Decimal(r["amount"])
    return rows


def billing_truth(first: dict, again: dict) -> dict[tuple[str, str], Decimal]:
    """(billing account, period) -> Σ BilledCost of the final billing files, with the ingestion tests' helpers."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for (fmt, period), paths in final_files(first, again).items():
        if fmt not in ACCOUNT:
            continue
        for p in paths:
            if fmt.startswith("azure_"):
                billed = azure_expected(Path(p), "")[period]["cost"]
            elif fmt.startswith("aws_cur"):
                billed = aws_expected(Path(p))[period][0]
            elif fmt == "gcp_billing":
                billed = jsonl_month_totals(p)[period]
            elif p.endswith(".parquet"):
                billed = focus_parquet_expected(Path(p))[period][0]
            else:
                billed = focus_csv_expected(Path(p))[period][0]
            out[(ACCOUNT[fmt], period)] += billed
    return dict(out)


def api_truth() -> dict[tuple[str, str], Decimal]:
    oa = OpenAIServer({"k": OPENAI_ORG}, seed=F.VENDOR_SEED)
    an = AnthropicServer({f"k{o}": o for o in ANTHROPIC_ORGS}, seed=F.VENDOR_SEED)
    out = {}
    for ym in MONTHS:
        s = dt.datetime.fromisoformat(f"{ym}-01").replace(tzinfo=dt.UTC)
        e = (s + dt.timedelta(days=32)).replace(day=1)
        out[(OPENAI_ORG, ym)] = oa.total_cost(OPENAI_ORG, s, e)
        for org in ANTHROPIC_ORGS:
            out[(org, ym)] = an.total_cost_cents(org, s.date(), e.date()) / 100
    return out


# ----------------------------------------------------------------------------------------------------------------------
def test_layout_and_headers(demo):
    out, first, _, fin_before = demo
    fin = first["finance"]
    expected = {
        "ap/ap_invoices_2026-09.csv",
        "ap/ap_invoices_2026-10.xlsx",
        "cards/card_statement_2026-09.csv",
        "cards/card_statement_2026-10.csv",
        "expenses/expense_lines_2026-09.csv",
        "expenses/expense_lines_2026-10.csv",
        "fx_rates/fx_rates.csv",
        "ledger.sqlite",
    }
    assert set(fin_before) == expected
    assert {f.removeprefix("finance/") for f in fin["files"]} == expected
    # the invoices are final from the start: the re-delivery of the billing data leaves them alone
    assert _digest(out / "finance") == fin_before
    for ym in MONTHS:
        with open(out / f"finance/cards/card_statement_{ym}.csv", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == F.CARD_HEADER
        with open(out / f"finance/expenses/expense_lines_{ym}.csv", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == F.EXPENSE_HEADER
    con = sqlite3.connect(out / "finance" / "ledger.sqlite")
    cols = [r[1] for r in con.execute("pragma table_info(gl_journal_lines)")]
    con.close()
    assert cols == [
        "journal_id",
        "line_number",
        "period",
        "posting_date",
        "gl_account",
        "cost_center",
        "vendor_name",
        "vendor_id",
        "amount",
        "currency",
        "reference",
        "description",
        "updated_at",
    ]
    counts = fin["counts"]
    assert counts["ap_invoices"] == 30 and counts["card_transactions"] + counts["expense_lines"] >= 80


def test_determinism(tmp_path):
    a = F.write_finance(tmp_path / "a", seed=SEED, rows=ROWS)
    F.write_finance(tmp_path / "b", seed=SEED, rows=ROWS)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    c = F.write_finance(tmp_path / "c", seed=SEED + 1, rows=ROWS)
    da, dc = _digest(tmp_path / "a"), _digest(tmp_path / "c")
    assert da["finance/cards/card_statement_2026-09.csv"] != dc["finance/cards/card_statement_2026-09.csv"]
    assert a["counts"]["ap_invoices"] == c["counts"]["ap_invoices"]


def test_invoices_equal_the_final_billing_data_and_the_vendor_apis(demo):
    out, first, again, _ = demo
    inv = invoices(out)
    by_account = {(i["account"], i["period"]): (n, i) for n, i in inv.items()}
    truth = billing_truth(first, again) | api_truth()
    assert len(truth) == 20
    split = billing_totals(final_files(first, again))  # the billing data's Tax and Credit lines
    for (account, period), billed in truth.items():
        number, i = by_account[(account, period)]
        planted_credit = Decimal("-250.00") if (account, period) == (OPENAI_ORG, "2026-10") else Decimal(0)
        planted_tax = _half_up(i["net"] * Decimal("0.0825")) if account == "420000000001" else Decimal(0)
        # the invoice total (net + tax) is the billing total, to the cent, but for the planted variances
        gross = i["net"] + i["tax"] - planted_credit - planted_tax
        assert gross == _half_up(billed), (account, period, gross, billed)
        assert abs(gross - billed) < Decimal("0.005")
        # the billing data's Tax lines are the invoice's tax, its Credit lines the negative invoice lines
        t = split.get((account, period))
        credit_lines = sum((a for _, a in i["lines"] if a < 0), Decimal(0)) - planted_credit
        assert i["tax"] - planted_tax == (_half_up(t.tax) if t else 0)
        assert credit_lines == (_half_up(sum(t.credits.values(), Decimal(0))) if t else 0)
        assert all(
            a > 0
            for d, a in i["lines"]
            if "credit" not in d.lower() and "negation" not in d.lower() and "promotion" not in d.lower()
        )
    assert {k for k, t in split.items() if t.tax} >= {("210987654321", "2026-09"), ("01A2B3-C4D5E6-F7A8B9", "2026-10")}
    # the invoice numbers of the billing data where it has final ones (AWS, MCA, the AWS FOCUS export)
    ids = {k: t.invoice_id for k, t in billing_totals(final_files(first, again)).items()}
    for key, number in ids.items():
        if key[0] in ("210987654321", "420000000001", "530000000001", "NWRE-4Q2Z-BG7-PGB"):
            assert number and by_account[key][0] == number, (key, number)
        else:
            assert number is None and by_account[key][0]
    assert by_account[("210987654321", "2026-09")][0].isdigit()
    assert by_account[("420000000001", "2026-09")][0].startswith("CA26")
    assert by_account[("NWRE-4Q2Z-BG7-PGB", "2026-10")][0].startswith("G")
    assert by_account[(OPENAI_ORG, "2026-10")][0] == "INV-NW-202610"
    # the SaaS vendors: the Stripe-style server's invoice numbers and lines
    for vendor in DEMO_SAAS_VENDORS:
        for si in demo_invoices(vendor, F.VENDOR_SEED):
            i = inv[si["number"]]
            assert i["lines"] == [
                (li["description"], to_major(li["amount"], si["currency"])) for li in si["lines"]["data"]
            ]
            assert i["net"] + i["tax"] == to_major(si["total"], si["currency"])
            assert i["currency"] == si["currency"].upper()
    github = [i for i in inv.values() if i["supplier"] == "GitHub, Inc."]
    assert [g["net"] for g in github] == [Decimal("3800.00")] * 2
    jasper = [r for r in ap_lines(out) if r["Supplier"] == "Jasper AI, Inc."]
    assert (
        len(jasper) == 2
        and {r["PO Number"] for r in jasper} == {""}
        and {r["Cost Center"] for r in jasper} == {"CC-4200"}
    )
    for r in ap_lines(out):
        assert r["Invoice Date"] == f"{r['Service Period'][:5]}{int(r['Service Period'][5:]) + 1:02d}-03"
        assert r["GL Account"] in (F.GL_CLOUD, F.GL_SAAS, F.GL_SOFTWARE)


def test_planted_variances(demo):
    out, first, again, _ = demo
    split = billing_totals(final_files(first, again))
    inv = invoices(out)
    gl = ledger(out)
    journal = defaultdict(list)
    for r in gl:
        if r["reference"]:
            journal[r["reference"]].append(r)
    fx = {(r["Date"], r["Base Currency"]): Decimal(r["Rate"]) for r in _csv(out / "finance/fx_rates/fx_rates.csv")}
    seen = set()
    for number, i in inv.items():
        lines = journal[number]
        booked = sum((r["amount"] for r in lines if r["gl_account"] != F.GL_AP), Decimal(0))
        ap = [r for r in lines if r["gl_account"] == F.GL_AP]
        assert len(ap) == 1 and ap[0]["amount"] == -booked
        key = (i["supplier"], i["account"], i["period"])
        if i["account"] == "420000000001":  # 1: US sales tax 8.25 % of net on the invoice
            planted = _half_up(i["net"] * Decimal("0.0825"))
            assert planted > 0 and i["tax"] - planted == _half_up(split[(i["account"], i["period"])].tax)
            assert sum(r["amount"] for r in lines if r["gl_account"] == F.GL_TAX) == i["tax"]
            seen.add(1)
        if i["account"] == OPENAI_ORG:  # 2: the October promotional credit
            credits = [a for d, a in i["lines"] if a < 0]
            assert credits == ([Decimal("-250.00")] if i["period"] == "2026-10" else [])
            seen.add(2)
        if i["supplier"] == "Mistral AI SAS":  # 4: USD at the posting-date rate, posted 10 days after the invoice
            posting = dt.date.fromisoformat(i["date"]) + dt.timedelta(days=10)
            rate = fx[(posting.isoformat(), "EUR")]
            assert {r["currency"] for r in lines} == {"USD"} and {r["posting_date"] for r in lines} == {
                posting.isoformat()
            }
            expense = [r["amount"] for r in lines if r["gl_account"] != F.GL_AP]
            assert sum(expense) == _half_up(i["net"] * rate) and len(expense) == len(i["lines"])
            assert all(abs(x - a * rate) <= CENT for x, (_, a) in zip(expense, i["lines"], strict=True))
            assert {r["period"] for r in lines} == {i["period"]}
            seen.add(4)
            continue
        assert {r["currency"] for r in lines} == {i["currency"]}
        if key[0] == "Google LLC" and i["period"] == "2026-10":  # 3: posted in the next period
            assert {(r["period"], r["posting_date"]) for r in lines} == {("2026-11", "2026-11-05")}
            assert booked == i["net"] + i["tax"]
            seen.add(3)
            continue
        assert {(r["period"], r["posting_date"]) for r in lines} == {(i["period"], i["date"])}
        if key == ("Oracle America, Inc.", key[1], "2026-09"):  # 6: keyed 63.00 too high
            assert booked - (i["net"] + i["tax"]) == Decimal("63.00")
            seen.add(6)
        elif key == ("Microsoft Corporation", "84012345", "2026-10"):  # 7: 0.40 short
            assert booked - (i["net"] + i["tax"]) == Decimal("-0.40")
            seen.add(7)
        else:
            assert booked == i["net"] + i["tax"], (number, booked, i)
            # the expense lines carry the AP lines and the contract owner's cost centre
            assert [r["amount"] for r in lines if r["gl_account"] not in (F.GL_AP, F.GL_TAX)] == [
                a for _, a in i["lines"]
            ]
    assert seen == {1, 2, 3, 4, 6, 7}

    # 5 and the expected outcome per invoice (the decomposition of marts.fct_invoice_reconciliation)
    rec = {(r["vendor"], r["invoice_number"], r["billing_period"]): r for r in first["finance"]["reconciliation"]}
    assert len(rec) == 30
    api = api_truth()
    status = defaultdict(list)
    material = {}
    for (vendor, number, period), r in rec.items():
        status[r["status"]].append((vendor, period))
        b = r["buckets"]
        assert sum(b.values(), Decimal(0)) == r["variance"].quantize(Decimal("1e-10")), (number, b, r["variance"])
        assert abs(b.get("rounding", 0)) < Decimal("0.01")
        if vendor == "Anthropic":
            assert b == {"rounding": inv[number]["net"] - api[(r["vendor_account_id"], period)]}
        if {k: v for k, v in b.items() if k != "rounding"}:
            material[(vendor, r["vendor_account_id"], period)] = {k: v for k, v in b.items() if k != "rounding"}
    assert status["unexplained"] == [("Oracle", "2026-09")]
    assert status["within_tolerance"] == [("Microsoft", "2026-10")]
    aws_ca = {
        p: _half_up(i["net"] * Decimal("0.0825"))
        for i in inv.values()
        if i["account"] == "420000000001"
        for p in [i["period"]]
    }
    gcp_oct = next(i for i in inv.values() if i["supplier"] == "Google LLC" and i["period"] == "2026-10")
    mistral = {k[2]: v for k, v in material.items() if k[0] == "Mistral AI"}
    assert set(mistral) == {"2026-09", "2026-10"} and all(set(v) == {"fx"} and v["fx"] for v in mistral.values())
    tenancy = "ocid1.tenancy.oc1..aaaaaaaanorthwindroboticsoci7q2"
    assert {k: v for k, v in material.items() if k[0] != "Mistral AI"} == {
        ("Amazon Web Services", "420000000001", "2026-09"): {"tax": aws_ca["2026-09"]},
        ("Amazon Web Services", "420000000001", "2026-10"): {"tax": aws_ca["2026-10"]},
        ("OpenAI", OPENAI_ORG, "2026-10"): {"credits": Decimal("-250.00")},
        ("Google Cloud", "01A2B3-C4D5E6-F7A8B9", "2026-10"): {"timing": -(gcp_oct["net"] + gcp_oct["tax"])},
        ("Oracle", tenancy, "2026-09"): {"unexplained": Decimal("63.00")},
        ("Microsoft", "84012345", "2026-10"): {"unexplained": Decimal("-0.40")},
    }


def test_every_journal_balances(demo):
    out, *_ = demo
    gl = ledger(out)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in gl:
        sums[(r["journal_id"], r["currency"])] += r["amount"]
        assert r["amount"] == r["amount"].quantize(CENT)
        assert dt.datetime.fromisoformat(r["updated_at"]) and r["period"] in ("2026-09", "2026-10", "2026-11")
    assert sums and all(v == 0 for v in sums.values()), {k: v for k, v in sums.items() if v}
    # non-AI noise: journals that reference no invoice
    noise = {r["journal_id"] for r in gl if r["reference"] is None}
    assert len(noise) >= 4 and not any(
        r["gl_account"] in (F.GL_CLOUD, F.GL_SAAS) for r in gl if r["journal_id"] in noise
    )


def test_shadow_ai_and_trap_lines(demo):
    out, first, *_ = demo
    lines = []
    for ym in MONTHS:
        lines += [
            dict(r, channel="card", merchant=r["Merchant"], month=ym)
            for r in _csv(out / f"finance/cards/card_statement_{ym}.csv")
        ]
        lines += [
            dict(r, channel="expense", merchant=r["Payee"], month=ym)
            for r in _csv(out / f"finance/expenses/expense_lines_{ym}.csv")
        ]
        month = [x for x in lines if x["month"] == ym]
        assert 40 <= len(month) <= 80
        for trap in F.TRAP_MERCHANTS:  # every look-alike merchant, every month
            assert any(x["merchant"].startswith(trap) for x in month), (trap, ym)
        date_col = {"card": "Posted Date", "expense": "Expense Date"}
        assert all(x[date_col[x["channel"]]].startswith(ym) for x in month)
    shadow = {(x["channel"], x["merchant"]) for x in lines}
    assert {
        ("card", "MIDJOURNEY INC."),
        ("card", "PERPLEXITY.AI"),
        ("card", "OPENAI *CHATGPT SUBSCR"),
        ("expense", "OTTER.AI"),
        ("expense", "CLAUDE.AI SUBSCRIPTION"),
        ("card", "ELEVENLABS.IO"),
    } <= shadow
    by = {x["merchant"]: x for x in lines}
    assert by["PERPLEXITY.AI"]["Cost Center"] == "CC-7100" and by["MIDJOURNEY INC."]["Cost Center"] == "CC-4200"
    assert by["OPENAI *CHATGPT SUBSCR"]["Cost Center"] == "CC-8100"
    assert {x["Cost Center"] for x in lines if x["merchant"] == "OTTER.AI"} == {"CC-6100"}
    top_up = [x for x in lines if x["merchant"] == "ELEVENLABS.IO"]
    assert len(top_up) == 1 and top_up[0]["Employee ID"] == "E-1006" and top_up[0]["Cardholder"] == "Tom Becker"
    # exactly one CHF line, a shadow one, and no CHF rate: it must be flagged, not converted
    chf = [x for x in lines if x["Currency"] == "CHF"]
    assert [(x["merchant"], x["Amount"]) for x in chf] == [("OTTER.AI", "15.90")]
    assert {x["Currency"] for x in lines} == {"USD", "EUR", "GBP", "CHF"}
    assert any(Decimal(x["Amount"]) < 0 for x in lines)  # a refund
    for x in lines:
        assert Decimal(x["Amount"]) == Decimal(x["Amount"]).quantize(CENT)
    ids = [(x["channel"], x.get("Transaction ID") or x.get("Report Line ID")) for x in lines]
    assert len(ids) == len(set(ids))
    # ordinary spend names no AI vendor (so that shadow AI is the shadow lines and nothing else)
    ai_merchants = {
        "MIDJOURNEY INC.",
        "PERPLEXITY.AI",
        "OPENAI *CHATGPT SUBSCR",
        "OTTER.AI",
        "CLAUDE.AI SUBSCRIPTION",
        "ELEVENLABS.IO",
    }
    aliases = set(AI_ALIASES)
    seed_catalogue = Path(__file__).resolve().parents[2] / "dbt_project/seeds/finance/ai_vendor_catalogue.csv"
    if seed_catalogue.exists():
        aliases |= {r["alias"].lower() for r in _csv(seed_catalogue) if r["alias"] and r["is_ai_vendor"] == "true"}
    for x in lines:
        if x["merchant"] not in ai_merchants:
            text = f"{x['merchant']} {x.get('Description') or x.get('Purpose')}".lower()
            assert not [a for a in aliases if a in text], (x["merchant"], [a for a in aliases if a in text])
    summary = first["finance"]
    assert {s["merchant"] for s in summary["shadow_ai"]} == ai_merchants - {"ELEVENLABS.IO"}
    assert [s["fx_rate_available"] for s in summary["shadow_ai"] if s["currency"] == "CHF"] == [False]
    assert all(any(m.startswith(t) for m in summary["traps"]) for t in F.TRAP_MERCHANTS)
    assert not {m for m in summary["traps"] if m in ai_merchants}


def test_fx_rates(demo):
    out, *_ = demo
    rows = _csv(out / "finance/fx_rates/fx_rates.csv")
    days = sorted({r["Date"] for r in rows})
    assert days[0] == "2026-08-03" and days[-1] == "2026-11-30"
    assert all(dt.date.fromisoformat(d).weekday() < 5 for d in days)
    every_business_day = [
        d
        for d in (dt.date(2026, 8, 3) + dt.timedelta(n) for n in range(120))
        if d.weekday() < 5 and d <= dt.date(2026, 11, 30)
    ]
    assert days == [d.isoformat() for d in every_business_day]
    for r in rows:
        rate = Decimal(r["Rate"])
        assert r["Quote Currency"] == "USD" and 4 <= -rate.as_tuple().exponent <= 6
        lo, hi, source = {
            "EUR": (Decimal("1.08"), Decimal("1.12"), "ECB euro foreign exchange reference rates"),
            "GBP": (Decimal("1.25"), Decimal("1.30"), "Bank of England spot rate"),
        }[r["Base Currency"]]
        assert lo <= rate <= hi and r["Source"] == source
    assert len(rows) == 2 * len(days)
