{{ config(severity='warn') }}
{#- Warning: usage priced through a price-book pattern that only approximates genai-prices' rule (a regex or an
    `and` rule, model_match_exact = false). Check that the model really is the one priced. -#}
select vendor, model_name, token_type, price_model_id, count(*) as days
from {{ ref('int_ai_usage_priced') }}
where model_match_exact = false
group by vendor, model_name, token_type, price_model_id
