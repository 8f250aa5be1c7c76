{#- Warehouse types (DuckDB, the engine CI runs). Money and quantities are DECIMAL(38,10), never float. -#}
{% macro type_money() -%}decimal(38, 10){%- endmacro %}

{#- JSON objects (FOCUS Tags, x_* detail) are stored as their text. -#}
{% macro type_json_text() -%}{{ dbt.type_string() }}{%- endmacro %}

{#- The warehouse's timestamp: UTC, without time zone. -#}
{% macro type_utc_timestamp() -%}timestamp{%- endmacro %}
