{#- Cost anomalies (models/intermediate/governance/int_daily_cost_drivers, int_anomaly_*; marts fct_cost_anomalies,
    fct_anomaly_lifecycle, fct_remediation_cycle_time; docs/marts/anomalies.md). -#}

{#- The median of expr as an aggregate (group by or window-free). -#}
{% macro anomaly_median(expr) -%}median({{ expr }}){%- endmacro %}

{#- The integers 0 .. 10^digits - 1 as a subquery with one column n (portable: cross joins of ten digits). -#}
{% macro anomaly_numbers(digits=4) -%}
(
    select {% for i in range(digits) %}d{{ i }}.n * {{ 10 ** i }}{% if not loop.last %} + {% endif %}{% endfor %} as n
    from {% for i in range(digits) %}(
        {%- for v in range(10) %}select {{ v }} as n{% if not loop.last %} union all {% endif %}{% endfor -%}
    ) as d{{ i }}{% if not loop.last %}
    cross join {% endif %}{% endfor %}
)
{%- endmacro %}

{#- The baseline days of a scored day, as (lag_days, baseline_method) rows: the same weekday of the previous
    var('anomaly_baseline_weeks') weeks ('same_weekday'), and the previous var('anomaly_fallback_days') days
    ('recent_days'), used when the series is too short for the first. -#}
{% macro anomaly_baseline_lags() -%}
(
    {%- for w in range(1, var('anomaly_baseline_weeks') | int + 1) %}
    select {{ 7 * w }} as lag_days, 'same_weekday' as baseline_method union all
    {%- endfor %}
    {%- for d in range(1, var('anomaly_fallback_days') | int + 1) %}
    select {{ d }}, 'recent_days'{% if not loop.last %} union all{% endif %}
    {%- endfor %}
)
{%- endmacro %}

{#- Whether a date is a Saturday or Sunday (portable: days since Monday 1970-01-05, modulo 7). -#}
{% macro anomaly_is_weekend(date_expr) -%}
(mod({{ dbt.datediff("cast('1970-01-05' as date)", date_expr, 'day') }}, 7) >= 5)
{%- endmacro %}

{#- The scope types of the anomaly series (var anomaly_scope_types), checked against the supported ones. -#}
{% macro anomaly_scope_types() -%}
{%- set supported = ['provider', 'service', 'model', 'project', 'api_key'] %}
{%- set chosen = var('anomaly_scope_types') %}
{%- for s in chosen %}
    {%- if s not in supported %}
        {{ exceptions.raise_compiler_error("anomaly_scope_types: unknown scope type '" ~ s ~ "' (supported: " ~ supported | join(', ') ~ ")") }}
    {%- endif %}
{%- endfor %}
{{ return(chosen) }}
{%- endmacro %}

{#- Timestamp difference in hours, exact to the second, as decimal(18, 6); null when either end is null. -#}
{% macro anomaly_hours_between(start, end) -%}
cast({{ dbt.datediff(start, end, 'second') }} / 3600.0 as decimal(18, 6))
{%- endmacro %}
