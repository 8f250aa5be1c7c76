{#- A view: int_charges_unioned reads only the (re)delivered keys of it, and that filter reaches the raw scan
    through this view and the staging view (a table would map every delivery again on every load). On Spark a
    table: its metastore (Derby) cannot store a view text this long. -#}
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

{#- FOCUS exports (AWS/Azure/GCP/OCI/SaaS, FOCUS 1.0 and 1.1/1.2) normalised to the FOCUS 1.2 charge record.

    Cost rule (conservation): BilledCost = the export's BilledCost; EffectiveCost = the export's EffectiveCost
    (FOCUS 0.5 AmortizedCost). Both pass through unchanged, so per billing period they sum to the file's totals.
    ListCost / ContractedCost / unit prices are derived where missing or inconsistent (README "Defaults"). -#}
{%- set default_currency = var('focus_exports_default_billing_currency', 'USD') -%}
{%- set derive_pricing_currency = var('focus_exports_derive_pricing_currency', true) -%}
{%- set money = type_money() -%}
{%- set passthrough_text = [
    'availability_zone', 'billing_account_id',
    'commitment_discount_name', 'resource_id', 'resource_name', 'resource_type', 'service_name',
    'sku_id', 'sub_account_id', 'service_provider_name', 'host_provider_name',
    'allocated_method_id', 'allocated_resource_id', 'allocated_resource_name',
] -%}

with source as (

    select * from {{ ref('stg_focus_exports__focus_rows') }}

),

dated as (

    select
        source.*,
        {{ focus_exports_clean_text('billing_period_start') }} as billing_period_start_text,
        {{ focus_exports_clean_text('billing_period_end') }} as billing_period_end_text,
        {{ focus_exports_clean_text('charge_period_start') }} as charge_period_start_text,
        {{ focus_exports_clean_text('charge_period_end') }} as charge_period_end_text
    from source

),

-- 1. renames (FOCUS 0.5 / 1.0-preview names, Azure's 1.0 x_InvoiceId / x_PricingCurrency), placeholders -> NULL,
--    dates parsed to UTC
renamed as (

    select
        {%- for c in passthrough_text %}
        {{ focus_exports_clean_text(c) }} as {{ c }},
        {%- endfor %}
        {{ focus_exports_clean_text('billing_account_name') }} as src_billing_account_name,
        {{ focus_exports_clean_text('charge_description') }} as src_charge_description,
        {{ focus_exports_clean_text('billing_account_type') }} as src_billing_account_type,
        {{ focus_exports_clean_text('sub_account_type') }} as src_sub_account_type,
        {{ focus_exports_clean_text('sub_account_name') }} as src_sub_account_name,
        {{ focus_exports_clean_text('billing_currency') }} as src_billing_currency,
        {{ focus_exports_clean_text('capacity_reservation_id') }} as capacity_reservation_id,
        {{ focus_exports_clean_text('capacity_reservation_status') }} as src_capacity_reservation_status,
        coalesce(
            {{ focus_exports_clean_text('charge_category') }}, {{ focus_exports_clean_text('charge_type') }}
        ) as src_charge_category,
        {{ focus_exports_clean_text('charge_subcategory') }} as src_charge_subcategory,
        {{ focus_exports_clean_text('charge_class') }} as src_charge_class,
        {{ focus_exports_clean_text('charge_frequency') }} as src_charge_frequency,
        {{ focus_exports_clean_text('commitment_discount_category') }} as src_commitment_discount_category,
        {{ focus_exports_clean_text('commitment_discount_id') }} as commitment_discount_id,
        {{ focus_exports_clean_text('commitment_discount_status') }} as src_commitment_discount_status,
        {{ focus_exports_clean_text('commitment_discount_type') }} as src_commitment_discount_type,
        {{ focus_exports_unit('commitment_discount_unit') }} as src_commitment_discount_unit,
        {{ focus_exports_clean_text('commitment_discount_unit') }} as delivered_commitment_discount_unit,
        coalesce(
            {{ focus_exports_clean_text('consumed_unit') }}, {{ focus_exports_clean_text('usage_unit') }}
        ) as delivered_consumed_unit,
        {{ focus_exports_clean_text('pricing_unit') }} as delivered_pricing_unit,
        commitment_discount_quantity as src_commitment_discount_quantity,
        coalesce(consumed_quantity, usage_quantity) as src_consumed_quantity,
        coalesce(
            {{ focus_exports_unit('consumed_unit') }}, {{ focus_exports_unit('usage_unit') }}
        ) as src_consumed_unit,
        coalesce(
            {{ focus_exports_clean_text('invoice_id') }}, {{ focus_exports_extension('x_InvoiceId') }}
        ) as invoice_id,
        coalesce(
            {{ focus_exports_clean_text('invoice_issuer_name') }}, {{ focus_exports_clean_text('invoice_issuer') }}
        ) as src_invoice_issuer_name,
        coalesce(
            {{ focus_exports_clean_text('provider_name') }}, {{ focus_exports_clean_text('provider') }}
        ) as src_provider_name,
        coalesce(
            {{ focus_exports_clean_text('publisher_name') }}, {{ focus_exports_clean_text('publisher') }}
        ) as src_publisher_name,
        coalesce(
            {{ focus_exports_clean_text('region_id') }}, {{ focus_exports_clean_text('region') }}
        ) as src_region_id,
        coalesce(
            {{ focus_exports_clean_text('region_name') }}, {{ focus_exports_clean_text('region') }}
        ) as src_region_name,
        {{ focus_exports_clean_text('pricing_category') }} as src_pricing_category,
        coalesce(
            {{ focus_exports_clean_text('pricing_currency') }}, {{ focus_exports_extension('x_PricingCurrency') }}
        ) as pricing_currency,
        {{ focus_exports_unit('pricing_unit') }} as src_pricing_unit,
        {{ focus_exports_clean_text('service_category') }} as src_service_category,
        {{ focus_exports_clean_text('service_subcategory') }} as src_service_subcategory,
        {{ focus_exports_clean_text('sku_price_id') }} as src_sku_price_id,
        {{ focus_exports_clean_text('sku_meter') }} as src_sku_meter,
        {{ focus_exports_json_object(focus_exports_clean_text('sku_price_details')) }} as src_sku_price_details,
        {{ focus_exports_json_object(focus_exports_clean_text('tags')) }} as tags,
        {{ focus_exports_json_object(
            focus_exports_clean_text('allocated_method_details')
        ) }} as allocated_method_details,
        {{ focus_exports_json_object(focus_exports_clean_text('allocated_tags')) }} as allocated_tags,
        {{ focus_exports_clean_text('contract_applied') }} as contract_applied,

        {{ focus_exports_parse_timestamp('billing_period_start_text') }} as billing_period_start,
        {{ focus_exports_parse_timestamp('billing_period_end_text') }} as billing_period_end,
        {{ focus_exports_parse_timestamp('charge_period_start_text') }} as charge_period_start,
        {{ focus_exports_parse_timestamp('charge_period_end_text') }} as charge_period_end,

        -- money: BilledCost and EffectiveCost pass through (the conservation rule)
        coalesce(billed_cost, 0) as billed_cost,
        coalesce(effective_cost, amortized_cost, 0) as effective_cost,
        list_cost as src_list_cost,
        contracted_cost as src_contracted_cost,
        list_unit_price as src_list_unit_price,
        contracted_unit_price as src_contracted_unit_price,
        pricing_quantity as src_pricing_quantity,
        pricing_currency_list_unit_price,
        pricing_currency_contracted_unit_price,
        pricing_currency_effective_cost,

        {{ focus_exports_extension('x_ServiceCode') }} as ext_service_code,
        {{ focus_exports_extension('x_SkuMeterCategory') }} as ext_meter_category,
        {{ focus_exports_extension('x_ServiceId') }} as ext_service_id,
        {{ focus_exports_extension('x_UsageType') }} as ext_usage_type,
        {{ focus_exports_extension('x_Operation') }} as ext_operation,
        {{ focus_exports_extension('x_SkuMeterName') }} as ext_meter_name,

        x_source_format,
        x_source_file,
        x_source_row,
        x_export_id,
        x_delivery_id,
        x_ingested_at,
        x_billing_period
    from dated

),

-- 2. values FOCUS 1.0 (or a sloppy export) allowed and 1.2 does not
classified as (

    select
        renamed.*,
        case lower(src_charge_category)
            when 'usage' then 'Usage'
            when 'purchase' then 'Purchase'
            when 'tax' then 'Tax'
            when 'credit' then 'Credit'
            when 'adjustment' then 'Adjustment'
        end as charge_category,
        case when lower(src_charge_class) = 'correction' then 'Correction' end as charge_class,
        replace(replace(replace(lower(src_charge_frequency), '-', ''), ' ', ''), '_', '') as charge_frequency_key,
        case replace(replace(replace(lower(src_pricing_category), '-', ''), ' ', ''), '_', '')
            when 'standard' then 'Standard'
            when 'ondemand' then 'Standard'
            when 'dynamic' then 'Dynamic'
            when 'spot' then 'Dynamic'
            when 'committed' then 'Committed'
            when 'commitmentbased' then 'Committed'
            when 'other' then 'Other'
            else case when src_pricing_category is not null then 'Other' end
        end as pricing_category,
        coalesce(src_billing_currency, '{{ default_currency }}') as billing_currency,
        coalesce(src_provider_name, src_publisher_name, src_invoice_issuer_name) as named_provider,
        {{ focus_exports_source_system(
            'coalesce(src_provider_name, src_publisher_name, src_invoice_issuer_name)', 'x_export_id') }} as x_source_system
    from renamed

),

-- ServiceSubcategory for exports without a valid one (FOCUS 1.0): the subcategory the native-export models give the
-- same service (AWS product code = x_ServiceCode; Azure ServiceName), so that a ServiceName keeps one
-- subcategory across CUR/Cost Details and FOCUS rows
service_hints as (

    select
        'aws' as hint_system, product_code as hint_key, service_category as hint_category,
        service_subcategory as hint_subcategory
    from {{ ref('aws_service_categories') }}
    union all
    select 'azure', servicename, min(servicecategory), min(servicesubcategory)
    from {{ ref('azure_services') }}
    group by servicename
    having count(distinct servicesubcategory) = 1 and count(distinct servicecategory) = 1

),

with_defaults as (

    select
        c.*,
        coalesce(c.named_provider, d.provider_name) as provider_name,
        d.billing_account_type as default_billing_account_type,
        d.sub_account_type as default_sub_account_type,
        cat.service_category as matched_service_category,
        h.hint_category,
        h.hint_subcategory,
        -- the name the same delivery (export and billing period) gives the account on its other rows: never a
        -- name from another period (StringHandling: a renamed entity must not alter earlier charges); keyed by
        -- the merge key, so the incremental filter on (x_export_id, x_billing_period) still reaches the raw scan
        max(c.src_billing_account_name) over (
            partition by c.x_export_id, c.x_billing_period, c.billing_account_id
        ) as known_billing_account_name,
        max(c.src_sub_account_name) over (
            partition by c.x_export_id, c.x_billing_period, c.sub_account_id
        ) as known_sub_account_name
    from classified as c
    left join {{ ref('focus_exports__provider_defaults') }} as d
        on c.x_source_system = d.provider_key
    left join (
        select distinct service_category, {{ focus_exports_category_key('service_category') }} as category_key
        from {{ ref('focus_exports__service_subcategories') }}
    ) as cat
        on cat.category_key = {{ focus_exports_category_key('c.src_service_category') }}
    left join service_hints as h
        on c.x_source_system = h.hint_system
        and h.hint_key = case c.x_source_system when 'aws' then c.ext_service_code else c.service_name end

),

normalised as (

    select
        w.*,
        case
            when w.charge_frequency_key = 'onetime' then 'One-Time'
            when w.charge_frequency_key = 'recurring' then 'Recurring'
            when w.charge_frequency_key = 'usagebased' and w.charge_category <> 'Purchase' then 'Usage-Based'
            when w.charge_category = 'Usage' then 'Usage-Based'
            else 'One-Time'
        end as charge_frequency,
        coalesce(w.matched_service_category, 'Other') as service_category,
        coalesce(
            sub.service_subcategory,
            case when w.hint_category = coalesce(w.matched_service_category, 'Other') then w.hint_subcategory end,
            'Other (' || coalesce(w.matched_service_category, 'Other') || ')'
        ) as service_subcategory,
        case when w.charge_category = 'Tax' then null else w.src_pricing_quantity end as pricing_quantity,
        -- commitment discounts: the related columns only when CommitmentDiscountId is set
        case
            when w.commitment_discount_id is null then null
            when lower(w.src_commitment_discount_category) = 'spend' then 'Spend'
            when lower(w.src_commitment_discount_category) = 'usage' then 'Usage'
            when w.src_commitment_discount_category is not null then w.src_commitment_discount_category
            when
                upper(w.src_commitment_discount_unit)
                = upper(coalesce(w.src_billing_currency, '{{ default_currency }}'))
                then 'Spend'
            else 'Usage'
        end as commitment_discount_category,
        case
            when w.commitment_discount_id is null or w.charge_category <> 'Usage' then null
            when lower(w.src_commitment_discount_status) = 'used' then 'Used'
            when lower(w.src_commitment_discount_status) = 'unused' then 'Unused'
            when lower(w.src_charge_subcategory) = 'used commitment' then 'Used'
            when lower(w.src_charge_subcategory) = 'unused commitment' then 'Unused'
            when w.resource_id = w.commitment_discount_id then 'Unused'
            else 'Used'
        end as commitment_discount_status,
        case when w.commitment_discount_id is not null then w.src_commitment_discount_type end
            as commitment_discount_type,
        case when w.commitment_discount_id is not null then w.src_commitment_discount_quantity end
            as commitment_discount_quantity,
        case when w.commitment_discount_id is not null then w.src_commitment_discount_unit end
            as commitment_discount_unit,
        case
            when w.capacity_reservation_id is null then null
            when lower(w.src_capacity_reservation_status) = 'used' then 'Used'
            when lower(w.src_capacity_reservation_status) = 'unused' then 'Unused'
            when w.charge_category <> 'Usage' then null
            when w.resource_id = w.capacity_reservation_id then 'Unused'
            else 'Used'
        end as capacity_reservation_status,
        -- account / region pairs: name and type non-null iff the id is
        case when w.billing_account_id is not null
                then coalesce(w.src_billing_account_type, w.default_billing_account_type, 'Billing Account')
        end as billing_account_type,
        case when w.sub_account_id is not null
                then coalesce(w.src_sub_account_type, w.default_sub_account_type, 'Sub Account')
        end as sub_account_type,
        -- names: the export's; else the name the same delivery gives the account on other rows; else the id
        -- (FOCUS: BillingAccountName MUST NOT be null when the provider supports names, SubAccountName null iff
        -- SubAccountId is)
        case when w.billing_account_id is not null
                then coalesce(w.src_billing_account_name, w.known_billing_account_name, w.billing_account_id)
            else w.src_billing_account_name
        end as billing_account_name,
        case when w.sub_account_id is not null
                then coalesce(w.src_sub_account_name, w.known_sub_account_name, w.sub_account_id)
        end as sub_account_name,
        -- ChargeDescription SHOULD NOT be null: without one, what the row says about itself
        coalesce(
            w.src_charge_description,
            coalesce(w.service_name, w.provider_name)
            || coalesce(' - ' || coalesce(w.src_sku_meter, w.ext_usage_type, w.ext_meter_name, w.sku_id), '')
            || ' (' || w.charge_category || ')'
        ) as charge_description,
        coalesce(w.src_region_id, w.src_region_name) as region_id,
        coalesce(w.src_region_name, w.src_region_id) as region_name,
        coalesce(w.src_publisher_name, w.provider_name) as publisher_name,
        case
            when ent.entity_key is not null then w.provider_name  -- one of the provider's own legal entities
            else coalesce(w.src_invoice_issuer_name, w.provider_name)
        end as invoice_issuer_name
    from with_defaults as w
    -- distinct keys: two spellings of one entity in the seed must not duplicate a charge
    left join (
        select distinct provider_key, {{ focus_exports_entity_key('legal_entity') }} as entity_key
        from {{ ref('focus_exports__provider_entities') }}
    ) as ent
        on w.x_source_system = ent.provider_key
        and ent.entity_key = {{ focus_exports_entity_key('w.src_invoice_issuer_name') }}
    left join {{ ref('focus_exports__service_subcategories') }} as sub
        on w.matched_service_category = sub.service_category
        and lower(sub.service_subcategory) = lower(w.src_service_subcategory)

),

-- 3. ListCost / ContractedCost when missing: from unit price x quantity, else the other one, else the spec's
--    defaults (EffectiveCost for Usage, BilledCost otherwise)
cost_bases as (

    select
        n.*,
        n.charge_category in ('Usage', 'Purchase') and n.charge_class is null as needs_prices,
        coalesce(
            n.src_list_cost,
            case
                when n.pricing_quantity is not null then cast(n.src_list_unit_price * n.pricing_quantity as {{ money }})
            end,
            n.src_contracted_cost,
            case
                when
                    n.pricing_quantity is not null
                    then cast(n.src_contracted_unit_price * n.pricing_quantity as {{ money }})
            end,
            case when n.charge_category = 'Usage' then n.effective_cost else n.billed_cost end
        ) as list_cost_base,
        coalesce(
            n.src_contracted_cost,
            case
                when
                    n.pricing_quantity is not null
                    then cast(n.src_contracted_unit_price * n.pricing_quantity as {{ money }})
            end,
            n.src_list_cost,
            case
                when n.pricing_quantity is not null then cast(n.src_list_unit_price * n.pricing_quantity as {{ money }})
            end,
            case when n.charge_category = 'Usage' then n.effective_cost else n.billed_cost end
        ) as contracted_cost_base
    from normalised as n

),

-- 4. unit prices: the export's when cost = price x quantity holds, else cost / quantity; then the cost is
--    recomputed as price x quantity so that the identity holds exactly in DECIMAL(38,10)
priced as (

    select
        b.*,
        case
            when b.charge_category = 'Tax' then null
            when b.charge_class is not null or b.pricing_quantity is null then b.src_list_unit_price
            when b.src_list_unit_price is not null
                and cast(b.src_list_unit_price * b.pricing_quantity as {{ money }}) = b.list_cost_base
                then b.src_list_unit_price
            when b.pricing_quantity = 0 then coalesce(b.src_list_unit_price, case when b.needs_prices then 0 end)
            when b.needs_prices or b.src_list_unit_price is not null
                then cast(b.list_cost_base / b.pricing_quantity as {{ money }})
        end as list_unit_price,
        case
            when b.charge_category = 'Tax' then null
            when b.charge_class is not null or b.pricing_quantity is null then b.src_contracted_unit_price
            when b.src_contracted_unit_price is not null
                and cast(b.src_contracted_unit_price * b.pricing_quantity as {{ money }}) = b.contracted_cost_base
                then b.src_contracted_unit_price
            when b.pricing_quantity = 0 then coalesce(b.src_contracted_unit_price, case when b.needs_prices then 0 end)
            when b.needs_prices or b.src_contracted_unit_price is not null
                then cast(b.contracted_cost_base / b.pricing_quantity as {{ money }})
        end as contracted_unit_price
    from cost_bases as b

),

final as (

    select
        p.availability_zone,
        p.billed_cost,
        p.billing_account_id,
        p.billing_account_name,
        p.billing_account_type,
        p.billing_currency,
        p.billing_period_end,
        p.billing_period_start,
        p.capacity_reservation_id,
        p.capacity_reservation_status,
        p.charge_category,
        p.charge_class,
        p.charge_description,
        p.charge_frequency,
        p.charge_period_end,
        p.charge_period_start,
        p.commitment_discount_category,
        p.commitment_discount_id,
        case when p.commitment_discount_id is not null then p.commitment_discount_name end as commitment_discount_name,
        p.commitment_discount_quantity,
        p.commitment_discount_status,
        p.commitment_discount_type,
        p.commitment_discount_unit,
        case when p.charge_category = 'Usage' and coalesce(p.commitment_discount_status, '') <> 'Unused'
                then coalesce(p.src_consumed_quantity, p.pricing_quantity)
        end as consumed_quantity,
        case when p.charge_category = 'Usage' and coalesce(p.commitment_discount_status, '') <> 'Unused'
                and coalesce(p.src_consumed_quantity, p.pricing_quantity) is not null
                then coalesce(p.src_consumed_unit, p.src_pricing_unit)
        end as consumed_unit,
        case
            when p.contracted_unit_price is not null and p.pricing_quantity is not null and p.pricing_quantity <> 0
                and p.charge_class is null
                then cast(p.contracted_unit_price * p.pricing_quantity as {{ money }})
            else p.contracted_cost_base
        end as contracted_cost,
        p.contracted_unit_price,
        p.effective_cost,
        p.invoice_id,
        p.invoice_issuer_name,
        case
            when p.list_unit_price is not null and p.pricing_quantity is not null and p.pricing_quantity <> 0
                and p.charge_class is null
                then cast(p.list_unit_price * p.pricing_quantity as {{ money }})
            else p.list_cost_base
        end as list_cost,
        p.list_unit_price,
        p.pricing_category,
        {%- if derive_pricing_currency %}
        -- no PricingCurrency in the export: prices are in BillingCurrency, so the PricingCurrency* columns are the
        -- billing-currency values (exact); a different PricingCurrency without its own columns stays NULL
        coalesce(p.pricing_currency, p.billing_currency) as pricing_currency,
        coalesce(
            p.pricing_currency_contracted_unit_price,
            case
                when coalesce(p.pricing_currency, p.billing_currency) = p.billing_currency then p.contracted_unit_price
            end
        ) as pricing_currency_contracted_unit_price,
        coalesce(
            p.pricing_currency_effective_cost,
            case when coalesce(p.pricing_currency, p.billing_currency) = p.billing_currency then p.effective_cost end
        ) as pricing_currency_effective_cost,
        coalesce(
            p.pricing_currency_list_unit_price,
            case when coalesce(p.pricing_currency, p.billing_currency) = p.billing_currency then p.list_unit_price end
        ) as pricing_currency_list_unit_price,
        {%- else %}
        p.pricing_currency,
        p.pricing_currency_contracted_unit_price,
        p.pricing_currency_effective_cost,
        p.pricing_currency_list_unit_price,
        {%- endif %}
        p.pricing_quantity,
        case when p.pricing_quantity is not null then coalesce(p.src_pricing_unit, p.src_consumed_unit) end
            as pricing_unit,
        p.provider_name,
        p.publisher_name,
        p.region_id,
        p.region_name,
        p.resource_id,
        p.resource_name,
        p.resource_type,
        p.service_category,
        p.service_name,
        p.service_subcategory,
        p.sku_id,
        case when p.sku_id is not null
                then coalesce(p.src_sku_meter, p.ext_usage_type, p.ext_meter_name, p.src_charge_description)
            else p.src_sku_meter
        end as sku_meter,
        case when coalesce(p.src_sku_price_id, case when p.needs_prices then p.sku_id end) is not null
                and p.charge_category <> 'Tax'
                then p.src_sku_price_details
        end as sku_price_details,
        case when p.charge_category <> 'Tax'
                then coalesce(p.src_sku_price_id, case when p.needs_prices then p.sku_id end)
        end as sku_price_id,
        p.sub_account_id,
        p.sub_account_name,
        p.sub_account_type,
        p.tags,
        p.service_provider_name,
        p.host_provider_name,
        p.allocated_method_id,
        p.allocated_method_details,
        p.allocated_resource_id,
        p.allocated_resource_name,
        p.allocated_tags,
        p.contract_applied,
        p.x_source_system,
        p.x_source_format,
        p.x_source_file,
        p.x_source_row,
        p.x_export_id,
        p.x_delivery_id,
        p.x_ingested_at,
        p.x_billing_period,
        coalesce(p.src_charge_subcategory, p.src_charge_category) as x_native_charge_type,
        coalesce(p.ext_service_code, p.ext_meter_category, p.ext_service_id) as x_native_service_code,
        p.ext_usage_type as x_usage_type,
        p.ext_operation as x_operation,
        p.src_invoice_issuer_name,
        p.src_billing_account_name,
        p.src_sub_account_name,
        p.src_charge_description,
        p.delivered_consumed_unit,
        p.delivered_pricing_unit,
        p.delivered_commitment_discount_unit
    from priced as p

),

-- delivered values the mapping replaced (README "x_source_values"); units only where the export had one
traced as (

    select
        final.*,
        {{ focus_exports_source_values([
            ('InvoiceIssuerName', 'src_invoice_issuer_name', 'invoice_issuer_name'),
            ('BillingAccountName', 'src_billing_account_name', 'billing_account_name'),
            ('SubAccountName', 'src_sub_account_name', 'sub_account_name'),
            ('ChargeDescription', 'src_charge_description', 'charge_description'),
            ('PricingUnit', 'delivered_pricing_unit',
                'case when delivered_pricing_unit is not null then pricing_unit end'),
            ('ConsumedUnit', 'delivered_consumed_unit',
                'case when delivered_consumed_unit is not null then consumed_unit end'),
            ('CommitmentDiscountUnit', 'delivered_commitment_discount_unit',
                'case when delivered_commitment_discount_unit is not null then commitment_discount_unit end'),
        ]) }} as x_source_values
    from final

)

select {{ select_focus_columns('traced', source_values=true) }} from traced
