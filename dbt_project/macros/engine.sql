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

{#- The number of distinct non-null values of `expr` over the window `partition by <partition_by>`. Spark has no
    DISTINCT window aggregate: the size of the set collected over the window (nulls are not collected). -#}
{% macro count_distinct_window(expr, partition_by) -%}
    {{ return(adapter.dispatch('count_distinct_window')(expr, partition_by)) }}
{%- endmacro %}
{% macro default__count_distinct_window(expr, partition_by) -%}
count(distinct {{ expr }}) over (partition by {{ partition_by }})
{%- endmacro %}
{% macro spark__count_distinct_window(expr, partition_by) -%}
size(collect_set({{ expr }}) over (partition by {{ partition_by }}))
{%- endmacro %}

{#- One row per part of the text `expr` split at the literal `separator` (Jinja text): a set-returning expression
    for a select list (`{{ split_rows('meters', '|') }} as pattern`). Spark splits at a regex: the separator quoted. -#}
{% macro split_rows(expr, separator) -%}
    {{ return(adapter.dispatch('split_rows')(expr, separator)) }}
{%- endmacro %}
{% macro default__split_rows(expr, separator) -%}unnest(string_split({{ expr }}, {{ sql_string(separator) }})){%- endmacro %}
{% macro spark__split_rows(expr, separator) -%}explode(split({{ expr }}, {{ sql_string('\\Q' ~ separator ~ '\\E') }})){%- endmacro %}

{#- The text of the member named by `key_expr` (a SQL expression: a column or a quoted literal) of a JSON object
    text; null when absent, or when the text is not a JSON object. -#}
{% macro json_member_text_at(expr, key_expr) -%}
    {{ return(adapter.dispatch('json_member_text_at')(expr, key_expr)) }}
{%- endmacro %}
{% macro default__json_member_text_at(expr, key_expr) -%}
case when json_valid({{ expr }}) then json_extract_string({{ expr }}, {{ dbt.concat(["'$.\"'", key_expr, "'\"'"]) }}) end
{%- endmacro %}
{% macro spark__json_member_text_at(expr, key_expr) -%}
from_json({{ expr }}, 'map<string,string>')[{{ key_expr }}]
{%- endmacro %}

{#- The value of `value` on the row with the least `ordering` (DuckDB arg_min, Spark min_by). -#}
{% macro arg_min_agg(value, ordering) -%}
    {{ return(adapter.dispatch('arg_min_agg')(value, ordering)) }}
{%- endmacro %}
{% macro default__arg_min_agg(value, ordering) -%}arg_min({{ value }}, {{ ordering }}){%- endmacro %}
{% macro spark__arg_min_agg(value, ordering) -%}min_by({{ value }}, {{ ordering }}){%- endmacro %}

{#- A FROM clause of `relation_alias` joined to one row per member of the JSON object text `json_expr`, as
    `json_entries` (key: json_entries.key; value: json_entry_text(), json_entry_is_scalar()). -#}
{% macro json_entry_rows(relation_alias, json_expr) -%}
    {{ return(adapter.dispatch('json_entry_rows')(relation_alias, json_expr)) }}
{%- endmacro %}
{% macro default__json_entry_rows(relation_alias, json_expr) -%}
{{ relation_alias }}, json_each({{ json_expr }}) as json_entries
{%- endmacro %}
{% macro spark__json_entry_rows(relation_alias, json_expr) -%}
{{ relation_alias }}, lateral variant_explode(parse_json({{ json_expr }})) as json_entries
{%- endmacro %}
{#- Whether the member's value is a scalar (not an object or an array). -#}
{% macro json_entry_is_scalar() -%}
    {{ return(adapter.dispatch('json_entry_is_scalar')()) }}
{%- endmacro %}
{% macro default__json_entry_is_scalar() -%}json_type(json_entries.value) not in ('OBJECT', 'ARRAY'){%- endmacro %}
{% macro spark__json_entry_is_scalar() -%}schema_of_variant(json_entries.value) not rlike '^(OBJECT|ARRAY)'{%- endmacro %}
{#- The member's value as text (true -> 'true'; JSON null -> null). -#}
{% macro json_entry_text() -%}
    {{ return(adapter.dispatch('json_entry_text')()) }}
{%- endmacro %}
{% macro default__json_entry_text() -%}json_extract_string(json_entries.value, '$'){%- endmacro %}
{% macro spark__json_entry_text() -%}variant_get(json_entries.value, '$', 'string'){%- endmacro %}

{#- a / b as DuckDB divides DECIMALs: in DOUBLE (DuckDB types every DECIMAL quotient DOUBLE; Spark's exact DECIMAL
    quotient keeps at most 38 digits, most of them scale, and overflows to null). Cast the result to the type wanted. -#}
{% macro decimal_div(a, b) -%}
    {{ return(adapter.dispatch('decimal_div')(a, b)) }}
{%- endmacro %}
{% macro default__decimal_div(a, b) -%}({{ a }}) / ({{ b }}){%- endmacro %}
{% macro spark__decimal_div(a, b) -%}cast(({{ a }}) as double) / cast(({{ b }}) as double){%- endmacro %}

{#- A DOUBLE expression as the DECIMAL `type` (default money), rounded as DuckDB casts: the value times 10^scale in
    DOUBLE, rounded half away from zero. Spark's cast rounds the double's shortest decimal text instead, which
    differs in the last place now and then; its round() of a DOUBLE is half away from zero on the exact value. -#}
{% macro double_to_decimal(expr, type=none) -%}
    {{ return(adapter.dispatch('double_to_decimal')(expr, type or type_money())) }}
{%- endmacro %}
{% macro default__double_to_decimal(expr, type) -%}cast({{ expr }} as {{ type }}){%- endmacro %}
{% macro spark__double_to_decimal(expr, type) -%}
{%- set scale = modules.re.search('\\(\\s*\\d+\\s*,\\s*(\\d+)\\s*\\)', type).group(1) | int -%}
cast(cast(round(cast({{ expr }} as double) * 1e{{ scale }}) as decimal(38, 0)) * cast(1e-{{ scale }} as decimal(38, {{ scale }})) as {{ type }})
{%- endmacro %}

{#- A number as text with two decimals and thousands separators ("1,013.76"), from its DOUBLE value: DuckDB's
    format('{:,.2f}'), Spark's format_number (both round half-even on the double's exact value). -#}
{% macro number_text_2dp(expr) -%}
    {{ return(adapter.dispatch('number_text_2dp')(expr)) }}
{%- endmacro %}
{% macro default__number_text_2dp(expr) -%}format('{:,.2f}', cast({{ expr }} as double)){%- endmacro %}
{% macro spark__number_text_2dp(expr) -%}format_number(cast({{ expr }} as double), 2){%- endmacro %}
