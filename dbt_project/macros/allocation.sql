{#- Allocation rules (docs/marts/allocation.md "Where do I add an allocation rule"): the ordered rules of the seeds
    allocation_rules, allocation_rule_conditions and allocation_rule_targets (seeds/allocation/), read when the model
    runs, validated, rendered as SQL by the macros below. A unit test (or a what-if run) can give the rules as var
    allocation_rules instead, in the same shape: [{id, method, driver, within, targets, splits, when, description}]. -#}

{#- The rules, validated: unique ids, known methods, a driver for proportional, splits summing to 1 for fixed.
    A bad rule is a compile error naming the rule and the field and what to write instead. rules_seed,
    conditions_seed and targets_seed are the three seeds' relations (the model's ref()s). -#}
{% macro allocation_rules(rules_seed, conditions_seed, targets_seed) -%}
{%- set override = var('allocation_rules', none) %}
{%- if override is not none %}
    {%- set rules = override %}
    {%- set origin = "var allocation_rules" %}
{%- elif not execute or load_relation(rules_seed) is none %}
    {#- parse, or a compile / lint before the seeds are loaded (dbt build loads them first: they are parents) -#}
    {{ return([]) }}
{%- else %}
    {%- set origin = "seed allocation_rules" %}
    {%- set rule_rows = run_query("select rule_id, method, driver, within, description from " ~ rules_seed ~ " order by rule_order, rule_id") %}
    {%- set condition_rows = run_query("select rule_id, condition, column_name, value from " ~ conditions_seed ~ " order by rule_id, condition, column_name, value") %}
    {%- set target_rows = run_query("select rule_id, product, share from " ~ targets_seed ~ " order by rule_id, product") %}
    {%- set rules = [] %}
    {%- for r in rule_rows.rows %}
        {%- set when = {} %}
        {%- for c in condition_rows.rows if c['rule_id'] == r['rule_id'] %}
            {%- if c['condition'] == 'equals' %}
                {%- do when.setdefault(c['column_name'], []).append(c['value']) %}
            {%- elif c['condition'] in ['has', 'has_any', 'missing'] %}
                {%- do when.setdefault(c['condition'], []).append(c['column_name']) %}
            {%- elif c['condition'] == 'like' %}
                {%- do when.setdefault('like', {}).update({c['column_name']: c['value']}) %}
            {%- else %}
                {{ exceptions.raise_compiler_error("seed allocation_rule_conditions, rule " ~ r['rule_id'] ~ ": condition must be one of equals, like, has, has_any, missing, got " ~ c['condition']) }}
            {%- endif %}
        {%- endfor %}
        {%- set targets = [] %}
        {%- set splits = {} %}
        {%- for t in target_rows.rows if t['rule_id'] == r['rule_id'] %}
            {%- do targets.append(t['product']) %}
            {%- if r['method'] == 'fixed' %}{% do splits.update({t['product']: t['share']}) %}{% endif %}
        {%- endfor %}
        {%- do rules.append({'id': r['rule_id'], 'method': r['method'], 'driver': r['driver'], 'within': r['within'],
                             'description': r['description'], 'when': when,
                             'targets': (targets if targets and r['method'] != 'fixed' else none),
                             'splits': (splits if r['method'] == 'fixed' else none)}) %}
    {%- endfor %}
{%- endif %}
{%- set seen = [] %}
{%- for r in rules %}
    {%- set where = "allocation rule #" ~ loop.index ~ " (" ~ (r.get('id') or 'no id') ~ ") in " ~ origin %}
    {%- if not r.get('id') %}{{ exceptions.raise_compiler_error(where ~ ": `id` is required") }}{% endif %}
    {%- if r['id'] in seen or r['id'] == 'unallocated' %}{{ exceptions.raise_compiler_error(where ~ ": duplicate or reserved id") }}{% endif %}
    {%- do seen.append(r['id']) %}
    {%- if r.get('method') not in ['direct', 'even', 'fixed', 'proportional'] %}
        {{ exceptions.raise_compiler_error(where ~ ": `method` must be one of direct, even, fixed, proportional, got " ~ r.get('method')) }}
    {%- endif %}
    {%- if r.get('when') is none or r['when'] is not mapping %}
        {{ exceptions.raise_compiler_error(where ~ ": `when` (a mapping of conditions) is required; use {} to match everything") }}
    {%- endif %}
    {%- if r['method'] == 'proportional' %}
        {%- set d = r.get('driver') or '' %}
        {%- if d not in ['effective_cost', 'tokens', 'requests'] and not d.startswith('kpi:') %}
            {{ exceptions.raise_compiler_error(where ~ ": proportional needs `driver`: effective_cost, tokens, requests or kpi:<kpi_name>, got " ~ d) }}
        {%- endif %}
    {%- endif %}
    {%- if r.get('within') not in [none, 'business_unit'] %}
        {{ exceptions.raise_compiler_error(where ~ ": `within` can only be business_unit (split among the line's own business unit's products), got " ~ r.get('within')) }}
    {%- endif %}
    {%- if r.get('within') and r['method'] not in ['even', 'proportional'] %}
        {{ exceptions.raise_compiler_error(where ~ ": `within` applies to even and proportional rules only") }}
    {%- endif %}
    {%- if r['method'] == 'fixed' %}
        {%- set splits = r.get('splits') or {} %}
        {%- set ns = namespace(total=0) %}
        {%- for k, v in splits.items() %}{% set ns.total = ns.total + v %}{% endfor %}
        {%- if not splits or (ns.total - 1) | abs > 0.0000000001 %}
            {{ exceptions.raise_compiler_error(where ~ ": fixed needs `splits` (seed allocation_rule_targets: product, share) summing to 1, got " ~ ns.total) }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{{ return(rules) }}
{%- endmacro %}

{#- SQL condition of a rule's `when` on the row alias. -#}
{% macro allocation_rule_condition(rule, alias) -%}
{%- set parts = [] %}
{%- for key, val in rule['when'].items() %}
    {%- set vals = val if (val is iterable and val is not string and val is not mapping) else [val] %}
    {%- if key == 'has' %}
        {%- for c in vals %}{% do parts.append(alias ~ "." ~ c ~ " is not null") %}{% endfor %}
    {%- elif key == 'has_any' %}
        {%- set ors = [] %}{% for c in vals %}{% do ors.append(alias ~ "." ~ c ~ " is not null") %}{% endfor %}
        {%- do parts.append("(" ~ ors | join(" or ") ~ ")") %}
    {%- elif key == 'missing' %}
        {%- for c in vals %}{% do parts.append(alias ~ "." ~ c ~ " is null") %}{% endfor %}
    {%- elif key == 'like' %}
        {%- for c, pattern in val.items() %}{% do parts.append("lower(" ~ alias ~ "." ~ c ~ ") like lower(" ~ sql_literal(pattern) ~ ")") %}{% endfor %}
    {%- else %}
        {%- set lits = [] %}{% for v in vals %}{% do lits.append(sql_literal(v)) %}{% endfor %}
        {%- do parts.append(alias ~ "." ~ key ~ " in (" ~ lits | join(", ") ~ ")") %}
    {%- endif %}
{%- endfor %}
{{- "(" ~ (parts | join(" and ") if parts else "1 = 1") ~ ")" -}}
{%- endmacro %}

{#- The id of the first rule matching each row, else 'unallocated'. -#}
{% macro allocation_rule_case(rules, alias) -%}
{%- if rules | length == 0 %}'unallocated'{#- no rule (an empty seed, dbt build --empty) -#}{% else -%}
case
{%- for r in rules %}
    when {{ allocation_rule_condition(r, alias) }} then '{{ r.id }}'
{%- endfor %}
    else 'unallocated'
end
{%- endif %}
{%- endmacro %}

{#- Rules as rows (rule_id, rule_order, method, driver, description) for the marts' lineage. -#}
{% macro allocation_rules_values(rules) -%}
{%- if rules | length == 0 %}
select cast(null as {{ dbt.type_string() }}) as rule_id, 0 as rule_order, cast(null as {{ dbt.type_string() }}) as method,
       cast(null as {{ dbt.type_string() }}) as driver, cast(null as {{ dbt.type_string() }}) as description where 1 = 0
{%- else %}
{%- for r in rules %}
select '{{ r.id }}' as rule_id, {{ loop.index }} as rule_order, '{{ r.method }}' as method,
       {{ sql_literal(r.get('driver') or ('splits' if r.method == 'fixed' else ('equal' if r.method == 'even' else none))) }} as driver,
       {{ sql_literal(r.get('description')) }} as description
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endif %}
{%- endmacro %}

{#- Ids of the direct rules. -#}
{% macro allocation_direct_rule_ids(rules) -%}
{%- set ids = [] %}{% for r in rules if r.method == 'direct' %}{% do ids.append("'" ~ r.id ~ "'") %}{% endfor %}
{{- "(" ~ (ids | join(", ") if ids else "''") ~ ")" -}}
{%- endmacro %}

{#- Columns as text parts for a hash key (null -> '~', separated by '|'). -#}
{% macro grain_parts(columns, alias) -%}
{%- set parts = [] %}
{%- for c in columns %}
    {%- do parts.append("coalesce(cast(" ~ alias ~ "." ~ c ~ " as " ~ dbt.type_string() ~ "), '~')") %}
    {%- if not loop.last %}{% do parts.append("'|'") %}{% endif %}
{%- endfor %}
{{ return(parts) }}
{%- endmacro %}

{#- A JSON object as text from (key, sql expression) pairs; null values are written as JSON null, strings are
    escaped (backslash, double quote). Portable (concat, replace, coalesce). -#}
{% macro json_object_text(pairs) -%}
{%- set parts = ["'{'"] %}
{%- for key, expr in pairs %}
    {%- do parts.append("'" ~ ('' if loop.first else ',') ~ '"' ~ key ~ '":' ~ "'") %}
    {%- do parts.append("coalesce(" ~ dbt.concat(["'\"'", "replace(replace(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "), '\\\\', '\\\\\\\\'), '\"', '\\\\\"')", "'\"'"]) ~ ", 'null')") %}
{%- endfor %}
{%- do parts.append("'}'") %}
{{ dbt.concat(parts) }}
{%- endmacro %}

{#- The split scope of a line: its business unit for rules with `within: business_unit`, else ''. -#}
{% macro allocation_scope_key(rules, alias) -%}
{%- set ids = [] %}{% for r in rules if r.get('within') %}{% do ids.append("'" ~ r.id ~ "'") %}{% endfor %}
{%- if ids -%}
case when {{ alias }}.rule_id in ({{ ids | join(', ') }}) then coalesce({{ alias }}.business_unit, '~') else '' end
{%- else -%}
''
{%- endif -%}
{%- endmacro %}
