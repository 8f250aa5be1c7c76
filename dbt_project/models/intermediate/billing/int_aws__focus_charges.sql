{#- A view: int_charges_unioned reads only the (re)delivered keys of it, and that filter reaches the raw scan
    through this view and the staging view (a table would map every delivery again on every load). On Spark a
    table: its metastore (Derby) cannot store a view text this long. -#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

{#- AWS CUR (CUR 2.0 Parquet/CSV and legacy CUR, all in aws_cur.line_items) -> the FOCUS 1.2 charge record.

    Grain: one row per CUR line item, plus one generated row per Savings Plan recurring fee / RI fee line with
    unused commitment (ChargeCategory Usage, CommitmentDiscountStatus Unused, BilledCost 0).

    Cost rule (conservation, per file and billing period, to the cent):
      sum(BilledCost)    = sum(line_item_unblended_cost)
      sum(EffectiveCost) = sum(CUR amortised cost) =
          SavingsPlanCoveredUsage -> savings_plan_savings_plan_effective_cost
          SavingsPlanNegation, SavingsPlanUpfrontFee, Fee with a reservation ARN -> 0
          SavingsPlanRecurringFee -> savings_plan_total_commitment_to_date - savings_plan_used_commitment
                                     (on the generated Unused row; the fee row itself is a Purchase with 0)
          DiscountedUsage -> reservation_effective_cost
          RIFee -> reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
                   (on the generated Unused row; the fee row itself is a Purchase with 0)
          anything else -> line_item_unblended_cost
      (missing amortisation values count as 0). -#}

{#- Performance: the staging view (a projection of the raw table) is read directly where needed and every CTE is
    referenced once, so DuckDB inlines them instead of materialising copies of the line items. -#}
with

service_map as (

    select product_code, service_name, service_category, service_subcategory
    from {{ ref('aws_service_categories') }}

),

regions as (

    select region_id, region_name from {{ ref('aws_regions') }}

),

-- AWS pricing units in FOCUS UnitFormat ('Hrs' -> 'Hours', 'GB-Mo' -> 'GB-Months'), computed per distinct unit
units as (

    select raw_unit, {{ aws_cur__focus_unit('raw_unit') }} as focus_unit
    from (
        select distinct pricing_unit as raw_unit
        from {{ ref('stg_aws_cur__line_items') }}
        where pricing_unit is not null
    ) as distinct_units

),

-- FOCUS Tags per distinct (resource_tags, cost_category) pair: far fewer pairs than lines, so the JSON work is
-- done once per tag set and joined back
tag_sets as (

    select resource_tags, cost_category, {{ aws_cur__focus_tags('resource_tags', 'cost_category') }} as tags
    from (
        select distinct resource_tags, cost_category from {{ ref('stg_aws_cur__line_items') }}
    ) as distinct_tag_sets

),

classified as (

    select
        line_items.*,
        coalesce(line_item_unblended_cost, 0) as unblended,
        coalesce(line_item_usage_amount, 0) as usage_amount,

        -- which commitment, if any, the line belongs to
        case
            when line_item_line_item_type in (
                    'SavingsPlanCoveredUsage', 'SavingsPlanNegation',
                    'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'
                ) then 'sp'
            when line_item_line_item_type in ('DiscountedUsage', 'RIFee') then 'ri'
            when line_item_line_item_type = 'Fee' and reservation_reservation_a_r_n is not null then 'ri'
        end as commitment_kind,

        -- amortised cost of the line itself (the unused commitment goes to the generated row)
        case
            when line_item_line_item_type = 'SavingsPlanCoveredUsage'
                then coalesce(savings_plan_savings_plan_effective_cost, 0)
            when line_item_line_item_type in (
                    'SavingsPlanNegation', 'SavingsPlanUpfrontFee',
                    'SavingsPlanRecurringFee', 'RIFee'
                ) then 0
            when line_item_line_item_type = 'DiscountedUsage' then coalesce(reservation_effective_cost, 0)
            when line_item_line_item_type = 'Fee' and reservation_reservation_a_r_n is not null then 0
            else coalesce(line_item_unblended_cost, 0)
        end as line_effective_cost,

        -- unused commitment of the fee lines (EffectiveCost of the generated Unused row)
        case
            when line_item_line_item_type = 'SavingsPlanRecurringFee'
                then coalesce(savings_plan_total_commitment_to_date, 0) - coalesce(savings_plan_used_commitment, 0)
            when line_item_line_item_type = 'RIFee'
                then coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
                    + coalesce(reservation_unused_recurring_fee, 0)
            else 0
        end as unused_commitment_cost

    from {{ ref('stg_aws_cur__line_items') }} as line_items

),

-- one row per line item, plus the Unused rows of the commitment fee lines
row_kinds as (

    select false as is_unused_row
    union all
    select true as is_unused_row

),

expanded as (

    select classified.*, row_kinds.is_unused_row
    from classified
    inner join row_kinds
        on not row_kinds.is_unused_row
        or (
            classified.line_item_line_item_type in ('SavingsPlanRecurringFee', 'RIFee')
            and classified.unused_commitment_cost <> 0
        )

),

categorised as (

    select
        expanded.*,
        case
            when is_unused_row then 'Usage'
            when line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Usage'
            when line_item_line_item_type = 'Tax' then 'Tax'
            when
                line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
                then 'Purchase'
            when line_item_line_item_type = 'Fee' and commitment_kind = 'ri' then 'Purchase'
            -- other one-time fees (support, domain registration, marketplace fees) are not amortised: their
            -- EffectiveCost is their cost, which FOCUS only allows outside "Purchase" (EffectiveCost-C-005)
            when line_item_line_item_type = 'Fee' then 'Usage'
            when line_item_line_item_type = 'Refund' then 'Adjustment'
            when line_item_line_item_type in ('Credit', 'SavingsPlanNegation') then 'Credit'
            when line_item_line_item_type like '%Discount' then 'Credit'
            else 'Adjustment'
        end as charge_category,
        -- the ARN; reports without the ARN column (legacy CURs list only the columns in use) get one id per
        -- payer account (and service, for RIs), so that Used/Unused rows still balance the purchases
        case
            when commitment_kind = 'sp' and line_item_line_item_type = 'SavingsPlanNegation'
                then savings_plan_savings_plan_a_r_n
            when commitment_kind = 'sp'
                then coalesce(
                        savings_plan_savings_plan_a_r_n,
                        'aws:savingsplans:' || coalesce(bill_payer_account_id, 'unknown')
                    )
            when commitment_kind = 'ri' then coalesce(
                    reservation_reservation_a_r_n,
                    'aws:reservations:' || coalesce(bill_payer_account_id, 'unknown') || ':'
                    || coalesce(line_item_product_code, 'unknown')
                )
        end as commitment_discount_id,
        -- list/contracted cost the unit prices are derived from when the CUR has no rate
        case
            when line_item_line_item_type = 'DiscountedUsage'
                then coalesce(pricing_public_on_demand_cost, coalesce(line_item_unblended_cost, 0))
            else coalesce(line_item_unblended_cost, 0) + coalesce(discount_private_rate_discount, 0)
        end as contracted_cost_basis,
        case
            when line_item_line_item_type = 'DiscountedUsage' then pricing_public_on_demand_rate
            when coalesce(discount_private_rate_discount, 0) = 0 then line_item_unblended_rate
        end as contracted_rate_basis
    from expanded

),

priced as (

    select
        categorised.*,
        -- PricingQuantity: the usage amount; 1 for a priced line without quantity; the unused commitment
        -- quantity on Unused rows; NULL outside Usage/Purchase
        case
            when is_unused_row
                then
                    case when commitment_kind = 'sp' then unused_commitment_cost
                        else coalesce(reservation_unused_quantity, 0)
                    end
            when charge_category not in ('Usage', 'Purchase') then null
            when usage_amount = 0
                and (
                    contracted_cost_basis <> 0 or coalesce(pricing_public_on_demand_cost, 0) <> 0
                    or charge_category = 'Purchase'
                ) then 1
            else usage_amount
        end as pricing_quantity
    from categorised

),

unit_priced as (

    select
        priced.*,
        -- unit prices: the CUR rate when the line has one, else cost / quantity; 0 on Unused rows
        case
            when is_unused_row then 0
            when charge_category = 'Purchase'
                then coalesce(
                        case when pricing_quantity = usage_amount then line_item_unblended_rate end,
                        cast(unblended / pricing_quantity as {{ type_money() }})
                    )
            when charge_category = 'Usage' then coalesce(
                    case when pricing_quantity = usage_amount then pricing_public_on_demand_rate end,
                    case when pricing_quantity <> 0
                            then cast(
                                    coalesce(pricing_public_on_demand_cost, contracted_cost_basis) / pricing_quantity
                                    as {{ type_money() }}
                                )
                    end,
                    contracted_rate_basis, 0
                )
        end as list_unit_price,
        case
            when is_unused_row then 0
            when charge_category = 'Purchase'
                then coalesce(
                        case when pricing_quantity = usage_amount then line_item_unblended_rate end,
                        cast(unblended / pricing_quantity as {{ type_money() }})
                    )
            when charge_category = 'Usage' then coalesce(
                    case when pricing_quantity = usage_amount then contracted_rate_basis end,
                    case when pricing_quantity <> 0
                            then cast(contracted_cost_basis / pricing_quantity as {{ type_money() }})
                    end,
                    0
                )
        end as contracted_unit_price
    from priced

),

final as (

    select
        line_item_availability_zone as availability_zone,
        cast(case when is_unused_row then 0 else unblended end as {{ type_money() }}) as billed_cost,
        bill_payer_account_id as billing_account_id,
        coalesce(bill_payer_account_name, bill_payer_account_id) as billing_account_name,
        case when bill_payer_account_id is not null then 'Payer Account' end as billing_account_type,
        line_item_currency_code as billing_currency,
        coalesce(
            bill_billing_period_end_date,
            {{ dbt.dateadd('month', 1, 'bill_billing_period_start_date') }}
        ) as billing_period_end,
        bill_billing_period_start_date as billing_period_start,
        cast(null as {{ dbt.type_string() }}) as capacity_reservation_id,
        cast(null as {{ dbt.type_string() }}) as capacity_reservation_status,
        charge_category,
        cast(null as {{ dbt.type_string() }}) as charge_class,
        case
            when is_unused_row and commitment_kind = 'sp' then 'Unused Savings Plan commitment'
            when is_unused_row then 'Unused Reserved Instance hours'
            -- a line without a description (the CUR leaves it empty on some lines): what the line is, from its
            -- product and usage type, rather than NULL (FOCUS: ChargeDescription SHOULD NOT be null)
            else coalesce(
                    line_item_line_item_description,
                    nullif(trim(concat_ws(
                        ' ', coalesce(product_product_name, line_item_product_code),
                        line_item_usage_type
                    )), '')
                )
        end as charge_description,
        case
            when is_unused_row then 'Usage-Based'
            when line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring'
            when line_item_line_item_type in ('SavingsPlanUpfrontFee', 'Fee') then 'One-Time'
            when charge_category = 'Usage' then 'Usage-Based'
            when line_item_line_item_type = 'SavingsPlanNegation' or line_item_line_item_type like '%Discount'
                then 'Usage-Based'
            when charge_category = 'Tax' and bill_bill_type = 'Anniversary' then 'Recurring'
            else 'One-Time'
        end as charge_frequency,
        coalesce(line_item_usage_end_date, bill_billing_period_end_date) as charge_period_end,
        coalesce(line_item_usage_start_date, bill_billing_period_start_date) as charge_period_start,
        case when commitment_discount_id is not null then
                case commitment_kind when 'sp' then 'Spend' when 'ri' then 'Usage' end
        end as commitment_discount_category,
        commitment_discount_id,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_name,
        case
            when commitment_discount_id is null or charge_category not in ('Usage', 'Purchase') then null
            when is_unused_row then pricing_quantity
            when line_item_line_item_type = 'SavingsPlanCoveredUsage'
                then coalesce(savings_plan_savings_plan_effective_cost, 0)
            when line_item_line_item_type = 'SavingsPlanRecurringFee'
                then coalesce(savings_plan_total_commitment_to_date, unblended)
            when line_item_line_item_type = 'SavingsPlanUpfrontFee' then unblended
            when line_item_line_item_type = 'DiscountedUsage' then usage_amount
            else coalesce(reservation_total_reserved_units, usage_amount)
        end as commitment_discount_quantity,
        case
            when commitment_discount_id is null or charge_category <> 'Usage' then null
            when is_unused_row then 'Unused'
            else 'Used'
        end as commitment_discount_status,
        case when commitment_discount_id is not null then
                case commitment_kind
                    when 'sp' then coalesce(savings_plan_offering_type, 'SavingsPlans')
                    when 'ri' then 'Reserved Instance'
                end
        end as commitment_discount_type,
        case
            when commitment_discount_id is null or charge_category not in ('Usage', 'Purchase') then null
            when commitment_kind = 'sp' then coalesce(line_item_currency_code, 'USD')
            else 'Hours'
        end as commitment_discount_unit,
        case when charge_category = 'Usage' and not is_unused_row then usage_amount end as consumed_quantity,
        case when charge_category = 'Usage' and not is_unused_row then coalesce(units.focus_unit, 'Units') end
            as consumed_unit,
        case
            when charge_category in ('Usage', 'Purchase')
                then {{ aws_cur__money_product('contracted_unit_price', 'pricing_quantity') }}
            when line_item_line_item_type = 'SavingsPlanNegation' then 0
            else unblended
        end as contracted_cost,
        contracted_unit_price,
        cast(
            case when is_unused_row then unused_commitment_cost else line_effective_cost end
            as {{ type_money() }}
        ) as effective_cost,
        bill_invoice_id as invoice_id,
        -- FOCUS's validator requires BilledCost 0 whenever InvoiceIssuerName differs from ProviderName
        -- (BilledCost-C-005); AWS invoices every line of the CUR, Marketplace included, so both are 'AWS'
        'AWS' as invoice_issuer_name,
        case
            when charge_category in ('Usage', 'Purchase')
                then {{ aws_cur__money_product('list_unit_price', 'pricing_quantity') }}
            when line_item_line_item_type = 'SavingsPlanNegation' or line_item_line_item_type like '%Discount'
                then 0
            else unblended
        end as list_cost,
        list_unit_price,
        case
            when charge_category not in ('Usage', 'Purchase') then null
            when charge_category = 'Purchase' then 'Standard'
            when commitment_discount_id is not null then 'Committed'
            when pricing_term = 'Spot' or line_item_usage_type like '%SpotUsage%' then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        line_item_currency_code as pricing_currency,
        contracted_unit_price as pricing_currency_contracted_unit_price,
        cast(
            case when is_unused_row then unused_commitment_cost else line_effective_cost end
            as {{ type_money() }}
        ) as pricing_currency_effective_cost,
        list_unit_price as pricing_currency_list_unit_price,
        pricing_quantity,
        case
            when pricing_quantity is null then null
            when is_unused_row and commitment_kind = 'sp' then coalesce(line_item_currency_code, 'USD')
            else coalesce(units.focus_unit, 'Units')
        end as pricing_unit,
        'AWS' as provider_name,
        case
            when bill_billing_entity = 'AWS Marketplace' then coalesce(line_item_legal_entity, 'AWS Marketplace')
            else 'AWS'
        end as publisher_name,
        nullif(product_region_code, 'global') as region_id,
        case when nullif(product_region_code, 'global') is not null
                then coalesce(regions.region_name, product_location, product_region_code)
        end as region_name,
        case
            when charge_category in ('Purchase') or is_unused_row
                then coalesce(line_item_resource_id, commitment_discount_id)
            else line_item_resource_id
        end as resource_id,
        cast(null as {{ dbt.type_string() }}) as resource_name,
        line_item_product_code,
        product_product_name,
        product_product_family,
        is_unused_row,
        commitment_kind,
        -- SKU
        case
            when charge_category = 'Tax' then null
            when product_sku is not null then product_sku
            when charge_category in ('Usage', 'Purchase') then
                coalesce(line_item_product_code, 'AWS') || ':'
                || coalesce(line_item_usage_type, line_item_line_item_type)
        end as sku_id,
        pricing_rate_code,
        pricing_rate_id,
        pricing_term,
        product_sku,
        product_instance_type,
        line_item_usage_type,
        line_item_line_item_type,
        line_item_operation,
        line_item_usage_account_id as sub_account_id,
        coalesce(line_item_usage_account_name, line_item_usage_account_id) as sub_account_name,
        case when line_item_usage_account_id is not null then 'Linked Account' end as sub_account_type,
        tag_sets.tags,
        x_source_format,
        x_source_file,
        x_source_row,
        x_export_id,
        x_delivery_id,
        x_ingested_at,
        x_billing_period
    from unit_priced
    left join regions on unit_priced.product_region_code = regions.region_id
    left join units on unit_priced.pricing_unit = units.raw_unit
    left join tag_sets
        on tag_sets.resource_tags is not distinct from unit_priced.resource_tags
        and tag_sets.cost_category is not distinct from unit_priced.cost_category

),

focus as (

    select
        final.*,
        case
            when final.resource_id is null then null
            when final.is_unused_row or final.charge_category = 'Purchase'
                then
                    case final.commitment_kind when 'sp' then 'Savings Plan' when 'ri' then 'Reserved Instance'
                        else coalesce(final.product_product_family, 'Purchase')
                    end
            else coalesce(final.product_product_family, final.line_item_product_code, 'AWS Resource')
        end as resource_type,
        case
            when services.service_name is not null then services.service_name
            when final.line_item_product_code like 'AmazonBedrock%'
                or final.product_product_name like '%Bedrock%' then 'Amazon Bedrock'
            else coalesce({{ focus_ascii('final.product_product_name') }}, final.line_item_product_code, 'AWS')
        end as service_name,
        case
            when services.service_name is not null then services.service_category
            when final.line_item_product_code like 'AmazonBedrock%'
                or final.product_product_name like '%Bedrock%' then 'AI and Machine Learning'
            else 'Other'
        end as service_category,
        case
            when services.service_name is not null then services.service_subcategory
            when final.line_item_product_code like 'AmazonBedrock%'
                or final.product_product_name like '%Bedrock%' then 'Generative AI'
            else 'Other (Other)'
        end as service_subcategory,
        case when final.sku_id is not null
                then coalesce(final.line_item_usage_type, final.product_product_family, final.line_item_line_item_type)
        end as sku_meter,
        -- SkuPriceId: AWS's rate code (SKU.OfferTermCode.RateCode) when it belongs to the SKU, otherwise the SKU
        -- qualified by the rate id / term, so that every SkuPriceId has exactly one parent SkuId
        case
            when final.sku_id is null or final.charge_category = 'Tax' then null
            when final.pricing_rate_code is not null and final.product_sku is not null
                and substr(final.pricing_rate_code, 1, length(final.product_sku) + 1) = final.product_sku || '.'
                then final.pricing_rate_code
            else final.sku_id || ':' || coalesce(
                    final.pricing_rate_id, final.pricing_rate_code,
                    final.pricing_term, final.line_item_line_item_type
                )
        end as sku_price_id,
        'aws' as x_source_system,
        final.line_item_line_item_type as x_native_charge_type,
        final.line_item_product_code as x_native_service_code,
        final.line_item_usage_type as x_usage_type,
        final.line_item_operation as x_operation,
        cast(null as {{ dbt.type_string() }}) as service_provider_name,
        cast(null as {{ dbt.type_string() }}) as host_provider_name,
        {{ focus_unallocated_columns() }}
    from final
    left join service_map as services on final.line_item_product_code = services.product_code

),

with_details as (

    select
        focus.*,
        case when focus.sku_price_id is not null
                then {{ aws_cur__sku_price_details('focus.product_instance_type') }}
        end as sku_price_details
    from focus

)

select {{ select_focus_columns('with_details') }} from with_details
