{#- Generic tests of the tagging seeds (seeds/allocation/; macros/tagging.sql). -#}

{#- Values of the column are tag keys int_cost_tagged knows (cost_tag_keys), or '*' when allow_wildcard. -#}
{% test cost_tag_known_key(model, column_name, allow_wildcard=false) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (
      {%- for k in cost_tag_keys() %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %}
      {%- if allow_wildcard %}, '*'{% endif %})
{% endtest %}

{#- No two alias rows of one provider match the same raw key once normalised (cost_tag_key_match). -#}
{% test cost_tag_alias_unambiguous(model, column_name, prefixes, provider_column='provider_name') %}
select {{ provider_column }}, {{ cost_tag_key_match(column_name, prefixes) }} as match_key, count(*) as n
from {{ model }}
group by 1, 2
having count(*) > 1
{% endtest %}

{#- No two value rules of one key match the same value (trimmed, case-insensitive). -#}
{% test cost_tag_value_rule_unambiguous(model, column_name, key_column='canonical_key') %}
select {{ key_column }}, lower(trim({{ column_name }})) as match_value, count(*) as n
from {{ model }}
group by 1, 2
having count(*) > 1
{% endtest %}

{#- Ownership mappings: one row per scope, and at least one tag value on each row. -#}
{% test cost_tag_mapping_rows_valid(model) %}
select scope_type, provider_name, scope_id, count(*) as n, 'duplicate scope' as problem
from {{ model }}
group by 1, 2, 3
having count(*) > 1
union all
select scope_type, provider_name, scope_id, 1, 'no tag value'
from {{ model }}
where {% for k in cost_tag_keys() %}nullif(trim({{ k }}), '') is null{% if not loop.last %} and {% endif %}{% endfor %}
{% endtest %}
