"""A local Stripe-style invoices API (real HTTP on 127.0.0.1) for the AI SaaS vendors of the demo and the tests.

Many SaaS vendors (Cursor, ElevenLabs, Mistral AI, ...) bill through Stripe and expose their invoices in Stripe's
wire format. This server speaks that format for several vendors at once, each under its own path prefix and with
its own key: the base URL of vendor ``cursor`` is ``http://127.0.0.1:PORT/cursor`` and

* ``GET <base_url>/v1/invoices`` - a list object ``{"object": "list", "data": [...], "has_more": bool, "url":
  "/v1/invoices"}``, newest first (``created`` descending), with Stripe's cursor pagination: ``limit`` (1..100,
  default 10), ``starting_after`` / ``ending_before`` (object ids), the ``created`` filter (``created=<unix>`` or
  ``created[gt]``, ``created[gte]``, ``created[lt]``, ``created[lte]``) and ``status``, ``customer`` filters;
* ``GET <base_url>/v1/invoices/{id}`` - one invoice;
* ``GET <base_url>/v1/invoices/{id}/lines`` - the invoice's line items, paginated the same way (invoice order).

Invoice objects carry at most 10 embedded line items (``lines: {"object": "list", "data": [...], "has_more",
"total_count", "url"}``), like Stripe; the rest is read from the lines endpoint. Amounts are integers in the
currency's minor unit (cents; JPY has none, KWD has three decimals); ``currency`` is lower case; timestamps are
Unix seconds. Line items hold ``price.unit_amount_decimal`` (a decimal string in minor units) and the vendor's
``metadata`` (``type``, ``unit``, ``pricing_currency``, ``pricing_currency_unit_price``,
``pricing_currency_quantity``; metadata values are strings, as in Stripe).

Auth: ``Authorization: Bearer sk_...``; a key belongs to one vendor. A missing or wrong key (or a key of another
vendor) answers 401 with Stripe's envelope ``{"error": {"type": "invalid_request_error", "message": ...}}``; the
key is never echoed. Faults (429 + ``Retry-After``, 5xx, malformed/truncated pages) come from
:class:`~finops_demo.vendor_servers._base.Faults`.

Demo data (:func:`demo_invoices`): the demo enterprise's three AI SaaS vendors (:data:`DEMO_SAAS_VENDORS`), one
invoice per billing month 2026-09 and 2026-10, created on the 1st of the next month (UTC), status ``paid``, tax 0
(reverse charge). Custom invoices for tests: :func:`build_invoice` and :func:`line_item`.

Run for the demo: ``python -m finops_demo.vendor_servers.stripe --port 8790`` (the demo vendors and their fake keys).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from finops_demo.vendor_servers._base import Faults, HTTPError, Request, Response, VendorServer, run_cli

__all__ = [
    "DEMO_BILLING_MONTHS",
    "DEMO_SAAS_KEYS",
    "DEMO_SAAS_VENDORS",
    "MAX_EMBEDDED_LINES",
    "StripeServer",
    "build_invoice",
    "currency_exponent",
    "demo_invoices",
    "demo_vendors_config",
    "line_item",
    "to_major",
    "truth",
]

DAY = 86_400
MAX_EMBEDDED_LINES = 10
DEFAULT_LIMIT, MAX_LIMIT = 10, 100

# Stripe's zero-decimal and three-decimal currencies (https://docs.stripe.com/currencies#minor-units); the rest: 2.
ZERO_DECIMAL = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])

# canonical vendor name -> path slug on the server
DEMO_SAAS_VENDORS: dict[str, str] = {"Cursor": "cursor", "ElevenLabs": "elevenlabs", "Mistral AI": "mistral-ai"}
# slug -> the fake key only this local server accepts (never printed)
DEMO_SAAS_KEYS: dict[str, str] = {
    slug: f"sk_test_demo_{slug.replace('-', '_')}_local_only" for slug in DEMO_SAAS_VENDORS.values()
}
DEMO_BILLING_MONTHS: tuple[str, ...] = ("2026-09", "2026-10")
DEMO_CUSTOMER = "Northwind Robotics"


def currency_exponent(currency: str) -> int:
    """Digits of the minor unit as Stripe uses it: 0 (JPY, KRW, ...), 3 (BHD, KWD, ...), else 2."""
    c = currency.lower()
    return 0 if c in ZERO_DECIMAL else 3 if c in THREE_DECIMAL else 2


def to_major(minor: int | Decimal, currency: str) -> Decimal:
    """Exact major units of an amount in minor units (``to_major(132000, "usd") == Decimal("1320.00")``)."""
    return Decimal(minor).scaleb(-currency_exponent(currency))


def _hex(n: int, *parts: object) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()[:n]


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def _id(prefix: str, *parts: object) -> str:
    """A Stripe-looking object id (``in_``, ``il_``, ``cus_``, ``price_``, ``prod_``), deterministic."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n = int.from_bytes(hashlib.blake2b("|".join(map(str, (prefix, *parts))).encode(), digest_size=24).digest(), "big")
    out = []
    for _ in range(24):
        n, r = divmod(n, len(alphabet))
        out.append(alphabet[r])
    return f"{prefix}_{''.join(out)}"


def _ts(day: dt.date | str, seconds: int = 0) -> int:
    d = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp()) + seconds


def _next_month(month: str) -> dt.date:
    y, m = map(int, month.split("-"))
    return dt.date(y + (m == 12), m % 12 + 1, 1)


# ----------------------------------------------------------------------------------------------------------------------
# invoice builders (public: tests build custom invoice lists with them)
# ----------------------------------------------------------------------------------------------------------------------
def line_item(
    *,
    key: Sequence[object],
    description: str,
    quantity: int,
    unit_amount_decimal: str | Decimal,
    currency: str,
    period_start: int,
    period_end: int,
    product: str,
    usage_type: str | None = "licensed",
    line_type: str | None = None,
    unit: str | None = None,
    pricing_currency: str | None = None,
    pricing_currency_unit_price: str | Decimal | None = None,
    pricing_currency_quantity: str | int | Decimal | None = None,
    proration: bool = False,
) -> dict[str, Any]:
    """One Stripe ``line_item``; ``amount`` = quantity x unit_amount_decimal (minor units), which must be whole.

    ``usage_type`` None = a one-off invoice item (``price.recurring`` null, e.g. a discount or credit).
    ``key`` makes the ids deterministic (e.g. ``(seed, vendor, month, "seats")``).
    """
    unit_amount = Decimal(str(unit_amount_decimal))
    amount = Decimal(quantity) * unit_amount
    if amount != amount.to_integral_value():
        raise ValueError(f"line {description!r}: {quantity} x {unit_amount} is not a whole number of minor units")
    metadata = {
        "type": line_type,
        "unit": unit,
        "pricing_currency": pricing_currency,
        "pricing_currency_unit_price": _str_or_none(pricing_currency_unit_price),
        "pricing_currency_quantity": _str_or_none(pricing_currency_quantity),
    }
    price_key = (product, str(unit_amount), usage_type, currency)
    return {
        "id": _id("il", *key),
        "object": "line_item",
        "amount": int(amount),
        "currency": currency.lower(),
        "description": description,
        "discountable": line_type != "discount",
        "livemode": False,
        "quantity": int(quantity),
        "period": {"start": period_start, "end": period_end},
        "proration": proration,
        "type": "subscription" if usage_type else "invoiceitem",
        "price": {
            "id": _id("price", *price_key),
            "object": "price",
            "active": True,
            "currency": currency.lower(),
            "product": _id("prod", product),
            "nickname": product,
            "type": "recurring" if usage_type else "one_time",
            "recurring": ({"interval": "month", "interval_count": 1, "usage_type": usage_type} if usage_type else None),
            "unit_amount": int(unit_amount) if unit_amount == unit_amount.to_integral_value() else None,
            "unit_amount_decimal": _plain(unit_amount),
        },
        "metadata": {k: v for k, v in metadata.items() if v is not None},
    }


def build_invoice(
    *,
    vendor: str,
    customer_key: str,
    number: str,
    currency: str,
    created: int,
    period_start: int,
    period_end: int,
    lines: Sequence[dict[str, Any]],
    status: str = "paid",
    tax: int = 0,
    key: Sequence[object] = (),
) -> dict[str, Any]:
    """A Stripe ``invoice`` with every line in ``lines.data`` (the server embeds only the first 10 when serving).

    subtotal = sum of the line amounts, total = subtotal + tax; ``amount_paid`` = total when ``status`` is paid.
    """
    inv_id = _id("in", vendor, number, *key)
    lines = [dict(li, invoice=inv_id) for li in lines]
    subtotal = sum(int(li["amount"]) for li in lines)
    total = subtotal + int(tax)
    paid = status == "paid"
    return {
        "id": inv_id,
        "object": "invoice",
        "number": number,
        "account_name": vendor,
        "customer": _id("cus", vendor, customer_key),
        "customer_name": customer_key,
        "currency": currency.lower(),
        "created": created,
        "period_start": period_start,
        "period_end": period_end,
        "status": status,
        "collection_method": "charge_automatically",
        "livemode": False,
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal,
        "tax": int(tax),
        "total": total,
        "total_excluding_tax": subtotal,
        "amount_due": total,
        "amount_paid": total if paid else 0,
        "amount_remaining": 0 if paid else total,
        "total_discount_amounts": [],
        "status_transitions": {"finalized_at": created, "paid_at": created + 3600 if paid else None},
        "lines": {
            "object": "list",
            "data": lines,
            "has_more": False,
            "total_count": len(lines),
            "url": f"/v1/invoices/{inv_id}/lines",
        },
    }


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _plain(d: Decimal) -> str:
    """A decimal string without exponent (``"0.018"``, ``"4000"``), as Stripe writes unit_amount_decimal."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


# ----------------------------------------------------------------------------------------------------------------------
# the demo vendors' invoices
# ----------------------------------------------------------------------------------------------------------------------
def _number(seed: int, vendor: str, seq: int) -> str:
    """A Stripe invoice number: the customer's 8-character prefix and a sequence (``"3F9A21C7-0009"``)."""
    return f"{_hex(8, seed, vendor, DEMO_CUSTOMER).upper()}-{seq:04d}"


def _cursor_lines(seed: int, month: str, p0: int, p1: int) -> list[dict[str, Any]]:
    v, cur = "Cursor", "usd"
    fast = 15_000 + _h(seed, v, month, "fast") % 9_000  # fast requests beyond the included 500 per seat
    lines = [
        line_item(
            key=(seed, v, month, "seats"),
            description="120 × Cursor Business (Tier 1 at $40.00 / month)",
            quantity=120,
            unit_amount_decimal="4000",
            currency=cur,
            period_start=p0,
            period_end=p1,
            product="Cursor Business",
            usage_type="licensed",
            line_type="seats",
            unit="Seats",
        ),
        line_item(
            key=(seed, v, month, "fast"),
            description=f"{fast:,} × Fast requests overage (at $0.04 / request)",
            quantity=fast,
            unit_amount_decimal="4",
            currency=cur,
            period_start=p0,
            period_end=p1,
            product="Cursor Fast Requests",
            usage_type="metered",
            line_type="overage",
            unit="Requests",
        ),
    ]
    if month == "2026-10":
        lines.append(
            line_item(
                key=(seed, v, month, "discount"),
                description="Annual commitment discount",
                quantity=1,
                unit_amount_decimal="-20000",
                currency=cur,
                period_start=p0,
                period_end=p1,
                product="Cursor Discount",
                usage_type=None,
                line_type="discount",
                unit=None,
            )
        )
    return lines


def _elevenlabs_lines(seed: int, month: str, p0: int, p1: int) -> list[dict[str, Any]]:
    v, cur = "ElevenLabs", "usd"
    included = 2_000_000
    over = (150 + _h(seed, v, month, "overage") % 450) * 1_000  # whole thousands of credits
    return [
        line_item(
            key=(seed, v, month, "plan"),
            description="ElevenLabs Business (2,000,000 credits / month)",
            quantity=1,
            unit_amount_decimal="132000",
            currency=cur,
            period_start=p0,
            period_end=p1,
            product="ElevenLabs Business",
            usage_type="licensed",
            line_type="credits",
            unit="Credits",
            pricing_currency="Credits",
            pricing_currency_unit_price="0.00066",
            pricing_currency_quantity=included,
        ),
        line_item(
            key=(seed, v, month, "overage"),
            description=f"{over:,} × Additional credits (at $0.18 / 1,000 credits)",
            quantity=over,
            unit_amount_decimal="0.018",
            currency=cur,
            period_start=p0,
            period_end=p1,
            product="ElevenLabs Additional Credits",
            usage_type="metered",
            line_type="overage",
            unit="Credits",
            pricing_currency="Credits",
            pricing_currency_unit_price="0.00018",
            pricing_currency_quantity=over,
        ),
    ]


# Mistral AI list prices, EUR cents per 1,000,000 tokens: model -> (input, output)
MISTRAL_PRICES: dict[str, tuple[int, int]] = {
    "mistral-large-latest": (200, 600),
    "mistral-small-latest": (20, 60),
    "codestral-latest": (30, 90),
}
_MISTRAL_VOLUME = {"mistral-large-latest": 900, "mistral-small-latest": 4_000, "codestral-latest": 1_500}


def _mistral_lines(seed: int, month: str, p0: int, p1: int) -> list[dict[str, Any]]:
    v, cur = "Mistral AI", "eur"
    lines = []
    for model, (p_in, p_out) in MISTRAL_PRICES.items():
        m_in = _MISTRAL_VOLUME[model] * (70 + _h(seed, v, month, model, "in") % 60) // 100
        m_out = max(1, m_in * (20 + _h(seed, v, month, model, "out") % 15) // 100)
        for kind, qty, price in (("input", m_in, p_in), ("output", m_out, p_out)):
            lines.append(
                line_item(
                    key=(seed, v, month, model, kind),
                    description=f"{model} {kind} tokens ({qty:,} × 1M tokens at €{price / 100:.2f})",
                    quantity=qty,
                    unit_amount_decimal=str(price),
                    currency=cur,
                    period_start=p0,
                    period_end=p1,
                    product=f"{model} {kind} tokens",
                    usage_type="metered",
                    line_type="usage",
                    unit="1000000 Tokens",
                )
            )
    return lines


_DEMO_BUILDERS = {
    "Cursor": ("usd", _cursor_lines),
    "ElevenLabs": ("usd", _elevenlabs_lines),
    "Mistral AI": ("eur", _mistral_lines),
}


def demo_invoices(vendor: str, seed: int = 42) -> list[dict[str, Any]]:
    """The demo invoices of one demo vendor (a key of :data:`DEMO_SAAS_VENDORS`), oldest first, deterministic.

    One invoice per month of :data:`DEMO_BILLING_MONTHS`: Stripe ``invoice`` objects exactly as served (amounts in
    minor units, ``currency`` lower case, ``created`` = the 1st of the next month, UTC, in the early hours),
    ``status`` paid, ``tax`` 0 (reverse charge); ``lines.data`` holds every line item (fewer than 10 here).
    Use :func:`to_major` for major units; ``number`` is the invoice number printed on the vendor's PDF.
    """
    if vendor not in _DEMO_BUILDERS:
        raise KeyError(f"unknown demo SaaS vendor {vendor!r}; known: {sorted(_DEMO_BUILDERS)}")
    currency, lines_of = _DEMO_BUILDERS[vendor]
    out = []
    for i, month in enumerate(DEMO_BILLING_MONTHS):
        p0 = _ts(f"{month}-01")
        p1 = _ts(_next_month(month))
        created = p1 + 3_600 + _h(seed, vendor, month, "created") % (5 * 3_600)  # 01:00..06:00 UTC on the 1st
        out.append(
            build_invoice(
                vendor=vendor,
                customer_key=DEMO_CUSTOMER,
                number=_number(seed, vendor, 9 + i),
                currency=currency,
                created=created,
                period_start=p0,
                period_end=p1,
                lines=lines_of(seed, month, p0, p1),
                key=(seed,),
            )
        )
    return out


def truth(
    seed: int = 42, invoices: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
) -> dict[str, dict[str, Decimal]]:
    """vendor -> invoice number -> total in major units (exact Decimal), of the demo (or the given) invoices."""
    inv = invoices if invoices is not None else {v: demo_invoices(v, seed) for v in DEMO_SAAS_VENDORS}
    return {v: {i["number"]: to_major(i["total"], i["currency"]) for i in items} for v, items in inv.items()}


# ----------------------------------------------------------------------------------------------------------------------
# the server
# ----------------------------------------------------------------------------------------------------------------------
class StripeServer(VendorServer):
    """Several vendors' Stripe-style invoices APIs on one port.

    ``StripeServer({"sk_test_a": "cursor"}, {"cursor": [invoice, ...]})``: ``api_keys`` maps each key to a vendor
    slug, ``invoices`` maps the slug to its invoices (built with :func:`build_invoice`). ``StripeServer.demo()``
    serves the demo vendors with :data:`DEMO_SAAS_KEYS`. ``vendor_base_url(slug)`` is a vendor's base URL.
    """

    auth_scheme = "bearer"
    base_path = ""

    def __init__(
        self,
        api_keys: Mapping[str, str],
        invoices: Mapping[str, Sequence[Mapping[str, Any]]],
        *,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(api_keys, faults=faults, host=host, port=port)
        unknown = set(self.api_keys.values()) - set(invoices)
        if unknown:
            raise ValueError(f"keys for vendor slug(s) without invoices: {sorted(unknown)}")
        self.invoices: dict[str, list[dict[str, Any]]] = {}
        for slug, items in invoices.items():
            self.set_invoices(slug, items)

    @classmethod
    def demo(
        cls, seed: int = 42, *, faults: Faults | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> StripeServer:
        keys = {DEMO_SAAS_KEYS[slug]: slug for slug in DEMO_SAAS_VENDORS.values()}
        inv = {slug: demo_invoices(name, seed) for name, slug in DEMO_SAAS_VENDORS.items()}
        return cls(keys, inv, faults=faults, host=host, port=port)

    def set_invoices(self, slug: str, invoices: Sequence[Mapping[str, Any]]) -> None:
        """Replace a vendor's invoices (e.g. a status change of a recent invoice) while the server runs."""
        ids = [i["id"] for i in invoices]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate invoice ids for {slug}")
        with self._lock:
            self.invoices[slug] = [copy.deepcopy(dict(i)) for i in invoices]

    def vendor_base_url(self, slug: str) -> str:
        return f"{self.root_url}/{slug}"

    def error_body(self, status: int, message: str, error_type: str) -> dict[str, Any]:
        if status == 401:
            return {
                "error": {
                    "type": "invalid_request_error",
                    "message": "Invalid API Key provided. Check the key in the Authorization: Bearer "
                    "header (the key is not shown).",
                }
            }
        if status == 429:
            return {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": message}}
        if status >= 500:
            return {"error": {"type": "api_error", "message": message}}
        body: dict[str, Any] = {"type": "invalid_request_error", "message": message}
        if status == 404:
            body["code"] = "resource_missing"
        return {"error": body}

    # ---- HTTP ------------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if request.method != "GET":
            raise HTTPError(405, f"method {request.method} not allowed on the local server")
        slug, _, rest = request.path.strip("/").partition("/")
        if slug != request.principal:
            # a key of another vendor: Stripe answers 401 for a key it does not know
            raise HTTPError(401, "invalid key for this account")
        parts = rest.strip("/").split("/")
        if parts[:2] != ["v1", "invoices"]:
            raise HTTPError(404, f"Unrecognized request URL (GET: /{rest}).")
        with self._lock:
            invoices = list(self.invoices.get(slug, ()))
        if len(parts) == 2:
            return self._list_invoices(request, invoices)
        inv = next((i for i in invoices if i["id"] == parts[2]), None)
        if inv is None:
            raise HTTPError(404, f"No such invoice: '{parts[2]}'")
        if len(parts) == 3:
            return Response(body=_served_invoice(inv))
        if len(parts) == 4 and parts[3] == "lines":
            lines = inv["lines"]["data"]
            page, has_more, page_no = _page(request, lines, lambda x: x, "line item")
            return Response(body=_list(page, has_more, f"/v1/invoices/{inv['id']}/lines"), page=page_no)
        raise HTTPError(404, f"Unrecognized request URL (GET: /{rest}).")

    def _list_invoices(self, request: Request, invoices: list[dict[str, Any]]) -> Response:
        ordered = sorted(invoices, key=lambda i: (-int(i["created"]), i["id"]))  # newest first, like Stripe
        filtered = [i for i in ordered if _created_ok(request, int(i["created"]))]
        for name in ("status", "customer"):
            want = request.one(name)
            if want:
                filtered = [i for i in filtered if i.get(name) == want]
        page, has_more, page_no = _page(request, filtered, lambda x: x, "invoice", universe=ordered)
        return Response(body=_list([_served_invoice(i) for i in page], has_more, "/v1/invoices"), page=page_no)


def demo_vendors_config(server: StripeServer) -> list[dict[str, str]]:
    """The ``SOURCES__SAAS_INVOICES__VENDORS`` entries (``{"name", "base_url", "api_key"}``) of the demo vendors
    served by ``server`` (holds the fake keys: set it in the environment, never print it)."""
    return [
        {"name": name, "base_url": server.vendor_base_url(slug), "api_key": DEMO_SAAS_KEYS[slug]}
        for name, slug in DEMO_SAAS_VENDORS.items()
    ]


def _served_invoice(inv: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(inv))
    lines = out["lines"]["data"]
    out["lines"] = {
        "object": "list",
        "data": lines[:MAX_EMBEDDED_LINES],
        "has_more": len(lines) > MAX_EMBEDDED_LINES,
        "total_count": len(lines),
        "url": f"/v1/invoices/{out['id']}/lines",
    }
    return out


def _list(data: list[Any], has_more: bool, url: str) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def _int_param(request: Request, name: str) -> int | None:
    value = request.one(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise HTTPError(400, f"Invalid integer: {value}") from exc


def _created_ok(request: Request, created: int) -> bool:
    exact = _int_param(request, "created")
    checks = (
        (exact, lambda v: created == v),
        (_int_param(request, "created[gt]"), lambda v: created > v),
        (_int_param(request, "created[gte]"), lambda v: created >= v),
        (_int_param(request, "created[lt]"), lambda v: created < v),
        (_int_param(request, "created[lte]"), lambda v: created <= v),
    )
    return all(v is None or ok(v) for v, ok in checks)


def _page(
    request: Request, items: list[dict[str, Any]], _key: Any, kind: str, universe: list[dict[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], bool, int]:
    """Stripe cursor pagination over ``items`` (already in list order): ``(page, has_more, page_number)``.

    The cursor object is looked up in ``universe`` (default ``items``) so that a cursor outside the filter still
    positions the page, as in Stripe.
    """
    limit = _int_param(request, "limit")
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise HTTPError(400, f"Invalid limit: must be between 1 and {MAX_LIMIT}")
    after, before = request.one("starting_after"), request.one("ending_before")
    if after and before:
        raise HTTPError(400, "You may only specify one of these parameters: ending_before, starting_after.")
    universe = items if universe is None else universe
    rank = {obj["id"]: n for n, obj in enumerate(universe)}
    positions = [rank[obj["id"]] for obj in items]
    cursor = after or before
    if cursor is not None and cursor not in rank:
        raise HTTPError(400, f"No such {kind}: '{cursor}'")
    if after:
        first = next((n for n, p in enumerate(positions) if p > rank[after]), len(items))
        page = items[first : first + limit]
        return page, first + limit < len(items), first // limit + 1
    if before:
        end = next((n for n, p in enumerate(positions) if p >= rank[before]), len(items))
        start = max(0, end - limit)
        return items[start:end], start > 0, start // limit + 1
    return items[:limit], limit < len(items), 1


def main(argv: list[str] | None = None) -> None:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--rate-limit-every", type=int, default=None)

    def build(args: argparse.Namespace) -> StripeServer:
        return StripeServer.demo(
            args.seed, faults=Faults(rate_limit_every=args.rate_limit_every), host=args.host, port=args.port
        )

    run_cli(
        build, "Local Stripe-style invoices API of the demo AI SaaS vendors (cursor, elevenlabs, mistral-ai)", argv, add
    )


if __name__ == "__main__":
    main()
