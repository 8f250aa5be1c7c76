{#- The FOCUS charge record: one list drives every staging model's output, the union, the snake_case mart
    and the PascalCase export. Order: FOCUS 1.2 columns (57), then FOCUS 1.3 additions (nullable here), then
    custom x_ columns. Kinds: money (DECIMAL 38,10), ts (UTC timestamp), text, json (JSON text), int (and, for
    mart_extra_columns, bool and date).
    This file is the one owner of the FOCUS columns and allowed values: staging and the union render them through
    these macros, the mart contracts are generated from them (dbt_project/scripts/generate_mart_contracts.py;
    tests/orchestration/test_dbt_project.py checks that the contracts match), the generic test focus_allowed_values
    checks them, and Python (serving/focus_columns.py: the FOCUS export, data_quality's checks) reads this file.
    Keep the four list macros plain literals (Python reads them with ast.literal_eval). -#}
{% macro focus_charge_columns() -%}
{{ return([
    ('availability_zone', 'AvailabilityZone', 'text'),
    ('billed_cost', 'BilledCost', 'money'),
    ('billing_account_id', 'BillingAccountId', 'text'),
    ('billing_account_name', 'BillingAccountName', 'text'),
    ('billing_account_type', 'BillingAccountType', 'text'),
    ('billing_currency', 'BillingCurrency', 'text'),
    ('billing_period_end', 'BillingPeriodEnd', 'ts'),
    ('billing_period_start', 'BillingPeriodStart', 'ts'),
    ('capacity_reservation_id', 'CapacityReservationId', 'text'),
    ('capacity_reservation_status', 'CapacityReservationStatus', 'text'),
    ('charge_category', 'ChargeCategory', 'text'),
    ('charge_class', 'ChargeClass', 'text'),
    ('charge_description', 'ChargeDescription', 'text'),
    ('charge_frequency', 'ChargeFrequency', 'text'),
    ('charge_period_end', 'ChargePeriodEnd', 'ts'),
    ('charge_period_start', 'ChargePeriodStart', 'ts'),
    ('commitment_discount_category', 'CommitmentDiscountCategory', 'text'),
    ('commitment_discount_id', 'CommitmentDiscountId', 'text'),
    ('commitment_discount_name', 'CommitmentDiscountName', 'text'),
    ('commitment_discount_quantity', 'CommitmentDiscountQuantity', 'money'),
    ('commitment_discount_status', 'CommitmentDiscountStatus', 'text'),
    ('commitment_discount_type', 'CommitmentDiscountType', 'text'),
    ('commitment_discount_unit', 'CommitmentDiscountUnit', 'text'),
    ('consumed_quantity', 'ConsumedQuantity', 'money'),
    ('consumed_unit', 'ConsumedUnit', 'text'),
    ('contracted_cost', 'ContractedCost', 'money'),
    ('contracted_unit_price', 'ContractedUnitPrice', 'money'),
    ('effective_cost', 'EffectiveCost', 'money'),
    ('invoice_id', 'InvoiceId', 'text'),
    ('invoice_issuer_name', 'InvoiceIssuerName', 'text'),
    ('list_cost', 'ListCost', 'money'),
    ('list_unit_price', 'ListUnitPrice', 'money'),
    ('pricing_category', 'PricingCategory', 'text'),
    ('pricing_currency', 'PricingCurrency', 'text'),
    ('pricing_currency_contracted_unit_price', 'PricingCurrencyContractedUnitPrice', 'money'),
    ('pricing_currency_effective_cost', 'PricingCurrencyEffectiveCost', 'money'),
    ('pricing_currency_list_unit_price', 'PricingCurrencyListUnitPrice', 'money'),
    ('pricing_quantity', 'PricingQuantity', 'money'),
    ('pricing_unit', 'PricingUnit', 'text'),
    ('provider_name', 'ProviderName', 'text'),
    ('publisher_name', 'PublisherName', 'text'),
    ('region_id', 'RegionId', 'text'),
    ('region_name', 'RegionName', 'text'),
    ('resource_id', 'ResourceId', 'text'),
    ('resource_name', 'ResourceName', 'text'),
    ('resource_type', 'ResourceType', 'text'),
    ('service_category', 'ServiceCategory', 'text'),
    ('service_name', 'ServiceName', 'text'),
    ('service_subcategory', 'ServiceSubcategory', 'text'),
    ('sku_id', 'SkuId', 'text'),
    ('sku_meter', 'SkuMeter', 'text'),
    ('sku_price_details', 'SkuPriceDetails', 'json'),
    ('sku_price_id', 'SkuPriceId', 'text'),
    ('sub_account_id', 'SubAccountId', 'text'),
    ('sub_account_name', 'SubAccountName', 'text'),
    ('sub_account_type', 'SubAccountType', 'text'),
    ('tags', 'Tags', 'json'),
    ('service_provider_name', 'ServiceProviderName', 'text'),
    ('host_provider_name', 'HostProviderName', 'text'),
    ('allocated_method_id', 'AllocatedMethodId', 'text'),
    ('allocated_method_details', 'AllocatedMethodDetails', 'json'),
    ('allocated_resource_id', 'AllocatedResourceId', 'text'),
    ('allocated_resource_name', 'AllocatedResourceName', 'text'),
    ('allocated_tags', 'AllocatedTags', 'json'),
    ('contract_applied', 'ContractApplied', 'json'),
    ('x_source_system', 'x_SourceSystem', 'text'),
    ('x_source_format', 'x_SourceFormat', 'text'),
    ('x_source_file', 'x_SourceFile', 'text'),
    ('x_source_row', 'x_SourceRow', 'int'),
    ('x_export_id', 'x_ExportId', 'text'),
    ('x_delivery_id', 'x_DeliveryId', 'text'),
    ('x_ingested_at', 'x_IngestedAt', 'ts'),
    ('x_billing_period', 'x_BillingPeriod', 'text'),
    ('x_native_charge_type', 'x_NativeChargeType', 'text'),
    ('x_native_service_code', 'x_NativeServiceCode', 'text'),
    ('x_usage_type', 'x_UsageType', 'text'),
    ('x_operation', 'x_Operation', 'text'),
    ('x_source_values', 'x_SourceValues', 'json'),
    ('x_model_name', 'x_ModelName', 'text'),
    ('x_token_type', 'x_TokenType', 'text'),
    ('x_token_count', 'x_TokenCount', 'int'),
]) }}
{%- endmacro %}

{#- The FOCUS 1.3 additions among focus_charge_columns() (nullable here): the columns before them are FOCUS 1.2's
    57, the x_ columns after them are custom. -#}
{% macro focus_13_column_ids() -%}
{{ return(['ServiceProviderName', 'HostProviderName', 'AllocatedMethodId', 'AllocatedMethodDetails',
    'AllocatedResourceId', 'AllocatedResourceName', 'AllocatedTags', 'ContractApplied']) }}
{%- endmacro %}

{#- The allowed values of the enumerated FOCUS 1.2 columns, by FOCUS column ID (the spec's lists: chargecategory.md,
    chargeclass.md, chargefrequency.md, pricingcategory.md, commitmentdiscountcategory.md,
    commitmentdiscountstatus.md, capacityreservationstatus.md, servicecategory.md). Checked per row by the generic
    test focus_allowed_values (tests/generic/focus_allowed_values.sql). -#}
{% macro focus_allowed_values() -%}
{{ return({
    'ChargeCategory': ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
    'ChargeClass': ['Correction'],
    'ChargeFrequency': ['One-Time', 'Recurring', 'Usage-Based'],
    'PricingCategory': ['Standard', 'Dynamic', 'Committed', 'Other'],
    'CommitmentDiscountCategory': ['Spend', 'Usage'],
    'CommitmentDiscountStatus': ['Used', 'Unused'],
    'CapacityReservationStatus': ['Used', 'Unused'],
    'ServiceCategory': ['AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases',
        'Developer Tools', 'Multicloud', 'Identity', 'Integration', 'Internet of Things',
        'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking', 'Security', 'Storage', 'Web',
        'Other'],
}) }}
{%- endmacro %}

{#- Strings that mean "no value" (case-insensitive, after trimming) and MUST be NULL instead (null_handling.md):
    the test assert_focus_no_placeholder_strings. -#}
{% macro focus_placeholder_strings() -%}
{{ return(['', 'null', 'n/a', 'none', 'not applicable']) }}
{%- endmacro %}

{#- A list of strings as a SQL list of literals: ('a', 'b'). -#}
{% macro focus_sql_list(values) -%}
    ({%- for v in values %}'{{ v | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%})
{%- endmacro %}

{% macro focus_type(kind) -%}
    {%- if kind == 'money' -%}{{ type_money() }}
    {%- elif kind == 'ts' -%}{{ type_utc_timestamp() }}
    {%- elif kind == 'int' -%}{{ dbt.type_bigint() }}
    {%- elif kind == 'json' -%}{{ type_json_text() }}
    {%- elif kind == 'bool' -%}{{ dbt.type_boolean() }}
    {%- elif kind == 'date' -%}date
    {%- else -%}{{ dbt.type_string() }}
    {%- endif -%}
{%- endmacro %}

{#- Final select of every staging model: each FOCUS column cast to its type, in contract order. The
    relation must provide every column (use null for what the source does not have), except the model-API
    columns (focus_ai_columns: x_model_name, x_token_type, x_token_count), which are null unless ai_columns=true,
    and x_source_values (the delivered values a mapping replaced, JSON), null unless source_values=true. -#}
{% macro select_focus_columns(relation_alias, ai_columns=false, source_values=false) -%}
    {%- for name, _, kind in focus_charge_columns() %}
    {%- if (name in focus_ai_columns() and not ai_columns) or (name == 'x_source_values' and not source_values) %}
    cast(null as {{ focus_type(kind) }}) as {{ name }}{{ "," if not loop.last }}
    {%- else %}
    cast({{ relation_alias }}.{{ name }} as {{ focus_type(kind) }}) as {{ name }}{{ "," if not loop.last }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Model-API detail on token-priced charges (one row per model x token type): the model as the vendor reports
    it, the price book's token type (input, output, cache_read, cache_write, cache_write_1h, ...) and the token
    count (unit: tokens). Cloud bills leave them null here; fct_ai_usage parses cloud token meters. -#}
{% macro focus_ai_columns() -%}
{{ return(['x_model_name', 'x_token_type', 'x_token_count']) }}
{%- endmacro %}

{#- Plain column list, for unions and pass-through selects. -#}
{% macro focus_column_list(relation_alias=none) -%}
    {%- for name, _, _ in focus_charge_columns() %}
    {% if relation_alias %}{{ relation_alias }}.{% endif %}{{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Columns the marts add after the FOCUS record (computed in fct_charges, not by staging). The x_Reporting* / x_Fx*
    columns convert BilledCost and EffectiveCost into var reporting_currency at the rate of the charge's day
    (ChargePeriodStart's date, int_fx_rates_daily: weekend / holiday quotes carried for at most
    max_carry_days of seed fx_policy); x_FxRateMissing = true when no rate is usable (reporting amounts null, never 0 or 1). -#}
{% macro mart_extra_columns() -%}
{{ return([
    ('x_invoice_id_provisional', 'x_InvoiceIdProvisional', 'bool'),
    ('x_reporting_currency', 'x_ReportingCurrency', 'text'),
    ('x_reporting_billed_cost', 'x_ReportingBilledCost', 'money'),
    ('x_reporting_effective_cost', 'x_ReportingEffectiveCost', 'money'),
    ('x_fx_rate', 'x_FxRate', 'money'),
    ('x_fx_rate_date', 'x_FxRateDate', 'date'),
    ('x_fx_rate_source', 'x_FxRateSource', 'text'),
    ('x_fx_rate_missing', 'x_FxRateMissing', 'bool'),
]) }}
{%- endmacro %}

{#- The FOCUS 1.3 allocation and contract columns, null: billing sources never set them (allocation does). -#}
{% macro focus_unallocated_columns() -%}
    {%- for name, _, kind in focus_charge_columns() if name.startswith('allocated_') or name == 'contract_applied' %}
        cast(null as {{ focus_type(kind) }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
