{#- The FOCUS charge record aggregated to its allocation-relevant columns, with the normalised tags business_unit,
    cost_center, project, environment, owner and product and where each value came from:
      1. tag         - the charge's own provider tag or label (key aliases and value rules applied);
      2. mapping     - ownership mappings, the most specific scope first: resource, API key, OpenAI project /
                       Anthropic workspace, the project's team registry entry, sub-account, billing account;
      3. virtual_tag - the first matching virtual-tag rule (rule_order) for that key.
    Work stays proportional to distinct values: the charges are aggregated once (early), tag JSON is parsed per
    distinct tag set, mappings are resolved per distinct account / sub-account / resource, virtual-tag rules per
    distinct rule inputs; everything joins back to the aggregated charges. See _allocation__models.yml. -#}
{%- set keys = cost_tag_keys() %}
{%- set ranks = cost_tag_scope_ranks() %}
{%- set registry_rank = ranks['project'] %}
{%- set scope_grain = ['provider_name', 'billing_account_id', 'sub_account_id', 'resource_id', 'x_source_system'] %}
{%- set rule_grain = ['provider_name', 'charge_category', 'service_name', 'sub_account_id', 'resource_id', 'charge_description'] %}
{%- set dims = ['billing_period', 'provider_name', 'billing_account_id', 'sub_account_id', 'sub_account_name',
                'service_category', 'service_name', 'resource_id', 'charge_category', 'x_source_system',
                'model_name', 'billing_currency', 'taggable'] %}
{#- (scope_type, charges column compared with scope_id, extra condition on the charge) -#}
{%- set scope_joins = [
    ('resource', 'resource_id', none),
    ('api_key', 'resource_id', "t.x_source_system in ('openai_usage', 'anthropic_usage')"),
    ('openai_project', 'sub_account_id', "t.x_source_system = 'openai_usage'"),
    ('anthropic_workspace', 'sub_account_id', "t.x_source_system = 'anthropic_usage'"),
    ('sub_account', 'sub_account_id', none),
    ('billing_account', 'billing_account_id', none),
] %}

with charges as {{ cost_tag_materialized() }} (
    select
        c.x_billing_period as billing_period,
        c.provider_name,
        c.billing_account_id,
        c.sub_account_id,
        c.sub_account_name,
        c.service_category,
        c.service_name,
        c.resource_id,
        c.charge_category,
        c.x_source_system,
        c.x_model_name as model_name,
        c.billing_currency,
        {{ cost_tag_is_taggable('c') }} as taggable,
        c.charge_description,
        c.tags,
        sum(c.effective_cost) as effective_cost,
        sum(c.billed_cost) as billed_cost,
        sum(c.list_cost) as list_cost,
        sum(c.x_token_count) as tokens,
        count(*) as charge_rows
    from {{ ref('int_charges_unioned') }} as c
    group by
    {%- for i in range(1, 16) %}
        {{ i }}{% if not loop.last %},{% endif %}
    {%- endfor %}
),

-- ---------------------------------------------------------------------------------------------- 1. tags
tag_sets as (
    select distinct provider_name, tags
    from charges
    where tags is not null
),

-- one row per key / value of the tag set (FOCUS KeyValueFormat; valueless keys are JSON true and come out as 'true')
tag_entries as (
    select
        s.provider_name,
        s.tags,
        json_entries.key as raw_key,
        {{ json_entry_text() }} as raw_value
    from {{ json_entry_rows('tag_sets as s', 's.tags') }}
    where {{ json_entry_is_scalar() }}
),

key_prefixes as (
    select prefix_order, prefix from {{ ref('tag_key_prefixes') }}
),

entry_keys as (
    select
        provider_name,
        tags,
        raw_key,
        raw_value,
        {{ cost_tag_key_match('raw_key', 'key_prefixes') }} as match_key
    from tag_entries
),

value_cases as (
    select tag_key, value_case from {{ ref('tag_value_case') }}
),

key_aliases as (
    select
        provider_name as alias_provider,
        {{ cost_tag_key_match('raw_key', 'key_prefixes') }} as match_key,
        canonical_key,
        priority
    from {{ ref('tag_key_aliases') }}
),

keyed_entries as (
    select
        e.provider_name,
        e.tags,
        e.raw_key,
        nullif(trim(e.raw_value), '') as trimmed_value,
        a.canonical_key,
        a.priority,
        -- a provider's own alias beats the '*' one
        row_number() over (
            partition by e.provider_name, e.tags, e.raw_key
            order by case when a.alias_provider = '*' then 1 else 0 end
        ) as alias_rank
    from entry_keys as e
    inner join key_aliases as a
        on e.match_key = a.match_key
        and (a.alias_provider = '*' or e.provider_name = a.alias_provider)
),

valued_entries as (
    select
        k.provider_name,
        k.tags,
        k.raw_key,
        k.canonical_key,
        k.priority,
        case
            when
                r.canonical_key is not null
                then {{ cost_tag_value_case('vc.value_case', "nullif(trim(r.normalised_value), '')") }}
            else {{ cost_tag_value_case('vc.value_case', 'k.trimmed_value') }}
        end as tag_value,
        -- a key's own value rule beats the '*' one
        row_number() over (
            partition by k.provider_name, k.tags, k.raw_key
            order by case when r.canonical_key = '*' then 1 else 0 end
        ) as rule_rank
    from keyed_entries as k
    left join {{ ref('tag_value_rules') }} as r
        on (k.canonical_key = r.canonical_key or r.canonical_key = '*')
        and lower(trim(r.raw_value)) = lower(k.trimmed_value)
    left join value_cases as vc on k.canonical_key = vc.tag_key
    where k.alias_rank = 1
        and k.trimmed_value is not null
),

tag_ranked as (
    select
        provider_name,
        tags,
        canonical_key,
        tag_value,
        -- several raw keys for one canonical key (e.g. a resource tag and an AWS cost category): lowest priority
        row_number() over (
            partition by provider_name, tags, canonical_key
            order by priority, raw_key
        ) as key_rank
    from valued_entries
    where rule_rank = 1
        and tag_value is not null
),

tag_values as (
    select
        provider_name,
        tags,
    {%- for k in keys %}
    max(case when canonical_key = '{{ k }}' then tag_value end) as {{ k }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    from tag_ranked
    where key_rank = 1
    group by provider_name, tags
),

-- ---------------------------------------------------------------------------------------------- 2. mappings
mappings_long as (
    {%- for k in keys %}
    select
        scope_type,
        provider_name as scope_provider,
        case
            when scope_type = 'project' then {{ cost_tag_value_case('pc.value_case', 'trim(scope_id)') }}
            else scope_id
        end as scope_id,
        case scope_type
            {%- for s, r in ranks.items() %}
            when '{{ s }}' then {{ r }}
            {%- endfor %}
        end as specificity,
        '{{ k }}' as tag_key,
        {{ cost_tag_value_case('vc.value_case', 'trim(' ~ k ~ ')') }} as tag_value
    from {{ ref('ownership_mappings') }}
    left join value_cases as pc on pc.tag_key = 'project'
    left join value_cases as vc on vc.tag_key = '{{ k }}'
    where nullif(trim({{ k }}), '') is not null
        {%- if k == 'project' %}
        and scope_type <> 'project'
        {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

scope_tuples as (
    select distinct {{ scope_grain | join(', ') }}
    from charges
),

scope_candidates as (
    {%- for scope_type, column, condition in scope_joins %}
    select
        {%- for c in scope_grain %}
        t.{{ c }},
        {%- endfor %}
        m.tag_key,
        m.tag_value,
        m.specificity
    from scope_tuples as t
    inner join mappings_long as m
        on m.scope_type = '{{ scope_type }}'
        and m.scope_id = t.{{ column }}
        and (m.scope_provider = '*' or m.scope_provider = t.provider_name)
    {%- if condition %}
    and {{ condition }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

scope_ranked as (
    select
        *,
        row_number() over (
            partition by {{ scope_grain | join(', ') }}, tag_key
            order by specificity, tag_value
        ) as scope_rank
    from scope_candidates
),

scope_values as (
    select
        {{ scope_grain | join(', ') }},
    {%- for k in keys %}
    max(case when tag_key = '{{ k }}' then tag_value end) as {{ k }},
    max(case when tag_key = '{{ k }}' then specificity end) as {{ k }}_specificity{% if not loop.last %},{% endif %}
    {%- endfor %}
    from scope_ranked
    where scope_rank = 1
    group by {{ scope_grain | join(', ') }}
),

registry_values as (
    select
        scope_id as registry_project,
    {%- for k in keys if k != 'project' %}
    max(case when tag_key = '{{ k }}' then tag_value end) as {{ k }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    from mappings_long
    where scope_type = 'project'
    group by scope_id
),

-- ---------------------------------------------------------------------------------------------- 3. virtual tags
rule_tuples as (
    select distinct {{ rule_grain | join(', ') }}
    from charges
),

rule_matches as (
    select
        {%- for c in rule_grain %}
        t.{{ c }},
        {%- endfor %}
        r.tag_key,
        {{ cost_tag_value_case('vc.value_case', 'trim(r.tag_value)') }} as tag_value,
        row_number() over (
            partition by
                {% for c in rule_grain %}t.{{ c }},
                {% endfor %}r.tag_key
            order by r.rule_order
        ) as rule_rank
    from rule_tuples as t
    inner join {{ ref('virtual_tag_rules') }} as r
        on {{ cost_tag_condition('t.provider_name', 'r.provider_name') }}
        and {{ cost_tag_condition('t.charge_category', 'r.charge_category') }}
        and {{ cost_tag_condition('t.service_name', 'r.service_name') }}
        and {{ cost_tag_condition('t.sub_account_id', 'r.sub_account_id') }}
        and {{ cost_tag_condition('t.resource_id', 'r.resource_id') }}
        and {{ cost_tag_condition('t.charge_description', 'r.charge_description') }}
    left join value_cases as vc on r.tag_key = vc.tag_key
),

virtual_values as (
    select
        {{ rule_grain | join(', ') }},
    {%- for k in keys %}
    max(case when tag_key = '{{ k }}' then tag_value end) as {{ k }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    from rule_matches
    where rule_rank = 1
    group by {{ rule_grain | join(', ') }}
),

-- ---------------------------------------------------------------------------------------------- precedence
enriched as (
    select
        c.*,
        {%- for k in keys %}
        tv.{{ k }} as tag_{{ k }},
        sv.{{ k }} as scope_{{ k }},
        sv.{{ k }}_specificity as scope_{{ k }}_specificity,
        vv.{{ k }} as virtual_{{ k }},
        {%- endfor %}
        coalesce(tv.project, sv.project, vv.project) as resolved_project
    from charges as c
    left join tag_values as tv
        on c.provider_name = tv.provider_name
        and c.tags = tv.tags
    left join scope_values as sv
        on {% for col in scope_grain %}{{ cost_tag_null_safe_eq('sv.' ~ col, 'c.' ~ col) }}{% if not loop.last %}
        and {% endif %}{% endfor %}
    left join virtual_values as vv
        on {% for col in rule_grain %}{{ cost_tag_null_safe_eq('vv.' ~ col, 'c.' ~ col) }}{% if not loop.last %}
        and {% endif %}{% endfor %}
),

resolved as (
    select
        e.*,
    {%- for k in keys %}
    {%- set registry_value = 'null' if k == 'project' else 'rg.' ~ k %}
    case
        when e.tag_{{ k }} is not null then e.tag_{{ k }}
        when e.scope_{{ k }} is not null and e.scope_{{ k }}_specificity < {{ registry_rank }} then e.scope_{{ k }}
        when {{ registry_value }} is not null then {{ registry_value }}
        when e.scope_{{ k }} is not null then e.scope_{{ k }}
        else e.virtual_{{ k }}
    end as {{ k }},
    case
        when e.tag_{{ k }} is not null then 'tag'
        when e.scope_{{ k }} is not null or {{ registry_value }} is not null then 'mapping'
        when e.virtual_{{ k }} is not null then 'virtual_tag'
    end as {{ k }}_source{% if not loop.last %},{% endif %}
    {%- endfor %}
    from enriched as e
    left join registry_values as rg
        on e.resolved_project = rg.registry_project
)

select
    {%- for d in dims %}
    {{ d }},
    {%- endfor %}
    {%- for k in keys %}
    {{ k }},
    {{ k }}_source,
    {%- endfor %}
    cast(sum(effective_cost) as {{ type_money() }}) as effective_cost,
    cast(sum(billed_cost) as {{ type_money() }}) as billed_cost,
    cast(sum(list_cost) as {{ type_money() }}) as list_cost,
    cast(sum(tokens) as {{ type_money() }}) as tokens,
    cast(sum(charge_rows) as {{ dbt.type_bigint() }}) as charge_rows
from resolved
group by
{%- for i in range(1, dims | length + (keys | length) * 2 + 1) %}
    {{ i }}{% if not loop.last %},{% endif %}
{%- endfor %}
