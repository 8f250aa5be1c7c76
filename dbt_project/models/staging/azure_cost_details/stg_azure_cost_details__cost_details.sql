{#- Azure cost details rows (EA / MCA, ActualCost and AmortizedCost exports) as delivered.
    One row per raw row, every column of the raw table: the loader already names and types them (money and
    quantities DECIMAL(38,10), timestamps UTC), so nothing is renamed or cast here. The FOCUS mapping is
    int_*__focus_charges (models/intermediate/billing). A view: the incremental union's key filter reaches the raw
    table's scan through it. -#}
with

source as (

    select * from {{ source('azure_cost_details', 'cost_details') }}

),

renamed as (

    select
        billing_account_id,
        billing_account_name,
        billing_profile_id,
        billing_profile_name,
        billing_period_start,
        billing_period_end,
        invoice_id,
        previous_invoice_id,
        invoice_section_id,
        invoice_section_name,
        account_name,
        account_owner_id,
        subscription_id,
        subscription_name,
        resource_group,
        cost_center,
        partner_name,
        reseller_name,
        reseller_mpn_id,
        charge_date,
        service_period_start,
        service_period_end,
        product_name,
        product_id,
        part_number,
        meter_id,
        meter_name,
        meter_category,
        meter_subcategory,
        meter_region,
        service_family,
        consumed_service,
        resource_id,
        resource_name,
        resource_location,
        location,
        availability_zone,
        quantity,
        unit_of_measure,
        effective_price,
        unit_price,
        payg_price,
        cost,
        cost_in_pricing_currency,
        cost_in_usd,
        payg_cost_in_billing_currency,
        payg_cost_in_usd,
        exchange_rate_pricing_to_billing,
        exchange_rate_date,
        billing_currency,
        pricing_currency,
        charge_type,
        frequency,
        pricing_model,
        term,
        reservation_id,
        reservation_name,
        benefit_id,
        benefit_name,
        product_order_id,
        product_order_name,
        offer_id,
        publisher_type,
        publisher_id,
        publisher_name,
        plan_name,
        is_azure_credit_eligible,
        cost_allocation_rule_name,
        service_info1,
        service_info2,
        additional_info,
        tags,
        provider,
        x_billing_period,
        x_cost_type,
        x_cost_type_source,
        x_source_format,
        x_source_file,
        x_export_id,
        x_delivery_id,
        x_ingested_at,
        x_source_row
    from source

)

select * from renamed
