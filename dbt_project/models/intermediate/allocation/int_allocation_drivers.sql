{#- Allocation drivers per billing period (YYYY-MM) and product, one row per driver:
    * effective_cost - the product's directly allocated effective cost (lines claimed by a direct rule);
    * tokens - model-API tokens on the product's lines (x_TokenCount of the FOCUS record);
    * requests - model requests in the vendors' usage reports, attributed to the product through the API
      project / workspace its cost lines are owned by;
    * kpi:<kpi_name> - the product's business volumes (stg_business_kpis__daily_volumes).
    driver_unit says what the value counts. -#}

with origins as (
    select * from {{ ref('int_allocation_origins') }}
),

requests as (
    select
        substring(cast(u.usage_date as {{ dbt.type_string() }}), 1, 7) as billing_period,
        s.product,
        sum(u.usage_quantity) as driver_value
    from {{ ref('int_ai_usage_priced') }} as u
    inner join {{ ref('int_api_scope_products') }} as s
        on u.vendor = s.vendor and u.organization = s.organization and u.project_id = s.project_id
    where u.usage_source = 'api' and u.token_type = 'requests'
    group by 1, 2
)

select
    billing_period, 'effective_cost' as driver, direct_product as product, 'Cost' as driver_unit,
    cast(sum(effective_cost) as {{ type_money() }}) as driver_value
from origins
where direct_product is not null
group by billing_period, direct_product

union all

select billing_period, 'tokens', coalesce(product, project), 'Tokens', cast(sum(tokens) as {{ type_money() }})
from origins
where tokens is not null and coalesce(product, project) is not null
group by billing_period, coalesce(product, project)

union all

select billing_period, 'requests', product, 'Requests', cast(driver_value as {{ type_money() }})
from requests

union all

select
    substring(cast(kpi_date as {{ dbt.type_string() }}), 1, 7),
    {{ dbt.concat(["'kpi:'", 'kpi_name']) }},
    product,
    max(kpi_unit),
    cast(sum(kpi_value) as {{ type_money() }})
from {{ ref('stg_business_kpis__daily_volumes') }}
group by 1, 2, 3
