{#- Every model-usage measure of every vendor, priced at the finest grain the source reports:
    * direct APIs (source 'api'): the OpenAI and Anthropic usage reports, long format (staging);
    * cloud-hosted models (source 'cloud_billing'): token meters of Bedrock, Azure OpenAI and Vertex AI parsed
      from the FOCUS record (int_ai_cloud_token_usage), which also carry the billed and effective cost.
    Token rows get the price book's list and contracted price per million (int_ai_price_resolution) times the
    published variant multipliers (batch, flex, long context: seed model_price_modifiers); list_cost and
    contracted_cost = tokens / 1e6 x price. Non-token measures (requests, images, characters, seconds, ...)
    carry quantity and unit only (price_status 'not_token_priced'). A token row without a price keeps null costs
    (price_status unknown_model / no_price) and fails assert_ai_usage_is_priced. -#}

with api_usage as (
    select {{ ai_usage_columns() | join(', ') }} from {{ ref('stg_openai_usage__usage') }}
    union all
    select {{ ai_usage_columns() | join(', ') }} from {{ ref('stg_anthropic_usage__messages_usage') }}
),

usage_rows as (
    select
        usage_date,
        vendor,
        'api' as usage_source,
        organization,
        project_id,
        api_key_id,
        user_id,
        model_name,
        usage_type,
        service_tier,
        context_window,
        usage_quantity,
        usage_unit,
        cast(null as {{ type_money() }}) as billed_cost,
        cast(null as {{ type_money() }}) as effective_cost,
        cast(null as {{ dbt.type_string() }}) as billing_currency
    from api_usage
    union all
    select
        usage_date,
        vendor,
        'cloud_billing' as usage_source,
        billing_account_id as organization,
        sub_account_id as project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        cast(null as {{ dbt.type_string() }}) as user_id,
        coalesce(model_name, meter_model) as model_name,
        token_type as usage_type,
        service_tier,
        cast(null as {{ dbt.type_string() }}) as context_window,
        tokens as usage_quantity,
        'Tokens' as usage_unit,
        billed_cost,
        effective_cost,
        billing_currency
    from {{ ref('int_ai_cloud_token_usage') }}
    where parse_status in ('parsed', 'model_unmapped')
),

priced as (
    select
        u.*,
        r.price_model_id,
        r.priced_token_type,
        r.model_match_exact,
        r.price_source,
        r.contract_ref,
        r.price_currency,
        case
            when u.usage_unit <> 'Tokens' then 'not_token_priced'
            when u.model_name is null then 'unknown_model'
            else coalesce(r.price_status, 'unknown_model')
        end as price_status,
        {{ money_mul('coalesce(mt.multiplier, 1)', 'coalesce(mc.multiplier, 1)') }} as price_multiplier,
        r.list_price_per_million as book_list_price_per_million,
        r.contracted_price_per_million as book_contracted_price_per_million
    from usage_rows as u
    left join (
        select * from {{ ref('int_ai_price_resolution') }}
        union all
        select * from {{ ref('int_ai_cloud_price_resolution') }}
    ) as r
        on r.vendor = u.vendor and r.model_name = u.model_name and r.token_type = u.usage_type
        and r.usage_date = u.usage_date and u.usage_unit = 'Tokens'
    left join {{ ref('model_price_modifiers') }} as mt
        on {{ ai_price_modifier_matches(
            'mt', 'u', 'service_tier', 'u.service_tier', 'u.usage_type', 'u.usage_date', "coalesce(u.model_name, '')"
        ) }}
    left join {{ ref('model_price_modifiers') }} as mc
        on {{ ai_price_modifier_matches(
            'mc', 'u', 'context_window', 'u.context_window', 'u.usage_type', 'u.usage_date',
            "coalesce(u.model_name, '')"
        ) }}
),

final as (
    select
        *,
        {{ money_mul('book_list_price_per_million', 'price_multiplier') }} as list_price_per_million,
        {{ money_mul('book_contracted_price_per_million', 'price_multiplier') }} as contracted_price_per_million
    from priced
)

select
    usage_date,
    cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
    vendor,
    usage_source,
    organization,
    project_id,
    api_key_id,
    user_id,
    model_name,
    price_model_id,
    usage_type as token_type,
    service_tier,
    context_window,
    usage_quantity,
    usage_unit,
    case when usage_unit = 'Tokens' then usage_quantity end as tokens,
    case when usage_type = 'requests' then usage_quantity end as requests,
    list_price_per_million,
    contracted_price_per_million,
    price_multiplier,
    case
        when price_status = 'priced' then {{ money_mul(per_million('usage_quantity'), 'list_price_per_million') }}
    end as list_cost,
    case
        when price_status = 'priced' then {{ money_mul(per_million('usage_quantity'), 'contracted_price_per_million') }}
    end as contracted_cost,
    billed_cost,
    effective_cost,
    coalesce(billing_currency, price_currency, 'USD') as currency,
    price_status,
    price_source,
    contract_ref,
    priced_token_type,
    model_match_exact
from final
