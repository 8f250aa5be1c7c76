{#- SQL that DuckDB and Spark spell differently, one macro per construct (adapter dispatch: default__ is DuckDB, the
    engine `make test` runs; spark__ is the `spark` target, run by `make test-spark`). Regex patterns and
    replacements are given as Jinja text, never as SQL literals: each engine gets them escaped its own way
    (sql_string) and with its own back-reference syntax (DuckDB \1, Java $1). -#}

{#- Replace every match of `pattern` (RE2 / Java regex) in `expr` by `replacement` (\1 = group 1). -#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_all(expr, pattern, replacement) -%}
regexp_replace({{ expr }}, {{ sql_string(pattern) }}, {{ sql_string(replacement) }}, 'g')
{%- endmacro %}
{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
regexp_replace({{ expr }}, {{ sql_string(pattern) }}, {{ sql_string(_java_replacement(replacement)) }})
{%- endmacro %}

{#- Replace the first match of a pattern anchored at the start (^) or the end ($): it can match once only, so the
    first match is every match (Spark has no replace-first). -#}
{% macro regex_replace_first(expr, pattern, replacement) -%}
    {%- if not (pattern.startswith('^') or pattern.endswith('$')) -%}
        {{ exceptions.raise_compiler_error("regex_replace_first: the pattern must be anchored (^ or $): " ~ pattern) }}
    {%- endif -%}
    {{ return(adapter.dispatch('regex_replace_first')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_first(expr, pattern, replacement) -%}
regexp_replace({{ expr }}, {{ sql_string(pattern) }}, {{ sql_string(replacement) }})
{%- endmacro %}
{% macro spark__regex_replace_first(expr, pattern, replacement) -%}
regexp_replace({{ expr }}, {{ sql_string(pattern) }}, {{ sql_string(_java_replacement(replacement)) }})
{%- endmacro %}

{#- \1 -> $1 (Java's back-reference); a literal $ escaped. -#}
{% macro _java_replacement(replacement) -%}
    {%- set ns = namespace(out=replacement | replace('$', '\\$')) -%}
    {%- for i in range(9, 0, -1) -%}{%- set ns.out = ns.out | replace('\\' ~ i, '$' ~ i) -%}{%- endfor -%}
    {{ return(ns.out) }}
{%- endmacro %}

{#- True when `pattern` matches somewhere in `expr` (a search, not a full match). -#}
{% macro regex_search(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_search')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_search(expr, pattern) -%}
regexp_matches({{ expr }}, {{ sql_string(pattern) }})
{%- endmacro %}
{% macro spark__regex_search(expr, pattern) -%}
({{ expr }} rlike {{ sql_string(pattern) }})
{%- endmacro %}

{#- True when `pattern` matches the whole of `expr`. -#}
{% macro regex_full(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_full')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_full(expr, pattern) -%}
regexp_full_match({{ expr }}, {{ sql_string(pattern) }})
{%- endmacro %}
{% macro spark__regex_full(expr, pattern) -%}
({{ expr }} rlike {{ sql_string('^(?:' ~ pattern ~ ')$') }})
{%- endmacro %}

{#- Group `group` of the first match ('' when none), as regexp_extract on both engines. -#}
{% macro regex_group(expr, pattern, group) -%}
regexp_extract({{ expr }}, {{ sql_string(pattern) }}, {{ group }})
{%- endmacro %}

{#- Spark: a text as a JSON string literal (quotes, backslashes and control characters escaped as to_json does). -#}
{% macro spark_json_string(expr) -%}
regexp_extract(to_json(array({{ expr }})), {{ sql_string('(?s)^\\[(.*)\\]$') }}, 1)
{%- endmacro %}

{#- A DECIMAL(38,10) as text without trailing zeros or a trailing point (2.5000000000 -> '2.5', 0E-10 -> '0'). Spark
    writes a decimal below 1e-6 in scientific notation and its two-argument rtrim takes the characters first, so there
    the text is format_number's (10 decimals, the grouping commas dropped). -#}
{% macro decimal_text_trimmed(expr) -%}
    {{ return(adapter.dispatch('decimal_text_trimmed')(expr)) }}
{%- endmacro %}
{% macro default__decimal_text_trimmed(expr) -%}
rtrim(rtrim(cast({{ expr }} as {{ dbt.type_string() }}), '0'), '.')
{%- endmacro %}
{% macro spark__decimal_text_trimmed(expr) -%}
trim(trailing '.' from trim(trailing '0' from replace(format_number({{ expr }}, 10), ',', '')))
{%- endmacro %}

{#- Text without the given trailing characters (DuckDB rtrim(text, characters); Spark's two-argument rtrim takes
    them in the other order, so the standard trim(trailing ...) there). -#}
{% macro rtrim_chars(expr, characters) -%}
    {{ return(adapter.dispatch('rtrim_chars')(expr, characters)) }}
{%- endmacro %}
{% macro default__rtrim_chars(expr, characters) -%}rtrim({{ expr }}, {{ sql_string(characters) }}){%- endmacro %}
{% macro spark__rtrim_chars(expr, characters) -%}trim(trailing {{ sql_string(characters) }} from {{ expr }}){%- endmacro %}

{#- A text value as a JSON string literal (null stays null): DuckDB to_json, Spark to_json of a one-element array. -#}
{% macro json_string_text(expr) -%}
    {{ return(adapter.dispatch('json_string_text')(expr)) }}
{%- endmacro %}
{% macro default__json_string_text(expr) -%}cast(to_json({{ expr }}) as varchar){%- endmacro %}
{% macro spark__json_string_text(expr) -%}case when {{ expr }} is not null then {{ spark_json_string(expr) }} end{%- endmacro %}

{#- The text of member `key` of a JSON object text (a nested value as its JSON text); null when absent. -#}
{% macro json_member_text(expr, key) -%}
    {{ return(adapter.dispatch('json_member_text')(expr, key)) }}
{%- endmacro %}
{% macro default__json_member_text(expr, key) -%}json_extract_string({{ expr }}, '$."{{ key }}"'){%- endmacro %}
{% macro spark__json_member_text(expr, key) -%}get_json_object({{ expr }}, '$.{{ key }}'){%- endmacro %}
