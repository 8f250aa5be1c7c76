"""SaaS invoices helpers (pure functions and the configuration record): the configured vendors (keys never
shown), exact minor -> major unit conversion, and the row mappers (``processing_steps``) of both tables. The HTTP
client (Stripe's ``starting_after`` pagination, retries, the response check naming vendor, request and page) is the
REST sources' shared one: :mod:`ingestion._common.http`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ingestion._common.http import Account, PagePosition, VendorApiError

from . import settings as S

# the REST sources' shared error tree (ingestion._common.http), under this source's name


# ----------------------------------------------------------------------------------------------------------------------
# configuration
# ----------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Vendor:
    name: str  # canonical vendor name, written to the `vendor` column
    base_url: str  # the vendor's Stripe-style API root (GET <base_url>/v1/invoices)
    api_key: str = field(repr=False)
    index: int = 0  # position in the configured list (for error messages)

    def __repr__(self) -> str:  # never show the key
        return f"Vendor(name={self.name!r}, base_url={self.base_url!r})"

    @property
    def slug(self) -> str:
        """Resource-name-safe vendor id (``Mistral AI`` -> ``mistral_ai``)."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_") or f"vendor_{self.index}"

    @property
    def secret_hint(self) -> str:
        return f"the api_key of entry {self.index} ({self.name!r}) in {S.VENDORS_ENV} ({S.VENDORS_TOML})"

    @property
    def account(self) -> Account:
        """The vendor account as the shared HTTP client names it ("SaaS vendor 'Cursor'")."""
        return Account(
            "SaaS",
            "vendor",
            self.name,
            self.base_url,
            self.api_key,
            self.secret_hint,
            "restricted or secret key of that vendor account",
        )


def parse_vendors(vendors: Any) -> list[Vendor]:
    """The vendors from config: a list (or its JSON) of ``{"name", "base_url", "api_key"}``."""
    shape = 'a JSON list of {"name", "base_url", "api_key"}'
    if isinstance(vendors, str):
        try:
            vendors = json.loads(vendors)
        except ValueError:
            raise VendorApiError(f"{S.VENDORS_ENV} is not valid JSON: expected {shape}") from None
    if isinstance(vendors, Mapping):
        vendors = [vendors]
    if not isinstance(vendors, list | tuple) or not vendors:
        raise VendorApiError(f"{S.VENDORS_ENV}: expected {shape}")
    out: list[Vendor] = []
    for i, v in enumerate(vendors):
        v = dict(v) if isinstance(v, Mapping) else {}
        name = str(v.get("name") or "").strip()
        if not name:
            raise VendorApiError(f"{S.VENDORS_ENV}[{i}] has no name (expected {shape})")
        base_url = str(v.get("base_url") or "").strip().rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise VendorApiError(
                f"SaaS vendor {name!r}: base_url must be an http(s) URL (the vendor's Stripe-style API root, "
                f"GET <base_url>/v1/invoices); set it in {S.VENDORS_ENV}[{i}]"
            )
        key = str(v.get("api_key") or "").strip()
        if not key:
            raise VendorApiError(f"SaaS vendor {name!r}: no API key; set the api_key of entry {i} in {S.VENDORS_ENV}")
        out.append(Vendor(name, base_url, key, i))
    for what, values in (("names", [v.name for v in out]), ("slugs", [v.slug for v in out])):
        dupes = sorted(k for k, n in Counter(values).items() if n > 1)
        if dupes:
            raise VendorApiError(f"{S.VENDORS_ENV}: vendor {what} must be unique, got {dupes} more than once")
    return out


# ----------------------------------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------------------------------
def currency_exponent(currency: str) -> int:
    """Digits of the currency's minor unit as Stripe counts amounts: 0 (JPY, KRW, ...), 3 (BHD, KWD, ...), else 2."""
    c = currency.upper()
    return 0 if c in S.ZERO_DECIMAL_CURRENCIES else 3 if c in S.THREE_DECIMAL_CURRENCIES else 2


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidOperation(repr(value))  # floats are never exact money; Stripe sends integers and strings
    d = Decimal(str(value).strip())
    if not d.is_finite():
        raise InvalidOperation(str(value))
    return d


def to_major(minor: Any, currency: str) -> Decimal:
    """Exact major units of an amount in minor units (``to_major(132000, "usd") == Decimal("1320.00")``)."""
    return _decimal(minor).scaleb(-currency_exponent(currency))


def ts(epoch: Any) -> dt.datetime | None:
    if epoch is None or epoch == "":
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


@dataclass
class SaasRunLog:
    """What the mappers saw (read by the runner after dlt ran): rows per vendor and table, and where each
    resource's pagination is (for error messages)."""

    rows: Counter = field(default_factory=Counter)  # (vendor, table) -> rows mapped
    positions: dict[str, PagePosition] = field(default_factory=dict)  # resource -> its listing's request and page

    def __deepcopy__(self, memo: dict) -> SaasRunLog:  # shared by the paginator copies rest_api makes
        return self


class _Fields:
    """Reads fields of one object with errors naming the vendor, object and field."""

    def __init__(self, vendor: Vendor, what: str, obj: Mapping[str, Any]) -> None:
        self.vendor, self.what, self.obj = vendor, what, obj

    def fail(self, name: str, reason: str) -> VendorApiError:
        return VendorApiError(f"SaaS vendor {self.vendor.name!r}, {self.what}, field {name!r}: {reason}")

    def get(self, path: str) -> Any:
        value: Any = self.obj
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def required(self, path: str) -> Any:
        value = self.get(path)
        if value is None or value == "":
            raise self.fail(path, "missing")
        return value

    def money(self, path: str, currency: str, required: bool = False) -> Decimal | None:
        value = self.required(path) if required else self.get(path)
        if value is None or value == "":
            return None
        try:
            return to_major(value, currency)
        except (InvalidOperation, ValueError):
            raise self.fail(path, f"not an amount in minor units: {value!r}") from None

    def number(self, path: str) -> Decimal | None:
        value = self.get(path)
        if value is None or value == "":
            return None
        try:
            return _decimal(value)
        except (InvalidOperation, ValueError):
            raise self.fail(path, f"not a number: {value!r}") from None

    def time(self, path: str, required: bool = False) -> dt.datetime | None:
        value = self.required(path) if required else self.get(path)
        try:
            return ts(value)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(path, f"not a Unix timestamp: {value!r}") from None

    def text(self, path: str) -> str | None:
        value = self.get(path)
        return None if value is None or value == "" else str(value)


def invoice_mapper(vendor: Vendor, loaded_at: dt.datetime, run_log: SaasRunLog) -> Callable[[dict], dict]:
    """``processing_steps`` map of the invoices resource: one Stripe invoice -> one row of ``invoices``."""

    def to_row(item: dict[str, Any]) -> dict[str, Any]:
        f = _Fields(vendor, f"invoice {item.get('id')!r}", item)
        currency = str(f.required("currency")).upper()
        row = {
            "id": str(f.required("id")),
            "number": f.text("number"),
            "vendor": vendor.name,
            "account_name": f.text("account_name"),
            "customer": f.text("customer"),
            "currency": currency,
            "created_at": f.time("created", required=True),
            "period_start": f.time("period_start"),
            "period_end": f.time("period_end"),
            "status": f.text("status"),
            **{name: f.money(name, currency) for name in ("subtotal", "tax", "total", "amount_due", "amount_paid")},
            "loaded_at": loaded_at,
        }
        if row["tax"] is None:
            row["tax"] = Decimal(0)
        run_log.rows[(vendor.name, S.INVOICES)] += 1
        return row

    return to_row


def line_mapper(
    vendor: Vendor, parent_id_field: str, loaded_at: dt.datetime, run_log: SaasRunLog
) -> Callable[[dict], dict]:
    """``processing_steps`` map of the invoice_lines resource: one Stripe line item (+ the parent invoice's id,
    added by ``include_from_parent`` as ``parent_id_field``) -> one row of ``invoice_lines``."""

    def to_row(item: dict[str, Any]) -> dict[str, Any]:
        invoice_id = item.get(parent_id_field) or item.get("invoice")
        f = _Fields(vendor, f"invoice {invoice_id!r} line {item.get('id')!r}", item)
        currency = str(f.required("currency")).upper()
        quantity = f.number("quantity_decimal") if f.get("quantity_decimal") not in (None, "") else f.number("quantity")
        unit_path = (
            "price.unit_amount_decimal" if f.get("price.unit_amount_decimal") not in (None, "") else "price.unit_amount"
        )
        row = {
            "id": str(f.required("id")),
            "invoice_id": str(invoice_id) if invoice_id else None,
            "vendor": vendor.name,
            "description": f.text("description"),
            "amount": f.money("amount", currency, required=True),
            "currency": currency,
            "quantity": quantity,
            "unit_amount": f.money(unit_path, currency),
            "price_id": f.text("price.id"),
            "product": f.text("price.product"),
            "usage_type": f.text("price.recurring.usage_type"),
            "line_type": f.text("metadata.type"),
            "unit": f.text("metadata.unit"),
            "pricing_currency": f.text("metadata.pricing_currency"),
            "pricing_currency_unit_price": f.number("metadata.pricing_currency_unit_price"),
            "pricing_currency_quantity": f.number("metadata.pricing_currency_quantity"),
            "period_start": f.time("period.start"),
            "period_end": f.time("period.end"),
            "proration": bool(item["proration"]) if item.get("proration") is not None else None,
            "loaded_at": loaded_at,
        }
        if row["invoice_id"] is None:
            raise f.fail("invoice", "no parent invoice id")
        if isinstance(f.get("price.product"), Mapping):  # an expanded product object
            row["product"] = f.text("price.product.id")
        run_log.rows[(vendor.name, S.INVOICE_LINES)] += 1
        return row

    return to_row


def epoch(value: Any) -> int:
    """Unix seconds of an ISO date/datetime (UTC when naive); None/"" = 0 (every invoice)."""
    if value is None or value == "":
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        d = value
    elif isinstance(value, dt.date):
        d = dt.datetime(value.year, value.month, value.day)
    else:
        try:
            d = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise VendorApiError(f"{S.START_DATE_ENV}: not an ISO date or datetime: {value!r}") from None
    return int((d if d.tzinfo else d.replace(tzinfo=dt.UTC)).timestamp())


def unix(value: Any) -> int:
    """The incremental cursor (a datetime, or pendulum's) as Stripe's ``created[gte]``: Unix seconds."""
    return int(value.timestamp())
