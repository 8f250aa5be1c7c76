{#- Model-API usage: expressions shared by the openai_usage / anthropic_usage staging models and the AI models. -#}

{#- A timestamptz from a dlt table as a UTC timestamp without time zone (the warehouse's timestamp type). -#}
{% macro utc_timestamp(expr) -%}{{ adapter.dispatch('utc_timestamp')(expr) }}{%- endmacro %}
{% macro default__utc_timestamp(expr) -%}cast(timezone('UTC', {{ expr }}) as timestamp){%- endmacro %}
{#- Spark: a timestamp is an instant shown in the session's time zone, which the spark target sets to UTC. -#}
{% macro spark__utc_timestamp(expr) -%}cast({{ expr }} as timestamp){%- endmacro %}

{#- When dlt loaded a row: its load id is the Unix time of the load ("1795812294.5557044"); second precision. -#}
{% macro dlt_load_time(load_id) -%}
{{ dbt.dateadd('second', 'cast(' ~ dbt.split_part(load_id, "'.'", 1) ~ ' as ' ~ dbt.type_bigint() ~ ')',
               "cast('1970-01-01 00:00:00' as " ~ type_utc_timestamp() ~ ")") }}
{%- endmacro %}

{#- '' (how the OpenAI source stores "not reported" in key columns) as null. -#}
{% macro empty_as_null(expr) -%}nullif({{ expr }}, ''){%- endmacro %}

{#- The columns every model-API usage staging model returns, in order (long format: one row per bucket x
    dimensions x usage type). usage_type is a price-book token type for tokens (input, output, cache_read,
    cache_write, cache_write_1h, input_audio, output_audio) or a non-token measure (requests, images,
    characters, seconds, storage_bytes, sessions, file_search_calls, web_search_calls); usage_unit says its unit. -#}
{% macro ai_usage_columns() -%}
{{ return([
    'vendor', 'source_system', 'endpoint', 'organization', 'bucket_start_time', 'bucket_end_time', 'bucket_width',
    'usage_date', 'project_id', 'user_id', 'api_key_id', 'model_name', 'service_tier', 'context_window',
    'inference_geo', 'usage_type', 'usage_quantity', 'usage_unit', 'x_load_id',
]) }}
{%- endmacro %}

{#- The dimension columns of a usage row, `expression as name` for each (name, expression) of `dims`, as a select
    list (before the measure columns of ai_usage_measures). -#}
{% macro ai_usage_dimensions(dims) -%}
{%- for name, e in dims %}{{ e }} as {{ name }}{{ ",\n    " if not loop.last }}{% endfor -%}
{%- endmacro %}

{#- The measure columns of a usage row as a table of rows (usage_type, usage_quantity, usage_unit, is_reported) for a
    lateral join that unpivots them: `from t {{ ai_usage_measures(measures) }} where m.is_reported`.
    measures = [(usage_type, expression, unit), ...]. is_reported: the quantity is neither zero nor null (the APIs
    report every group with zeros). -#}
{% macro ai_usage_measures(measures) -%}
    {{ return(adapter.dispatch('ai_usage_measures')(measures)) }}
{%- endmacro %}
{% macro default__ai_usage_measures(measures) -%}
cross join lateral (values
{%- for usage_type, expr, unit in measures %}
    ('{{ usage_type }}', cast({{ expr }} as {{ type_money() }}), '{{ unit }}', coalesce({{ expr }}, 0) <> 0){{ "," if not loop.last }}
{%- endfor %}
) as m (usage_type, usage_quantity, usage_unit, is_reported)
{%- endmacro %}
{#- Spark: a VALUES list cannot read the outer row; inline() of an array of structs unpivots it. -#}
{% macro spark__ai_usage_measures(measures) -%}
lateral view inline(array(
{%- for usage_type, expr, unit in measures %}
    named_struct('usage_type', '{{ usage_type }}', 'usage_quantity', cast({{ expr }} as {{ type_money() }}),
                 'usage_unit', '{{ unit }}', 'is_reported', coalesce({{ expr }}, 0) <> 0){{ "," if not loop.last }}
{%- endfor %}
)) m as usage_type, usage_quantity, usage_unit, is_reported
{%- endmacro %}

{#- Token types priced per million tokens: the price-book leaves used by the usage models. -#}
{% macro ai_token_types() -%}
{{ return(['input', 'output', 'cache_read', 'cache_write', 'cache_write_1h', 'input_audio', 'output_audio',
           'cache_audio_read', 'input_image', 'output_image', 'cache_image_read', 'cache_write_30m',
           'cache_write_12h']) }}
{%- endmacro %}

{#- The join condition of the published price variant (seed model_price_modifiers, joined by the caller as `alias`)
    of one usage dimension: `left join {{ ref('model_price_modifiers') }} as mt on {{ ai_price_modifier_matches(...) }}`;
    the joined alias has `multiplier` (null = none applies). -#}
{% macro ai_price_modifier_matches(alias, usage_alias, dimension, value_expr, token_type_expr, date_expr, model_expr) -%}
{{ alias }}.vendor = {{ usage_alias }}.vendor
    and {{ alias }}.dimension = '{{ dimension }}'
    and {{ alias }}.dimension_value = lower({{ value_expr }})
    and {{ price_book_model_matches(model_expr, alias ~ '.model_pattern') }}
    and ({{ alias }}.token_types = '*'
         or {{ dbt.concat(["'|'", alias ~ ".token_types", "'|'"]) }} like {{ dbt.concat(["'%|'", token_type_expr, "'|%'"]) }})
    and {{ alias }}.valid_from <= {{ date_expr }}
    and ({{ alias }}.valid_to is null or {{ date_expr }} < {{ alias }}.valid_to)
{%- endmacro %}

{#- a x b as money (DECIMAL(38,10)); keep products of two factors so that the intermediate scale fits. -#}
{% macro money_mul(a, b) -%}cast(({{ a }}) * ({{ b }}) as {{ type_money() }}){%- endmacro %}

{#- Tokens as millions of tokens (the price book's and FOCUS PricingUnit's "1000000 Tokens"), exact. -#}
{% macro per_million(tokens) -%}cast(({{ tokens }}) * 0.000001 as {{ type_money() }}){%- endmacro %}

{#- The price resolution (documented in int_ai_price_resolution) as the CTEs and final select that follow a model's
    `keys_cte` (vendor, model_name, token_type, usage_date): one row per key with the resolved price and
    price_status. The one macro that emits a model's query: its two users resolve keys on either side of
    int_charges_unioned (the model-API keys feed it, the cloud bills' token meters are read from it), so one model
    (ephemeral, view or table) cannot serve both without a cycle, and a copy in each would repeat ~90 lines.
    model_prices and token_type_fallbacks are the caller's relations (ref()s in the model: int_model_prices, seed
    token_type_fallbacks). -#}
{% macro ai_price_resolution_sql(keys_cte, model_prices, token_type_fallbacks) -%}
price_models as (
    select distinct vendor, model_id, model_match, model_match_exact, match_rank
    from {{ model_prices }}
),

model_names as (
    select distinct vendor, model_name from {{ keys_cte }}
),

name_matches as (
    select
        n.vendor,
        n.model_name,
        m.model_id,
        m.model_match_exact,
        row_number() over (partition by n.vendor, n.model_name order by m.match_rank, m.model_id) as match_order
    from model_names as n
    inner join price_models as m
        on m.vendor = n.vendor
        and {{ price_book_model_matches('n.model_name', 'm.model_match') }}
),

resolved_models as (
    select vendor, model_name, model_id, model_match_exact
    from name_matches
    where match_order = 1
),

price_candidates as (
    select
        k.vendor,
        k.model_name,
        k.token_type,
        k.usage_date,
        f.priced_as,
        p.valid_from,
        p.list_price_per_million,
        p.contracted_price_per_million,
        p.currency,
        p.price_source,
        p.contract_ref,
        row_number() over (
            partition by k.vendor, k.model_name, k.token_type, k.usage_date order by f.preference
        ) as preference_order
    from {{ keys_cte }} as k
    inner join resolved_models as r
        on r.vendor = k.vendor and r.model_name = k.model_name
    inner join {{ token_type_fallbacks }} as f
        on f.token_type = k.token_type
    inner join {{ model_prices }} as p
        on p.vendor = k.vendor
        and p.model_id = r.model_id
        and p.token_type = f.priced_as
        and p.valid_from <= k.usage_date
        and (p.valid_to is null or k.usage_date < p.valid_to)
)

select
    k.vendor,
    k.model_name,
    k.token_type,
    k.usage_date,
    r.model_id as price_model_id,
    r.model_match_exact,
    c.priced_as as priced_token_type,
    c.valid_from as price_valid_from,
    c.list_price_per_million,
    c.contracted_price_per_million,
    c.currency as price_currency,
    c.price_source,
    c.contract_ref,
    case
        when r.model_id is null then 'unknown_model'
        when c.list_price_per_million is null then 'no_price'
        else 'priced'
    end as price_status
from {{ keys_cte }} as k
left join resolved_models as r
    on r.vendor = k.vendor and r.model_name = k.model_name
left join price_candidates as c
    on c.vendor = k.vendor and c.model_name = k.model_name and c.token_type = k.token_type
    and c.usage_date = k.usage_date and c.preference_order = 1
{%- endmacro %}

{#- a / b cast to `type`, null when b is 0 or null (a zero denominator is not an error). -#}
{% macro safe_ratio(a, b, type=none) -%}
case when ({{ b }}) is null or ({{ b }}) = 0 then null else {{ double_to_decimal(decimal_div(a, b), type) }} end
{%- endmacro %}

{#- Input-side token types (everything the model reads) and output-side ones. -#}
{% macro ai_input_token_types() -%}
{{ return(['input', 'cache_read', 'cache_write', 'cache_write_1h', 'input_audio', 'cache_audio_read', 'input_image',
           'cache_image_read', 'cache_write_30m', 'cache_write_12h']) }}
{%- endmacro %}
{% macro ai_output_token_types() -%}
{{ return(['output', 'output_audio', 'output_image']) }}
{%- endmacro %}
{% macro sql_in_list(values) -%}('{{ values | join("', '") }}'){%- endmacro %}
