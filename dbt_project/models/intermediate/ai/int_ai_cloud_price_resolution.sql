{#- Price resolution (macro ai_price_resolution_sql, documented in int_ai_price_resolution) for the token meters
    of the cloud bills (Bedrock, Azure OpenAI, Vertex AI) parsed by int_ai_cloud_token_usage. -#}

with usage_keys as (
    select distinct vendor, model_name, token_type, usage_date
    from {{ ref('int_ai_cloud_token_usage') }}
    where model_name is not null and parse_status = 'parsed'
),

{{ ai_price_resolution_sql('usage_keys', ref('int_model_prices'), ref('token_type_fallbacks')) }}
