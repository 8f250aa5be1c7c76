{#- A hand-kept price (seed model_prices_additions) never shadows a genai-prices model: the same vendor and
    model_id must not be in both seeds (upgrade the snapshot instead, or use model_prices_negotiated). -#}
{#- a check of model_prices_additions in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'model_prices_additions'}}}) }}
select a.vendor, a.model_id
from {{ ref('model_prices_additions') }} as a
inner join {{ ref('model_prices_list') }} as l
    on l.vendor = a.vendor and l.model_id = a.model_id
group by a.vendor, a.model_id
