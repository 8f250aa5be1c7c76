{#- OpenAI completions token counts are consistent, so that stg_openai_usage__usage's disjoint leaves neither
    double count nor lose tokens: every reported part is >= 0 and the parts add up to their totals -
    input_tokens = uncached + cached + cache writes, uncached = text + audio + image (each where reported),
    cached = cached text + audio + image, cache writes = 30m + 12h, output_tokens = text + audio + image.
    Returns the offending rows (organisation, bucket, project, model) with the reason. -#}
with c as (
    select
        organization, bucket_start_time, project_id, api_key_id, model, input_tokens, output_tokens,
        input_cached_tokens, input_cache_write_tokens, input_cache_write_30m_tokens, input_cache_write_12h_tokens,
        input_uncached_tokens, input_text_tokens, input_audio_tokens, input_image_tokens,
        input_cached_text_tokens, input_cached_audio_tokens, input_cached_image_tokens,
        output_text_tokens, output_audio_tokens, output_image_tokens
    from {{ source('openai_usage', 'completions_usage') }}
),

checks as (
    select *,
        case
            when least(coalesce(input_cached_tokens, 0), coalesce(input_cache_write_tokens, 0),
                       coalesce(input_cache_write_30m_tokens, 0), coalesce(input_cache_write_12h_tokens, 0),
                       coalesce(input_uncached_tokens, 0), coalesce(input_text_tokens, 0),
                       coalesce(input_audio_tokens, 0), coalesce(input_image_tokens, 0),
                       coalesce(input_cached_text_tokens, 0), coalesce(input_cached_audio_tokens, 0),
                       coalesce(input_cached_image_tokens, 0), coalesce(output_text_tokens, 0),
                       coalesce(output_audio_tokens, 0), coalesce(output_image_tokens, 0)) < 0
                then 'a negative token count'
            when coalesce(input_cached_tokens, 0) + coalesce(input_cache_write_tokens, coalesce(input_cache_write_30m_tokens, 0) + coalesce(input_cache_write_12h_tokens, 0))
                 + coalesce(input_uncached_tokens, coalesce(input_audio_tokens, 0) + coalesce(input_image_tokens, 0)) > input_tokens
                then 'cached + cache-write + uncached tokens exceed input_tokens'
            when input_uncached_tokens is not null
                 and input_uncached_tokens + coalesce(input_cached_tokens, 0)
                     + coalesce(input_cache_write_tokens, coalesce(input_cache_write_30m_tokens, 0) + coalesce(input_cache_write_12h_tokens, 0))
                     <> input_tokens
                then 'uncached + cached + cache-write tokens differ from input_tokens'
            when input_uncached_tokens is not null and input_text_tokens is not null
                 and input_text_tokens + coalesce(input_audio_tokens, 0) + coalesce(input_image_tokens, 0) <> input_uncached_tokens
                then 'uncached text + audio + image tokens differ from input_uncached_tokens'
            when input_cached_tokens is not null and input_cached_text_tokens is not null
                 and input_cached_text_tokens + coalesce(input_cached_audio_tokens, 0) + coalesce(input_cached_image_tokens, 0) <> input_cached_tokens
                then 'cached text + audio + image tokens differ from input_cached_tokens'
            when input_cache_write_tokens is not null
                 and coalesce(input_cache_write_30m_tokens, 0) + coalesce(input_cache_write_12h_tokens, 0) > input_cache_write_tokens
                then '30m + 12h cache writes exceed input_cache_write_tokens'
            when input_cache_write_tokens is not null and input_cache_write_30m_tokens is not null
                 and input_cache_write_30m_tokens + coalesce(input_cache_write_12h_tokens, 0) <> input_cache_write_tokens
                then '30m + 12h cache writes differ from input_cache_write_tokens'
            when coalesce(output_audio_tokens, 0) + coalesce(output_image_tokens, 0) > output_tokens
                 or (output_text_tokens is not null
                     and output_text_tokens + coalesce(output_audio_tokens, 0) + coalesce(output_image_tokens, 0) <> output_tokens)
                then 'output text + audio + image tokens differ from output_tokens'
        end as problem
    from c
)

select organization, bucket_start_time, project_id, api_key_id, model, problem
from checks
where problem is not null
