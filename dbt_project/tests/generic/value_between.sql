{#- Every value of the column lies within [min_value, max_value] (either bound may be left out). A null passes unless
    allow_null is false (policy seeds: a missing threshold is an error). Returns each row outside the range. -#}
{% test value_between(model, column_name, min_value=none, max_value=none, allow_null=true) %}
select {{ column_name }} as value_out_of_range
from {{ model }}
where {% if allow_null %}{{ column_name }} is not null and ({% else %}{{ column_name }} is null or ({% endif %}1 = 0
    {%- if min_value is not none %}
    or {{ column_name }} < {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or {{ column_name }} > {{ max_value }}
    {%- endif %})
{% endtest %}
