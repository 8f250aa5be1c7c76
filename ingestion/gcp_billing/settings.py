"""GCP Cloud Billing standard usage cost export: source schema and constants (the formats, ``FORMATS``, are
declared in the package's ``__init__.py`` with its dlt source).

One raw table, ``gcp_billing.billing_export_rows``, for three encodings of the same BigQuery table
(``gcp_billing_export_v1_<BILLING_ACCOUNT_ID>``):

* ``gcp_billing_jsonl``   - BigQuery extract as newline-delimited JSON (optionally gzip), nested records.
* ``gcp_billing_parquet`` - BigQuery extract as Parquet, nested records.
* ``gcp_billing_csv``     - the flattened CSV form (dot-named columns, repeated records written as
  Python-repr or JSON lists), e.g. what pandas/koku write from a BigQuery query.
"""

from __future__ import annotations

DATASET = "gcp_billing"
TABLE = "billing_export_rows"

# Credit types that are discounts on the row they pertain to (FOCUS discount handling): their amount is
# netted into the row's BilledCost/EffectiveCost. Every other credit type (PROMOTION: free trial,
# promotional and grant credits, and any type Google adds later) becomes its own ChargeCategory 'Credit'
# row in staging. The dbt macro ``gcp_billing_row_discount_credit_types`` holds the same list.
ROW_DISCOUNT_CREDIT_TYPES = (
    "COMMITTED_USAGE_DISCOUNT",
    "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE",
    "SUSTAINED_USAGE_DISCOUNT",
    "DISCOUNT",
    "FREE_TIER",
    "RESELLER_MARGIN",
    "SUBSCRIPTION_BENEFIT",
    "FEE_UTILIZATION_OFFSET",
)

KV_STRUCT = "STRUCT(key VARCHAR, value VARCHAR)"
CREDIT_STRUCT = "STRUCT(name VARCHAR, amount VARCHAR, full_name VARCHAR, id VARCHAR, type VARCHAR)"
TAG_STRUCT = "STRUCT(key VARCHAR, value VARCHAR, inherited VARCHAR, namespace VARCHAR)"
ANCESTOR_STRUCT = "STRUCT(resource_name VARCHAR, display_name VARCHAR)"

# The BigQuery standard (and detailed) export schema, as read from JSON: every leaf as VARCHAR so that
# numbers keep their exact text (5e-06 stays 5e-06) and a bad value is reported by the transform with its
# row and field instead of failing the whole read. Fields that a file lacks read as NULL; unknown fields
# are ignored. Order = output order of the JSON reader.
JSON_COLUMNS: dict[str, str] = {
    "billing_account_id": "VARCHAR",
    "service": "STRUCT(id VARCHAR, description VARCHAR)",
    "sku": "STRUCT(id VARCHAR, description VARCHAR)",
    "usage_start_time": "VARCHAR",
    "usage_end_time": "VARCHAR",
    "project": f"STRUCT(id VARCHAR, number VARCHAR, name VARCHAR, labels {KV_STRUCT}[], "
    f"ancestry_numbers VARCHAR, ancestors {ANCESTOR_STRUCT}[])",
    "labels": f"{KV_STRUCT}[]",
    "system_labels": f"{KV_STRUCT}[]",
    "location": "STRUCT(location VARCHAR, country VARCHAR, region VARCHAR, zone VARCHAR)",
    "resource": "STRUCT(name VARCHAR, global_name VARCHAR)",
    "tags": f"{TAG_STRUCT}[]",
    "export_time": "VARCHAR",
    "cost": "VARCHAR",
    "currency": "VARCHAR",
    "currency_conversion_rate": "VARCHAR",
    "usage": "STRUCT(amount VARCHAR, unit VARCHAR, amount_in_pricing_units VARCHAR, pricing_unit VARCHAR)",
    "credits": f"{CREDIT_STRUCT}[]",
    "invoice": "STRUCT(month VARCHAR, publisher_type VARCHAR)",
    "cost_type": "VARCHAR",
    "adjustment_info": "STRUCT(id VARCHAR, description VARCHAR, mode VARCHAR, type VARCHAR)",
    "cost_at_list": "VARCHAR",
    "price": "STRUCT(effective_price VARCHAR, tier_start_amount VARCHAR, unit VARCHAR, pricing_unit_quantity VARCHAR)",
    "transaction_type": "VARCHAR",
    "seller_name": "VARCHAR",
    "subscription": "STRUCT(instance_id VARCHAR)",
    "consumption_model": "STRUCT(id VARCHAR, description VARCHAR)",
}

# Numeric leaves (dotted source paths): money and quantities, read as DECIMAL(38,10) by the readers.
NUMERIC_FIELDS: tuple[str, ...] = (
    "cost",
    "currency_conversion_rate",
    "cost_at_list",
    "usage.amount",
    "usage.amount_in_pricing_units",
    "price.effective_price",
    "price.tier_start_amount",
    "price.pricing_unit_quantity",
    "credits.amount",
)

# Repeated records: their element fields (used to normalise every encoding to the same JSON text).
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "labels": ("key", "value"),
    "system_labels": ("key", "value"),
    "project.labels": ("key", "value"),
    "project.ancestors": ("resource_name", "display_name"),
    "tags": ("key", "value", "inherited", "namespace"),
    "credits": ("name", "amount", "full_name", "id", "type"),
}

# The flattened (CSV) header of every source column the formats read; also the raw table's sample header.
CSV_HEADER: tuple[str, ...] = (
    "billing_account_id",
    "service.id",
    "service.description",
    "sku.id",
    "sku.description",
    "usage_start_time",
    "usage_end_time",
    "project.id",
    "project.number",
    "project.name",
    "project.labels",
    "project.ancestry_numbers",
    "project.ancestors",
    "labels",
    "system_labels",
    "location.location",
    "location.country",
    "location.region",
    "location.zone",
    "resource.name",
    "resource.global_name",
    "tags",
    "export_time",
    "cost",
    "currency",
    "currency_conversion_rate",
    "usage.amount",
    "usage.unit",
    "usage.amount_in_pricing_units",
    "usage.pricing_unit",
    "credits",
    "invoice.month",
    "invoice.publisher_type",
    "cost_type",
    "adjustment_info.id",
    "adjustment_info.description",
    "adjustment_info.mode",
    "adjustment_info.type",
    "cost_at_list",
    "price.effective_price",
    "price.tier_start_amount",
    "price.unit",
    "price.pricing_unit_quantity",
    "transaction_type",
    "seller_name",
    "subscription.instance_id",
    "consumption_model.id",
    "consumption_model.description",
)
