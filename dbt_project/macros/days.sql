{#- Spreading a charge that spans several days (monthly fees, seats, plans, tax, credits) evenly over its days. One
    rule for every daily model (int_governance_daily_charges, int_daily_cost_drivers, int_waste_scope_daily,
    int_commitment_contract_daily, dim_ai_workloads): a charge of `days` days is one row per day (day_series), each
    day the amount / days cut to the money scale, the last day the remainder (day_share), so the days add up to the
    amount exactly. -#}

{#- The days first_day..last_day (inclusive, date expressions) as one timestamp per row: a set-returning expression
    for a select list (`{{ day_series('start_day', 'last_day') }} as day_ts`). -#}
{% macro day_series(first_day, last_day) -%}
    {{ return(adapter.dispatch('day_series')(first_day, last_day)) }}
{%- endmacro %}
{% macro default__day_series(first_day, last_day) -%}
unnest(generate_series(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day))
{%- endmacro %}
{% macro spark__day_series(first_day, last_day) -%}
explode(sequence(cast({{ first_day }} as timestamp), cast({{ last_day }} as timestamp), interval 1 day))
{%- endmacro %}

{#- A FROM clause of one row per day, first_day to last_day inclusive (literal 'YYYY-MM-DD' dates): calendar_day. -#}
{% macro calendar_day_rows(first_day, last_day) -%}
    {{ return(adapter.dispatch('calendar_day_rows')(first_day, last_day)) }}
{%- endmacro %}
{% macro default__calendar_day_rows(first_day, last_day) -%}
(select cast(range as date) as calendar_day
 from range(cast('{{ first_day }}' as date), cast('{{ last_day }}' as date) + 1, interval 1 day)) as calendar_days
{%- endmacro %}
{% macro spark__calendar_day_rows(first_day, last_day) -%}
(select explode(sequence(date '{{ first_day }}', date '{{ last_day }}', interval 1 day)) as calendar_day) as calendar_days
{%- endmacro %}

{#- One day's share of `amount` spread evenly over `days` days (an integer expression > 1): amount / days cut to the
    money scale, and on the day where `is_last_day` (a boolean expression) holds the remainder. -#}
{% macro day_share(amount, days, is_last_day) -%}
case
    when {{ is_last_day }} then {{ amount }} - cast({{ amount }} / {{ days }} as {{ type_money() }}) * ({{ days }} - 1)
    else cast({{ amount }} / {{ days }} as {{ type_money() }})
end
{%- endmacro %}

{#- The integers first..last (inclusive, literals) as a query of one column `name`: DuckDB's range table function
    names its column range, Spark's id. -#}
{% macro integer_rows(first, last, name) -%}
    {{ return(adapter.dispatch('integer_rows')(first, last, name)) }}
{%- endmacro %}
{% macro default__integer_rows(first, last, name) -%}
select cast(range as integer) as {{ name }} from range({{ first }}, {{ last + 1 }})
{%- endmacro %}
{% macro spark__integer_rows(first, last, name) -%}
select cast(id as int) as {{ name }} from range({{ first }}, {{ last + 1 }})
{%- endmacro %}
