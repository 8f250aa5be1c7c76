{#- Unit economics per billing month x product x business unit x model. Two kinds of rows (`scope`):
    * 'model' - one AI model used by the product: its allocated cost (direct API lines and the shares of
      cloud-hosted model cost), requests and input / output tokens from the vendors' usage reports (API projects
      and workspaces owned by the product), cost per request, and cost per 1M input and per 1M output tokens at
      the price book's contracted prices times the billed / expected ratio (so the two add up to the billed cost);
    * 'product' - all AI cost allocated to the product that month (service category AI and Machine Learning),
      with its business volumes: cost per business transaction and per active user (monthly active users = the
      month's highest daily value), and per request / per 1M tokens over all its models.
    A zero or missing denominator gives NULL, never an error. -#}

with allocated as (
    select billing_period, product, business_unit, model_name, service_category, allocated_effective_cost
    from {{ ref('fct_cost_allocated') }}
    -- usage volumes and the price book are in USD; other billing currencies join once converted (FX, finance issue)
    where is_allocated and product is not null and billing_currency = '{{ var("unit_cost_currency", "USD") }}'
),

usage as (
    select
        substring(cast(u.usage_date as {{ dbt.type_string() }}), 1, 7) as billing_period,
        s.product,
        u.model_name,
        sum(case when u.token_type = 'requests' then u.usage_quantity end) as requests,
        sum(case when u.token_type in {{ sql_in_list(ai_input_token_types()) }} then u.tokens end) as input_tokens,
        sum(case when u.token_type in {{ sql_in_list(ai_output_token_types()) }} then u.tokens end) as output_tokens,
        sum(case when u.token_type in {{ sql_in_list(
            ai_input_token_types()
        ) }} then u.contracted_cost end) as input_expected_cost,
        sum(case when u.token_type in {{ sql_in_list(
            ai_output_token_types()
        ) }} then u.contracted_cost end) as output_expected_cost
    from {{ ref('int_ai_usage_priced') }} as u
    inner join {{ ref('int_api_scope_products') }} as s
        on u.vendor = s.vendor and u.organization = s.organization and u.project_id = s.project_id
    where u.usage_source = 'api' and u.model_name is not null
    group by 1, 2, 3
),

kpis as (
    select
        substring(cast(kpi_date as {{ dbt.type_string() }}), 1, 7) as billing_period,
        product,
        sum(case when kpi_name = 'transactions' then kpi_value end) as transactions,
        max(case when kpi_name = 'active_users' then kpi_value end) as active_users
    from {{ ref('stg_business_kpis__daily_volumes') }}
    group by 1, 2
),

model_cost as (
    select
        billing_period, product, max(business_unit) as business_unit, model_name,
        sum(allocated_effective_cost) as cost
    from allocated
    where model_name is not null
    group by billing_period, product, model_name
),

model_rows as (
    select
        'model' as scope,
        coalesce(m.billing_period, u.billing_period) as billing_period,
        coalesce(m.product, u.product) as product,
        coalesce(m.business_unit, c.business_unit) as business_unit,
        coalesce(m.model_name, u.model_name) as model_name,
        m.cost,
        u.requests,
        u.input_tokens,
        u.output_tokens,
        u.input_expected_cost,
        u.output_expected_cost,
        cast(null as {{ type_money() }}) as transactions,
        cast(null as {{ type_money() }}) as active_users
    from model_cost as m
    full outer join usage as u
        on m.billing_period = u.billing_period and m.product = u.product and m.model_name = u.model_name
    left join {{ ref('product_catalog') }} as c on c.product = coalesce(m.product, u.product)
),

product_rows as (
    select
        'product' as scope,
        a.billing_period,
        a.product,
        max(a.business_unit) as business_unit,
        cast(null as {{ dbt.type_string() }}) as model_name,
        sum(a.allocated_effective_cost) as cost,
        max(u.requests) as requests,
        max(u.input_tokens) as input_tokens,
        max(u.output_tokens) as output_tokens,
        max(u.input_expected_cost) as input_expected_cost,
        max(u.output_expected_cost) as output_expected_cost,
        max(k.transactions) as transactions,
        max(k.active_users) as active_users
    from allocated as a
    left join (
        select
            billing_period, product, sum(requests) as requests, sum(input_tokens) as input_tokens,
            sum(output_tokens) as output_tokens, sum(input_expected_cost) as input_expected_cost,
            sum(output_expected_cost) as output_expected_cost
        from usage
        group by billing_period, product
    ) as u on a.billing_period = u.billing_period and a.product = u.product
    left join kpis as k on a.billing_period = k.billing_period and a.product = k.product
    where a.service_category = 'AI and Machine Learning'
    group by a.billing_period, a.product
),

unioned as (
    select * from model_rows
    union all
    select * from product_rows
),

measured as (
    select
        *,
        -- billed / expected: spreads the billed cost over input and output tokens at contracted price proportions
        {{ safe_ratio(
            'cost', 'coalesce(input_expected_cost, 0) + coalesce(output_expected_cost, 0)'
        ) }} as billed_over_expected
    from unioned
)

select
    scope,
    billing_period,
    product,
    business_unit,
    model_name,
    '{{ var("unit_cost_currency", "USD") }}' as currency,
    cast(cost as {{ type_money() }}) as allocated_cost,
    cast(requests as {{ type_money() }}) as requests,
    cast(input_tokens as {{ type_money() }}) as input_tokens,
    cast(output_tokens as {{ type_money() }}) as output_tokens,
    cast(transactions as {{ type_money() }}) as transactions,
    cast(active_users as {{ type_money() }}) as active_users,
    {{ safe_ratio('cost', 'requests') }} as cost_per_request,
    {{ safe_ratio(
        'input_expected_cost * billed_over_expected * 1000000', 'input_tokens'
    ) }} as cost_per_million_input_tokens,
    {{ safe_ratio(
        'output_expected_cost * billed_over_expected * 1000000', 'output_tokens'
    ) }} as cost_per_million_output_tokens,
    {{ safe_ratio('cost', 'transactions') }} as cost_per_transaction,
    {{ safe_ratio('cost', 'active_users') }} as cost_per_active_user
from measured
