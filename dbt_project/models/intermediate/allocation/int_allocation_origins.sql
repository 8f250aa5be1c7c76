{#- Every cost line of the tagged record (int_cost_tagged) with a stable origin id and the allocation rule that
    claims it: the first rule (seeds/allocation/allocation_rules.csv, by rule_order) whose conditions match, else
    'unallocated'. direct_product is the product a direct rule gives the line (its product, else its project). -#}

{%- set grain = ['billing_period', 'provider_name', 'billing_account_id', 'sub_account_id', 'sub_account_name',
                 'service_category', 'service_name', 'resource_id', 'charge_category', 'x_source_system',
                 'model_name', 'billing_currency', 'taggable', 'business_unit', 'cost_center', 'project',
                 'environment', 'owner', 'product', 'business_unit_source', 'cost_center_source', 'project_source',
                 'environment_source', 'owner_source', 'product_source'] %}

{%- set rules = allocation_rules(ref('allocation_rules'), ref('allocation_rule_conditions'), ref('allocation_rule_targets')) %}

with tagged as (
    select * from {{ ref('int_cost_tagged') }}
),

ruled as (
    select
        {{ dbt.hash(dbt.concat(grain_parts(grain, 't'))) }} as origin_id,
        t.*,
        {{ allocation_rule_case(rules, 't') }} as rule_id
    from tagged as t
)

select
    ruled.*,
    case when rule_id in {{ allocation_direct_rule_ids(rules) }} then coalesce(product, project) end as direct_product
from ruled
