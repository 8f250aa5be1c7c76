{#- GCP Cloud Billing export expressions for int_gcp__focus_charges (DuckDB SQL: JSON, lists, regular
    expressions, time zones). -#}

{#- Credit types netted into the row they pertain to (FOCUS: discounts are applied to the row). Every other
    type (PROMOTION: free trial, promotional and grant credits; any type Google adds later) becomes its own
    ChargeCategory 'Credit' row. Same list as ingestion/gcp_billing/settings.py ROW_DISCOUNT_CREDIT_TYPES. -#}
{% macro gcp_billing_row_discount_credit_types() -%}
{{ return(['COMMITTED_USAGE_DISCOUNT', 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE', 'SUSTAINED_USAGE_DISCOUNT',
           'DISCOUNT', 'FREE_TIER', 'RESELLER_MARGIN', 'SUBSCRIPTION_BENEFIT', 'FEE_UTILIZATION_OFFSET']) }}
{%- endmacro %}

{% macro gcp_billing_commitment_credit_types() -%}
{{ return(['COMMITTED_USAGE_DISCOUNT', 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE']) }}
{%- endmacro %}

{%- macro _gcp_billing_in_list(values) -%}
({% for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor %})
{%- endmacro -%}

{#- credits JSON text -> list of structs (name, amount DECIMAL, full_name, id, type) -#}
{% macro gcp_billing_credit_list(credits) -%}
    {{ return(adapter.dispatch('gcp_billing_credit_list')(credits)) }}
{%- endmacro %}
{% macro default__gcp_billing_credit_list(credits) -%}
coalesce(from_json({{ credits }}, '[{"name":"VARCHAR","amount":"DECIMAL(38,10)","full_name":"VARCHAR","id":"VARCHAR","type":"VARCHAR"}]'), [])
{%- endmacro %}
{% macro spark__gcp_billing_credit_list(credits) -%}
coalesce(from_json({{ credits }}, 'array<struct<name:string,amount:decimal(38,10),full_name:string,id:string,type:string>>'), array())
{%- endmacro %}

{#- Sum of the credit amounts of a row whose type is (kind='row_discount') or is not (kind='credit_row') a
    row discount, or that are commitment (CUD) credits (kind='commitment'). -#}
{% macro gcp_billing_credit_sum(credits, kind) -%}
{%- if kind == 'row_discount' -%}
    {%- set cond = "coalesce(c.type in " ~ _gcp_billing_in_list(gcp_billing_row_discount_credit_types()) ~ ", false)" -%}
{%- elif kind == 'commitment' -%}
    {%- set cond = "coalesce(c.type in " ~ _gcp_billing_in_list(gcp_billing_commitment_credit_types()) ~ ", false)" -%}
{%- else -%}
    {%- set cond = "not coalesce(c.type in " ~ _gcp_billing_in_list(gcp_billing_row_discount_credit_types()) ~ ", false)" -%}
{%- endif -%}
{{ return(adapter.dispatch('gcp_billing_credit_sum_of')(credits, cond)) }}
{%- endmacro %}
{% macro default__gcp_billing_credit_sum_of(credits, cond) -%}
cast(coalesce(list_sum(list_transform(list_filter({{ gcp_billing_credit_list(credits) }}, lambda c: {{ cond }}), lambda c: c.amount)), 0) as {{ type_money() }})
{%- endmacro %}
{#- Spark: aggregate() over the filtered credits; a null amount counts 0 (DuckDB's list_sum skips nulls). -#}
{% macro spark__gcp_billing_credit_sum_of(credits, cond) -%}
aggregate(filter({{ gcp_billing_credit_list(credits) }}, c -> {{ cond }}), cast(0 as {{ type_money() }}),
          (acc, c) -> cast(acc + coalesce(c.amount, 0) as {{ type_money() }}))
{%- endmacro %}

{#- A field ('id', 'name', 'full_name', 'type') of the row's first commitment (CUD) credit, or null. -#}
{% macro gcp_billing_commitment_credit_field(credits, field) -%}
    {{ return(adapter.dispatch('gcp_billing_commitment_credit_field')(credits, field)) }}
{%- endmacro %}
{% macro default__gcp_billing_commitment_credit_field(credits, field) -%}
(list_filter({{ gcp_billing_credit_list(credits) }}, lambda c: coalesce(c.type in {{ _gcp_billing_in_list(gcp_billing_commitment_credit_types()) }}, false)))[1].{{ field }}
{%- endmacro %}
{% macro spark__gcp_billing_commitment_credit_field(credits, field) -%}
element_at(filter({{ gcp_billing_credit_list(credits) }}, c -> coalesce(c.type in {{ _gcp_billing_in_list(gcp_billing_commitment_credit_types()) }}, false)), 1).{{ field }}
{%- endmacro %}

{#- The credit entries of a row that are NOT row discounts, as a list of {ordinal (1-based position in the row's
    credits), credit}: the model unnests it into one credit row per entry (`unnest(...) as credit_entries(entry)`),
    read with gcp_billing_credit_entry. -#}
{% macro gcp_billing_credit_entries(credits) -%}
    {{ return(adapter.dispatch('gcp_billing_credit_entries')(credits)) }}
{%- endmacro %}
{% macro default__gcp_billing_credit_entries(credits) -%}
list_filter(
        list_transform({{ gcp_billing_credit_list(credits) }}, lambda c, i: {'ordinal': i, 'credit': c}),
        lambda e: not coalesce(e.credit.type in {{ _gcp_billing_in_list(gcp_billing_row_discount_credit_types()) }}, false)
    )
{%- endmacro %}
{#- Spark: transform's index is 0-based (DuckDB's 1-based: the ordinal adds 1). -#}
{% macro spark__gcp_billing_credit_entries(credits) -%}
filter(
        transform({{ gcp_billing_credit_list(credits) }}, (c, i) -> named_struct('ordinal', i + 1, 'credit', c)),
        e -> not coalesce(e.credit.type in {{ _gcp_billing_in_list(gcp_billing_row_discount_credit_types()) }}, false)
    )
{%- endmacro %}

{#- FROM-clause item: one row per credit entry of `credits` (entry, read with gcp_billing_credit_entry). -#}
{% macro gcp_billing_credit_entry_rows(relation_alias, credits) -%}
    {{ return(adapter.dispatch('gcp_billing_credit_entry_rows')(relation_alias, credits)) }}
{%- endmacro %}
{% macro default__gcp_billing_credit_entry_rows(relation_alias, credits) -%}
{{ relation_alias }}, unnest({{ gcp_billing_credit_entries(credits) }}) as credit_entries(entry)
{%- endmacro %}
{% macro spark__gcp_billing_credit_entry_rows(relation_alias, credits) -%}
{{ relation_alias }} lateral view explode({{ gcp_billing_credit_entries(credits) }}) credit_entries as entry
{%- endmacro %}
{% macro gcp_billing_credit_entry(field) -%}
{%- if field == 'ordinal' -%}credit_entries.entry.ordinal{%- else -%}credit_entries.entry.credit.{{ field }}{%- endif -%}
{%- endmacro %}

{#- The key of a label entry x (a struct of key, value, namespace): a tag (tag_style) is '<namespace>/<key>' when it
    has a namespace; and whether x is a flag (no value: written as JSON true). One spelling for both engines. -#}
{%- macro _gcp_billing_kv_key(x, tag_style=false) -%}
{% if tag_style %}case when nullif({{ x }}.namespace, '') is null then {{ x }}.key else {{ x }}.namespace || '/' || {{ x }}.key end{% else %}{{ x }}.key{% endif %}
{%- endmacro -%}
{%- macro _gcp_billing_kv_is_flag(x) -%}coalesce({{ x }}.value, '') = ''{%- endmacro -%}

{#- FOCUS Tags (JSON object text, null when empty) from the export's key/value lists. Precedence, lowest
    first: project labels (inherited), resource-manager tags ('<namespace>/<key>'), resource labels, system
    labels (Google-defined, keys already carry Google's prefix, e.g. 'goog-...' or
    'compute.googleapis.com/...'). A label without a value becomes true (FOCUS KeyValueFormat). -#}
{%- macro _gcp_billing_kv_entries(col, tag_style=false) -%}
list_transform(
    coalesce(from_json({{ col }}, '[{"key":"VARCHAR","value":"VARCHAR","namespace":"VARCHAR"}]'), []),
    lambda x: {'k': {{ _gcp_billing_kv_key('x', tag_style) }},
          'v': case when {{ _gcp_billing_kv_is_flag('x') }} then 'true'::json else to_json(x.value) end}
)
{%- endmacro -%}
{% macro gcp_billing_tags(labels, project_labels, system_labels, tags) -%}
    {{ return(adapter.dispatch('gcp_billing_tags')(labels, project_labels, system_labels, tags)) }}
{%- endmacro %}
{% macro default__gcp_billing_tags(labels, project_labels, system_labels, tags) -%}
nullif(cast(to_json(list_reduce(
    list_transform(
        list_filter(list_concat(
            {{ _gcp_billing_kv_entries(project_labels) }},
            {{ _gcp_billing_kv_entries(tags, true) }},
            {{ _gcp_billing_kv_entries(labels) }},
            {{ _gcp_billing_kv_entries(system_labels) }}
        ), lambda e: nullif(e.k, '') is not null),
        lambda e: map_from_entries([e])
    ),
    lambda a, b: map_concat(a, b),
    map_from_entries([]::struct(k varchar, v json)[])
)) as {{ dbt.type_string() }}), '{}')
{%- endmacro %}
{#- Spark: map_from_entries keeps a key at its first position with its last value (spark.sql.mapKeyDedupPolicy
    LAST_WIN, as DuckDB's map_concat); the values are kept as JSON text and the object written by hand, since a
    Spark map has one value type (true and strings side by side). -#}
{% macro spark__gcp_billing_tags(labels, project_labels, system_labels, tags) -%}
nullif(concat('{', concat_ws(',', transform(map_entries(map_from_entries(filter(concat(
            {{ _gcp_billing_kv_entries_spark(project_labels) }},
            {{ _gcp_billing_kv_entries_spark(tags, true) }},
            {{ _gcp_billing_kv_entries_spark(labels) }},
            {{ _gcp_billing_kv_entries_spark(system_labels) }}
        ), e -> nullif(e.k, '') is not null))),
    e -> concat({{ spark_json_string('e.key') }}, ':', e.value))), '}'), '{}')
{%- endmacro %}
{%- macro _gcp_billing_kv_entries_spark(col, tag_style=false) -%}
transform(
    coalesce(from_json({{ col }}, 'array<struct<key:string,value:string,namespace:string>>'), array()),
    x -> named_struct('k', {{ _gcp_billing_kv_key('x', tag_style) }},
          'v', case when {{ _gcp_billing_kv_is_flag('x') }} then 'true' else {{ spark_json_string('x.value') }} end)
)
{%- endmacro -%}

{#- ResourceType from resource.global_name: '//compute.googleapis.com/projects/p/zones/z/instances/1'
    -> 'compute.googleapis.com/instances'. A single leading slash ('/compute.googleapis.com/...', as koku-nise
    writes disks) is read the same way. NULL when the name has no '<service>/.../<type>/<name>' shape. -#}
{% macro gcp_billing_resource_type(global_name) -%}
nullif({{ regex_replace_first(global_name, '^//?([^/]+)/(?:.*/)?([^/]+)/[^/]+$', '\\1/\\2') }}, {{ global_name }})
{%- endmacro %}

{#- value matches pattern (a SQL expression: a literal or a column), false when either is null. -#}
{% macro gcp_billing_regex_match(value, pattern) -%}
    {{ return(adapter.dispatch('gcp_billing_regex_match')(value, pattern)) }}
{%- endmacro %}
{% macro default__gcp_billing_regex_match(value, pattern) -%}coalesce(regexp_matches({{ value }}, {{ pattern }}), false){%- endmacro %}
{% macro spark__gcp_billing_regex_match(value, pattern) -%}coalesce({{ value }} rlike {{ pattern }}, false){%- endmacro %}

{#- A GCP unit string split into a leading whole-number block size ('1000 count' -> '1000') and the base
    unit, lower-cased ('count'). -#}
{% macro gcp_billing_unit_prefix(unit) -%}
nullif({{ regex_group('trim(' ~ unit ~ ')', '^([0-9]+)\\s+', 1) }}, '')
{%- endmacro %}
{% macro gcp_billing_unit_base(unit) -%}
lower({{ regex_replace_first('trim(' ~ unit ~ ')', '^[0-9]+\\s+', '') }})
{%- endmacro %}

{#- GCP invoice months run on US Pacific time: x_billing_period 'YYYY-MM' -> the month's first instant as a
    UTC timestamp (months_offset=1 gives the exclusive end). -#}
{% macro gcp_billing_period_start_utc(yyyy_mm, months_offset=0) -%}
    {{ return(adapter.dispatch('gcp_billing_period_start_utc')(yyyy_mm, months_offset)) }}
{%- endmacro %}
{% macro default__gcp_billing_period_start_utc(yyyy_mm, months_offset=0) -%}
cast(timezone('UTC', timezone('America/Los_Angeles',
    {{ dbt.dateadd('month', months_offset, "cast(strptime(" ~ yyyy_mm ~ " || '-01', '%Y-%m-%d') as timestamp)") }}
)) as timestamp)
{%- endmacro %}
{% macro spark__gcp_billing_period_start_utc(yyyy_mm, months_offset=0) -%}
to_utc_timestamp(add_months(to_date(concat({{ yyyy_mm }}, '-01')), {{ months_offset }}), 'America/Los_Angeles')
{%- endmacro %}

{#- A unit price cost / quantity in DECIMAL(38,10), its magnitude rounded up at the 10th decimal (never below the
    exact quotient), so that price x quantity is never less than the cost it was derived from. -#}
{% macro gcp_billing_price_up(cost, quantity) -%}
    {{ return(adapter.dispatch('gcp_billing_price_up')(cost, quantity)) }}
{%- endmacro %}
{% macro default__gcp_billing_price_up(cost, quantity) -%}
cast(cast(ceil(abs(cast({{ cost }} as {{ type_money() }})) * 10000000000 / abs({{ quantity }}))
          as decimal(38, 0)) / 10000000000 * sign({{ cost }}) * sign({{ quantity }}) as {{ type_money() }})
{%- endmacro %}
{#- Spark: the same arithmetic as DuckDB, whose DECIMAL / DECIMAL is a DOUBLE division; the 1e-10 step and the
    signs as exact decimal products (Spark types DECIMAL(38,0) / 10000000000 as DECIMAL(38,5), and its sign() is a
    DOUBLE). -#}
{% macro spark__gcp_billing_price_up(cost, quantity) -%}
cast(cast(ceil(cast(abs(cast({{ cost }} as {{ type_money() }})) * 10000000000 as double) / cast(abs({{ quantity }}) as double))
          as decimal(38, 0)) * cast(0.0000000001 as decimal(11, 10))
     * cast(sign({{ cost }}) as int) * cast(sign({{ quantity }}) as int) as {{ type_money() }})
{%- endmacro %}
