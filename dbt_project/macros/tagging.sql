{#- Tag normalisation, ownership mappings and virtual tags (int_cost_tagged, fct_tag_coverage).
    Config: seeds/allocation/*.csv (the policy: required_tags, tag_key_prefixes, tag_value_case; docs/marts/
    finance-policies.md).
    -#}

{#- The tag keys int_cost_tagged carries, in contract order (a column and a <key>_source column each). -#}
{% macro cost_tag_keys() -%}
{{ return(['business_unit', 'cost_center', 'project', 'environment', 'owner', 'product']) }}
{%- endmacro %}

{#- Ownership-mapping scopes, most specific first (rank 1 wins). `project` is the team registry: it is looked up
    with the charge's resolved project (tag, else another mapping, else virtual tag). -#}
{% macro cost_tag_scope_ranks() -%}
{{ return({'resource': 1, 'api_key': 2, 'openai_project': 3, 'anthropic_workspace': 3, 'project': 4,
           'sub_account': 5, 'billing_account': 6}) }}
{%- endmacro %}

{#- False for charges that cannot carry a resource tag, evaluated per FOCUS row (`alias` = int_charges_unioned):
    * tax (ChargeCategory Tax);
    * support plans (service name containing "support");
    * rounding (native charge type or description mentioning rounding);
    * marketplace / partner fees: publisher differs from provider and there is no resource;
    * account-level credits, refunds, adjustments, corrections and purchases: ChargeCategory Credit, Adjustment or
      Purchase, or ChargeClass Correction, with neither a resource id nor any tag.
    Everything else is taggable, including usage without a resource id that carries tags (legacy CUR) and model-API
    usage (owned through its project / workspace and API key). -#}
{% macro cost_tag_is_taggable(alias) -%}
case
    when {{ alias }}.charge_category = 'Tax' then false
    when lower(coalesce({{ alias }}.service_name, '')) like '%support%' then false
    when lower(coalesce({{ alias }}.x_native_charge_type, '')) like '%rounding%'
        or lower(coalesce({{ alias }}.charge_description, '')) like '%rounding%' then false
    when {{ alias }}.resource_id is null and {{ alias }}.publisher_name is not null
        and {{ alias }}.provider_name is not null and {{ alias }}.publisher_name <> {{ alias }}.provider_name then false
    when {{ alias }}.resource_id is null and {{ alias }}.tags is null
        and ({{ alias }}.charge_category in ('Credit', 'Adjustment', 'Purchase')
             or {{ alias }}.charge_class = 'Correction') then false
    else true
end
{%- endmacro %}

{#- A raw tag key (or an alias seed's raw_key) as matched against tag_key_aliases: the first matching leading prefix
    of `prefixes` (the model's ref('tag_key_prefixes'): prefix_order, prefix) removed case-insensitively (the demo:
    'user:', the AWS FOCUS export's user-defined tags), lower case, without '_', '-', '.' and spaces - so
    `CostCenter`, `cost_center`, `Cost-Center` and `user:cost_center` are one key. -#}
{% macro cost_tag_key_match(expr, prefixes) -%}
{%- set stripped -%}
substr(
    {{ expr }},
    coalesce(
        (
            select {{ arg_min_agg('length(p.prefix)', 'p.prefix_order') }}
            from {{ prefixes }} as p
            where lower(substr({{ expr }}, 1, length(p.prefix))) = lower(p.prefix)
        ),
        0
    ) + 1
)
{%- endset -%}
replace(replace(replace(replace(lower({{ stripped }}), '_', ''), '-', ''), '.', ''), ' ', '')
{%- endmacro %}

{#- The default case of a normalised tag value: value_case is the key's seed tag_value_case row joined by the caller
    (upper | lower | preserve; keys not listed, a null value_case, are lower-cased). Applied after trimming when no
    tag_value_rules row matches, and to ownership-mapping and virtual-tag values. -#}
{% macro cost_tag_value_case(value_case, value_expr) -%}
case coalesce({{ value_case }}, 'lower')
    when 'upper' then upper({{ value_expr }})
    when 'preserve' then {{ value_expr }}
    else lower({{ value_expr }})
end
{%- endmacro %}

{#- Case-insensitive LIKE of a virtual-tag condition; an empty or null pattern matches everything. -#}
{% macro cost_tag_condition(value, pattern) -%}
(nullif(trim({{ pattern }}), '') is null or lower({{ value }}) like lower(trim({{ pattern }})))
{%- endmacro %}

{#- Null-safe equality for joins on nullable grain columns. -#}
{% macro cost_tag_null_safe_eq(a, b) -%}({{ a }} is not distinct from {{ b }}){%- endmacro %}

{#- `as materialized`: a CTE read several times is computed once. -#}
{% macro cost_tag_materialized() -%}
    {{ return(adapter.dispatch('cost_tag_materialized')()) }}
{%- endmacro %}
{% macro default__cost_tag_materialized() -%}materialized{%- endmacro %}
{#- Spark has no CTE materialisation hint (it may compute such a CTE once per read). -#}
{% macro spark__cost_tag_materialized() -%}{%- endmacro %}
