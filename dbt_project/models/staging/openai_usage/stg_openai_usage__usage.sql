{#- OpenAI Usage API, every endpoint, in one long format (macros/ai_usage.sql: ai_usage_columns): one row per
    bucket x project x user x API key x model x service tier x usage type, with the quantity and its unit.
    Token normalisation (openai-python's UsageCompletionsResponse): input_tokens INCLUDES cached and cache-write
    tokens and every modality, output_tokens every modality, so the counts are split into disjoint price-book
    leaves that add up to input_tokens / output_tokens (never counted twice):
      input            = uncached text input (input_text_tokens)
      input_audio      = uncached audio input (input_audio_tokens)
      input_image      = uncached image input (input_image_tokens)
      cache_read       = cached text input (input_cached_text_tokens)
      cache_audio_read = cached audio input, cache_image_read = cached image input
      cache_write_30m  = input_cache_write_30m_tokens, cache_write_12h = input_cache_write_12h_tokens
      output / output_audio / output_image = output_text / output_audio / output_image tokens.
    Older responses without the detailed fields: a missing leaf is its total minus the reported siblings
    (uncached = input_tokens - cached - cache writes; text = uncached - audio - image; output text = output_tokens -
    audio - image; a cache write without its 30m/12h split is 30m). assert_openai_completions_tokens_add_up
    fails on counts that do not add up. Batch requests get service_tier 'batch' (OpenAI bills them at the batch
    rate); otherwise the API's tier ('default', 'flex', 'scale', 'priority'). -#}

{%- set endpoints = [
    ('completions', 'completions_usage', true, [
        ('input', 'tok_input_text', 'Tokens'),
        ('input_audio', 'tok_input_audio', 'Tokens'),
        ('input_image', 'tok_input_image', 'Tokens'),
        ('cache_read', 'tok_cached_text', 'Tokens'),
        ('cache_audio_read', 'tok_cached_audio', 'Tokens'),
        ('cache_image_read', 'tok_cached_image', 'Tokens'),
        ('cache_write_30m', 'tok_cache_write_30m', 'Tokens'),
        ('cache_write_12h', 'tok_cache_write_12h', 'Tokens'),
        ('output', 'tok_output_text', 'Tokens'),
        ('output_audio', 'tok_output_audio', 'Tokens'),
        ('output_image', 'tok_output_image', 'Tokens'),
        ('requests', 'num_model_requests', 'Requests')]),
    ('embeddings', 'embeddings_usage', true, [
        ('input', 'input_tokens', 'Tokens'), ('requests', 'num_model_requests', 'Requests')]),
    ('moderations', 'moderations_usage', true, [
        ('input', 'input_tokens', 'Tokens'), ('requests', 'num_model_requests', 'Requests')]),
    ('images', 'images_usage', true, [
        ('images', 'images', 'Images'), ('requests', 'num_model_requests', 'Requests')]),
    ('audio_speeches', 'audio_speeches_usage', true, [
        ('characters', 'characters', 'Characters'), ('requests', 'num_model_requests', 'Requests')]),
    ('audio_transcriptions', 'audio_transcriptions_usage', true, [
        ('seconds', 'seconds', 'Seconds'), ('requests', 'num_model_requests', 'Requests')]),
    ('web_search_calls', 'web_search_calls_usage', true, [
        ('web_search_calls', 'num_requests', 'Requests'), ('requests', 'num_model_requests', 'Requests')]),
    ('file_search_calls', 'file_search_calls_usage', true, [
        ('file_search_calls', 'num_requests', 'Requests')]),
    ('vector_stores', 'vector_stores_usage', false, [
        ('storage_bytes', 'usage_bytes', 'Bytes')]),
    ('code_interpreter_sessions', 'code_interpreter_sessions_usage', false, [
        ('sessions', 'num_sessions', 'Sessions')]),
] %}

with
completions_tokens as (
    select * from (
        select
            *,
            coalesce(input_uncached_tokens, input_tokens - tok_cached - tok_cache_write) as tok_uncached,
            coalesce(input_cached_text_tokens, tok_cached - tok_cached_audio - tok_cached_image) as tok_cached_text,
            coalesce(input_cache_write_30m_tokens, tok_cache_write - tok_cache_write_12h) as tok_cache_write_30m,
            coalesce(output_text_tokens, output_tokens - tok_output_audio - tok_output_image) as tok_output_text
        from (
            select
                *,
                coalesce(input_cached_tokens, 0) as tok_cached,
                coalesce(
                    input_cache_write_tokens,
                    coalesce(input_cache_write_30m_tokens, 0) + coalesce(input_cache_write_12h_tokens, 0))
                    as tok_cache_write,
                coalesce(input_cache_write_12h_tokens, 0) as tok_cache_write_12h,
                coalesce(input_audio_tokens, 0) as tok_input_audio,
                coalesce(input_image_tokens, 0) as tok_input_image,
                coalesce(input_cached_audio_tokens, 0) as tok_cached_audio,
                coalesce(input_cached_image_tokens, 0) as tok_cached_image,
                coalesce(output_audio_tokens, 0) as tok_output_audio,
                coalesce(output_image_tokens, 0) as tok_output_image
            from {{ source('openai_usage', 'completions_usage') }}
        ) as totals
    ) as parts_known
),

completions_leaves as (
    select *, coalesce(input_text_tokens, tok_uncached - tok_input_audio - tok_input_image) as tok_input_text
    from completions_tokens
),

{% for endpoint, table, per_key, measures in endpoints %}
{{ endpoint }} as (
    {%- set dims = [
        ('vendor', "'openai'"),
        ('source_system', "'openai_usage'"),
        ('endpoint', "'" ~ endpoint ~ "'"),
        ('organization', 'organization'),
        ('bucket_start_time', utc_timestamp('bucket_start_time')),
        ('bucket_end_time', utc_timestamp('bucket_end_time')),
        ('bucket_width', 'bucket_width'),
        ('usage_date', 'cast(' ~ utc_timestamp('bucket_start_time') ~ ' as date)'),
        ('project_id', empty_as_null('project_id')),
        ('user_id', empty_as_null('user_id') if per_key else 'cast(null as ' ~ dbt.type_string() ~ ')'),
        ('api_key_id', empty_as_null('api_key_id') if per_key else 'cast(null as ' ~ dbt.type_string() ~ ')'),
        ('model_name', empty_as_null('model') if endpoint not in ('file_search_calls', 'vector_stores', 'code_interpreter_sessions') else 'cast(null as ' ~ dbt.type_string() ~ ')'),
        ('service_tier', "case when batch then 'batch' else coalesce(" ~ empty_as_null('service_tier') ~ ", 'default') end" if endpoint == 'completions' else "'default'"),
        ('context_window', 'cast(null as ' ~ dbt.type_string() ~ ')'),
        ('inference_geo', 'cast(null as ' ~ dbt.type_string() ~ ')'),
        ('x_load_id', '_dlt_load_id'),
    ] %}
    select
        {{ ai_usage_dimensions(dims) }},
        m.usage_type, m.usage_quantity, m.usage_unit
    from {{ 'completions_leaves' if endpoint == 'completions' else source('openai_usage', table) }}
    {{ ai_usage_measures(measures) }}
    where m.is_reported
){{ "," if not loop.last }}
{% endfor %}

{% for endpoint, table, per_key, measures in endpoints %}
select {{ ai_usage_columns() | join(', ') }} from {{ endpoint }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
