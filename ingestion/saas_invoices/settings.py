"""SaaS vendor invoices (Stripe-style invoices API): dataset, tables, keys, declared columns and configuration names.

Wire format: Stripe's invoices API (``GET /v1/invoices``, ``GET /v1/invoices/{id}/lines``; list objects with
``data`` / ``has_more`` and ``starting_after`` cursor pagination; amounts in integer minor units). Two tables in the
dataset :data:`DATASET`: :data:`INVOICES` and :data:`INVOICE_LINES`.
"""

from __future__ import annotations

DATASET = "saas_invoices"
SOURCE_NAME = "saas_invoices"
INVOICES = "invoices"
INVOICE_LINES = "invoice_lines"

# configuration (dlt: environment variables first, then .dlt/*.toml), read when a load runs
VENDORS_ENV = "SOURCES__SAAS_INVOICES__VENDORS"  # JSON list of {"name", "base_url", "api_key"} (secret)
VENDORS_TOML = "[sources.saas_invoices] vendors"
START_DATE_ENV = "SOURCES__SAAS_INVOICES__START_DATE"
LOOKBACK_DAYS_ENV = "SOURCES__SAAS_INVOICES__LOOKBACK_DAYS"

# defaults
DEFAULT_LOOKBACK_DAYS = 35  # invoices change status (open -> paid, void) within their payment term (net 30)
DEFAULT_PAGE_LIMIT = 100  # Stripe's maximum page size (1..100, default 10)
MAX_PAGE_LIMIT = 100
INVOICES_PATH = "v1/invoices"
LINES_PATH = "v1/invoices/{resources.%s.id}/lines"  # % the parent resource name (dlt rest_api resolve syntax)

INVOICES_KEY = ("id",)
LINES_KEY = ("invoice_id", "id")
# a re-read invoice replaces ALL its lines (a line removed from a draft/open invoice disappears)
LINES_MERGE_KEY = ("invoice_id",)
WRITE_DISPOSITION = {"disposition": "merge", "strategy": "delete-insert"}

MONEY = {"data_type": "decimal", "precision": 38, "scale": 10}  # DECIMAL(38,10), as every amount in the warehouse
TS = {"data_type": "timestamp", "timezone": True}

INVOICE_COLUMNS: dict[str, dict] = {
    "id": {"data_type": "text", "nullable": False, "description": "Stripe invoice id (in_...)"},
    "number": {
        "data_type": "text",
        "nullable": True,
        "description": "invoice number printed on the invoice (null while a draft)",
    },
    "vendor": {"data_type": "text", "nullable": False, "description": "vendor name from the configuration"},
    "account_name": {"data_type": "text", "nullable": True, "description": "issuing account name (the vendor)"},
    "customer": {"data_type": "text", "nullable": True, "description": "Stripe customer id (cus_...) of us"},
    "currency": {"data_type": "text", "nullable": False, "description": "ISO 4217, upper case"},
    "created_at": {**TS, "nullable": False, "description": "invoice created (UTC; the incremental cursor)"},
    "period_start": {**TS, "nullable": True, "description": "billing period start (UTC)"},
    "period_end": {**TS, "nullable": True, "description": "billing period end (UTC)"},
    "status": {"data_type": "text", "nullable": True, "description": "draft | open | paid | uncollectible | void"},
    "subtotal": {**MONEY, "nullable": True, "description": "sum of the lines, major units of currency"},
    "tax": {**MONEY, "nullable": True, "description": "tax, major units (0 when none, e.g. reverse charge)"},
    "total": {**MONEY, "nullable": True, "description": "subtotal + tax, major units"},
    "amount_due": {**MONEY, "nullable": True, "description": "major units"},
    "amount_paid": {**MONEY, "nullable": True, "description": "major units"},
    "loaded_at": {**TS, "nullable": False, "description": "when the load that wrote the row started (UTC)"},
}

LINE_COLUMNS: dict[str, dict] = {
    "id": {"data_type": "text", "nullable": False, "description": "Stripe line item id (il_...)"},
    "invoice_id": {"data_type": "text", "nullable": False, "description": "the invoice's id (in_...)"},
    "vendor": {"data_type": "text", "nullable": False, "description": "vendor name from the configuration"},
    "description": {"data_type": "text", "nullable": True, "description": "line description as invoiced"},
    "amount": {
        **MONEY,
        "nullable": False,
        "description": "line amount, major units of currency (discounts and credits negative)",
    },
    "currency": {"data_type": "text", "nullable": False, "description": "ISO 4217, upper case"},
    "quantity": {**MONEY, "nullable": True, "description": "quantity, in `unit`"},
    "unit_amount": {
        **MONEY,
        "nullable": True,
        "description": "unit price in major units (price.unit_amount_decimal / 10^exponent)",
    },
    "price_id": {"data_type": "text", "nullable": True, "description": "Stripe price id (price_...)"},
    "product": {"data_type": "text", "nullable": True, "description": "Stripe product id (price.product)"},
    "usage_type": {
        "data_type": "text",
        "nullable": True,
        "description": "licensed | metered (price.recurring.usage_type); null for one-off items",
    },
    "line_type": {
        "data_type": "text",
        "nullable": True,
        "description": "metadata.type: seats | usage | overage | credits | discount",
    },
    "unit": {
        "data_type": "text",
        "nullable": True,
        "description": "metadata.unit: Seats | Credits | 1000000 Tokens | Requests",
    },
    "pricing_currency": {
        "data_type": "text",
        "nullable": True,
        "description": "metadata.pricing_currency: a virtual currency (e.g. Credits), else null",
    },
    "pricing_currency_unit_price": {
        **MONEY,
        "nullable": True,
        "description": "price of one pricing_currency unit in `currency`",
    },
    "pricing_currency_quantity": {**MONEY, "nullable": True, "description": "quantity in pricing_currency units"},
    "period_start": {**TS, "nullable": True, "description": "service period start (UTC)"},
    "period_end": {**TS, "nullable": True, "description": "service period end (UTC)"},
    "proration": {"data_type": "bool", "nullable": True, "description": "a proration line"},
    "loaded_at": {**TS, "nullable": False, "description": "when the load that wrote the row started (UTC)"},
}

# the minor-unit exponent per currency as Stripe uses it (https://docs.stripe.com/currencies#minor-units):
# zero-decimal and three-decimal currencies; every other currency has 2
ZERO_DECIMAL_CURRENCIES = frozenset(
    ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]
)
THREE_DECIMAL_CURRENCIES = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])
