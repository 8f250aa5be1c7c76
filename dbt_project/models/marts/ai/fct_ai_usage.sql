{#- AI model usage, direct APIs and cloud-hosted models in one table. Grain: day x vendor x organisation (API
    organisation or cloud billing account) x project/workspace (cloud: sub-account) x API key x model x token type
    (or non-token measure) x service tier. Quantities with their unit; list and contracted cost from the price book
    (usage x price, null when unpriced - see price_status); billed and effective cost only where the source bills
    at this grain (cloud token meters). Billed API cost per model and day: fct_ai_model_costs_daily. -#}

with priced as (
    select * from {{ ref('int_ai_usage_priced') }}
)

select
    usage_date,
    usage_month,
    vendor,
    usage_source,
    organization,
    project_id,
    api_key_id,
    model_name,
    max(price_model_id) as price_model_id,
    token_type,
    service_tier,
    usage_unit,
    cast(sum(usage_quantity) as {{ type_money() }}) as usage_quantity,
    cast(sum(tokens) as {{ type_money() }}) as tokens,
    cast(sum(requests) as {{ type_money() }}) as requests,
    cast(case when min(case when price_status = 'priced' then 1 else 0 end) = 1 and usage_unit = 'Tokens'
            then sum(list_cost)
    end as {{ type_money() }}) as list_cost,
    cast(case when min(case when price_status = 'priced' then 1 else 0 end) = 1 and usage_unit = 'Tokens'
            then sum(contracted_cost)
    end as {{ type_money() }}) as contracted_cost,
    cast(sum(billed_cost) as {{ type_money() }}) as billed_cost,
    cast(sum(effective_cost) as {{ type_money() }}) as effective_cost,
    currency,
    case
        when max(case when price_status = 'unknown_model' then 1 else 0 end) = 1 then 'unknown_model'
        when max(case when price_status = 'no_price' then 1 else 0 end) = 1 then 'no_price'
        when max(case when price_status = 'not_token_priced' then 1 else 0 end) = 1 then 'not_token_priced'
        else 'priced'
    end as price_status,
    max(contract_ref) as contract_ref
from priced
group by
    usage_date, usage_month, vendor, usage_source, organization, project_id, api_key_id, model_name, token_type,
    service_tier, usage_unit, currency
