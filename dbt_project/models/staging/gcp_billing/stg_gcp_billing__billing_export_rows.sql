{#- GCP Cloud Billing export rows (standard / detailed) as delivered.
    One row per raw row, every column of the raw table: the loader already names and types them (money and
    quantities DECIMAL(38,10), timestamps UTC), so nothing is renamed or cast here. The FOCUS mapping is
    int_*__focus_charges (models/intermediate/billing). A view: the incremental union's key filter reaches the raw
    table's scan through it. -#}
with

source as (

    select * from {{ source('gcp_billing', 'billing_export_rows') }}

),

renamed as (

    select
        billing_account_id,
        service_id,
        service_description,
        sku_id,
        sku_description,
        usage_start_time,
        usage_end_time,
        project_id,
        project_number,
        project_name,
        project_ancestry_numbers,
        location_location,
        location_country,
        location_region,
        location_zone,
        resource_name,
        resource_global_name,
        export_time,
        cost,
        currency,
        currency_conversion_rate,
        usage_amount,
        usage_unit,
        usage_amount_in_pricing_units,
        usage_pricing_unit,
        invoice_month,
        invoice_publisher_type,
        cost_type,
        adjustment_info_id,
        adjustment_info_description,
        adjustment_info_mode,
        adjustment_info_type,
        cost_at_list,
        price_effective_price,
        price_tier_start_amount,
        price_unit,
        price_pricing_unit_quantity,
        transaction_type,
        seller_name,
        subscription_instance_id,
        consumption_model_id,
        consumption_model_description,
        project_labels,
        project_ancestors,
        labels,
        system_labels,
        tags,
        credits,
        credits_amount,
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
