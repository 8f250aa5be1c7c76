{#- Waste, cost avoidance and commitments (models/{intermediate,marts}/governance: int_waste_*, int_commitment_*,
    fct_waste_candidates, fct_cost_avoidance, fct_commitment_utilization). -#}

{#- The as-of day of the waste and commitment marts: var waste_as_of_date, else the latest charge day of the FOCUS
    record (max ChargePeriodStart) - never current_date, so a rerun on the same data gives the same answer. A scalar
    subquery on `charges` (the model's ref('fct_charges')). -#}
{% macro waste_as_of_date(charges) -%}
{%- if var('waste_as_of_date', none) -%}
cast('{{ var("waste_as_of_date") }}' as date)
{%- else -%}
(select cast(max(charge_period_start) as date) from {{ charges }})
{%- endif -%}
{%- endmacro %}

{#- The idle-capacity rules of seed waste_idle_rules (`rules_seed`, the model's ref), read when the model runs, in
    rule_order, as [{waste_type, service_name, capacity_meters, traffic, traffic_meters, traffic_unit,
    max_traffic_per_hour}] (meter lists split on '|'); var waste_idle_rules, when set, replaces them (a unit test or
    a what-if run). Empty at parse and before the seed is loaded (dbt build loads it first: it is a parent). -#}
{% macro waste_idle_rules(rules_seed) -%}
{%- set override = var('waste_idle_rules', none) %}
{%- if override is not none %}{{ return(override) }}{% endif %}
{#- no rule (parse, an empty seed, dbt build --empty): one that matches nothing, so that the SQL stays valid -#}
{%- set no_rule = [{'waste_type': 'idle_endpoint', 'service_name': none, 'capacity_meters': [], 'max_traffic_per_hour': 0}] %}
{%- if not execute or load_relation(rules_seed) is none %}{{ return(no_rule) }}{% endif %}
{%- set rows = run_query("select waste_type, service_name, capacity_meters, traffic, traffic_meters, traffic_unit, "
                         ~ "cast(max_traffic_per_hour as varchar) as max_traffic_per_hour from " ~ rules_seed
                         ~ " order by rule_order") %}
{%- set rules = [] %}
{%- for r in rows.rows %}
    {%- set rule = {'waste_type': r['waste_type'], 'service_name': r['service_name'],
                    'capacity_meters': (r['capacity_meters'] or '').split('|') | reject('equalto', '') | list,
                    'max_traffic_per_hour': r['max_traffic_per_hour']} %}
    {%- if r['traffic'] %}{% do rule.update({'traffic': r['traffic']}) %}{% endif %}
    {%- if r['traffic_meters'] %}{% do rule.update({'traffic_meters': r['traffic_meters'].split('|') | reject('equalto', '') | list}) %}{% endif %}
    {%- if r['traffic_unit'] %}{% do rule.update({'traffic_unit': r['traffic_unit']}) %}{% endif %}
    {%- do rules.append(rule) %}
{%- endfor %}
{{ return(rules if rules else no_rule) }}
{%- endmacro %}

{#- The lower-case text a line's meter patterns are matched against: SkuMeter, usage type and consumed unit. -#}
{% macro waste_meter_text(a) -%}
lower({{ dbt.concat(["coalesce(" ~ a ~ ".sku_meter, '')", "' '", "coalesce(" ~ a ~ ".x_usage_type, '')", "' '", "coalesce(" ~ a ~ ".consumed_unit, '')"]) }})
{%- endmacro %}

{#- Whether a line's meter text matches any of the LIKE patterns (lower case); false for an empty list. -#}
{% macro waste_meter_like(a, patterns) -%}
{%- if patterns | length == 0 -%}(1 = 0){%- else -%}
({% for p in patterns %}{{ waste_meter_text(a) }} like {{ sql_literal(p | lower) }}{% if not loop.last %} or {% endif %}{% endfor %})
{%- endif -%}
{%- endmacro %}

{#- Whether a line is evidence of activity: tokens, or a meter of var waste_activity_meters with a quantity. -#}
{% macro waste_is_activity(a) -%}
(coalesce({{ a }}.x_token_count, 0) > 0
 or (coalesce({{ a }}.consumed_quantity, 0) > 0 and {{ waste_meter_like(a, var('waste_activity_meters')) }}))
{%- endmacro %}

{#- Whether a line is billed in tokens (the traffic of provisioned model capacity: rule traffic = tokens). -#}
{% macro waste_is_token_line(a) -%}
(coalesce({{ a }}.x_token_count, 0) > 0 or lower(coalesce({{ a }}.consumed_unit, '')) like '%token%')
{%- endmacro %}

{#- Token quantity of a token line: x_token_count, else ConsumedQuantity in its unit ("1000 Tokens" x 1000). -#}
{% macro waste_token_quantity(a) -%}
coalesce(cast({{ a }}.x_token_count as {{ type_money() }}),
         {{ a }}.consumed_quantity * case
             when lower(coalesce({{ a }}.consumed_unit, '')) like '1000000 %' then 1000000
             when lower(coalesce({{ a }}.consumed_unit, '')) like '1000 %' then 1000
             when lower(coalesce({{ a }}.consumed_unit, '')) like '1k%' then 1000
             else 1 end)
{%- endmacro %}

{#- The text value of one key of the FOCUS Tags JSON object (null when missing or not JSON). -#}
{% macro waste_tag_value(tags, key) -%}
    case when json_valid({{ tags }}) then nullif(json_extract_string({{ tags }}, '$."{{ key }}"'), '') end
{%- endmacro %}

{#- A training job's name without its trailing run suffix (date, time, counter: "-20261006", "-2", "-0915"), the
    job family when no spec tag is set. -#}
{% macro waste_job_family(name) -%}
    regexp_replace({{ name }}, '([-_][0-9]+)+$', '')
{%- endmacro %}

{#- The last path segment of a resource id (ARN ".../endpoint/name" -> "name"). -#}
{% macro waste_resource_short_name(resource_id) -%}
    regexp_extract({{ resource_id }}, '([^/:]+)$', 1)
{%- endmacro %}

{#- Money as text with two decimals and thousands separators ("1,013.76"), for evidence sentences. -#}
{% macro waste_money_text(amount) -%}
    format('{:,.2f}', cast(round({{ amount }}, 2) as double))
{%- endmacro %}

{#- Quantity as text with up to two decimals ("744", "6.5", "0.25"). -#}
{% macro waste_number_text(amount) -%}
    rtrim(rtrim(format('{:,.2f}', cast({{ amount }} as double)), '0'), '.')
{%- endmacro %}

{#- Stable id of a waste candidate: hash of its waste type and scope key. -#}
{% macro waste_candidate_id(waste_type, scope_key) -%}
{{ dbt.hash(dbt.concat([waste_type, "'|'", scope_key])) }}
{%- endmacro %}

{#- One day's share of an amount spread evenly over the days first_day..last_day (inclusive): the amount / days,
    cut to the money scale, and the last day the remainder - so the days add up to the amount exactly. -#}
{% macro waste_day_share(amount, first_day, last_day, day) -%}
{%- set n = '(' ~ dbt.datediff(first_day, last_day, 'day') ~ ' + 1)' -%}
case when {{ day }} = {{ last_day }}
     then {{ amount }} - cast({{ amount }} / {{ n }} as {{ type_money() }}) * ({{ n }} - 1)
     else cast({{ amount }} / {{ n }} as {{ type_money() }}) end
{%- endmacro %}

{#- The rows of spans (a CTE with start_day and last_day) as one row per day, in a select to wrap in a CTE: a
    one-day span keeps its row (day = start_day); a multi-day span becomes one row per day of start_day..last_day,
    each amount spread by waste_day_share (the days add up to the span's amount exactly), keys and carried columns
    copied. Output columns: keys, day_column, carried, amounts (names as given). -#}
{% macro spread_spans_daily(spans, keys, amounts, carried=[], day_column='charge_day') -%}
{%- set multi = "(select {fn}({col}) from " ~ spans ~ " where last_day > start_day)" -%}
select
    {%- for k in keys %} {{ k }},{% endfor %} start_day as {{ day_column }}
    {%- for c in carried %}, {{ c }}{% endfor %}
    {%- for a in amounts %}, {{ a }}{% endfor %}
from {{ spans }}
where last_day <= start_day
union all
select
    {%- for k in keys %} s.{{ k }},{% endfor %} d.calendar_day
    {%- for c in carried %}, s.{{ c }}{% endfor %}
    {%- for a in amounts %},
    {{ waste_day_share('s.' ~ a, 's.start_day', 's.last_day', 'd.calendar_day') }}{% endfor %}
from {{ spans }} as s
inner join (
    {{ calendar_days("coalesce(" ~ multi.replace('{fn}', 'min').replace('{col}', 'start_day') ~ ", cast('2000-01-01' as date))",
                     "coalesce(" ~ multi.replace('{fn}', 'max').replace('{col}', 'last_day') ~ ", cast('2000-01-01' as date))") }}
) as d on d.calendar_day >= s.start_day and d.calendar_day <= s.last_day
where s.last_day > s.start_day
{%- endmacro %}
