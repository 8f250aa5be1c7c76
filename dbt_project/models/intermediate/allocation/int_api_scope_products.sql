{#- Model-API projects (OpenAI) and workspaces (Anthropic) -> the product their cost lines are allocated to
    directly (tag, ownership mapping or virtual tag), when that is one product. Used to attribute usage volumes
    (requests, tokens) that the cost lines do not carry to products. -#}
select
    case when x_source_system = 'openai_usage' then 'openai' else 'anthropic' end as vendor,
    billing_account_id as organization,
    sub_account_id as project_id,
    max(direct_product) as product
from {{ ref('int_allocation_origins') }}
where direct_product is not null and x_source_system in ('openai_usage', 'anthropic_usage')
group by x_source_system, billing_account_id, sub_account_id
having count(distinct direct_product) = 1
