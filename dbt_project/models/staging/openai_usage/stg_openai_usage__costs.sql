{#- OpenAI Costs API: one row per day x project x API key x line item, amounts in dollars (DECIMAL). The line
    item is parsed into the model, the price-book token type and the service tier:
    "gpt-4o-2024-08-06, cached input (batch)" -> model gpt-4o-2024-08-06, usage_type cache_read, tier batch;
    "dall-e-3, 1024x1024" -> images; "tts-1" -> characters; "whisper-1" -> seconds; tool line items
    ("web search tool calls", "file search tool calls", "code interpreter sessions", "vector store storage") have
    no model. Unknown line items keep usage_type 'other' (visible in fct_ai_model_costs_daily, never dropped). -#}

with source as (
    select * from {{ source('openai_usage', 'costs') }}
),

parsed as (
    select
        organization,
        {{ utc_timestamp('bucket_start_time') }} as bucket_start_time,
        {{ utc_timestamp('bucket_end_time') }} as bucket_end_time,
        {{ empty_as_null('project_id') }} as project_id,
        {{ empty_as_null('api_key_id') }} as api_key_id,
        {{ empty_as_null('line_item') }} as line_item,
        lower(trim(line_item)) as li,
        case when {{ dbt.position("', '", 'line_item') }} > 0
             then trim({{ dbt.split_part('line_item', "', '", 1) }}) end as li_model,
        case when {{ dbt.position("', '", 'line_item') }} > 0
             then lower(trim({{ dbt.split_part('line_item', "', '", 2) }})) end as li_rest,
        amount,
        upper(currency) as currency,
        quantity,
        quantity_unit,
        _dlt_load_id as x_load_id
    from source
),

tiered as (
    select
        *,
        case
            when li like '%(batch)' then 'batch'
            when li like '%(flex)' then 'flex'
            when li like '%(priority)' then 'priority'
            when li like '%(scale)' then 'scale'
            else 'default'
        end as service_tier,
        trim(replace(replace(replace(replace(li_rest, '(batch)', ''), '(flex)', ''), '(priority)', ''), '(scale)', '')) as li_kind
    from parsed
),

final as (
    select
        'openai' as vendor,
        organization,
        bucket_start_time,
        bucket_end_time,
        cast(bucket_start_time as date) as usage_date,
        project_id,
        api_key_id,
        line_item,
        case
            when li_model is not null then li_model
            when li like 'tts%' or li like 'whisper%' or li like 'gpt-%' then trim(line_item)
        end as model_name,
        case
            when li_kind = 'input' then 'input'
            when li_kind = 'output' then 'output'
            when li_kind in ('cached input', 'input cached') then 'cache_read'
            when li_kind in ('audio input', 'input audio') then 'input_audio'
            when li_kind in ('cached audio input', 'audio cached input') then 'cache_audio_read'
            when li_kind in ('audio output', 'output audio') then 'output_audio'
            when li_kind in ('image input', 'input image') then 'input_image'
            when li_kind in ('image output', 'output image') then 'output_image'
            when li_model is not null and (li_model like 'dall-e%' or li_model like 'gpt-image%') then 'images'
            when li like 'tts%' then 'characters'
            when li like 'whisper%' then 'seconds'
            when li like 'web search%' then 'web_search_calls'
            when li like 'file search%' then 'file_search_calls'
            when li like 'code interpreter%' then 'sessions'
            when li like 'vector store%' then 'storage_gb_days'
            else 'other'
        end as usage_type,
        service_tier,
        amount,
        currency,
        quantity,
        quantity_unit,
        x_load_id
    from tiered
)

select
    *,
    case
        when usage_type in ({{ "'" ~ ai_token_types() | join("', '") ~ "'" }}) then 'Tokens'
        when usage_type = 'images' then 'Images'
        when usage_type = 'characters' then 'Characters'
        when usage_type = 'seconds' then 'Seconds'
        when usage_type in ('web_search_calls', 'file_search_calls') then 'Requests'
        when usage_type = 'sessions' then 'Sessions'
        when usage_type = 'storage_gb_days' then 'GB-Days'
        else quantity_unit
    end as usage_unit
from final
