{#- Tests of the policy seeds (seeds/*/<domain>_policy.csv; docs/marts/policies.md). -#}

{#- A one-row policy seed holds exactly one row: the models cross join it, so none would drop every row and two would
    double them. Returns the row count when it is not 1. -#}
{% test policy_single_row(model) %}
select count(*) as n_rows
from {{ model }}
having count(*) <> 1
{% endtest %}

{#- Generic test: every row of a policy seed satisfies the SQL expression (e.g. thresholds in order). -#}
{% test policy_holds(model, expression) %}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
