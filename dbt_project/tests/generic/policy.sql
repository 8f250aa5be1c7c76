{#- Tests of the policy seeds (seeds/*/<domain>_policy.csv; docs/marts/policies.md). -#}

{#- A one-row policy seed holds exactly one row: the models cross join it, so none would drop every row and two would
    double them. Returns the row count when it is not 1. -#}
{% test policy_single_row(model) %}
select count(*) as n_rows
from {{ model }}
having count(*) <> 1
{% endtest %}

{#- Every value of a policy column lies within [min_value, max_value] (either bound may be left out) and is not null.
    Returns each value outside the range. -#}
{% test policy_value_between(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as value_out_of_range
from {{ model }}
where {{ column_name }} is null
    {%- if min_value is not none %}
    or {{ column_name }} < {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or {{ column_name }} > {{ max_value }}
    {%- endif %}
{% endtest %}

{#- Generic test: every row of a policy seed satisfies the SQL expression (e.g. thresholds in order). -#}
{% test policy_holds(model, expression) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
