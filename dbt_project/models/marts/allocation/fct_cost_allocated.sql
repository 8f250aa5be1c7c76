{#- Every dollar of the FOCUS record, allocated to products (and through seed product_catalog to business units
    and cost centres) by the ordered rules of seeds/allocation/allocation_rules.csv; one row per origin cost line x target, plus
    one unallocated row per line no rule could place. FOCUS 1.3 allocation columns explain each row:
    AllocatedMethodId = the rule, AllocatedMethodDetails = method, driver, weights and ratio (JSON),
    AllocatedResourceId / Name = the target product, AllocatedTags = its business unit, cost centre and product.
    Conservation (tests): per origin the ratios sum to exactly 1 and the allocated costs to the origin's cost;
    per billing period and currency the allocated EffectiveCost equals the FOCUS record's. The last target of a
    split takes the remainder, so no cent is created or lost by rounding. A proportional rule whose driver is 0
    for every target in a period leaves the line unallocated (reason zero_driver), never divides by zero. -#}

{%- set rules = allocation_rules(ref('allocation_rules'), ref('allocation_rule_conditions'), ref('allocation_rule_targets')) %}
{#- the shared rules (even, fixed, proportional): their targets get weights per billing period -#}
{%- set shared = [] %}
{%- for r in rules if r.method != 'direct' %}{% do shared.append(r) %}{% endfor %}

with origins as (
    select * from {{ ref('int_allocation_origins') }}
),

catalog as (
    select * from {{ ref('product_catalog') }}
),

periods as (  -- read by the target weights of the shared rules -- noqa: ST03
    select distinct billing_period from origins
),

rules as (
    {{ allocation_rules_values(rules) }}
),

drivers as (  -- read by proportional rules -- noqa: ST03
    select billing_period, driver, product, driver_value from {{ ref('int_allocation_drivers') }}
),

-- per shared rule and billing period, its target products with a weight (driver value, 1 for even, the share for
-- fixed); scope_key: the target's business unit for rules split `within: business_unit`, else ''
weights as (
    {%- if shared | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as rule_id,
        cast(null as {{ dbt.type_string() }}) as billing_period,
        cast(null as {{ dbt.type_string() }}) as product,
        cast(null as {{ type_money() }}) as weight,
        cast(null as {{ dbt.type_string() }}) as scope_key
    where 1 = 0
    {%- endif %}
    {%- for r in shared %}
    {%- set targets = r.get('targets') %}
    {%- if r.method == 'proportional' %}
    select
        '{{ r.id }}' as rule_id,
        d.billing_period,
        d.product,
        cast(d.driver_value as {{ type_money() }}) as weight,
        {{ "c.business_unit" if r.get('within') else "''" }} as scope_key
    from drivers as d
    inner join catalog as c on d.product = c.product
    where d.driver = '{{ r.driver }}' and d.driver_value > 0
        {%- if targets %}
        and d.product in ({% for t in targets %}{{ sql_literal(t) }}{{ ", " if not loop.last }}{% endfor %})
        {%- endif %}
    {%- elif r.method == 'even' %}
    select
        '{{ r.id }}' as rule_id,
        p.billing_period,
        c.product,
        cast(1 as {{ type_money() }}) as weight,
        {{ "c.business_unit" if r.get('within') else "''" }} as scope_key
    from periods as p
    cross join catalog as c
    {%- if targets %}
    where c.product in ({% for t in targets %}{{ sql_literal(t) }}{{ ", " if not loop.last }}{% endfor %})
    {%- endif %}
    {%- else %}
    {%- for product, share in r.splits.items() %}
    select
        '{{ r.id }}' as rule_id,
        p.billing_period,
        {{ sql_literal(product) }} as product,
        cast({{ share }} as {{ type_money() }}) as weight,
        '' as scope_key
    from periods as p
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

shares as (
    select
        rule_id,
        billing_period,
        scope_key,
        product,
        weight,
        sum(weight) over (partition by rule_id, billing_period, scope_key) as total_weight,
        row_number() over (
            partition by rule_id, billing_period, scope_key
            order by product
        ) as target_order,
        count(*) over (partition by rule_id, billing_period, scope_key) as targets
    from weights
),

first_ratios as (
    select
        *,
        case when target_order < targets then {{ safe_ratio('weight', 'total_weight') }} end as head_ratio
    from shares
),

ratios as (
    select
        rule_id, billing_period, scope_key, product, weight, total_weight, target_order, targets,
        case
            when target_order < targets then head_ratio
            else cast(
                    1 - coalesce(sum(head_ratio) over (partition by rule_id, billing_period, scope_key), 0)
                    as {{ type_money() }}
                )
        end as ratio
    from first_ratios
),

shared_heads as (
    select
        o.origin_id,
        r.product as target_product,
        r.ratio,
        r.weight,
        r.total_weight,
        r.target_order,
        r.targets,
        case when r.target_order < r.targets then {{ money_mul('o.effective_cost', 'r.ratio') }} end as head_effective,
        case when r.target_order < r.targets then {{ money_mul('o.billed_cost', 'r.ratio') }} end as head_billed
    from origins as o
    inner join ratios as r
        on o.rule_id = r.rule_id and o.billing_period = r.billing_period
        and r.scope_key = {{ allocation_scope_key(rules, 'o') }}
    where o.direct_product is null and o.rule_id <> 'unallocated'
),

shared as (
    select
        s.origin_id,
        s.target_product,
        s.ratio,
        s.weight,
        s.total_weight,
        case when s.target_order < s.targets then s.head_effective
            else o.effective_cost - coalesce(sum(s.head_effective) over (partition by s.origin_id), 0)
        end as allocated_effective_cost,
        case when s.target_order < s.targets then s.head_billed
            else o.billed_cost - coalesce(sum(s.head_billed) over (partition by s.origin_id), 0)
        end as allocated_billed_cost
    from shared_heads as s
    inner join origins as o on s.origin_id = o.origin_id
),

placed as (
    select
        origin_id, direct_product as target_product, cast(1 as {{ type_money() }}) as ratio,
        cast(null as {{ type_money() }}) as weight, cast(null as {{ type_money() }}) as total_weight,
        effective_cost as allocated_effective_cost, billed_cost as allocated_billed_cost
    from origins
    where direct_product is not null
    union all
    select origin_id, target_product, ratio, weight, total_weight, allocated_effective_cost, allocated_billed_cost
    from shared
),

unplaced as (
    select
        o.origin_id,
        case
            when o.rule_id <> 'unallocated' then {{ dbt.concat(["'zero_driver:'", 'o.rule_id']) }}
            when not o.taggable then 'not_taggable_no_rule'
            when
                o.business_unit is null and o.project is null and o.product is null and o.cost_center is null
                then 'untagged'
            else 'no_matching_rule'
        end as unallocated_reason
    from origins as o
    where o.origin_id not in (select origin_id from placed)
),

rows_out as (
    select
        p.origin_id, p.target_product, p.ratio, p.weight, p.total_weight, p.allocated_effective_cost,
        p.allocated_billed_cost, true as is_allocated, cast(null as {{ dbt.type_string() }}) as unallocated_reason
    from placed as p
    union all
    select
        u.origin_id, cast(null as {{ dbt.type_string() }}), cast(1 as {{ type_money() }}),
        cast(null as {{ type_money() }}), cast(null as {{ type_money() }}), o.effective_cost, o.billed_cost,
        false, u.unallocated_reason
    from unplaced as u
    inner join origins as o on u.origin_id = o.origin_id
),

final as (
    select
        o.billing_period,
        o.origin_id,
        o.provider_name,
        o.billing_account_id,
        o.sub_account_id,
        o.sub_account_name,
        o.service_category,
        o.service_name,
        o.resource_id,
        o.charge_category,
        o.x_source_system,
        o.model_name,
        o.billing_currency,
        o.effective_cost as origin_effective_cost,
        o.billed_cost as origin_billed_cost,
        o.rule_id as allocation_rule_id,
        ru.method as allocation_method,
        ru.driver as allocation_driver,
        r.is_allocated,
        r.unallocated_reason,
        r.target_product as product,
        case when r.is_allocated then
                case when ru.method = 'direct' then coalesce(o.business_unit, c.business_unit) else c.business_unit end
        end as business_unit,
        case when r.is_allocated then
                case when ru.method = 'direct' then coalesce(o.cost_center, c.cost_center) else c.cost_center end
        end as cost_center,
        case when r.is_allocated then
                case when ru.method = 'direct' then coalesce(o.owner, c.owner) else c.owner end
        end as owner,
        r.ratio as allocation_ratio,
        cast(r.allocated_effective_cost as {{ type_money() }}) as allocated_effective_cost,
        cast(r.allocated_billed_cost as {{ type_money() }}) as allocated_billed_cost,
        r.weight as driver_value,
        r.total_weight as driver_total
    from rows_out as r
    inner join origins as o on r.origin_id = o.origin_id
    left join rules as ru on o.rule_id = ru.rule_id
    left join catalog as c on r.target_product = c.product
)

select
    *,
    case when is_allocated then allocation_rule_id end as allocated_method_id,
    case when is_allocated then {{ json_object_text([
        ('rule', 'allocation_rule_id'), ('method', 'allocation_method'), ('driver', 'allocation_driver'),
        ('ratio', 'allocation_ratio'), ('driver_value', 'driver_value'), ('driver_total', 'driver_total')]) }}
    end as allocated_method_details,
    case when is_allocated then {{ dbt.concat(["'product/'", 'product']) }} end as allocated_resource_id,
    case when is_allocated then product end as allocated_resource_name,
    case when is_allocated then {{ json_object_text([
        ('business_unit', 'business_unit'), ('cost_center', 'cost_center'), ('product', 'product')]) }}
    end as allocated_tags
from final
