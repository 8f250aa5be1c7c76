{#- Provider FOCUS exports (1.0 / 1.2 columns) as delivered.
    One row per raw row, every column of the raw table: the loader already names and types them (money and
    quantities DECIMAL(38,10), timestamps UTC), so nothing is renamed or cast here. The FOCUS mapping is
    int_*__focus_charges (models/intermediate/billing). A view: the incremental union's key filter reaches the raw
    table's scan through it. -#}
with

source as (

    select * from {{ source('focus_exports', 'focus_rows') }}

),

renamed as (

    select
        availability_zone,
        billed_cost,
        billing_account_id,
        billing_account_name,
        billing_account_type,
        billing_currency,
        billing_period_end,
        billing_period_start,
        capacity_reservation_id,
        capacity_reservation_status,
        charge_category,
        charge_class,
        charge_description,
        charge_frequency,
        charge_period_end,
        charge_period_start,
        commitment_discount_category,
        commitment_discount_id,
        commitment_discount_name,
        commitment_discount_quantity,
        commitment_discount_status,
        commitment_discount_type,
        commitment_discount_unit,
        consumed_quantity,
        consumed_unit,
        contracted_cost,
        contracted_unit_price,
        effective_cost,
        invoice_id,
        invoice_issuer_name,
        list_cost,
        list_unit_price,
        pricing_category,
        pricing_currency,
        pricing_currency_contracted_unit_price,
        pricing_currency_effective_cost,
        pricing_currency_list_unit_price,
        pricing_quantity,
        pricing_unit,
        provider_name,
        publisher_name,
        region_id,
        region_name,
        resource_id,
        resource_name,
        resource_type,
        service_category,
        service_name,
        service_subcategory,
        sku_id,
        sku_meter,
        sku_price_details,
        sku_price_id,
        sub_account_id,
        sub_account_name,
        sub_account_type,
        tags,
        service_provider_name,
        host_provider_name,
        allocated_method_id,
        allocated_method_details,
        allocated_resource_id,
        allocated_resource_name,
        allocated_tags,
        contract_applied,
        amortized_cost,
        charge_type,
        charge_subcategory,
        provider,
        publisher,
        invoice_issuer,
        region,
        usage_quantity,
        usage_unit,
        x_provider_extensions,
        source_focus_version,
        x_billing_period,
        x_source_format,
        x_source_file,
        x_export_id,
        x_delivery_id,
        x_ingested_at,
        x_source_row
    from source

)

select * from renamed
