{#- NullHandling (null_handling.md): "no value" is NULL, never an empty string or a placeholder (macro
    focus_placeholder_strings(), case-insensitive after trimming) in any string column of the FOCUS export.
    One row per column with placeholders, with their count. -#}
{%- set rel = ref('focus_cost_and_usage') -%}
{%- set placeholders = focus_sql_list(focus_placeholder_strings()) -%}
{%- set string_columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(rel) -%}
        {%- if column.dtype | upper in ('VARCHAR', 'JSON') or (column.dtype | upper).startswith('VARCHAR') -%}
            {%- do string_columns.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if string_columns %}
with counts as (
    select
        {%- for name in string_columns %}
        count(*) filter (
            where lower(trim(cast({{ adapter.quote(name) }} as varchar))) in {{ placeholders }}
        ) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ rel }}
),

per_column as (
    unpivot counts on columns(*) into name column_name value n_rows
)

select column_name, n_rows
from per_column
where n_rows > 0
{%- else %}
select cast(null as varchar) as column_name, 0 as n_rows
where false
{%- endif %}
