{#- Resolves every (vendor, model name, token type, day) seen in the model-API vendors' usage reports and cost
    lines to one price-book price (the cloud bills' token meters: int_ai_cloud_price_resolution, same macro
    ai_price_resolution_sql), as genai-prices does:
    1. the model: among the vendor's price-book models whose match patterns match the lower-cased name, the lowest
       match_rank (the package takes the first match);
    2. the token type, or its nearest priced ancestor (seed token_type_fallbacks: cache_write_1h -> cache_write ->
       input, ...);
    3. the price row whose [valid_from, valid_to) contains the day (list and contracted, dim_model_prices).
    price_status: 'priced', 'unknown_model' (no pattern matches) or 'no_price' (the model has no price for the
    token type or its ancestors on that day). Fail closed: assert_ai_usage_is_priced fails on any key that is
    not 'priced'; costs are never computed with a missing price. -#}

with usage_keys as (
    select vendor, model_name, usage_type as token_type, usage_date
    from {{ ref('stg_openai_usage__usage') }}
    where usage_unit = 'Tokens' and model_name is not null
    union
    select vendor, model_name, usage_type, usage_date
    from {{ ref('stg_anthropic_usage__messages_usage') }}
    where usage_unit = 'Tokens' and model_name is not null
    union
    select vendor, model_name, usage_type, usage_date
    from {{ ref('stg_openai_usage__costs') }}
    where usage_unit = 'Tokens' and model_name is not null
    union
    select vendor, model_name, usage_type, usage_date
    from {{ ref('stg_anthropic_usage__costs') }}
    where cost_type = 'tokens' and model_name is not null
),

{{ ai_price_resolution_sql('usage_keys', ref('int_model_prices'), ref('token_type_fallbacks')) }}
