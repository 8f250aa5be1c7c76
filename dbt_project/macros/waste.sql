{#- Waste, cost avoidance and commitments (models/{intermediate,marts}/governance: int_waste_*, int_commitment_*,
    fct_waste_candidates, fct_cost_avoidance, fct_commitment_utilization). -#}

{#- The lower-case text a line's meter patterns are matched against: SkuMeter, usage type and consumed unit. -#}
{% macro waste_meter_text(a) -%}
lower({{ dbt.concat(["coalesce(" ~ a ~ ".sku_meter, '')", "' '", "coalesce(" ~ a ~ ".x_usage_type, '')", "' '", "coalesce(" ~ a ~ ".consumed_unit, '')"]) }})
{%- endmacro %}

{#- Whether a line's meter (waste_meter_text) matches a lower-case LIKE pattern of `patterns` (a CTE or ref with a
    column pattern). On a large record, evaluate it on the distinct meters and join the flag to the lines: once per
    meter, not once per line (the correlated test buffers every line and spills beyond the memory limit). -#}
{% macro waste_meter_matches(a, patterns) -%}
exists (select 1 from {{ patterns }} as m where {{ waste_meter_text(a) }} like m.pattern)
{%- endmacro %}

{#- Whether a line is evidence of activity: tokens, or a quantity on a meter of seed waste_activity_meters
    (`is_activity_meter`: a boolean expression, waste_meter_matches of the line's meter). -#}
{% macro waste_is_activity(a, is_activity_meter) -%}
(coalesce({{ a }}.x_token_count, 0) > 0
 or (coalesce({{ a }}.consumed_quantity, 0) > 0 and {{ is_activity_meter }}))
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

{#- The text value of one key of the FOCUS Tags JSON object (null when missing or not JSON); key is a SQL expression
    (a column or a quoted literal). -#}
{% macro waste_tag_value(tags, key) -%}
    nullif({{ json_member_text_at(tags, key) }}, '')
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
    {{ number_text_2dp('round(' ~ amount ~ ', 2)') }}
{%- endmacro %}

{#- Quantity as text with up to two decimals ("744", "6.5", "0.25"). -#}
{% macro waste_number_text(amount) -%}
    {{ rtrim_chars(rtrim_chars(number_text_2dp(amount), '0'), '.') }}
{%- endmacro %}

{#- Stable id of a waste candidate: hash of its waste type and scope key. -#}
{% macro waste_candidate_id(waste_type, scope_key) -%}
{{ dbt.hash(dbt.concat([waste_type, "'|'", scope_key])) }}
{%- endmacro %}
