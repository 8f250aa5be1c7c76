{#- Conservation: every row of the FOCUS mappings (the sources of int_charges_unioned) reaches the union and the
    mart, and no cost is created or lost on the way (rows, BilledCost and EffectiveCost per source model and
    billing period). Returns offending groups. -#}
{#- a check of fct_charges in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_charges'}}}) }}
with staged as (
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('int_aws__focus_charges') }}
    group by 1, 2
    union all
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('int_azure__focus_charges') }}
    group by 1, 2
    union all
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('int_gcp__focus_charges') }}
    group by 1, 2
    union all
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('int_focus_exports__focus_charges') }}
    group by 1, 2
    union all
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('int_ai_api_charges') }}
    group by 1, 2
    union all
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('int_saas_charges') }}
    group by 1, 2
),

marted as (
    select x_source_format, x_billing_period, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('fct_charges') }}
    group by 1, 2
),

exported as (
    select "x_SourceFormat" as x_source_format, "x_BillingPeriod" as x_billing_period, count(*) as row_count,
           sum("BilledCost") as billed_cost, sum("EffectiveCost") as effective_cost
    from {{ ref('focus_cost_and_usage') }}
    group by 1, 2
)

select coalesce(s.x_source_format, m.x_source_format) as x_source_format,
       coalesce(s.x_billing_period, m.x_billing_period) as x_billing_period,
       s.row_count as staged_rows, m.row_count as mart_rows, e.row_count as exported_rows,
       s.billed_cost as staged_billed, m.billed_cost as mart_billed, e.billed_cost as exported_billed
from staged s
full outer join marted m
    on s.x_source_format = m.x_source_format and s.x_billing_period = m.x_billing_period
full outer join exported e
    on coalesce(s.x_source_format, m.x_source_format) = e.x_source_format
   and coalesce(s.x_billing_period, m.x_billing_period) = e.x_billing_period
where s.row_count is distinct from m.row_count
   or m.row_count is distinct from e.row_count
   or s.billed_cost is distinct from m.billed_cost
   or m.billed_cost is distinct from e.billed_cost
   or s.effective_cost is distinct from m.effective_cost
   or m.effective_cost is distinct from e.effective_cost
