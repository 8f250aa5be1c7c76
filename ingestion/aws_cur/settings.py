"""AWS Cost and Usage Report formats: constants and the canonical raw column set of ``aws_cur.line_items`` (the
formats themselves, ``FORMATS``, are declared in the package's ``__init__.py`` with its dlt source).

Every format writes the same columns, named as CUR 2.0 (AWS Data Exports) names them; legacy CUR headers
(``lineItem/UnblendedCost``) are translated with :func:`ingestion.aws_cur.helpers.legacy_to_cur2`.
"""

from __future__ import annotations

DATASET = "aws_cur"
TABLE = "line_items"

TEXT, NUMBER, TS, JSON = "text", "number", "timestamp", "json"

#: The canonical raw columns (CUR 2.0 names) and their kind. ``json`` columns hold a JSON object as text
#: (CUR 2.0 MAP columns, or the legacy CUR's flat ``resourceTags/*``, ``costCategory/*``, ``product/*``,
#: ``discount/*`` columns packed into one object). Only what the FOCUS mapping and governance need.
CANONICAL_COLUMNS: tuple[tuple[str, str], ...] = (
    # identity / bill
    ("identity_line_item_id", TEXT),
    ("identity_time_interval", TEXT),
    ("bill_invoice_id", TEXT),
    ("bill_invoicing_entity", TEXT),
    ("bill_billing_entity", TEXT),
    ("bill_bill_type", TEXT),
    ("bill_payer_account_id", TEXT),
    ("bill_payer_account_name", TEXT),
    ("bill_billing_period_start_date", TS),
    ("bill_billing_period_end_date", TS),
    # line item
    ("line_item_usage_account_id", TEXT),
    ("line_item_usage_account_name", TEXT),
    ("line_item_line_item_type", TEXT),
    ("line_item_usage_start_date", TS),
    ("line_item_usage_end_date", TS),
    ("line_item_product_code", TEXT),
    ("line_item_usage_type", TEXT),
    ("line_item_operation", TEXT),
    ("line_item_availability_zone", TEXT),
    ("line_item_resource_id", TEXT),
    ("line_item_usage_amount", NUMBER),
    ("line_item_normalization_factor", NUMBER),
    ("line_item_normalized_usage_amount", NUMBER),
    ("line_item_currency_code", TEXT),
    ("line_item_unblended_rate", NUMBER),
    ("line_item_unblended_cost", NUMBER),
    ("line_item_net_unblended_rate", NUMBER),
    ("line_item_net_unblended_cost", NUMBER),
    ("line_item_blended_rate", NUMBER),
    ("line_item_blended_cost", NUMBER),
    ("line_item_line_item_description", TEXT),
    ("line_item_tax_type", TEXT),
    ("line_item_legal_entity", TEXT),
    # product (static CUR 2.0 columns; everything else is in the product JSON)
    ("product_product_name", TEXT),  # CUR 2.0: product['product_name']
    ("product_region_code", TEXT),
    ("product_location", TEXT),
    ("product_servicecode", TEXT),
    ("product_sku", TEXT),
    ("product_product_family", TEXT),
    ("product_instance_type", TEXT),
    # pricing
    ("pricing_unit", TEXT),
    ("pricing_term", TEXT),
    ("pricing_currency", TEXT),
    ("pricing_public_on_demand_rate", NUMBER),
    ("pricing_public_on_demand_cost", NUMBER),
    ("pricing_rate_id", TEXT),
    ("pricing_rate_code", TEXT),
    ("pricing_purchase_option", TEXT),
    # discounts (the discount map itself is the `discount` JSON column)
    ("discount_total_discount", NUMBER),
    ("discount_bundled_discount", NUMBER),
    ("discount_private_rate_discount", NUMBER),  # CUR 2.0: discount['private_rate_discount']
    # reservations (RI amortisation)
    ("reservation_reservation_a_r_n", TEXT),
    ("reservation_subscription_id", TEXT),
    ("reservation_start_time", TEXT),
    ("reservation_end_time", TEXT),
    ("reservation_effective_cost", NUMBER),
    ("reservation_amortized_upfront_cost_for_usage", NUMBER),
    ("reservation_recurring_fee_for_usage", NUMBER),
    ("reservation_amortized_upfront_fee_for_billing_period", NUMBER),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", NUMBER),
    ("reservation_unused_recurring_fee", NUMBER),
    ("reservation_unused_quantity", NUMBER),
    ("reservation_unused_normalized_unit_quantity", NUMBER),
    ("reservation_total_reserved_units", NUMBER),
    ("reservation_total_reserved_normalized_units", NUMBER),
    ("reservation_number_of_reservations", NUMBER),
    ("reservation_upfront_value", NUMBER),
    # savings plans (SP amortisation)
    ("savings_plan_savings_plan_a_r_n", TEXT),
    ("savings_plan_offering_type", TEXT),
    ("savings_plan_payment_option", TEXT),
    ("savings_plan_purchase_term", TEXT),
    ("savings_plan_region", TEXT),
    ("savings_plan_instance_type_family", TEXT),
    ("savings_plan_start_time", TEXT),
    ("savings_plan_end_time", TEXT),
    ("savings_plan_savings_plan_rate", NUMBER),
    ("savings_plan_savings_plan_effective_cost", NUMBER),
    ("savings_plan_used_commitment", NUMBER),
    ("savings_plan_total_commitment_to_date", NUMBER),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", NUMBER),
    ("savings_plan_recurring_commitment_for_billing_period", NUMBER),
    # maps, as JSON text
    ("resource_tags", JSON),
    ("cost_category", JSON),
    ("discount", JSON),
    ("product", JSON),
)
CANONICAL_NAMES = tuple(n for n, _ in CANONICAL_COLUMNS)
MAP_COLUMNS = ("resource_tags", "cost_category", "discount", "product")

#: Columns derived from a map key in CUR 2.0 (and from a flat column in the legacy CUR).
DERIVED_FROM_MAP = {
    "product_product_name": ("product", "product_name"),
    "discount_private_rate_discount": ("discount", "private_rate_discount"),
}

#: Product columns that CUR 2.0 keeps as static columns (table-dictionary-cur2-product); any other legacy
#: ``product/*`` attribute lives only in CUR 2.0's ``product`` map, so it goes into the ``product`` JSON.
CUR2_STATIC_PRODUCT_COLUMNS = frozenset(
    {
        "product_comment",
        "product_fee_code",
        "product_fee_description",
        "product_from_location",
        "product_from_location_type",
        "product_from_region_code",
        "product_instance_family",
        "product_instance_type",
        "product_instancesku",
        "product_location",
        "product_location_type",
        "product_operation",
        "product_pricing_unit",
        "product_product_family",
        "product_region_code",
        "product_servicecode",
        "product_sku",
        "product_to_location",
        "product_to_location_type",
        "product_to_region_code",
        "product_usagetype",
    }
)

#: Source columns without which a file is rejected (quarantined), per flavour.
REQUIRED_CUR2 = (
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_currency_code",
    "line_item_unblended_cost",
)
REQUIRED_LEGACY = (
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
)

#: Header columns that identify a CUR 2.0 file (any one of them); FOCUS exports have none of these.
CUR2_MARKERS = (
    "line_item_line_item_type",
    "line_item_unblended_cost",
    "identity_line_item_id",
    "line_item_usage_account_id",
    "bill_payer_account_id",
)
#: Prefixes that identify a legacy CUR CSV header.
LEGACY_MARKERS = ("lineItem/", "identity/LineItemId", "bill/PayerAccountId")

#: A header with every CUR 2.0 source column the formats read (creates the empty raw table).
SAMPLE_HEADER_CUR2: tuple[str, ...] = tuple(c for c in CANONICAL_NAMES if c not in DERIVED_FROM_MAP)
