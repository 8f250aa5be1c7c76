{#- Cost anomalies (models/intermediate/governance/int_daily_cost_drivers, int_anomaly_*; marts fct_cost_anomalies,
    fct_anomaly_lifecycle, fct_remediation_cycle_time; docs/marts/anomalies.md). -#}

{#- The median of expr as an aggregate (group by or window-free). -#}
{% macro anomaly_median(expr) -%}median({{ expr }}){%- endmacro %}

{#- Whether a date is a Saturday or Sunday (portable: days since Monday 1970-01-05, modulo 7). -#}
{% macro anomaly_is_weekend(date_expr) -%}
(mod({{ dbt.datediff("cast('1970-01-05' as date)", date_expr, 'day') }}, 7) >= 5)
{%- endmacro %}

{#- Timestamp difference in hours, exact to the second, as decimal(18, 6); null when either end is null. -#}
{% macro anomaly_hours_between(start, end) -%}
cast({{ dbt.datediff(start, end, 'second') }} / 3600.0 as decimal(18, 6))
{%- endmacro %}
