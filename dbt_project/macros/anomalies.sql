{#- Cost anomalies (models/intermediate/governance/int_daily_cost_drivers, int_anomaly_*; marts fct_cost_anomalies,
    fct_anomaly_lifecycle, fct_remediation_cycle_time; docs/marts/anomalies.md). -#}

{#- The median of a money expression as an aggregate (group by or window-free), DECIMAL(38,10): with an even count
    the two middle values' mean cut toward zero at the 10th decimal (DuckDB's median of a DECIMAL). -#}
{% macro anomaly_median(expr) -%}
    {{ return(adapter.dispatch('anomaly_median')(expr)) }}
{%- endmacro %}
{% macro default__anomaly_median(expr) -%}median({{ expr }}){%- endmacro %}
{#- Spark's median is a DOUBLE: here the middle values of the sorted list, their sum S as integer units of 1e-10,
    halved toward zero ((S - S % 2) / 2: % keeps the dividend's sign). -#}
{% macro spark__anomaly_median(expr) -%}
{%- set sorted = 'array_sort(collect_list(cast(' ~ expr ~ ' as ' ~ type_money() ~ ')))' -%}
{%- set units = 'cast((element_at(' ~ sorted ~ ', cast((count(' ~ expr ~ ') + 1) div 2 as int)) + element_at('
    ~ sorted ~ ', cast(count(' ~ expr ~ ') div 2 + 1 as int))) * 10000000000 as decimal(38, 0))' -%}
case when count({{ expr }}) > 0
    then cast(({{ units }} - {{ units }} % 2) / 2 * cast(0.0000000001 as decimal(11, 10)) as {{ type_money() }}) end
{%- endmacro %}

{#- Whether a date is a Saturday or Sunday (portable: days since Monday 1970-01-05, modulo 7). -#}
{% macro anomaly_is_weekend(date_expr) -%}
(mod({{ dbt.datediff("cast('1970-01-05' as date)", date_expr, 'day') }}, 7) >= 5)
{%- endmacro %}

{#- Timestamp difference in hours, exact to the second, as decimal(18, 6); null when either end is null. -#}
{% macro anomaly_hours_between(start, end) -%}
cast({{ dbt.datediff(start, end, 'second') }} / 3600.0 as decimal(18, 6))
{%- endmacro %}
