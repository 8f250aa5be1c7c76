{#- Fail closed: every (vendor, model, token type, day) seen in model usage - the API usage reports, their cost
    lines and the cloud bills' token meters - has a price in the price book (the model resolves, and the token
    type or its nearest priced ancestor has a price valid that day). Never priced at zero: the usage models keep
    list and contracted cost null for these keys, and this test blocks the run until the price book covers
    them (a new genai-prices snapshot, or a fixed-rate row in model_prices_negotiated). Cloud meters whose model
    is not in seed ai_cloud_model_aliases are returned too (price_status unknown_model). -#}
{#- a check of int_ai_usage_priced in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_ai_usage_priced'}}}) }}
select vendor, model_name, token_type, min(usage_date) as first_day, max(usage_date) as last_day,
       count(*) as days, price_status
from (
    select vendor, model_name, token_type, usage_date, price_status from {{ ref('int_ai_price_resolution') }}
    union all
    select vendor, model_name, token_type, usage_date, price_status from {{ ref('int_ai_cloud_price_resolution') }}
    union all
    select vendor, coalesce(model_name, '(none)'), token_type, usage_date, price_status
    from {{ ref('int_ai_usage_priced') }}
    where usage_unit = 'Tokens' and price_status <> 'priced'
) as keys
where price_status <> 'priced'
group by vendor, model_name, token_type, price_status
