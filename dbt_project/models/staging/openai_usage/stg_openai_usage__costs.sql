{#- OpenAI Costs API: one row per day x project x API key x API source x line item, amounts in dollars (DECIMAL).
    The line item is parsed into the model, the price-book token type (usage_type) and the service tier. Forms
    (API reference, SDK docs and real exports; tests: this model's unit tests and tests/contracts):
      "<model>, <kind>[ (batch|flex|priority|scale)]" - kind in the older words ("input", "cached input",
          "output", "audio input", "cached image input", ...) or the newer usage-field form ("input_tokens",
          "input_cached_tokens", "input_cache_write_tokens", "output_audio_tokens", ...); "<image model>, <size
          or quality>" -> images; "<model>, training" -> training; "ft:..." fine-tuned models keep their full name;
      "<model>" alone: tts -> characters, whisper -> seconds, text-embedding -> input, any other model ->
          unattributed (the model is known, the token type is not);
      tools: "web search tool calls", "file search tool calls", "code interpreter sessions", "vector store
          storage" (any case, with or without "tool calls") -> no model;
      "Image models" -> images without a model; other dashboard categories ("Chat models", "Audio models",
          "Text tokens", "GPT-4", ...) and a null line item (costs not grouped by line item) -> unattributed.
    usage_type 'unattributed' keeps the amount (never dropped: assert_ai_api_charges_equal_cost_api) with no
    unit and no quantity; it is never priced (usage_unit is not 'Tokens'). usage_quantity is the quantity in
    usage_unit (quantity_unit 1000_tokens x 1000, duration_minutes/hours in seconds). -#}

{%- set token_kinds = {
    'input': ['input', 'input tokens', 'text input', 'input text', 'input text tokens', 'uncached input',
              'input uncached tokens', 'uncached input tokens'],
    'output': ['output', 'output tokens', 'text output', 'output text', 'output text tokens'],
    'cache_read': ['cached input', 'input cached', 'cached input tokens', 'input cached tokens', 'cached text input',
                   'input cached text tokens', 'cache read', 'cache read input tokens', 'cached tokens'],
    'cache_write': ['cache write', 'cache write input', 'cache write tokens', 'cache write input tokens',
                    'input cache write', 'input cache write tokens', 'cached input write'],
    'cache_write_30m': ['cache write 30m', 'cache write (30m)', 'input cache write 30m tokens',
                        'cache write 30m input tokens', '30m cache write'],
    'cache_write_12h': ['cache write 12h', 'cache write (12h)', 'input cache write 12h tokens',
                        'cache write 12h input tokens', '12h cache write'],
    'input_audio': ['audio input', 'input audio', 'input audio tokens', 'audio input tokens'],
    'cache_audio_read': ['cached audio input', 'audio cached input', 'input cached audio tokens',
                         'cached audio input tokens'],
    'output_audio': ['audio output', 'output audio', 'output audio tokens', 'audio output tokens'],
    'input_image': ['image input', 'input image', 'input image tokens', 'image input tokens'],
    'cache_image_read': ['cached image input', 'image cached input', 'input cached image tokens',
                         'cached image input tokens'],
    'output_image': ['image output', 'output image', 'output image tokens', 'image output tokens'],
} -%}

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
        {{ empty_as_null('api_source') }} as api_source,
        {{ empty_as_null('line_item') }} as line_item,
        lower(trim(line_item)) as li,
        case when {{ dbt.position("', '", 'line_item') }} > 0
                then trim({{ dbt.split_part('line_item', "', '", 1) }})
        end as li_model,
        case when {{ dbt.position("', '", 'line_item') }} > 0
                then lower(trim(substr(line_item, {{ dbt.position("', '", 'line_item') }} + 2)))
        end as li_rest,
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
            when li like '%(batch)%' then 'batch'
            when li like '%(flex)%' then 'flex'
            when li like '%(priority)%' then 'priority'
            when li like '%(scale)%' then 'scale'
            else 'default'
        end as service_tier,
        -- the kind without the tier, underscores as spaces: "input_cached_tokens (batch)" -> "input cached tokens"
        trim(replace(replace(
            replace(replace(replace(li_rest, '(batch)', ''), '(flex)', ''), '(priority)', ''),
            '(scale)', ''
        ), '_', ' ')) as li_kind,
        -- a line item that is a model id by itself ("gpt-4o-2024-08-06", "whisper-1"), not a display name
        case
            when li_model is null and {{ dbt.position("' '", 'trim(line_item)') }} = 0
                and (
                    li like 'gpt-%' or li like 'o1%' or li like 'o3%' or li like 'o4%' or li like 'chatgpt-%'
                    or li like 'ft:%' or li like 'text-embedding%' or li like 'omni-moderation%'
                    or li like 'text-moderation%' or li like 'dall-e%' or li like 'tts%' or li like 'whisper%'
                    or li like 'davinci%' or li like 'babbage%' or li like 'computer-use%' or li like 'codex%'
                    or li like 'sora%'
                )
                then trim(line_item)
        end as li_bare_model
    from parsed
),

typed as (
    select
        *,
        coalesce(li_model, li_bare_model) as model_name,
        case
            {%- for usage_type, kinds in token_kinds.items() %}
            when
                li_kind in ('{{ kinds | join("', '") }}')
                then '{{ usage_type }}'
            {%- endfor %}
            when li_kind in ('training', 'training tokens', 'fine-tuning', 'fine tuning', 'training hours')
                then 'training'
            when li_model is not null and (
                    lower(li_model) like 'dall-e%' or lower(li_model) like 'gpt-image%'
                    or lower(li_model) like 'chatgpt-image%'
                ) then 'images'
            when li_bare_model is not null and li like 'tts%' then 'characters'
            when li_bare_model is not null and li like 'whisper%' then 'seconds'
            when li_bare_model is not null and li like 'text-embedding%' then 'input'
            when li_model is null and li like '%web search%' then 'web_search_calls'
            when li_model is null and li like '%file search%' then 'file_search_calls'
            when li_model is null and li like '%code interpreter%' then 'sessions'
            when li_model is null and li like '%vector store%' then 'storage_gb_days'
            when li_model is null and li = 'image models' then 'images'
            else 'unattributed'
        end as usage_type
    from tiered
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
        api_source,
        line_item,
        model_name,
        usage_type,
        service_tier,
        amount,
        currency,
        quantity,
        quantity_unit,
        x_load_id
    from typed
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
        when usage_type = 'storage_gb_days' and quantity_unit = 'gibibyte_hours' then 'GiB-Hours'
        when usage_type = 'storage_gb_days' then 'GB-Days'
        when usage_type = 'training' then quantity_unit
    end as usage_unit,
    case
        when usage_type = 'unattributed' then null
        when quantity_unit = '1000_tokens' then quantity * 1000
        when quantity_unit = 'duration_minutes' and usage_type = 'seconds' then quantity * 60
        when quantity_unit = 'duration_hours' and usage_type = 'seconds' then quantity * 3600
        else quantity
    end as usage_quantity
from final
