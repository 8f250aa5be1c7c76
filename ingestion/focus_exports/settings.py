"""FOCUS exports (any provider): column lists and version markers (the two formats, ``FORMATS``, are declared in
the package's ``__init__.py`` with its dlt source).

One raw table, ``focus_exports.focus_rows``, for FOCUS 1.0 and FOCUS 1.1/1.2 files (CSV, CSV.gz, Parquet).
The raw table keeps the export's own values (one column per FOCUS column, plus the pre-1.0 names as
separate columns); dbt (``stg_focus_exports__focus_rows``) renames, derives and normalises to FOCUS 1.2.
See README.md for the rules.
"""

from __future__ import annotations

DATASET = "focus_exports"
TABLE = "focus_rows"

# (FOCUS column ID, raw column, kind). kind: text | money (DECIMAL 38,10, validated) | date (text, validated,
# parsed in dbt) | json (JSON object text; Parquet MAP/STRUCT serialised to JSON).
FOCUS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("AvailabilityZone", "availability_zone", "text"),
    ("BilledCost", "billed_cost", "money"),
    ("BillingAccountId", "billing_account_id", "text"),
    ("BillingAccountName", "billing_account_name", "text"),
    ("BillingAccountType", "billing_account_type", "text"),
    ("BillingCurrency", "billing_currency", "text"),
    ("BillingPeriodEnd", "billing_period_end", "date"),
    ("BillingPeriodStart", "billing_period_start", "date"),
    ("CapacityReservationId", "capacity_reservation_id", "text"),
    ("CapacityReservationStatus", "capacity_reservation_status", "text"),
    ("ChargeCategory", "charge_category", "text"),
    ("ChargeClass", "charge_class", "text"),
    ("ChargeDescription", "charge_description", "text"),
    ("ChargeFrequency", "charge_frequency", "text"),
    ("ChargePeriodEnd", "charge_period_end", "date"),
    ("ChargePeriodStart", "charge_period_start", "date"),
    ("CommitmentDiscountCategory", "commitment_discount_category", "text"),
    ("CommitmentDiscountId", "commitment_discount_id", "text"),
    ("CommitmentDiscountName", "commitment_discount_name", "text"),
    ("CommitmentDiscountQuantity", "commitment_discount_quantity", "money"),
    ("CommitmentDiscountStatus", "commitment_discount_status", "text"),
    ("CommitmentDiscountType", "commitment_discount_type", "text"),
    ("CommitmentDiscountUnit", "commitment_discount_unit", "text"),
    ("ConsumedQuantity", "consumed_quantity", "money"),
    ("ConsumedUnit", "consumed_unit", "text"),
    ("ContractedCost", "contracted_cost", "money"),
    ("ContractedUnitPrice", "contracted_unit_price", "money"),
    ("EffectiveCost", "effective_cost", "money"),
    ("InvoiceId", "invoice_id", "text"),
    ("InvoiceIssuerName", "invoice_issuer_name", "text"),
    ("ListCost", "list_cost", "money"),
    ("ListUnitPrice", "list_unit_price", "money"),
    ("PricingCategory", "pricing_category", "text"),
    ("PricingCurrency", "pricing_currency", "text"),
    ("PricingCurrencyContractedUnitPrice", "pricing_currency_contracted_unit_price", "money"),
    ("PricingCurrencyEffectiveCost", "pricing_currency_effective_cost", "money"),
    ("PricingCurrencyListUnitPrice", "pricing_currency_list_unit_price", "money"),
    ("PricingQuantity", "pricing_quantity", "money"),
    ("PricingUnit", "pricing_unit", "text"),
    ("ProviderName", "provider_name", "text"),
    ("PublisherName", "publisher_name", "text"),
    ("RegionId", "region_id", "text"),
    ("RegionName", "region_name", "text"),
    ("ResourceId", "resource_id", "text"),
    ("ResourceName", "resource_name", "text"),
    ("ResourceType", "resource_type", "text"),
    ("ServiceCategory", "service_category", "text"),
    ("ServiceName", "service_name", "text"),
    ("ServiceSubcategory", "service_subcategory", "text"),
    ("SkuId", "sku_id", "text"),
    ("SkuMeter", "sku_meter", "text"),
    ("SkuPriceDetails", "sku_price_details", "json"),
    ("SkuPriceId", "sku_price_id", "text"),
    ("SubAccountId", "sub_account_id", "text"),
    ("SubAccountName", "sub_account_name", "text"),
    ("SubAccountType", "sub_account_type", "text"),
    ("Tags", "tags", "json"),
    # FOCUS 1.3 additions, passed through when an export already has them
    ("ServiceProviderName", "service_provider_name", "text"),
    ("HostProviderName", "host_provider_name", "text"),
    ("AllocatedMethodId", "allocated_method_id", "text"),
    ("AllocatedMethodDetails", "allocated_method_details", "json"),
    ("AllocatedResourceId", "allocated_resource_id", "text"),
    ("AllocatedResourceName", "allocated_resource_name", "text"),
    ("AllocatedTags", "allocated_tags", "json"),
    ("ContractApplied", "contract_applied", "json"),
)

# Column names of FOCUS 0.5 / 1.0-preview (and OCI's FOCUS report, which still uses them). Kept as their own
# raw columns; the staging model renames them (ChargeType -> ChargeCategory, AmortizedCost -> EffectiveCost,
# Provider -> ProviderName, Publisher -> PublisherName, InvoiceIssuer -> InvoiceIssuerName,
# Region -> RegionId/RegionName, UsageQuantity/UsageUnit -> ConsumedQuantity/ConsumedUnit,
# ChargeSubcategory 'Used/Unused Commitment' -> CommitmentDiscountStatus).
LEGACY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("AmortizedCost", "amortized_cost", "money"),
    ("ChargeType", "charge_type", "text"),
    ("ChargeSubcategory", "charge_subcategory", "text"),
    ("Provider", "provider", "text"),
    ("Publisher", "publisher", "text"),
    ("InvoiceIssuer", "invoice_issuer", "text"),
    ("Region", "region", "text"),
    ("UsageQuantity", "usage_quantity", "money"),
    ("UsageUnit", "usage_unit", "text"),
)

ALL_COLUMNS = FOCUS_COLUMNS + LEGACY_COLUMNS

# A file without one of these is rejected (alternatives: the pre-1.0 name). Header matching is
# case-insensitive. Everything else is optional: a missing optional column is NULL, and the staging model
# derives or defaults what FOCUS 1.2 needs (README "Defaults").
REQUIRED_COLUMNS: tuple[tuple[str, ...], ...] = (
    ("BilledCost",),
    ("EffectiveCost", "AmortizedCost"),
    ("BillingPeriodStart",),
    ("BillingPeriodEnd",),
    ("ChargePeriodStart",),
    ("ChargePeriodEnd",),
    ("ChargeCategory", "ChargeType"),
)

# A header is a FOCUS export when it has at least two of these (case-insensitive): no other provider
# export (CUR, Azure cost details, GCP billing export) uses these names.
FOCUS_SIGNATURE = frozenset(
    c.lower()
    for c in (
        "BilledCost",
        "EffectiveCost",
        "AmortizedCost",
        "BillingPeriodStart",
        "BillingPeriodEnd",
        "ChargePeriodStart",
        "ChargePeriodEnd",
    )
)
# Columns introduced in FOCUS 1.1 or 1.2: any of them -> the file is read as focus_1_2.
# (BillingAccountType/SubAccountType are not markers: Azure's FOCUS 1.0 export already has them.)
V11_MARKERS = frozenset(
    c.lower()
    for c in (
        "CapacityReservationId",
        "CapacityReservationStatus",
        "CommitmentDiscountQuantity",
        "CommitmentDiscountUnit",
        "ServiceSubcategory",
        "SkuMeter",
        "SkuPriceDetails",
    )
)
V12_MARKERS = frozenset(
    c.lower()
    for c in (
        "InvoiceId",
        "PricingCurrency",
        "PricingCurrencyListUnitPrice",
        "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost",
    )
)
V10_PREVIEW_MARKERS = frozenset(
    c.lower()
    for c in (
        "Provider",
        "Publisher",
        "InvoiceIssuer",
        "UsageQuantity",
        "UsageUnit",
        "ChargeSubcategory",
        "Region",
    )
)
V05_MARKERS = frozenset(c.lower() for c in ("AmortizedCost", "ChargeType"))

# Allowed ChargeCategory values (case-insensitive); anything else rejects the file (row and value named).
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")

# Text read as NULL in number and date columns (FOCUS forbids placeholders; the spec samples use "null").
NULL_PLACEHOLDERS = ("null", "n/a", "none", "nil", "#n/a", "not applicable", "<null>")

SAMPLE_HEADER = tuple(c for c, _, _ in ALL_COLUMNS)
