{#- OpenAI Usage API, every endpoint, in one long format (macros/ai_usage.sql: ai_usage_columns): one row per
    bucket x project x user x API key x model x service tier x usage type, with the quantity and its unit.
    Token normalisation: OpenAI's input_tokens INCLUDE the cached ones, so uncached input = input_tokens -
    input_cached_tokens (price-book type `input`) and cached = `cache_read`; audio tokens are reported apart
    (`input_audio`, `output_audio`). Batch requests get service_tier 'batch' (OpenAI bills them at the batch
    rate); otherwise the API's tier ('default', 'flex', 'scale', 'priority'). -#}

{%- set endpoints = [
    ('completions', 'completions_usage', true, [
        ('input', 'input_tokens - coalesce(input_cached_tokens, 0)', 'Tokens'),
        ('cache_read', 'input_cached_tokens', 'Tokens'),
        ('input_audio', 'input_audio_tokens', 'Tokens'),
        ('output', 'output_tokens', 'Tokens'),
        ('output_audio', 'output_audio_tokens', 'Tokens'),
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
    {{ ai_usage_unpivot(source('openai_usage', table), measures, dims) }}
){{ "," if not loop.last }}
{% endfor %}

{% for endpoint, table, per_key, measures in endpoints %}
select {{ ai_usage_columns() | join(', ') }} from {{ endpoint }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
