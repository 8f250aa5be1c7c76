"""Azure cost details exports (exports v2 layout), EA and MCA column sets, ActualCost and
AmortizedCost written in one pass so the two datasets stay consistent:

* on-demand usage rows are identical in both;
* reservation-covered usage: Cost/EffectivePrice 0 in ActualCost, amortized rate in AmortizedCost;
* the reservation Purchase (Recurring, monthly) is in ActualCost only (Microsoft: "Purchase costs
  aren't provided in amortized data");
* ChargeType ``UnusedReservation`` rows are in AmortizedCost only;
* a ``Refund`` (OneTime) appears in both.  EA carries no tax rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

# Microsoft's EA and MCA (2023-12-01-preview) cost details column sets: one definition, the loader's.
from ingestion.azure_cost_details.settings import EA_SAMPLE_HEADER as EA_COLUMNS
from ingestion.azure_cost_details.settings import MCA_SAMPLE_HEADER as MCA_COLUMNS

from .enterprise import TEAM_BY_PROJECT, Month, messy_tags, py_uuid, tag_style, tags_for, urand
from .writers import GzipCsvWriter, write_json


@dataclass(frozen=True)
class Meter:
    key: str
    category: str
    subcategory: str
    name: str
    product: str
    family: str
    unit: str
    paygo: float
    price: float  # negotiated EA/MCA price
    consumed: str
    rtype: str
    kind: str  # vm | storage | metered
    lo: float
    hi: float
    teams: tuple[str, ...]
    weight: float
    service_type: str = ""


METERS = (
    Meter(
        "vm-d4sv5",
        "Virtual Machines",
        "Dsv5 Series",
        "D4s v5",
        "Virtual Machines Dsv5 Series - D4s v5 - US East",
        "Compute",
        "1 Hour",
        0.192,
        0.1824,
        "Microsoft.Compute",
        "virtualMachines",
        "vm",
        24,
        24,
        ("website", "data-lake", "support-copilot", "forecasting"),
        6,
        "Standard_D4s_v5",
    ),
    Meter(
        "vm-nc24a100",
        "Virtual Machines",
        "NCadsA100v4 Series",
        "NC24ads A100 v4",
        "Virtual Machines NCadsA100v4 Series - NC24ads A100 v4 - US East",
        "Compute",
        "1 Hour",
        3.673,
        3.4894,
        "Microsoft.Compute",
        "virtualMachines",
        "vm",
        24,
        24,
        ("robot-vision", "ml-platform"),
        1.5,
        "Standard_NC24ads_A100_v4",
    ),
    Meter(
        "aml-t4",
        "Virtual Machines",
        "NCasT4 v3 Series",
        "NC4as T4 v3",
        "Virtual Machines NCasT4 v3 Series - NC4as T4 v3 - US East",
        "Compute",
        "1 Hour",
        0.526,
        0.4997,
        "Microsoft.MachineLearningServices",
        "onlineEndpoints",
        "vm",
        24,
        24,
        ("fraud-model", "ml-platform"),
        2,
        "Standard_NC4as_T4_v3",
    ),
    Meter(
        "aoai-4o-in",
        "Cognitive Services",
        "Azure OpenAI",
        "gpt-4o-0806 Inp regnl Tokens",
        "Azure OpenAI - gpt-4o-0806 Inp regnl Tokens - US East",
        "AI + Machine Learning",
        "1K",
        0.00275,
        0.00275,
        "Microsoft.CognitiveServices",
        "accounts",
        "metered",
        2000,
        60000,
        ("support-copilot", "doc-search"),
        2,
    ),
    Meter(
        "aoai-4o-out",
        "Cognitive Services",
        "Azure OpenAI",
        "gpt-4o-0806 Outp regnl Tokens",
        "Azure OpenAI - gpt-4o-0806 Outp regnl Tokens - US East",
        "AI + Machine Learning",
        "1K",
        0.011,
        0.011,
        "Microsoft.CognitiveServices",
        "accounts",
        "metered",
        300,
        9000,
        ("support-copilot", "doc-search"),
        2,
    ),
    Meter(
        "aoai-emb",
        "Cognitive Services",
        "Azure OpenAI",
        "text-embedding-3-large Tokens",
        "Azure OpenAI - text-embedding-3-large Tokens - US East",
        "AI + Machine Learning",
        "1K",
        0.00013,
        0.00013,
        "Microsoft.CognitiveServices",
        "accounts",
        "metered",
        5000,
        200000,
        ("doc-search",),
        1,
    ),
    Meter(
        "blob-hot",
        "Storage",
        "General Block Blob v2",
        "Hot LRS Data Stored",
        "General Block Blob v2 - Hot LRS - US East",
        "Storage",
        "1 GB/Month",
        0.0184,
        0.0184,
        "Microsoft.Storage",
        "storageAccounts",
        "storage",
        200,
        40000,
        ("data-lake", "robot-vision", "website"),
        4,
    ),
    Meter(
        "sqldb-gp",
        "SQL Database",
        "General Purpose - Compute Gen5",
        "vCore",
        "SQL Database Single/Elastic Pool General Purpose - Compute Gen5 - US East",
        "Databases",
        "1 Hour",
        0.2516,
        0.239,
        "Microsoft.Sql",
        "servers/databases",
        "vm",
        48,
        48,
        ("data-lake", "fraud-model", "forecasting"),
        2,
    ),
    Meter(
        "bw-out",
        "Bandwidth",
        "Rtn Preference: MGN",
        "Standard Data Transfer Out",
        "Rtn Preference: MGN - Standard Data Transfer Out - Zone 1",
        "Networking",
        "1 GB",
        0.087,
        0.087,
        "Microsoft.Network",
        "publicIPAddresses",
        "metered",
        5,
        400,
        ("website", "support-copilot"),
        2,
    ),
)


@dataclass(frozen=True)
class AzureAccount:
    kind: str  # ea | mca
    billing_account_id: str
    billing_account_name: str
    profile_id: str
    profile_name: str
    container: str
    export_prefix: str
    subscriptions: tuple[tuple[str, str, str, str], ...]  # (id, name, bu, env)


EA = AzureAccount(
    "ea",
    "84012345",
    "Northwind Robotics EA",
    "84012345",
    "Northwind Robotics EA",
    "ea-enrollment-84012345",
    "northwind-ea",
    (
        ("3f2a1c9e-1b7d-4c55-9a0e-5d1f2e3a4b01", "nw-product-prod", "product", "prod"),
        ("3f2a1c9e-1b7d-4c55-9a0e-5d1f2e3a4b02", "nw-research", "research", "dev"),
        ("3f2a1c9e-1b7d-4c55-9a0e-5d1f2e3a4b03", "nw-platform-prod", "platform", "prod"),
        ("3f2a1c9e-1b7d-4c55-9a0e-5d1f2e3a4b04", "nw-finance", "finance", "prod"),
        ("3f2a1c9e-1b7d-4c55-9a0e-5d1f2e3a4b05", "nw-marketing", "marketing", "prod"),
    ),
)
MCA = AzureAccount(
    "mca",
    "7c1a9f0e-5b2d-4e6a-8f3c-2d9e1b0a4c77:1e2d3c4b-5a69-4877-9a1b-c2d3e4f5a6b7_2019-05-31",
    "Northwind Robotics Europe",
    "NWRE-4Q2Z-BG7-PGB",
    "Northwind Robotics Europe",
    "mca-northwind-europe",
    "northwind-mca",
    (
        ("8d9e0f1a-2b3c-4d5e-8f70-81a2b3c4d5e1", "nwe-product-prod", "product", "prod"),
        ("8d9e0f1a-2b3c-4d5e-8f70-81a2b3c4d5e2", "nwe-platform-dev", "platform", "dev"),
        ("8d9e0f1a-2b3c-4d5e-8f70-81a2b3c4d5e3", "nwe-research", "research", "dev"),
    ),
)

RI_RATE_FRACTION = 0.62  # reservation effective hourly price vs. pay-as-you-go
_RI_PRODUCT = "Reserved VM Instance, Standard_D4s_v5, US East, 1 Year"


def _date(d) -> str:
    return f"{d:%m/%d/%Y}"


class AzureMonth:
    def __init__(self, acct: AzureAccount, month: Month, rows: int, seed: int, restate: bool, version: int):
        self.a, self.m, self.seed, self.restate, self.version = acct, month, seed, restate, version
        self.stream = 3000 + (0 if acct.kind == "ea" else 500) + month.index % 1000
        days = month.days
        self.has_ri = acct.kind == "ea"
        fixed = 1 + (1 + days if self.has_ri else 0)  # refund + purchase + unused rows (amortized)
        per_day = max(1, (max(rows - fixed, 1) + days - 1) // days)
        self.resources = self._resources(per_day)
        self.usage_rows = max(0, min(rows - fixed, per_day * days)) if rows > fixed else rows
        self.covered = [i for i, r in enumerate(self.resources) if r["covered"]]
        self.ri_qty = len(self.covered) + (2 if self.covered else 0)
        vm = METERS[0]
        self.ri_rate = round(vm.price * RI_RATE_FRACTION, 6)
        self.ri_id = py_uuid(seed, 3101, self.stream)
        self.ri_order = py_uuid(seed, 3102, self.stream)
        self.purchase = round(self.ri_qty * self.ri_rate * month.hours, 2)
        self.amort_rate = round(self.purchase / (self.ri_qty * month.hours), 10) if self.ri_qty else 0.0

    def _resources(self, n: int) -> list[dict]:
        w = np.array([m.weight for m in METERS])
        cdf = np.cumsum(w) / w.sum()
        st = self.stream - self.m.index % 1000 + 17  # resources stable across months
        idx = np.arange(n)
        u = [urand(self.seed, st + k, idx) for k in range(7)]  # u[6]: tag text variants (messy_tags)
        out = []
        for i in range(n):
            mi = min(int(np.searchsorted(cdf, u[0][i], side="right")), len(METERS) - 1)
            m = METERS[mi]
            team = TEAM_BY_PROJECT[m.teams[int(u[1][i] * len(m.teams))]]
            subs = [s for s in self.a.subscriptions if s[2] == team.business_unit] or list(self.a.subscriptions)
            sub = subs[int(u[2][i] * len(subs))]
            env = sub[3]
            rg = f"rg-{team.project}-{env}"
            name = f"{team.project}-{m.key.split('-')[0]}-{i:04d}"
            rtype = {
                "virtualMachines": "Microsoft.Compute/virtualMachines",
                "onlineEndpoints": "Microsoft.MachineLearningServices/workspaces/mlw-"
                + team.project
                + "/onlineEndpoints",
                "accounts": "Microsoft.CognitiveServices/accounts",
                "storageAccounts": "Microsoft.Storage/storageAccounts",
                "servers/databases": f"Microsoft.Sql/servers/sql-{team.project}/databases",
                "publicIPAddresses": "Microsoft.Network/publicIPAddresses",
            }[m.rtype]
            if m.rtype == "storageAccounts":
                name = ("st" + team.project.replace("-", "") + f"{i:04d}")[:24]
            rid = f"/subscriptions/{sub[0]}/resourceGroups/{rg}/providers/{rtype}/{name}"
            qty = m.lo + (m.hi - m.lo) * u[3][i] ** 2
            covered = self.a.kind == "ea" and m.key == "vm-d4sv5" and env == "prod" and u[4][i] < 0.7
            out.append(
                {
                    "m": m,
                    "team": team,
                    "sub": sub,
                    "env": env,
                    "rg": rg,
                    "rid": rid,
                    "name": name,
                    "qty": qty,
                    "covered": covered,
                    "style": tag_style(u[5][i]),
                    "mess": float(u[6][i]),
                }
            )
        return out

    def invoice_id(self) -> str:
        if self.m.ym == "2026-09" and not self.restate:
            return ""
        return f"G{int(urand(self.seed, 3200, np.array([self.m.index]))[0] * 1e9):09d}"

    # ------------------------------------------------------------------
    def _base(self, r: dict | None, day: int) -> dict:
        a, m = self.a, self.m
        d = m.start.replace(day=day + 1)
        last = m.end.replace(day=1) - __import__("datetime").timedelta(days=1)
        sub = r["sub"] if r else a.subscriptions[0]
        return {
            "BillingAccountId": a.billing_account_id,
            "BillingAccountName": a.billing_account_name,
            "BillingPeriodStartDate": _date(m.start),
            "BillingPeriodEndDate": _date(last),
            "BillingProfileId": a.profile_id,
            "BillingProfileName": a.profile_name,
            "AccountOwnerId": f"finops@{'northwind-robotics.com'}",
            "AccountName": "Northwind Cloud Team",
            "SubscriptionId": sub[0],
            "SubscriptionName": sub[1],
            "Date": _date(d),
            "BillingCurrency": "USD",
            "InvoiceSectionId": f"{a.profile_id}-{sub[2]}",
            "InvoiceSection": sub[2],
            "CostCenter": r["team"].cost_center if r else "",
            "IsAzureCreditEligible": "True",
            "PublisherType": "Azure" if a.kind == "ea" else "Microsoft",
            "PublisherName": "Microsoft",
            "OfferId": "MS-AZR-0017P" if a.kind == "ea" else "",
            "Term": "",
            "PlanName": "",
            "CostAllocationRuleName": "",
            "benefitId": "",
            "benefitName": "",
            "ServiceInfo1": "",
            "ServiceInfo2": "",
            "AvailabilityZone": "",
            "ReservationId": "",
            "ReservationName": "",
            "ProductOrderId": "",
            "ProductOrderName": "",
            "AdditionalInfo": "",
            "Tags": "",
        }

    def _tags(self, r: dict) -> str:
        t = messy_tags(tags_for(r["team"], r["env"], r["style"]), r["mess"])
        if self.a.kind == "ea":  # EA cost details: JSON members without the outer braces
            return ",".join(f'"{k}": "{v}"' for k, v in sorted(t.items()))
        return json.dumps(dict(sorted(t.items())), separators=(",", ":")) if t else ""

    def usage(self, lo: int, hi: int):
        """Yields (actual_row, amortized_row) for usage row numbers [lo, hi)."""
        nres = len(self.resources)
        idx = np.arange(lo, hi)
        day = idx // nres
        ri = idx % nres
        u = urand(self.seed, self.stream + 50, ri.astype(np.int64) * 1000 + day)
        for k in range(len(idx)):
            r = self.resources[int(ri[k])]
            m = r["m"]
            d = int(day[k])
            wk = 0.6 if (self.m.start.weekday() + d) % 7 >= 5 else 1.0
            if m.kind == "vm":
                q = m.lo if (r["env"] == "prod" or r["covered"]) else round(m.lo * (0.3 + 0.7 * float(u[k])), 4)
            elif m.kind == "storage":
                q = r["qty"] / self.m.days
            else:
                q = r["qty"] * (0.4 + 1.2 * float(u[k])) * wk
                if self.restate and m.category == "Cognitive Services" and d >= self.m.days - 2:
                    q *= 1.08
            q = round(q, 6)
            row = self._base(r, d)
            row.update(
                {
                    "Product": m.product,
                    "PartNumber": f"AAA-{abs(hash(m.key)) % 100000:05d}"
                    if False
                    else f"AAF-{int(urand(7, 3300, np.array([METERS.index(m)]))[0] * 99999):05d}",
                    "MeterId": py_uuid(7, 3301, METERS.index(m)),
                    "ServiceFamily": m.family,
                    "MeterCategory": m.category,
                    "MeterSubCategory": m.subcategory,
                    "MeterRegion": "US East",
                    "MeterName": m.name,
                    "Quantity": q,
                    "UnitPrice": m.price,
                    "PayGPrice": m.paygo,
                    "ResourceLocation": "eastus",
                    "ConsumedService": m.consumed,
                    "ResourceId": r["rid"],
                    "ResourceName": r["name"],
                    "Tags": self._tags(r),
                    "UnitOfMeasure": m.unit,
                    "ResourceGroup": r["rg"],
                    "ChargeType": "Usage",
                    "Frequency": "UsageBased",
                    "PricingModel": "OnDemand",
                }
            )
            if m.kind == "vm":
                row["AdditionalInfo"] = json.dumps(
                    {"ServiceType": m.service_type, "VMName": r["name"], "UsageType": "ComputeHR"},
                    separators=(",", ":"),
                )
            if r["covered"]:
                act = dict(
                    row,
                    EffectivePrice=0,
                    Cost=0,
                    PricingModel="Reservation",
                    ReservationId=self.ri_id,
                    ReservationName="nw-d4sv5-eastus-1y",
                    ProductOrderId=self.ri_order,
                    ProductOrderName=_RI_PRODUCT,
                    Term="12",
                    benefitId=self._ri_resource_id(),
                    benefitName="nw-d4sv5-eastus-1y",
                )
                amo = dict(act, EffectivePrice=self.amort_rate, Cost=round(q * self.amort_rate, 10))
                yield act, amo
            else:
                row["EffectivePrice"] = m.price
                row["Cost"] = round(q * m.price, 10)
                yield row, row

    def _ri_resource_id(self) -> str:
        return f"/providers/Microsoft.Capacity/reservationOrders/{self.ri_order}/reservations/{self.ri_id}"

    def tail(self):
        """(actual_rows, amortized_rows) of non-usage charges."""
        act, amo = [], []
        m = self.m
        if self.has_ri and self.covered:
            p = self._base(None, 0)
            p.update(
                {
                    "Product": _RI_PRODUCT,
                    "MeterCategory": "Virtual Machines",
                    "MeterSubCategory": "Dsv5 Series",
                    "MeterName": "D4s v5",
                    "MeterRegion": "US East",
                    "ServiceFamily": "Compute",
                    "Quantity": 1,
                    "EffectivePrice": self.purchase,
                    "Cost": self.purchase,
                    "UnitPrice": self.purchase,
                    "PayGPrice": 0,
                    "ConsumedService": "Microsoft.Capacity",
                    "ResourceId": self._ri_resource_id(),
                    "UnitOfMeasure": "1 Hour",
                    "ReservationId": self.ri_id,
                    "ReservationName": "nw-d4sv5-eastus-1y",
                    "ProductOrderId": self.ri_order,
                    "ProductOrderName": _RI_PRODUCT,
                    "Term": "12",
                    "ChargeType": "Purchase",
                    "Frequency": "Recurring",
                    "PricingModel": "Reservation",
                    "benefitId": self._ri_resource_id(),
                    "benefitName": "nw-d4sv5-eastus-1y",
                }
            )
            act.append(p)
            for d in range(m.days):
                nres = len(self.resources)
                used = sum(1 for ri in self.covered if d * nres + ri < self.usage_rows)
                unused = (self.ri_qty - used) * 24.0
                x = dict(
                    p,
                    Date=_date(m.start.replace(day=d + 1)),
                    Quantity=unused,
                    EffectivePrice=self.amort_rate,
                    Cost=round(unused * self.amort_rate, 10),
                    UnitPrice=METERS[0].price,
                    PayGPrice=METERS[0].paygo,
                    ChargeType="UnusedReservation",
                    Frequency="UsageBased",
                    Product=METERS[0].product,
                )
                amo.append(x)
        ref = self._base(None, 13)
        ref.update(
            {
                "Product": "Virtual Machines NCadsA100v4 Series - NC24ads A100 v4 - US East",
                "MeterCategory": "Virtual Machines",
                "MeterSubCategory": "NCadsA100v4 Series",
                "MeterName": "NC24ads A100 v4",
                "MeterRegion": "US East",
                "ServiceFamily": "Compute",
                "Quantity": -24,
                "EffectivePrice": METERS[1].price,
                "Cost": round(-24 * METERS[1].price, 10),
                "UnitPrice": METERS[1].price,
                "PayGPrice": METERS[1].paygo,
                "ConsumedService": "Microsoft.Compute",
                "UnitOfMeasure": "1 Hour",
                "ChargeType": "Refund",
                "Frequency": "OneTime",
                "PricingModel": "OnDemand",
                "AdditionalInfo": f'{{"Reason":"Service credit: capacity outage 2026-{m.month:02d}-14"}}',
            }
        )
        act.append(ref)
        amo.append(ref)
        return act, amo

    def to_mca(self, row: dict) -> dict:
        cost = row["Cost"]
        return {
            "invoiceId": self.invoice_id(),
            "previousInvoiceId": "",
            "billingAccountId": row["BillingAccountId"],
            "billingAccountName": row["BillingAccountName"],
            "billingProfileId": row["BillingProfileId"],
            "billingProfileName": row["BillingProfileName"],
            "invoiceSectionId": row["InvoiceSectionId"],
            "invoiceSectionName": row["InvoiceSection"],
            "resellerName": "",
            "resellerMpnId": "",
            "costCenter": row["CostCenter"],
            "billingPeriodEndDate": row["BillingPeriodEndDate"],
            "billingPeriodStartDate": row["BillingPeriodStartDate"],
            "servicePeriodEndDate": row["BillingPeriodEndDate"],
            "servicePeriodStartDate": row["BillingPeriodStartDate"],
            "date": row["Date"],
            "serviceFamily": row.get("ServiceFamily", ""),
            "productOrderId": row["ProductOrderId"],
            "productOrderName": row["ProductOrderName"],
            "consumedService": row.get("ConsumedService", ""),
            "meterId": row.get("MeterId", ""),
            "meterName": row.get("MeterName", ""),
            "meterCategory": row.get("MeterCategory", ""),
            "meterSubCategory": row.get("MeterSubCategory", ""),
            "meterRegion": row.get("MeterRegion", ""),
            "ProductId": row.get("PartNumber", ""),
            "ProductName": row.get("Product", ""),
            "SubscriptionId": row["SubscriptionId"],
            "subscriptionName": row["SubscriptionName"],
            "publisherType": row["PublisherType"],
            "publisherId": "",
            "publisherName": row["PublisherName"],
            "resourceGroupName": row.get("ResourceGroup", ""),
            "ResourceId": row.get("ResourceId", ""),
            "resourceLocation": row.get("ResourceLocation", ""),
            "location": "US East",
            "effectivePrice": row["EffectivePrice"],
            "quantity": row["Quantity"],
            "unitOfMeasure": row.get("UnitOfMeasure", ""),
            "chargeType": row["ChargeType"],
            "billingCurrency": "USD",
            "pricingCurrency": "USD",
            "costInBillingCurrency": cost,
            "costInPricingCurrency": cost,
            "costInUsd": cost,
            "paygCostInBillingCurrency": round(row["PayGPrice"] * row["Quantity"], 10),
            "paygCostInUsd": round(row["PayGPrice"] * row["Quantity"], 10),
            "exchangeRatePricingToBilling": 1,
            "exchangeRateDate": row["BillingPeriodStartDate"],
            "isAzureCreditEligible": "True",
            "serviceInfo1": "",
            "serviceInfo2": "",
            "additionalInfo": row["AdditionalInfo"],
            "tags": row["Tags"],
            "PayGPrice": row["PayGPrice"],
            "frequency": row["Frequency"],
            "term": row["Term"],
            "reservationId": row["ReservationId"],
            "reservationName": row["ReservationName"],
            "pricingModel": row["PricingModel"],
            "unitPrice": row["UnitPrice"],
            "costAllocationRuleName": "",
            "benefitId": row["benefitId"],
            "benefitName": row["benefitName"],
            "provider": "Azure",
        }


def _table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    data = {c: [r.get(c, "") for r in rows] for c in columns}
    arrays = []
    for c in columns:
        vals = data[c]
        if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            arrays.append(pa.array([float(v) for v in vals], pa.float64()))
        else:
            arrays.append(pa.array([None if v == "" else str(v) for v in vals], pa.string()))
    return pa.Table.from_arrays(arrays, names=list(columns))


def write_azure(
    out_dir: Path,
    acct: AzureAccount,
    month: Month,
    rows: int,
    seed: int,
    version: int,
    restate: bool,
    batch: int = 20_000,
) -> dict:
    gen = AzureMonth(acct, month, rows, seed, restate, version)
    cols = EA_COLUMNS if acct.kind == "ea" else MCA_COLUMNS
    run_id = py_uuid(seed, 3400 + (acct.kind == "mca"), month.index * 10 + version)
    out = {}
    writers = {}
    for ds in ("actual", "amortized"):
        export = f"{acct.export_prefix}-{ds}-cost"
        run_dir = Path(out_dir) / "azure" / acct.container / export / month.azure_range_folder / run_id
        writers[ds] = (GzipCsvWriter(run_dir / "part_1_0001.csv.gz", bom=True), run_dir, export)
    conv = (lambda r: r) if acct.kind == "ea" else gen.to_mca
    for lo in range(0, gen.usage_rows, batch):
        hi = min(gen.usage_rows, lo + batch)
        act, amo = [], []
        for a, b in gen.usage(lo, hi):
            act.append(conv(a))
            amo.append(conv(b))
        writers["actual"][0].write(_table(act, cols))
        writers["amortized"][0].write(_table(amo, cols))
    ta, tm = gen.tail()
    if ta:
        writers["actual"][0].write(_table([conv(r) for r in ta], cols))
    if tm:
        writers["amortized"][0].write(_table([conv(r) for r in tm], cols))
    for ds, (w, run_dir, export) in writers.items():
        path = w.close()
        submitted = (
            "2026-11-04T06:00:00Z"
            if (restate and month.ym == "2026-09")
            else ("2026-10-05T06:00:00Z" if month.ym == "2026-09" else "2026-11-05T06:00:00Z")
        )
        manifest = {
            "manifestVersion": "2024-04-01",
            "byteCount": path.stat().st_size,
            "blobCount": 1,
            "dataRowCount": w.rows,
            "exportConfig": {
                "exportName": export,
                "resourceId": f"/providers/Microsoft.Billing/billingAccounts/{acct.billing_account_id}"
                f"/providers/Microsoft.CostManagement/exports/{export}",
                "dataVersion": "2021-10-01" if acct.kind == "ea" else "2023-12-01-preview",
                "apiVersion": "2023-07-01-preview",
                "type": "ActualCost" if ds == "actual" else "AmortizedCost",
                "timeFrame": "Custom",
                "granularity": "Daily",
            },
            "deliveryConfig": {
                "partitionData": True,
                "dataOverwriteBehavior": "CreateNewReport",
                "fileFormat": "Csv",
                "compressionMode": "gzip",
                "containerUri": "/subscriptions/.../storageAccounts/stnorthwindbilling",
                "rootFolderPath": acct.container,
            },
            "runInfo": {
                "executionType": "Scheduled",
                "submittedTime": submitted,
                "runId": run_id,
                "startDate": f"{month.start:%Y-%m-%dT%H:%M:%S}",
                "endDate": f"{(month.end - __import__('datetime').timedelta(days=1)):%Y-%m-%dT%H:%M:%S}",
            },
            "dataset": "ActualCost" if ds == "actual" else "AmortizedCost",
            "blobs": [
                {
                    "blobName": f"{acct.container}/{export}/{month.azure_range_folder}/{run_id}/part_1_0001.csv.gz",
                    "byteCount": path.stat().st_size,
                    "dataRowCount": w.rows,
                }
            ],
        }
        man = write_json(run_dir / "manifest.json", manifest)
        out[ds] = {"files": [str(path), str(man)], "rows": w.rows, "run_id": run_id}
    return out
