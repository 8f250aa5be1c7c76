{#- Price book (dim_model_prices): matching and the open interval end (the generic tests of the price book seeds
    and model: tests/generic/price_book.sql). -#}

{#- The far-future date standing for an open interval (valid_to null) inside computations. -#}
{% macro price_book_open_end() -%}cast('9999-12-31' as date){%- endmacro %}

{#- value LIKE pattern, with backslash as the escape character (price book patterns escape % _ \ with it). -#}
{% macro price_book_like(value, pattern) -%}({{ value }} like {{ pattern }} escape {{ sql_string('\\') }}){%- endmacro %}

{#- True when a model name matches a model_prices_list.model_match ('|'-separated LIKE patterns, lower case).
    For the usage models: join usage to dim_model_prices on vendor, token type, date in [valid_from, valid_to)
    and this predicate, then keep the lowest match_rank (the package takes the first matching model). -#}
{% macro price_book_model_matches(model_name, model_match) -%}
    {{ return(adapter.dispatch('price_book_model_matches')(model_name, model_match)) }}
{%- endmacro %}
{% macro default__price_book_model_matches(model_name, model_match) -%}
(len(list_filter(string_split({{ model_match }}, '|'), p -> lower({{ model_name }}) like p escape {{ sql_string('\\') }})) > 0)
{%- endmacro %}
{#- Spark: split takes a regex (the pipe escaped); exists() is true when any pattern matches. -#}
{% macro spark__price_book_model_matches(model_name, model_match) -%}
exists(split({{ model_match }}, {{ sql_string('\\|') }}), p -> lower({{ model_name }}) like p escape {{ sql_string('\\') }})
{%- endmacro %}
