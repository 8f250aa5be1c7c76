{#- Conservation for model-API spend: per vendor, organisation and day, the FOCUS record's BilledCost and
    EffectiveCost (fct_charges and the FOCUS export) equal the cost APIs' amounts to the cent (in fact exactly),
    and every cost line is one FOCUS row. Returns offending groups. -#}
{#- a check of fct_charges in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_charges'}}}) }}
with raw_costs as (
    select 'openai_usage' as source_system, organization, cast({{ utc_timestamp('bucket_start_time') }} as date) as day,
           count(*) as row_count, sum(amount) as amount
    from {{ source('openai_usage', 'costs') }}
    group by 1, 2, 3
    union all
    select 'anthropic_usage', organization_name, cast({{ utc_timestamp('bucket_starting_at') }} as date),
           count(*), sum(amount)
    from {{ source('anthropic_usage', 'costs') }}
    group by 1, 2, 3
),

focus as (
    select x_source_system as source_system, billing_account_id as organization,
           cast(charge_period_start as date) as day, count(*) as row_count,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
    from {{ ref('fct_charges') }}
    where x_source_system in ('openai_usage', 'anthropic_usage')
    group by 1, 2, 3
),

exported as (
    select "x_SourceSystem" as source_system, "BillingAccountId" as organization,
           cast("ChargePeriodStart" as date) as day, sum("BilledCost") as billed_cost
    from {{ ref('focus_cost_and_usage') }}
    where "x_SourceSystem" in ('openai_usage', 'anthropic_usage')
    group by 1, 2, 3
)

select coalesce(r.source_system, f.source_system) as source_system,
       coalesce(r.organization, f.organization) as organization,
       coalesce(r.day, f.day) as day,
       r.row_count as cost_lines, f.row_count as focus_rows,
       r.amount as cost_api_amount, f.billed_cost, f.effective_cost, e.billed_cost as exported_billed_cost
from raw_costs as r
full outer join focus as f
    on f.source_system = r.source_system and f.organization = r.organization and f.day = r.day
left join exported as e
    on e.source_system = coalesce(r.source_system, f.source_system)
    and e.organization = coalesce(r.organization, f.organization) and e.day = coalesce(r.day, f.day)
where r.row_count is distinct from f.row_count
   or r.amount is distinct from f.billed_cost
   or r.amount is distinct from f.effective_cost
   or r.amount is distinct from e.billed_cost
