{#- Conservation of the tagged record: per billing period and billing currency, int_cost_tagged's effective,
    billed and list cost and its charge_rows equal the FOCUS record (fct_charges) exactly, and fct_tag_coverage's
    total cost equals it for every required tag key. Returns the offending (layer, period, currency). -#}
{#- a check of int_cost_tagged in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_cost_tagged'}}}) }}
with charges as (
    select x_billing_period as billing_period, billing_currency,
           sum(effective_cost) as effective_cost, sum(billed_cost) as billed_cost, sum(list_cost) as list_cost,
           count(*) as charge_rows
    from {{ ref('fct_charges') }}
    group by 1, 2
),

tagged as (
    select billing_period, billing_currency,
           sum(effective_cost) as effective_cost, sum(billed_cost) as billed_cost, sum(list_cost) as list_cost,
           sum(charge_rows) as charge_rows
    from {{ ref('int_cost_tagged') }}
    group by 1, 2
),

coverage as (
    select tag_key, billing_period, billing_currency, sum(total_cost) as effective_cost, sum(charge_rows) as charge_rows
    from {{ ref('fct_tag_coverage') }}
    group by 1, 2, 3
),

required_keys as (
    select tag_key from {{ ref('required_tags') }}
),

expected_coverage as (
    select k.tag_key, c.billing_period, c.billing_currency, c.effective_cost, c.charge_rows
    from charges as c
    cross join required_keys as k
)

select 'int_cost_tagged' as layer, coalesce(c.billing_period, t.billing_period) as billing_period,
       coalesce(c.billing_currency, t.billing_currency) as billing_currency, cast(null as {{ dbt.type_string() }}) as tag_key,
       c.effective_cost as charges_effective_cost, t.effective_cost as layer_effective_cost,
       c.charge_rows as charges_rows, t.charge_rows as layer_rows
from charges as c
full outer join tagged as t
    on t.billing_period = c.billing_period and t.billing_currency = c.billing_currency
where c.effective_cost is distinct from t.effective_cost
   or c.billed_cost is distinct from t.billed_cost
   or c.list_cost is distinct from t.list_cost
   or c.charge_rows is distinct from t.charge_rows

union all

select 'fct_tag_coverage', coalesce(e.billing_period, v.billing_period), coalesce(e.billing_currency, v.billing_currency),
       coalesce(e.tag_key, v.tag_key), e.effective_cost, v.effective_cost, e.charge_rows, v.charge_rows
from expected_coverage as e
full outer join coverage as v
    on v.tag_key = e.tag_key and v.billing_period = e.billing_period and v.billing_currency = e.billing_currency
where e.effective_cost is distinct from v.effective_cost
   or e.charge_rows is distinct from v.charge_rows
