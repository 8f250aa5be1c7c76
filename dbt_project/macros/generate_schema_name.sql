{#- Schemas are named by layer (staging, intermediate, marts, reference), not prefixed by the target schema:
    BI tools and finance query `marts.*` whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
