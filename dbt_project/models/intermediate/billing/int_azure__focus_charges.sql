{#- A view: int_charges_unioned reads only the (re)delivered keys of it, and that filter reaches the raw scan
    through this view and the staging view (a table would map every delivery again on every load). On Spark a
    table: its metastore (Derby) cannot store a view text this long. -#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

{#- Azure cost details (EA and MCA; ActualCost and AmortizedCost) -> the FOCUS charge record.

    Follows Microsoft's own conversion (finops-toolkit docs-mslearn/focus/convert.md): "keep all rows from the
    amortized cost data; filter the actual cost data to ChargeType Purchase or Refund with PricingModel
    Reservation or SavingsPlan", per billing account (FOCUS BillingAccountId), billing period and subscription
    where both datasets are loaded. Cost rule (README.md):
      * BilledCost    = Cost, except rows of the AmortizedCost dataset that are commitment-covered usage
                        (ChargeType Usage, PricingModel Reservation/SavingsPlan) or unused commitment
                        (ChargeType UnusedReservation/UnusedSavingsPlan): 0 (paid by the purchase).
      * EffectiveCost = Cost, except commitment purchases/refunds (ChargeType Purchase/Refund, PricingModel
                        Reservation/SavingsPlan): 0 (FOCUS: a purchase covering future charges has no effective
                        cost; its amortisation is in the AmortizedCost usage and unused rows).
    Cost is CostInBillingCurrency (EA: Cost). -#}

with source as (
    select * from {{ ref('stg_azure_cost_details__cost_details') }}
),

normalized as (
    select
        *,
        {{ azure_norm('charge_type') }} as _charge_type,
        {{ azure_norm('pricing_model') }} as _pricing_model,
        {{ azure_norm('frequency') }} as _frequency,
        x_source_format = 'azure_mca' as _is_mca,
        -- Microsoft's FOCUS conversion: EA BillingAccountId (enrollment); MCA billingProfileId
        case when x_source_format = 'azure_mca' then coalesce(billing_profile_id, billing_account_id)
            else billing_account_id
        end as _billing_account_id,
        case when x_source_format = 'azure_mca' then coalesce(billing_profile_name, billing_account_name)
            else billing_account_name
        end as _billing_account_name,
        lower(coalesce(subscription_id, '')) as _pair_subscription,
        -- MCA prices are in the pricing currency: x exchangeRatePricingToBilling gives the billing currency
        case when x_source_format = 'azure_mca' then coalesce(nullif(exchange_rate_pricing_to_billing, 0), 1)
            else cast(1 as {{ type_money() }})
        end as _fx
    from source
),

classified as (
    select
        *,
        _charge_type in {{ azure_unused_charge_types() }} as _is_unused_commitment,
        _charge_type in {{ azure_purchase_charge_types() }}
        and _pricing_model in {{ azure_commitment_pricing_models() }} as _is_commitment_purchase,
        _charge_type = 'usage' and _pricing_model in {{ azure_commitment_pricing_models() }} as _is_commitment_usage
    from normalized
),

paired as (
    select
        *,
        max(case when x_cost_type = 'AmortizedCost' then 1 else 0 end)
            over (partition by _billing_account_id, x_billing_period, _pair_subscription)
        = 1 as _pair_has_amortized,
        max(case when x_cost_type = 'ActualCost' then 1 else 0 end)
            over (partition by _billing_account_id, x_billing_period, _pair_subscription)
        = 1 as _pair_has_actual,
        -- a row's FOCUS treatment depends on every delivery of its pair: its x_ingested_at is the latest of them,
        -- so that int_charges_unioned (incremental by export and period on x_ingested_at) reprocesses an
        -- export's period when the other dataset of the pair arrives or is re-delivered
        max(x_ingested_at)
            over (partition by _billing_account_id, x_billing_period, _pair_subscription) as _pair_ingested_at
    from classified
),

-- Both datasets loaded: the amortized rows (commitment purchases excluded: they are not amortized data) plus
-- the commitment purchases and refunds of the actual data. One dataset only: all its rows.
kept as (
    select * from paired
    where not (_pair_has_amortized and _pair_has_actual)
        or (x_cost_type = 'AmortizedCost' and not _is_commitment_purchase)
        or (x_cost_type = 'ActualCost' and _is_commitment_purchase)
),

costed as (
    select
        *,
        cast(case
            when x_cost_type = 'AmortizedCost' and (_is_commitment_usage or _is_unused_commitment) then 0
            else coalesce(cost, 0)
        end as {{ type_money() }}) as _billed_cost,
        cast(case
            when _is_commitment_purchase then 0
            else coalesce(cost, 0)
        end as {{ type_money() }}) as _effective_cost,
        case
            when _charge_type in ('usage', 'unusedreservation', 'unusedsavingsplan') then 'Usage'
            -- Microsoft maps every Refund to Purchase; a refund of metered, non-commitment usage is a negative
            -- Usage correction here (a Purchase must have EffectiveCost 0, which would drop the refund from
            -- EffectiveCost); commitment and unmetered (marketplace, support) refunds stay Purchase
            when _charge_type = 'refund' and _pricing_model not in {{ azure_commitment_pricing_models() }}
                and coalesce(meter_id, meter_category) is not null then 'Usage'
            when _charge_type in ('purchase', 'refund') then 'Purchase'
            when _charge_type = 'tax' then 'Tax'
            when _charge_type = 'credit' then 'Credit'
            else 'Adjustment'
        end as _charge_category,
        -- commitment discount ID: benefitId (lower-cased, without a trailing '/' or an empty '/reservations/'
        -- segment as on order-level reservation purchases), else built from the reservation order and ID
        {%- set benefit_or_reservation -%}
            lower(coalesce(
                    benefit_id,
                    case when _pricing_model = 'reservation'
                            and product_order_id is not null
                            and reservation_id is not null
                            then '/providers/microsoft.capacity/reservationorders/'
                                || product_order_id
                                || '/reservations/'
                                || reservation_id
                    end
                ))
        {%- endset %}
        case when _pricing_model in {{ azure_commitment_pricing_models() }} or _is_unused_commitment then
                nullif({{ regex_replace_first(rtrim_chars(benefit_or_reservation, '/'), '/reservations$', '') }}, '')
        end as _commitment_discount_id,
        {{ azure_arm_resource_type('resource_id') }} as _arm_resource_type
    from kept
),

pricing_units as (
    select uom_key, block_size, distinct_units
    from (
        select
            lower(trim(unitofmeasure)) as uom_key,
            cast(pricingblocksize as {{ type_money() }}) as block_size,
            distinctunits as distinct_units,
            row_number() over (
                partition by lower(trim(unitofmeasure))
                order by unitofmeasure
            ) as _rn
        from {{ ref('azure_pricing_units') }}
    ) as pu
    where _rn = 1
),

units as (
    select
        c.*,
        coalesce(pu.block_size, 1) as _block_size,
        coalesce(pu.distinct_units, c.unit_of_measure, 'Units') as _distinct_unit,
        case
            when pu.distinct_units is null then coalesce(c.unit_of_measure, 'Units')
            when pu.block_size = 1 or pu.distinct_units like '%/%' then pu.distinct_units
            else cast(cast(pu.block_size as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
                || ' '
                || pu.distinct_units
        end as _pricing_unit,
        -- FOCUS UnitFormat has a block size only before plain units ('100 Hours'), not before a rate: a rate
        -- unit in blocks ('100 GB/Month', '10 /Month') is priced per single unit ('GB/Month', 'Units/Month'),
        -- as the FinOps toolkit does: PricingQuantity = Quantity x block size, unit prices / block size
        case when pu.block_size > 1 and pu.distinct_units like '%/%' then pu.block_size else 1 end as _price_block,
        -- quantity in the price list's unit (blocks of UnitOfMeasure): Cost = EffectivePrice x Quantity
        coalesce(c.quantity, case when coalesce(c.cost, 0) <> 0 then 1 else 0 end) as _quantity
    from costed as c
    left join pricing_units as pu on pu.uom_key = lower(trim(c.unit_of_measure))
),

-- Unit prices in the pricing currency (EA: the billing currency). Contracted = UnitPrice (negotiated, before
-- commitment discounts), else EffectivePrice, else |cost / quantity|; list = PayGPrice, else the contracted price
-- (EA reports PayGPrice 0 on reservation rows; the FinOps toolkit falls back the same way).
prices as (
    select
        *,
        cast(case
            when unit_price is not null and (unit_price <> 0 or coalesce(effective_price, 0) = 0) then abs(unit_price)
            when effective_price is not null then abs(effective_price)
            when _quantity <> 0 then abs(coalesce(cost_in_pricing_currency, cost / _fx, 0) / _quantity)
            else 0
        end / _price_block as {{ type_money() }}) as _pc_contracted_unit_price
    from units
),

prices2 as (
    select
        *,
        cast(case
            when payg_price is not null and (payg_price <> 0 or _pc_contracted_unit_price = 0)
                then abs(payg_price) / _price_block
            else _pc_contracted_unit_price
        end as {{ type_money() }}) as _pc_list_unit_price
    from prices
),

categorized as (
    select
        p.*,
        case when _charge_category in ('Usage', 'Purchase') then _quantity * _price_block end as _pricing_quantity,
        case when _charge_category in ('Usage', 'Purchase')
                then cast(_pc_list_unit_price * _fx as {{ type_money() }})
        end as _list_unit_price,
        case when _charge_category in ('Usage', 'Purchase')
                then cast(_pc_contracted_unit_price * _fx as {{ type_money() }})
        end as _contracted_unit_price,
        case
            when _commitment_discount_id like '%/microsoft.capacity/%' then 'Reservation'
            when _commitment_discount_id like '%/microsoft.billingbenefits/%' then 'Savings Plan'
            when _commitment_discount_id is not null and _pricing_model = 'savingsplan' then 'Savings Plan'
            when _commitment_discount_id is not null then 'Reservation'
        end as _commitment_discount_type,
        coalesce(lower(trim(coalesce(resource_location, location))), '') as _location_key,
        cast(
            nullif({{ azure_json_text('additional_info', 'RINormalizationRatio') }}, '') as {{ type_money() }}
        ) as _ri_ratio,
        {{ azure_json_text('additional_info', 'VMCapacityReservationId') }} as _capacity_reservation_id
    from prices2 as p
),

services as (
    select
        lower(trim(consumedservice)) as consumed_service_key,
        lower(trim(resourcetype)) as resource_type_key,
        servicename as service_name,
        servicecategory as service_category,
        servicesubcategory as service_subcategory
    from {{ ref('azure_services') }}
),

services_by_type as (
    select resource_type_key, service_name, service_category, service_subcategory
    from (
        select
            *, row_number() over (
                partition by resource_type_key
                order by case when consumed_service_key is null then 0 else 1 end, service_name
            ) as _rn
        from services
        where resource_type_key is not null
    ) as s
    where _rn = 1
),

services_by_consumed as (
    select consumed_service_key, service_name, service_category, service_subcategory
    from (
        select
            *, row_number() over (
                partition by consumed_service_key
                order by n desc, service_name asc
            ) as _rn
        from (
            select consumed_service_key, service_name, service_category, service_subcategory, count(*) as n
            from services
            where consumed_service_key is not null
            group by consumed_service_key, service_name, service_category, service_subcategory
        ) as g
    ) as s
    where _rn = 1
),

service_names as (
    select service_name, min(service_category) as service_category, min(service_subcategory) as service_subcategory
    from services
    group by service_name
),

resource_types as (
    select lower(trim(resourcetype)) as resource_type_key, singulardisplayname as display_name
    from {{ ref('azure_resource_types') }}
),

regions as (
    select lower(trim(originalvalue)) as location_key, regionid as region_id, regionname as region_name
    from {{ ref('azure_regions') }}
),

enriched as (
    select
        c.*,
        case
            -- Azure OpenAI meters ("gpt-4o ... Tokens") bill under MeterCategory "Cognitive Services",
            -- MeterSubCategory "Azure OpenAI": its own service name, Generative AI
            when lower(coalesce(c.meter_subcategory, '')) like '%openai%'
                or lower(coalesce(c.meter_category, '')) like '%openai%' then 'Azure OpenAI'
            else coalesce(
                    se.service_name, st.service_name, sc.service_name,
                    case
                        when
                            lower(c.meter_category) in ('cognitive services', 'azure ai services')
                            then 'Azure AI Services'
                        when lower(c.meter_category) in (
                                'machine learning', 'azure machine learning', 'machine learning studio'
                            )
                            then 'Azure Machine Learning'
                    end,
                    c.meter_category, c.consumed_service, c.product_name, 'Microsoft Azure'
                )
        end as _service_name,
        case
            when lower(coalesce(c.meter_subcategory, '')) like '%openai%'
                or lower(coalesce(c.meter_category, '')) like '%openai%' then 'AI and Machine Learning'
            else coalesce(se.service_category, st.service_category, sc.service_category)
        end as _service_category_lookup,
        case
            when lower(coalesce(c.meter_subcategory, '')) like '%openai%'
                or lower(coalesce(c.meter_category, '')) like '%openai%' then 'Generative AI'
            else coalesce(se.service_subcategory, st.service_subcategory, sc.service_subcategory)
        end as _service_subcategory_lookup,
        rt.display_name as _resource_type_display,
        rg.region_id as _region_id,
        rg.region_name as _region_name
    from categorized as c
    left join services as se
        on se.consumed_service_key = lower(trim(c.consumed_service))
        and c._arm_resource_type = se.resource_type_key
    left join services_by_type as st
        on c._arm_resource_type = st.resource_type_key
    left join services_by_consumed as sc
        on sc.consumed_service_key = lower(trim(c.consumed_service))
    left join resource_types as rt
        on c._arm_resource_type = rt.resource_type_key
    left join regions as rg
        on c._location_key = rg.location_key
),

serviced as (
    select
        e.*,
        coalesce(e._service_category_lookup, sn.service_category, 'Other') as _service_category,
        coalesce(e._service_subcategory_lookup, sn.service_subcategory, 'Other (Other)') as _service_subcategory_raw,
        -- valueless and duplicate tags handled in azure_tags_normalize
        {{ azure_tags_object('e.tags') }} as _tags_object,
        coalesce(e.billing_period_start, cast(e.x_billing_period || '-01' as timestamp)) as _billing_period_start,
        -- SkuId: MCA ProductId; EA has none: MeterId, else PartNumber, else the product name. Required for
        -- Usage/Purchase (last resort: consumed service + charge type), null for Tax.
        case
            when e._charge_category = 'Tax' then null
            when e._charge_category in ('Usage', 'Purchase')
                then
                    coalesce(
                        e.product_id, e.meter_id, e.part_number, e.product_name,
                        lower(coalesce(e.consumed_service, e.publisher_name, 'azure')) || ':' || e._charge_type
                    )
            else coalesce(e.product_id, e.meter_id, e.part_number)
        end as _sku_id
    from enriched as e
    left join service_names as sn
        on e._service_category_lookup is null and e._service_name = sn.service_name
),

final as (
    select
        nullif(availability_zone, '') as availability_zone,
        _billed_cost as billed_cost,
        _billing_account_id as billing_account_id,
        _billing_account_name as billing_account_name,
        case when _billing_account_id is not null then
                case when _is_mca then 'Billing Profile' else 'Billing Account' end
        end as billing_account_type,
        billing_currency,
        coalesce(
            {{ dbt.dateadd('day', 1, 'billing_period_end') }},
            {{ dbt.dateadd('month', 1, '_billing_period_start') }}
        ) as billing_period_end,
        _billing_period_start as billing_period_start,
        _capacity_reservation_id as capacity_reservation_id,
        case when _capacity_reservation_id is not null and _charge_category = 'Usage' then
                case when _arm_resource_type = 'microsoft.compute/capacityreservationgroups/capacityreservations'
                        then 'Unused'
                    else 'Used'
                end
        end as capacity_reservation_status,
        _charge_category as charge_category,
        case when _charge_type = 'refund' then 'Correction' end as charge_class,
        coalesce(product_name, meter_name, charge_type) as charge_description,
        case
            -- a Purchase is never Usage-Based; Azure marks some monthly commitment payments UsageBased (the
            -- FinOps toolkit corrects those to Recurring)
            when _charge_category = 'Purchase'
                then
                    case when _frequency = 'recurring' then 'Recurring'
                        when _frequency = 'usagebased' and _commitment_discount_id is not null then 'Recurring'
                        else 'One-Time'
                    end
            when _frequency = 'onetime' then 'One-Time'
            when _frequency = 'recurring' then 'Recurring'
            when _frequency = 'usagebased' then 'Usage-Based'
            when _charge_category = 'Usage' then 'Usage-Based'
            else 'One-Time'
        end as charge_frequency,
        {{ dbt.dateadd('day', 1, 'charge_date') }} as charge_period_end,
        charge_date as charge_period_start,
        case
            when _commitment_discount_type = 'Reservation' then 'Usage'
            when _commitment_discount_type = 'Savings Plan' then 'Spend'
        end as commitment_discount_category,
        _commitment_discount_id as commitment_discount_id,
        case when _commitment_discount_id is not null then coalesce(benefit_name, reservation_name) end
            as commitment_discount_name,
        case when _commitment_discount_id is not null and _charge_category in ('Usage', 'Purchase') then
                case
                -- Spend (savings plan): the commitment amount consumed (amortized cost) or bought, pricing currency
                    when _commitment_discount_type = 'Savings Plan' and _charge_category = 'Purchase'
                        then coalesce(cost_in_pricing_currency, _billed_cost / _fx)
                    when _commitment_discount_type = 'Savings Plan'
                        then coalesce(cost_in_pricing_currency, cost / _fx, 0)
                    -- Usage (reservation): consumed or unused quantity in distinct units, normalised by the
                    -- instance size flexibility ratio when Azure gives one
                    else cast(_quantity * _block_size as {{ type_money() }}) * coalesce(_ri_ratio, 1)
                end
        end as commitment_discount_quantity,
        case when _commitment_discount_id is not null and _charge_category = 'Usage' then
                case when _is_unused_commitment then 'Unused' else 'Used' end
        end as commitment_discount_status,
        _commitment_discount_type as commitment_discount_type,
        case when _commitment_discount_id is not null and _charge_category in ('Usage', 'Purchase') then
                case when _commitment_discount_type = 'Savings Plan' then coalesce(pricing_currency, billing_currency)
                    else _distinct_unit
                end
        end as commitment_discount_unit,
        case when _charge_category = 'Usage' and not _is_unused_commitment then _quantity * _block_size end
            as consumed_quantity,
        case when _charge_category = 'Usage' and not _is_unused_commitment then _distinct_unit end as consumed_unit,
        case when _charge_category in ('Usage', 'Purchase')
                then cast(_contracted_unit_price * _pricing_quantity as {{ type_money() }})
            else _billed_cost
        end as contracted_cost,
        _contracted_unit_price as contracted_unit_price,
        _effective_cost as effective_cost,
        case when _is_mca then invoice_id end as invoice_id,
        coalesce(partner_name, 'Microsoft') as invoice_issuer_name,
        case when _charge_category in ('Usage', 'Purchase')
                then cast(_list_unit_price * _pricing_quantity as {{ type_money() }})
            else _billed_cost
        end as list_cost,
        _list_unit_price as list_unit_price,
        case
            when _charge_category = 'Tax' then null
            when _is_commitment_purchase then 'Standard'
            when _commitment_discount_id is not null or _pricing_model in {{ azure_commitment_pricing_models() }}
                or _is_unused_commitment then 'Committed'
            when _pricing_model in ('spot', 'lowpriority') then 'Dynamic'
            when _charge_category in ('Usage', 'Purchase') and _pricing_model in ('ondemand', '') then 'Standard'
            when _charge_category in ('Usage', 'Purchase') then 'Other'
        end as pricing_category,
        coalesce(pricing_currency, billing_currency) as pricing_currency,
        case when _charge_category in ('Usage', 'Purchase') then _pc_contracted_unit_price end
            as pricing_currency_contracted_unit_price,
        cast(case
            when _is_commitment_purchase then 0
            when _is_mca then coalesce(cost_in_pricing_currency, _effective_cost / _fx)
            else _effective_cost
        end as {{ type_money() }}) as pricing_currency_effective_cost,
        case when _charge_category in ('Usage', 'Purchase') then _pc_list_unit_price end
            as pricing_currency_list_unit_price,
        _pricing_quantity as pricing_quantity,
        case when _pricing_quantity is not null then _pricing_unit end as pricing_unit,
        'Microsoft' as provider_name,
        case when publisher_name = 'Microsoft Corporation' then 'Microsoft'
            else coalesce(publisher_name, 'Microsoft')
        end as publisher_name,
        case when _location_key <> '' then coalesce(_region_id, replace(_location_key, ' ', '')) end as region_id,
        case when _location_key <> '' then coalesce(_region_name, coalesce(resource_location, location)) end
            as region_name,
        case
            when _is_commitment_purchase and _commitment_discount_id is not null then _commitment_discount_id
            else lower(nullif(resource_id, ''))
        end as resource_id,
        case
            when _is_commitment_purchase and _commitment_discount_id is not null
                then coalesce(benefit_name, reservation_name, {{ azure_last_segment('_commitment_discount_id') }})
            when nullif(resource_id, '') is not null
                then coalesce(nullif(resource_name, ''), {{ azure_last_segment('resource_id') }})
        end as resource_name,
        case
            when _is_commitment_purchase and _commitment_discount_id is not null then _commitment_discount_type
            when
                nullif(resource_id, '') is not null
                then coalesce(_resource_type_display, _arm_resource_type, 'Resource')
        end as resource_type,
        _service_category as service_category,
        {{ focus_ascii('_service_name') }} as service_name,
        {{ azure_focus_subcategory('_service_category', '_service_subcategory_raw') }} as service_subcategory,
        _sku_id as sku_id,
        case when _sku_id is not null then coalesce(meter_name, meter_subcategory, product_name, _sku_id) end
            as sku_meter,
        cast(null as {{ dbt.type_string() }}) as sku_price_details,
        -- no SKU price ID in cost details: SKU + pricing model + term + unit of measure identify the price
        case when _sku_id is not null then
                _sku_id || '|' || case when _pricing_model = '' then 'ondemand' else _pricing_model end
                || '|' || coalesce(term, '') || '|' || coalesce(unit_of_measure, '')
        end as sku_price_id,
        nullif(subscription_id, '') as sub_account_id,
        case when nullif(subscription_id, '') is not null then coalesce(subscription_name, subscription_id) end
            as sub_account_name,
        case when nullif(subscription_id, '') is not null then 'Subscription' end as sub_account_type,
        {{ azure_tags_normalize('_tags_object') }} as tags,
        case when publisher_name = 'Microsoft Corporation' then 'Microsoft'
            else coalesce(publisher_name, 'Microsoft')
        end as service_provider_name,
        'Microsoft' as host_provider_name,
        {{ focus_unallocated_columns() }},
        'azure' as x_source_system,
        x_source_format,
        x_source_file,
        x_source_row,
        x_export_id,
        x_delivery_id,
        _pair_ingested_at as x_ingested_at,
        x_billing_period,
        charge_type as x_native_charge_type,
        consumed_service as x_native_service_code,
        meter_name as x_usage_type,
        cast(null as {{ dbt.type_string() }}) as x_operation
    from serviced
)

select {{ select_focus_columns('final') }} from final
