"""Azure cost details exports (Cost Management "Cost and usage details"): column sets and constants (the formats,
``FORMATS``, are declared in the package's ``__init__.py`` with its dlt source).

One raw table, ``azure_cost_details.cost_details``, for two column sets, each delivered as an ActualCost or an
AmortizedCost dataset:

* ``azure_ea``  - Enterprise Agreement cost details (PascalCase: ``BillingAccountId``, ``Date``, ``Cost`` or
  ``CostInBillingCurrency``, ``EffectivePrice``, ``UnitPrice``, ``PayGPrice``, ``Tags`` as ``"k": "v",...`` without
  braces). Pay-as-you-go / MOSP files use the same PascalCase names and load with this format too.
* ``azure_mca`` - Microsoft Customer Agreement cost details (camelCase: ``billingAccountId``, ``date``,
  ``costInBillingCurrency``, ``paygCostInBillingCurrency``, ``invoiceId``, ``exchangeRatePricingToBilling``, ...;
  Microsoft Learn "cost-usage-details-mca", versions 2021-10-01 and 2023-12-01-preview).

Column names are matched case-insensitively (Microsoft changed casing between schema versions). The cost type
(``x_cost_type`` = 'ActualCost' | 'AmortizedCost') is a column decided per delivery, not a format: see
``helpers.detect_cost_type``.
"""
from __future__ import annotations

DATASET = "azure_cost_details"
TABLE = "cost_details"

ACTUAL = "ActualCost"
AMORTIZED = "AmortizedCost"
# When neither the path, nor a manifest, nor the rows tell (no commitment-related rows at all), the delivery is
# ActualCost: without reservations or savings plans both datasets carry the same rows and costs, so the choice
# cannot change BilledCost or EffectiveCost.
DEFAULT_COST_TYPE = ACTUAL

# ChargeType / PricingModel values (compared lower-cased, spaces removed)
UNUSED_CHARGE_TYPES = ("unusedreservation", "unusedsavingsplan")
PURCHASE_CHARGE_TYPES = ("purchase", "refund")
COMMITMENT_PRICING_MODELS = ("reservation", "savingsplan")

# Canonical raw columns: (raw column, kind, source candidates). Kinds: text, number (DECIMAL 38,10, validated),
# date (Azure's MM/DD/YYYY or ISO 8601, validated, UTC). Candidates are matched case-insensitively, first wins.
RAW_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("billing_account_id", "text", ("BillingAccountId",)),
    ("billing_account_name", "text", ("BillingAccountName",)),
    ("billing_profile_id", "text", ("BillingProfileId",)),
    ("billing_profile_name", "text", ("BillingProfileName",)),
    ("billing_period_start", "date", ("BillingPeriodStartDate",)),
    ("billing_period_end", "date", ("BillingPeriodEndDate",)),
    ("invoice_id", "text", ("InvoiceId",)),
    ("previous_invoice_id", "text", ("PreviousInvoiceId",)),
    ("invoice_section_id", "text", ("InvoiceSectionId",)),
    ("invoice_section_name", "text", ("InvoiceSectionName", "InvoiceSection", "DepartmentName")),
    ("account_name", "text", ("AccountName",)),
    ("account_owner_id", "text", ("AccountOwnerId",)),
    ("subscription_id", "text", ("SubscriptionId", "SubscriptionGuid")),
    ("subscription_name", "text", ("SubscriptionName",)),
    ("resource_group", "text", ("ResourceGroup", "ResourceGroupName")),
    ("cost_center", "text", ("CostCenter",)),
    ("partner_name", "text", ("PartnerName",)),
    ("reseller_name", "text", ("ResellerName",)),
    ("reseller_mpn_id", "text", ("ResellerMpnId",)),
    ("charge_date", "date", ("Date", "UsageDate")),
    ("service_period_start", "date", ("ServicePeriodStartDate",)),
    ("service_period_end", "date", ("ServicePeriodEndDate",)),
    ("product_name", "text", ("ProductName", "Product")),
    ("product_id", "text", ("ProductId",)),
    ("part_number", "text", ("PartNumber",)),
    ("meter_id", "text", ("MeterId",)),
    ("meter_name", "text", ("MeterName",)),
    ("meter_category", "text", ("MeterCategory",)),
    ("meter_subcategory", "text", ("MeterSubCategory",)),
    ("meter_region", "text", ("MeterRegion",)),
    ("service_family", "text", ("ServiceFamily",)),
    ("consumed_service", "text", ("ConsumedService",)),
    ("resource_id", "text", ("ResourceId", "InstanceName")),
    ("resource_name", "text", ("ResourceName",)),
    ("resource_location", "text", ("ResourceLocation",)),
    ("location", "text", ("Location", "ResourceLocationNormalized")),
    ("availability_zone", "text", ("AvailabilityZone",)),
    ("quantity", "number", ("Quantity",)),
    ("unit_of_measure", "text", ("UnitOfMeasure",)),
    ("effective_price", "number", ("EffectivePrice",)),
    ("unit_price", "number", ("UnitPrice",)),
    ("payg_price", "number", ("PayGPrice",)),
    ("cost", "number", ("CostInBillingCurrency", "Cost", "PreTaxCost")),
    ("cost_in_pricing_currency", "number", ("CostInPricingCurrency",)),
    ("cost_in_usd", "number", ("CostInUsd",)),
    ("payg_cost_in_billing_currency", "number", ("PaygCostInBillingCurrency",)),
    ("payg_cost_in_usd", "number", ("PaygCostInUsd",)),
    ("exchange_rate_pricing_to_billing", "number", ("ExchangeRatePricingToBilling",)),
    ("exchange_rate_date", "date", ("ExchangeRateDate",)),
    ("billing_currency", "text", ("BillingCurrency", "BillingCurrencyCode", "Currency")),
    ("pricing_currency", "text", ("PricingCurrency", "PricingCurrencyCode")),
    ("charge_type", "text", ("ChargeType",)),
    ("frequency", "text", ("Frequency",)),
    ("pricing_model", "text", ("PricingModel",)),
    ("term", "text", ("Term",)),
    ("reservation_id", "text", ("ReservationId",)),
    ("reservation_name", "text", ("ReservationName",)),
    ("benefit_id", "text", ("BenefitId",)),
    ("benefit_name", "text", ("BenefitName",)),
    ("product_order_id", "text", ("ProductOrderId",)),
    ("product_order_name", "text", ("ProductOrderName",)),
    ("offer_id", "text", ("OfferId",)),
    ("publisher_type", "text", ("PublisherType",)),
    ("publisher_id", "text", ("PublisherId",)),
    ("publisher_name", "text", ("PublisherName",)),
    ("plan_name", "text", ("PlanName",)),
    ("is_azure_credit_eligible", "text", ("IsAzureCreditEligible",)),
    ("cost_allocation_rule_name", "text", ("CostAllocationRuleName",)),
    ("service_info1", "text", ("ServiceInfo1",)),
    ("service_info2", "text", ("ServiceInfo2",)),
    ("additional_info", "text", ("AdditionalInfo",)),
    ("tags", "text", ("Tags",)),
    ("provider", "text", ("Provider",)),
)

# Without these a file cannot be mapped (checked case-insensitively; "a|b" = either). The cost column is the
# conservation anchor, the billing account, date and currency are FOCUS NOT NULL columns, the charge type
# decides the FOCUS charge category and the actual/amortized rules.
EA_REQUIRED = ("BillingAccountId", "Date", "Cost|CostInBillingCurrency|PreTaxCost", "ChargeType",
               "BillingCurrency|BillingCurrencyCode|Currency")
MCA_REQUIRED = ("billingAccountId", "date", "costInBillingCurrency", "chargeType", "billingCurrency|billingCurrencyCode")

# Every column of the public sample / schema pages, used to create the raw table before the first delivery.
EA_SAMPLE_HEADER = (
    "BillingAccountId", "BillingAccountName", "BillingPeriodStartDate", "BillingPeriodEndDate", "BillingProfileId",
    "BillingProfileName", "AccountOwnerId", "AccountName", "SubscriptionId", "SubscriptionName", "Date", "Product",
    "PartNumber", "MeterId", "ServiceFamily", "MeterCategory", "MeterSubCategory", "MeterRegion", "MeterName",
    "Quantity", "EffectivePrice", "Cost", "UnitPrice", "BillingCurrency", "ResourceLocation", "AvailabilityZone",
    "ConsumedService", "ResourceId", "ResourceName", "ServiceInfo1", "ServiceInfo2", "AdditionalInfo", "Tags",
    "InvoiceSectionId", "InvoiceSection", "CostCenter", "UnitOfMeasure", "ResourceGroup", "ReservationId",
    "ReservationName", "ProductOrderId", "ProductOrderName", "OfferId", "IsAzureCreditEligible", "Term",
    "PublisherName", "PlanName", "ChargeType", "Frequency", "PublisherType", "PayGPrice", "PricingModel",
    "CostAllocationRuleName", "benefitId", "benefitName",
)
MCA_SAMPLE_HEADER = (
    "invoiceId", "previousInvoiceId", "billingAccountId", "billingAccountName", "billingProfileId",
    "billingProfileName", "invoiceSectionId", "invoiceSectionName", "resellerName", "resellerMpnId", "costCenter",
    "billingPeriodEndDate", "billingPeriodStartDate", "servicePeriodEndDate", "servicePeriodStartDate", "date",
    "serviceFamily", "productOrderId", "productOrderName", "consumedService", "meterId", "meterName",
    "meterCategory", "meterSubCategory", "meterRegion", "ProductId", "ProductName", "SubscriptionId",
    "subscriptionName", "publisherType", "publisherId", "publisherName", "resourceGroupName", "ResourceId",
    "resourceLocation", "location", "effectivePrice", "quantity", "unitOfMeasure", "chargeType", "billingCurrency",
    "pricingCurrency", "costInBillingCurrency", "costInPricingCurrency", "costInUsd", "paygCostInBillingCurrency",
    "paygCostInUsd", "exchangeRatePricingToBilling", "exchangeRateDate", "isAzureCreditEligible", "serviceInfo1",
    "serviceInfo2", "additionalInfo", "tags", "PayGPrice", "frequency", "term", "reservationId", "reservationName",
    "pricingModel", "unitPrice", "costAllocationRuleName", "benefitId", "benefitName", "provider",
)
