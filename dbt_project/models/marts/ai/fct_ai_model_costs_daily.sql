{#- Cost per model per day for every AI vendor - OpenAI and Anthropic (direct APIs), Bedrock, Azure OpenAI and
    Vertex AI (cloud-hosted) - and the billed amount explained by usage x contracted price.
    Grain: day x vendor x organisation (API organisation or cloud billing account) x model x currency.
    * billed_cost: what the vendor bills (API: the cost API lines in the FOCUS record; cloud: the FOCUS charges of
      the model's token meters); billed_token_cost: the part on token-priced lines.
    * expected_cost = tokens x contracted price (price book, with batch / long-context multipliers); list_cost
      at list price.
    * variance = billed_token_cost - expected_cost; within_tolerance when |variance| <= max(tolerance_abs,
      tolerance_pct % of expected_cost) (seed ai_cost_policy). reconciliation_status: matched (|variance| < half a
      cent), within_tolerance, over_billed, under_billed, unpriced (a token type has no price: fail closed),
      not_token_priced (only lines the price book does not price: images, audio, tools), no_usage (token lines
      billed, no tokens reported), not_billed (tokens, no bill yet).
    * cost_per_million_tokens = billed_token_cost / tokens x 1e6: one query compares vendors' effective prices. -#}

with policy as (
    select tolerance_abs, tolerance_pct from {{ ref('ai_cost_policy') }}
),

api_billed as (
    select
        cast(charge_period_start as date) as usage_date,
        case when x_source_system = 'openai_usage' then 'openai' else 'anthropic' end as vendor,
        billing_account_id as organization,
        x_model_name as model_name,
        billing_currency as currency,
        sum(billed_cost) as billed_cost,
        sum(case when x_token_type is not null then billed_cost end) as billed_token_cost
    from {{ ref('int_ai_api_charges') }}
    group by 1, 2, 3, 4, 5
),

usage_side as (
    select
        usage_date,
        vendor,
        usage_source,
        organization,
        model_name,
        currency,
        sum(case when token_type in {{ sql_in_list(ai_input_token_types()) }} then tokens end) as input_tokens,
        sum(case when token_type in {{ sql_in_list(ai_output_token_types()) }} then tokens end) as output_tokens,
        sum(tokens) as tokens,
        sum(requests) as requests,
        sum(list_cost) as list_cost,
        sum(contracted_cost) as expected_cost,
        sum(case when usage_unit = 'Tokens' then billed_cost end) as cloud_billed_cost,
        max(case when usage_unit = 'Tokens' and price_status <> 'priced' then 1 else 0 end) as has_unpriced,
        max(price_model_id) as price_model_id
    from {{ ref('fct_ai_usage') }}
    group by usage_date, vendor, usage_source, organization, model_name, currency
),

joined as (
    select
        coalesce(u.usage_date, b.usage_date) as usage_date,
        coalesce(u.vendor, b.vendor) as vendor,
        coalesce(u.usage_source, 'api') as usage_source,
        coalesce(u.organization, b.organization) as organization,
        coalesce(u.model_name, b.model_name) as model_name,
        u.price_model_id,
        coalesce(u.currency, b.currency) as currency,
        u.input_tokens,
        u.output_tokens,
        u.tokens,
        u.requests,
        case when u.usage_source = 'cloud_billing' then u.cloud_billed_cost else b.billed_cost end as billed_cost,
        case when u.usage_source = 'cloud_billing' then u.cloud_billed_cost else b.billed_token_cost end
            as billed_token_cost,
        case when coalesce(u.has_unpriced, 0) = 0 then u.list_cost end as list_cost,
        case when coalesce(u.has_unpriced, 0) = 0 then u.expected_cost end as expected_cost,
        coalesce(u.has_unpriced, 0) as has_unpriced
    from usage_side as u
    full outer join api_billed as b
        on u.usage_source = 'api'
        and u.usage_date = b.usage_date and u.vendor = b.vendor and u.organization = b.organization
        and (u.model_name = b.model_name or (b.model_name is null and u.model_name is null))
        and u.currency = b.currency
),

measured as (
    select
        *,
        coalesce(billed_token_cost, 0) - expected_cost as variance,
        greatest(
            (select tolerance_abs from policy),
            abs(expected_cost) * (select tolerance_pct from policy) * 0.01
        ) as tolerance,
        {{ safe_ratio('billed_token_cost', 'tokens') }} * 1000000 as cost_per_million_tokens_raw
    from joined
)

select
    usage_date,
    vendor,
    usage_source,
    organization,
    model_name,
    price_model_id,
    currency,
    cast(input_tokens as {{ type_money() }}) as input_tokens,
    cast(output_tokens as {{ type_money() }}) as output_tokens,
    cast(tokens as {{ type_money() }}) as tokens,
    cast(requests as {{ type_money() }}) as requests,
    cast(billed_cost as {{ type_money() }}) as billed_cost,
    cast(billed_token_cost as {{ type_money() }}) as billed_token_cost,
    cast(list_cost as {{ type_money() }}) as list_cost,
    cast(expected_cost as {{ type_money() }}) as expected_cost,
    cast(variance as {{ type_money() }}) as variance,
    {{ safe_ratio('variance', 'expected_cost', 'decimal(18, 6)') }} as variance_ratio,
    abs(variance) <= tolerance as within_tolerance,
    case
        when has_unpriced = 1 then 'unpriced'
        when (tokens is null or tokens = 0) and billed_token_cost is null then 'not_token_priced'
        when tokens is null or tokens = 0 then 'no_usage'
        when billed_token_cost is null then 'not_billed'
        when abs(variance) < 0.005 then 'matched'
        when abs(variance) <= tolerance then 'within_tolerance'
        when variance > 0 then 'over_billed'
        else 'under_billed'
    end as reconciliation_status,
    cast(cost_per_million_tokens_raw as {{ type_money() }}) as cost_per_million_tokens
from measured
