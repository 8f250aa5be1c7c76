{#- AWS CUR expressions for int_aws__focus_charges (DuckDB SQL: JSON/MAP handling, regular expressions). -#}

{#- FOCUS Tags from the raw CUR 2.0 `resource_tags` and `cost_category` JSON objects.
    * user-defined cost allocation tags (`user_<key>`): key without the `user_` prefix - AWS has one
      user-defined tag scheme, and FOCUS says it MUST NOT be prefixed (`user_cost_center` -> `cost_center`);
      a user key that would then start with `aws_` keeps its `user_` prefix, so it cannot collide with the
      AWS-generated keys;
    * AWS-generated tags (`aws_<key>`, e.g. `aws_created_by`): kept as they are, `aws_` is the provider prefix;
    * cost categories: `costCategory/<name>` (a second, prefixed user-defined scheme);
    * values are never altered; keys are sorted (one canonical text per tag set); NULL when there is no tag. -#}

{% macro aws_cur__focus_tags(resource_tags, cost_category) -%}
    {{ return(adapter.dispatch('aws_cur__focus_tags')(resource_tags, cost_category)) }}
{%- endmacro %}
{% macro default__aws_cur__focus_tags(resource_tags, cost_category) -%}
    nullif(cast(to_json(map_from_entries(list_sort(list_concat(
        coalesce(list_transform(
            map_entries(cast(cast({{ resource_tags }} as json) as map(varchar, varchar))),
            e -> {'key': {{ _aws_cur__tag_key('e.key') }},
                  'value': e.value}), []),
        coalesce(list_transform(
            map_entries(cast(cast({{ cost_category }} as json) as map(varchar, varchar))),
            e -> {'key': 'costCategory/' || e.key, 'value': e.value}), [])
    )))) as varchar), '{}')
{%- endmacro %}
{% macro spark__aws_cur__focus_tags(resource_tags, cost_category) -%}
    nullif(to_json(map_from_entries(array_sort(concat(
        coalesce(transform(
            map_entries(from_json({{ resource_tags }}, 'map<string, string>')),
            e -> named_struct('key', {{ _aws_cur__tag_key('e.key') }}, 'value', e.value)), array()),
        coalesce(transform(
            map_entries(from_json({{ cost_category }}, 'map<string, string>')),
            e -> named_struct('key', 'costCategory/' || e.key, 'value', e.value)), array())
    )))), '{}')
{%- endmacro %}
{% macro _aws_cur__tag_key(key) -%}
case
                            when {{ key }} like {{ sql_string('user\\_%') }} escape {{ sql_string('\\') }}
                                and {{ key }} not like {{ sql_string('user\\_aws\\_%') }} escape {{ sql_string('\\') }}
                                then substr({{ key }}, 6)
                            else {{ key }}
                         end
{%- endmacro %}

{#- SkuPriceDetails (FOCUS KeyValueFormat): the instance type of the priced SKU when the CUR has one. -#}

{% macro aws_cur__sku_price_details(instance_type) -%}
    {{ return(adapter.dispatch('aws_cur__sku_price_details')(instance_type)) }}
{%- endmacro %}
{% macro default__aws_cur__sku_price_details(instance_type) -%}
    case when {{ instance_type }} is not null
        then cast(json_object('InstanceType', {{ instance_type }}) as varchar) end
{%- endmacro %}
{% macro spark__aws_cur__sku_price_details(instance_type) -%}
    case when {{ instance_type }} is not null
        then to_json(named_struct('InstanceType', {{ instance_type }})) end
{%- endmacro %}

{#- Round a product (price x quantity) back to the money type: DECIMAL(38,10) x DECIMAL(38,10) is
    DECIMAL(38,20) in DuckDB; the cast rounds half away from zero at the 10th decimal. -#}
{% macro aws_cur__money_product(a, b) -%}
    cast(({{ a }}) * ({{ b }}) as {{ type_money() }})
{%- endmacro %}

{#- AWS pricing units -> FOCUS UnitFormat ("Hrs" -> "Hours", "GB-Mo" -> "GB-Months", "1K tokens" ->
    "1000 Tokens", "Lambda-GB-Second" -> "GB-Seconds"); anything still outside UnitFormat has its punctuation
    replaced by spaces ("Requests-Tier1" -> "Requests Tier1"), a count unit. int_aws__focus_charges applies it to
    the distinct units only. -#}

{% macro aws_cur__focus_unit(unit) -%}
    {%- set size = 'b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB' -%}
    {%- set t1 = 'Year|Month|Day|Hour|Minute|Second' -%}
    {%- set tn = 'Years|Months|Days|Hours|Minutes|Seconds' -%}
    {%- set cnt = '[A-Za-z][A-Za-z0-9]*(?:\\s+[A-Za-z][A-Za-z0-9]*)*' -%}
    {%- set unit_format = '^((' ~ size ~ '|' ~ t1 ~ '|' ~ tn ~ '|' ~ cnt ~ ')|((' ~ size ~ '|' ~ cnt ~ ')-(' ~ tn ~ '))|((' ~ size ~ '|' ~ cnt ~ '|' ~ tn ~ ')/(' ~ t1 ~ '))|([0-9]+ (' ~ size ~ '|' ~ t1 ~ '|' ~ tn ~ '|' ~ cnt ~ '))|((' ~ size ~ '|' ~ cnt ~ '|' ~ tn ~ ')/[0-9]+ (' ~ tn ~ ')))$' -%}
    {%- set ns = namespace(step='trim(' ~ unit ~ ')') -%}
    {%- for pattern, replacement in [
            ('^(Hrs|Hr|hrs|hr|hours|Hour|hour)$', 'Hours'),
            ('-(Hrs|Hr|hrs|Hour|hour|hours)$', '-Hours'),
            ('-(Mo|mo|Month|month|months)$', '-Months'),
            ('-(Second|second|Sec|sec|secs|seconds)$', '-Seconds'),
            ('^Lambda-', ''),
            ('^([0-9]+)[Kk] ', '\\1000 '),
            ('^([0-9]+)M ', '\\1000000 '),
            (' tokens$', ' Tokens')] -%}
        {%- set ns.step = regex_replace_first(ns.step, pattern, replacement) -%}
    {%- endfor -%}
    {%- set step = ns.step -%}
    case
        when {{ unit }} is null then null
        when {{ regex_search(step, unit_format) }} then {{ step }}
        else nullif(trim({{ regex_replace_all(step, '[^A-Za-z0-9]+', ' ') }}), '')
    end
{%- endmacro %}
