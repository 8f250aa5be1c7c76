{#- Every non-null value of an enumerated FOCUS column is one of the spec's allowed values, row by row (the
    validator's OR "allowed values" rules only require that some row matches). The values come from the one list,
    macro focus_allowed_values() in macros/focus_columns.sql; focus_column names the FOCUS column ID whose list
    applies (the tested column may be its snake_case form). Returns each value outside the list with its rows. -#}
{% test in_focus_allowed_values(model, column_name, focus_column) %}
{%- set allowed = focus_allowed_values()[focus_column] %}
select
    cast({{ column_name }} as {{ dbt.type_string() }}) as value_outside_focus_list,
    count(*) as n_rows
from {{ model }}
where {{ column_name }} is not null
    and cast({{ column_name }} as {{ dbt.type_string() }}) not in {{ focus_sql_list(allowed) }}
group by 1
{% endtest %}
