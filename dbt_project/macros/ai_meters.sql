{#- Cloud AI meters (int_ai_cloud_token_usage): parsing Bedrock usage types, Azure OpenAI / AI Foundry meters and
    Vertex AI SKUs into model, token type and service tier (regular expressions in ai_meter_regex_extract; the rest
    is plain SQL: lower, replace, like, case). -#}

{#- The text of capture group `group` of `pattern` in `value`; null when the pattern does not match.
    Patterns are RE2 syntax with exactly one capturing group (use `(?:...)` for the others). Callers lower-case
    `value` and write patterns in lower case, so no case-insensitive flag is needed. -#}
{% macro ai_meter_regex_extract(value, pattern, group=1) -%}
nullif(regexp_extract({{ value }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{#- A meter as space-padded words: lower case, '-', '_', ':' and '/' as spaces, so that
    `ai_meter_has_word` can test whole words with a portable LIKE. -#}
{% macro ai_meter_words(expr) -%}
(' ' || replace(replace(replace(replace(lower({{ expr }}), '-', ' '), '_', ' '), ':', ' '), '/', ' ') || ' ')
{%- endmacro %}

{#- True when the padded word string `words` (from ai_meter_words) contains any of `candidates` as whole words
    (a candidate may be several words, e.g. 'data zone'). -#}
{% macro ai_meter_has_word(words, candidates) -%}
({% for w in candidates %}{{ words }} like '% {{ w }} %'{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{#- Price-book token type (genai-prices leaf) from the parsed direction ('input', 'output', 'cache_read',
    'cache_write', 'cache_write_1h') and modality ('text', 'audio', 'image', 'video'). -#}
{% macro ai_token_type(direction, modality) -%}
case
    when {{ modality }} = 'audio' and {{ direction }} in ('input', 'output') then {{ direction }} || '_audio'
    when {{ modality }} = 'audio' and {{ direction }} = 'cache_read' then 'cache_audio_read'
    when {{ modality }} = 'image' and {{ direction }} in ('input', 'output') then {{ direction }} || '_image'
    when {{ modality }} = 'image' and {{ direction }} = 'cache_read' then 'cache_image_read'
    when {{ modality }} = 'video' and {{ direction }} in ('input', 'output') then {{ direction }} || '_video'
    else {{ direction }}
end
{%- endmacro %}
