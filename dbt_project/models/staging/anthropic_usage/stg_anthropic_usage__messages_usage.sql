{#- Anthropic messages usage (legacy usage report or the analytics API) in the long format of
    macros/ai_usage.sql (ai_usage_columns). Token normalisation: Anthropic reports input apart - uncached input
    (price-book type `input`), cache reads (`cache_read`), 5-minute cache writes (`cache_write`, the default
    write price) and 1-hour cache writes (`cache_write_1h`); total input is their sum (unlike OpenAI, whose
    input includes cached tokens). Server-side web searches and (analytics API only) requests are non-token
    measures. A null workspace_id is the organisation's default workspace ('default'). -#}

{%- set dims = [
    ('vendor', "'anthropic'"),
    ('source_system', "'anthropic_usage'"),
    ('endpoint', "case when api = 'analytics' then 'analytics/usage' else 'usage_report/messages' end"),
    ('organization', 'organization_name'),
    ('bucket_start_time', utc_timestamp('bucket_starting_at')),
    ('bucket_end_time', utc_timestamp('bucket_ending_at')),
    ('bucket_width', 'bucket_width'),
    ('usage_date', 'cast(' ~ utc_timestamp('bucket_starting_at') ~ ' as date)'),
    ('project_id', "coalesce(workspace_id, 'default')"),
    ('user_id', 'cast(null as ' ~ dbt.type_string() ~ ')'),
    ('api_key_id', 'api_key_id'),
    ('model_name', 'model'),
    ('service_tier', "coalesce(service_tier, 'standard')"),
    ('context_window', 'lower(context_window)'),
    ('inference_geo', 'inference_geo'),
    ('x_load_id', '_dlt_load_id'),
] %}

select
    {{ ai_usage_dimensions(dims) }},
    m.usage_type, m.usage_quantity, m.usage_unit
from {{ source('anthropic_usage', 'messages_usage') }}
{{ ai_usage_measures([
    ('input', 'uncached_input_tokens', 'Tokens'),
    ('cache_read', 'cache_read_input_tokens', 'Tokens'),
    ('cache_write', 'cache_creation_5m_input_tokens', 'Tokens'),
    ('cache_write_1h', 'cache_creation_1h_input_tokens', 'Tokens'),
    ('output', 'output_tokens', 'Tokens'),
    ('web_search_calls', 'web_search_requests', 'Requests'),
    ('requests', 'requests', 'Requests'),
]) }}
where m.is_reported
