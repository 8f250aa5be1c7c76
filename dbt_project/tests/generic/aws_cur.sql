{#- Conservation: per delivery, file and billing period, the FOCUS mapping's BilledCost and EffectiveCost equal
    the CUR line items' (`line_items`: the staging model) unblended cost and amortised cost to the cent. Returns
    the periods that do not. -#}
{% test aws_cur_costs_conserved(model, line_items) %}
with staged as (
    select x_delivery_id, x_source_file, x_billing_period,
           sum(billed_cost) as billed, sum(effective_cost) as effective
    from {{ model }}
    group by 1, 2, 3
),
raw as (
    select x_delivery_id, x_source_file, x_billing_period,
           sum(coalesce(line_item_unblended_cost, 0)) as billed,
           sum(case
                   when line_item_line_item_type = 'SavingsPlanCoveredUsage'
                       then coalesce(savings_plan_savings_plan_effective_cost, 0)
                   when line_item_line_item_type = 'SavingsPlanRecurringFee'
                       then coalesce(savings_plan_total_commitment_to_date, 0) - coalesce(savings_plan_used_commitment, 0)
                   when line_item_line_item_type in ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') then 0
                   when line_item_line_item_type = 'DiscountedUsage' then coalesce(reservation_effective_cost, 0)
                   when line_item_line_item_type = 'RIFee'
                       then coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
                            + coalesce(reservation_unused_recurring_fee, 0)
                   when line_item_line_item_type = 'Fee' and reservation_reservation_a_r_n is not null then 0
                   else coalesce(line_item_unblended_cost, 0)
               end) as effective
    from {{ line_items }}
    group by 1, 2, 3
)
select
    coalesce(raw.x_delivery_id, staged.x_delivery_id) as x_delivery_id,
    coalesce(raw.x_source_file, staged.x_source_file) as x_source_file,
    coalesce(raw.x_billing_period, staged.x_billing_period) as x_billing_period,
    raw.billed as raw_billed, staged.billed as staged_billed,
    raw.effective as raw_effective, staged.effective as staged_effective
from raw
full outer join staged
    on raw.x_delivery_id = staged.x_delivery_id
   and raw.x_source_file = staged.x_source_file
   and raw.x_billing_period = staged.x_billing_period
where abs(coalesce(raw.billed, 0) - coalesce(staged.billed, 0)) >= 0.005
   or abs(coalesce(raw.effective, 0) - coalesce(staged.effective, 0)) >= 0.005
{% endtest %}

{#- The FOCUS 1.2 row rules the official validator checks (nullability, unit-price identities), in one scan of
    the model: returns the offending rows with the rule they break. -#}
{% test aws_cur_focus_invariants(model) %}
with checks as (
    select
        x_source_file, x_source_row, charge_category, x_native_charge_type,
        case
            when (commitment_discount_id is null) <> (commitment_discount_category is null)
              or (commitment_discount_id is null) <> (commitment_discount_type is null)
                then 'CommitmentDiscountCategory/Type null iff CommitmentDiscountId null'
            when (commitment_discount_status is not null)
                 <> (commitment_discount_id is not null and charge_category = 'Usage')
                then 'CommitmentDiscountStatus set iff Id set and ChargeCategory Usage'
            when (commitment_discount_quantity is not null)
                 <> (commitment_discount_id is not null and charge_category in ('Usage', 'Purchase'))
              or (commitment_discount_quantity is null) <> (commitment_discount_unit is null)
                then 'CommitmentDiscountQuantity/Unit set iff Id set and Usage/Purchase'
            when charge_category in ('Usage', 'Purchase')
                 and (list_unit_price is null or contracted_unit_price is null or pricing_quantity is null
                      or pricing_unit is null or sku_id is null or sku_price_id is null or pricing_category is null)
                then 'Usage/Purchase need unit prices, PricingQuantity/Unit, SkuId, SkuPriceId, PricingCategory'
            when charge_category = 'Tax'
                 and (list_unit_price is not null or contracted_unit_price is not null or pricing_quantity is not null
                      or sku_id is not null or sku_price_id is not null or pricing_category is not null)
                then 'Tax has no unit prices, quantity, SKU or PricingCategory'
            when (consumed_quantity is not null)
                 <> (charge_category = 'Usage' and coalesce(commitment_discount_status, '') <> 'Unused')
              or (consumed_quantity is null) <> (consumed_unit is null)
                then 'ConsumedQuantity/Unit set iff Usage (not Unused)'
            when (pricing_quantity is null) <> (pricing_unit is null)
                then 'PricingUnit null iff PricingQuantity null'
            when (region_id is null) <> (region_name is null)
              or (sub_account_id is null) <> (sub_account_name is null)
              or (sub_account_id is null) <> (sub_account_type is null)
              or (billing_account_id is null) <> (billing_account_type is null)
                then 'RegionName / SubAccountName / SubAccountType / BillingAccountType iff their Id'
            when charge_category = 'Purchase' and charge_frequency = 'Usage-Based'
                then 'Purchase is not Usage-Based'
            when charge_category = 'Purchase' and effective_cost <> 0
                then 'Purchase has EffectiveCost 0'
            when list_unit_price is not null and pricing_quantity is not null
                 and abs(list_unit_price * pricing_quantity - list_cost) > 1e-9 * greatest(abs(list_cost), 1)
                then 'ListCost = ListUnitPrice x PricingQuantity'
            when contracted_unit_price is not null and pricing_quantity is not null
                 and abs(contracted_unit_price * pricing_quantity - contracted_cost)
                     > 1e-9 * greatest(abs(contracted_cost), 1)
                then 'ContractedCost = ContractedUnitPrice x PricingQuantity'
        end as broken_rule
    from {{ model }}
)
select * from checks where broken_rule is not null
{% endtest %}
