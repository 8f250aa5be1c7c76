{#- Anthropic cost report lines (legacy: day x workspace x description; analytics: day x the full usage key x
    cost type x token type), amounts in dollars (amount = cents / 100, exact). The API's token_type becomes the
    price-book token type; cost types other than tokens (web_search, code_execution, ...) keep their cost type as
    usage_type. Priority-tier spend is not in Anthropic's cost report (vendor limitation, see the source README). -#}

with source as (
    select * from {{ source('anthropic_usage', 'costs') }}
)

select
    'anthropic' as vendor,
    row_key,
    organization_name as organization,
    api,
    {{ utc_timestamp('bucket_starting_at') }} as bucket_start_time,
    {{ utc_timestamp('bucket_ending_at') }} as bucket_end_time,
    cast({{ utc_timestamp('bucket_starting_at') }} as date) as usage_date,
    coalesce(workspace_id, 'default') as project_id,
    api_key_id,
    description,
    model as model_name,
    cost_type,
    case
        when cost_type = 'tokens' and token_type = 'uncached_input_tokens' then 'input'
        when cost_type = 'tokens' and token_type = 'output_tokens' then 'output'
        when cost_type = 'tokens' and token_type = 'cache_read_input_tokens' then 'cache_read'
        when cost_type = 'tokens' and token_type = 'cache_creation.ephemeral_5m_input_tokens' then 'cache_write'
        when cost_type = 'tokens' and token_type = 'cache_creation.ephemeral_1h_input_tokens' then 'cache_write_1h'
        when cost_type = 'web_search' then 'web_search_calls'
        else coalesce(cost_type, 'other')
    end as usage_type,
    case when cost_type = 'tokens' then coalesce(service_tier, 'standard') else service_tier end as service_tier,
    lower(context_window) as context_window,
    inference_geo,
    speed,
    amount,
    amount_cents,
    list_amount,
    upper(currency) as currency,
    requests,
    _dlt_load_id as x_load_id
from source
