{#- Model-API cost lines (OpenAI Costs API, Anthropic cost report) as FOCUS charges; a source of
    int_charges_unioned, so they flow through it into fct_charges / focus_cost_and_usage.
    BilledCost = EffectiveCost = the vendor's amount (the billed truth, dollars). Token lines: ConsumedQuantity =
    tokens (OpenAI: the line's quantity; Anthropic: the usage report's tokens of the same day, workspace, model,
    token type, tier and context window), PricingUnit "1000000 Tokens", PricingQuantity = tokens / 1e6, ListUnitPrice
    and ContractedUnitPrice from the price book (times the batch / long-context multiplier), ListCost and
    ContractedCost = PricingQuantity x unit price. Lines without a price-book price (images, audio, tools, web
    search) keep ListCost = ContractedCost = BilledCost and null unit prices (x_PriceSource tells which). One
    export per vendor and organisation (x_ExportId), periods are calendar months (UTC) of the usage day. -#}

with anthropic_usage as (
    select
        organization, usage_date, project_id, api_key_id, model_name, usage_type, service_tier, context_window,
        inference_geo, sum(usage_quantity) as usage_quantity
    from {{ ref('stg_anthropic_usage__messages_usage') }}
    group by
        organization, usage_date, project_id, api_key_id, model_name, usage_type, service_tier,
        context_window, inference_geo
),

anthropic_lines as (
    select
        c.row_key,
        max(c.vendor) as vendor,
        max(c.organization) as organization,
        max(c.api) as api,
        max(c.bucket_start_time) as bucket_start_time,
        max(c.bucket_end_time) as bucket_end_time,
        max(c.usage_date) as usage_date,
        max(c.project_id) as project_id,
        max(c.api_key_id) as api_key_id,
        max(c.description) as line_item,
        max(c.model_name) as model_name,
        max(c.cost_type) as cost_type,
        max(c.usage_type) as usage_type,
        max(c.service_tier) as service_tier,
        max(c.context_window) as context_window,
        max(c.amount) as amount,
        max(c.currency) as currency,
        sum(u.usage_quantity) as usage_quantity,
        max(c.x_load_id) as x_load_id
    from {{ ref('stg_anthropic_usage__costs') }} as c
    left join anthropic_usage as u
        on c.organization = u.organization
        and c.usage_date = u.usage_date
        and c.project_id = u.project_id
        and c.usage_type = u.usage_type
        and (c.api_key_id is null or c.api_key_id = u.api_key_id)
        and (c.model_name is null or c.model_name = u.model_name)
        and (c.service_tier is null or c.service_tier = u.service_tier)
        and (c.context_window is null or c.context_window = u.context_window)
        and (c.inference_geo is null or c.inference_geo = u.inference_geo)
    group by c.row_key
),

cost_lines as (
    select
        vendor,
        organization,
        'openai_costs_api' as source_format,
        '/v1/organization/costs' as endpoint,
        'Project' as sub_account_type,
        bucket_start_time,
        bucket_end_time,
        usage_date,
        project_id,
        api_key_id,
        line_item,
        model_name,
        'line_item' as native_charge_type,
        usage_type,
        service_tier,
        cast(null as {{ dbt.type_string() }}) as context_window,
        amount,
        currency,
        usage_quantity,
        usage_unit,
        x_load_id
    from {{ ref('stg_openai_usage__costs') }}
    union all
    select
        vendor,
        organization,
        case when api = 'analytics' then 'anthropic_cost_analytics' else 'anthropic_cost_report' end,
        case when api = 'analytics' then '/v1/organizations/analytics/cost' else '/v1/organizations/cost_report' end,
        'Workspace',
        bucket_start_time,
        bucket_end_time,
        usage_date,
        project_id,
        api_key_id,
        line_item,
        model_name,
        cost_type,
        usage_type,
        service_tier,
        context_window,
        amount,
        currency,
        usage_quantity,
        case
            when cost_type = 'tokens' then 'Tokens'
            when usage_type = 'web_search_calls' then 'Requests'
        end,
        x_load_id
    from anthropic_lines
),

priced as (
    select
        l.*,
        r.price_status,
        r.price_model_id,
        case when l.usage_unit = 'Tokens' and r.price_status = 'priced' then 1 else 0 end as is_priced,
        {%- set multiplier = money_mul('coalesce(mt.multiplier, 1)', 'coalesce(mc.multiplier, 1)') %}
        {{ money_mul('r.list_price_per_million', multiplier) }} as list_price_per_million,
        {{ money_mul('r.contracted_price_per_million', multiplier) }} as contracted_price_per_million
    from cost_lines as l
    left join {{ ref('int_ai_price_resolution') }} as r
        on r.vendor = l.vendor and r.model_name = l.model_name and r.token_type = l.usage_type
        and r.usage_date = l.usage_date and l.usage_unit = 'Tokens'
    left join {{ ref('model_price_modifiers') }} as mt
        on {{ ai_price_modifier_matches(
            'mt', 'l', 'service_tier', 'l.service_tier', 'l.usage_type', 'l.usage_date', "coalesce(l.model_name, '')"
        ) }}
    left join {{ ref('model_price_modifiers') }} as mc
        on {{ ai_price_modifier_matches(
            'mc', 'l', 'context_window', 'l.context_window', 'l.usage_type', 'l.usage_date',
            "coalesce(l.model_name, '')"
        ) }}
),

quantified as (
    select
        *,
        case
            when usage_unit = 'Tokens' then {{ per_million('usage_quantity') }}
            else usage_quantity
        end as pricing_quantity,
        case when usage_unit = 'Tokens' then '1000000 Tokens' else usage_unit end as pricing_unit,
        case when vendor = 'openai' then 'OpenAI' else 'Anthropic' end as provider
    from priced
),

final as (
    select
        cast(null as {{ dbt.type_string() }}) as availability_zone,
        amount as billed_cost,
        organization as billing_account_id,
        organization as billing_account_name,
        'Organization' as billing_account_type,
        currency as billing_currency,
        cast(
            {{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'bucket_start_time')) }} as {{ type_utc_timestamp() }}
        ) as billing_period_end,
        cast({{ dbt.date_trunc('month', 'bucket_start_time') }} as {{ type_utc_timestamp() }}) as billing_period_start,
        cast(null as {{ dbt.type_string() }}) as capacity_reservation_id,
        cast(null as {{ dbt.type_string() }}) as capacity_reservation_status,
        'Usage' as charge_category,
        cast(null as {{ dbt.type_string() }}) as charge_class,
        coalesce(line_item, usage_type) as charge_description,
        'Usage-Based' as charge_frequency,
        bucket_end_time as charge_period_end,
        bucket_start_time as charge_period_start,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_category,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_id,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_name,
        cast(null as {{ type_money() }}) as commitment_discount_quantity,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_status,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_type,
        cast(null as {{ dbt.type_string() }}) as commitment_discount_unit,
        usage_quantity as consumed_quantity,
        case when usage_quantity is not null then usage_unit end as consumed_unit,
        case
            when is_priced = 1 then {{ money_mul('pricing_quantity', 'contracted_price_per_million') }}
            else amount
        end as contracted_cost,
        case when is_priced = 1 then contracted_price_per_million end as contracted_unit_price,
        amount as effective_cost,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        provider as invoice_issuer_name,
        case
            when is_priced = 1 then {{ money_mul('pricing_quantity', 'list_price_per_million') }}
            else amount
        end as list_cost,
        case when is_priced = 1 then list_price_per_million end as list_unit_price,
        'Standard' as pricing_category,
        currency as pricing_currency,
        case when is_priced = 1 then contracted_price_per_million end as pricing_currency_contracted_unit_price,
        amount as pricing_currency_effective_cost,
        case when is_priced = 1 then list_price_per_million end as pricing_currency_list_unit_price,
        case when usage_quantity is not null then pricing_quantity end as pricing_quantity,
        case when usage_quantity is not null then pricing_unit end as pricing_unit,
        provider as provider_name,
        provider as publisher_name,
        cast(null as {{ dbt.type_string() }}) as region_id,
        cast(null as {{ dbt.type_string() }}) as region_name,
        api_key_id as resource_id,
        cast(null as {{ dbt.type_string() }}) as resource_name,
        case when api_key_id is not null then 'API Key' end as resource_type,
        'AI and Machine Learning' as service_category,
        case when vendor = 'openai' then 'OpenAI API' else 'Anthropic API' end as service_name,
        'Generative AI' as service_subcategory,
        coalesce(line_item, usage_type) as sku_id,
        case
            when usage_unit = 'Tokens' then {{ dbt.concat(['usage_type', "' tokens'"]) }}
            else usage_type
        end as sku_meter,
        cast(null as {{ type_json_text() }}) as sku_price_details,
        case when usage_unit = 'Tokens' then {{ dbt.concat([
                "coalesce(model_name, '')", "'|'", 'usage_type', "'|'", "coalesce(service_tier, '')", "'|'",
                "coalesce(context_window, '')",
            ]) }} end as sku_price_id,
        project_id as sub_account_id,
        project_id as sub_account_name,
        case when project_id is not null then sub_account_type end as sub_account_type,
        cast(null as {{ type_json_text() }}) as tags,
        provider as service_provider_name,
        provider as host_provider_name,
        {{ focus_unallocated_columns() }},
        source_system as x_source_system,
        source_format as x_source_format,
        endpoint as x_source_file,
        cast(null as {{ dbt.type_bigint() }}) as x_source_row,
        {{ dbt.concat(['source_system', "'/'", 'organization']) }} as x_export_id,
        x_load_id as x_delivery_id,
        {{ dlt_load_time('x_load_id') }} as x_ingested_at,
        substring(cast(usage_date as {{ dbt.type_string() }}), 1, 7) as x_billing_period,
        native_charge_type as x_native_charge_type,
        endpoint as x_native_service_code,
        line_item as x_usage_type,
        cast(null as {{ dbt.type_string() }}) as x_operation,
        model_name as x_model_name,
        case when usage_unit = 'Tokens' then usage_type end as x_token_type,
        case when usage_unit = 'Tokens' then cast(usage_quantity as {{ dbt.type_bigint() }}) end as x_token_count
    from (
        select *, case when vendor = 'openai' then 'openai_usage' else 'anthropic_usage' end as source_system
        from quantified
    ) as q
)

select {{ select_focus_columns('final', ai_columns=true) }} from final
