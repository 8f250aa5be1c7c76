{#- Portable types. Money and quantities are DECIMAL(38,10) on every warehouse. Keep adapter-specific
    SQL inside adapter.dispatch macros like these so that moving to Spark/Snowflake/BigQuery stays small. -#}
{% macro type_money() -%}{{ return(adapter.dispatch('type_money', 'finops_ai')()) }}{%- endmacro %}
{% macro default__type_money() -%}decimal(38, 10){%- endmacro %}
{% macro bigquery__type_money() -%}bignumeric(38, 10){%- endmacro %}

{% macro type_json_text() -%}{{ return(adapter.dispatch('type_json_text', 'finops_ai')()) }}{%- endmacro %}
{% macro default__type_json_text() -%}{{ dbt.type_string() }}{%- endmacro %}

{% macro type_utc_timestamp() -%}{{ return(adapter.dispatch('type_utc_timestamp', 'finops_ai')()) }}{%- endmacro %}
{% macro default__type_utc_timestamp() -%}timestamp{%- endmacro %}
{% macro snowflake__type_utc_timestamp() -%}timestamp_ntz{%- endmacro %}
