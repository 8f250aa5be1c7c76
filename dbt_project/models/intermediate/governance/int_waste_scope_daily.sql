{#- Daily cost and activity per waste scope, up to the as-of day (sparse: days with cost or activity):
      resource   a cloud ResourceId (billing exports; not the model-API keys or SaaS subscriptions), every line of it;
      project    the project of int_cost_tagged (tag, ownership mapping or virtual tag), every source;
      workload   lines without a project, per AI-inventory workload id (macros/ai_inventory.sql: API project,
                 SaaS subscription, cloud resource; dim_ai_workloads says which are AI workloads).
    cost = EffectiveCost in the reporting currency (x_reporting_effective_cost), a multi-day charge (monthly fee)
    spread evenly over the days of its charge period; owned_cost = the part of it whose line has an owner (tag,
    mapping or virtual tag; int_cost_tagged); ai_cost = the part on AI lines (AI and Machine Learning, GPU meters,
    model APIs, AI SaaS); has_activity = a line that day proves use (tokens, or a meter of seed
    waste_activity_meters with a quantity: data processed / transferred, requests, training, ...). Project and owner
    come from int_cost_tagged per billing period, account, sub-account, service, resource, charge category, source,
    model and currency (the value carrying most cost when a key has several). -#}
{%- set span_days = '(' ~ dbt.datediff('start_day', 'last_day', 'day') ~ ' + 1)' %}

with as_of as (
    select as_of_date from {{ ref('int_waste_as_of_date') }}
),

activity_meters as (
    select lower(pattern) as pattern from {{ ref('waste_activity_meters') }}
),

-- the record's distinct meters, each tested once against the activity and GPU meter patterns (not once per line)
meters as (
    select
        d.sku_meter,
        d.x_usage_type,
        d.consumed_unit,
        {{ waste_meter_matches('d', 'activity_meters') }} as is_activity_meter,
        {{ ai_workload_is_gpu('d', ref('gpu_meter_patterns')) }} as is_gpu_meter
    from (select distinct sku_meter, x_usage_type, consumed_unit from {{ ref('fct_charges') }}) as d
),

lines as (
    select
        c.x_billing_period as billing_period,
        c.provider_name,
        c.billing_account_id,
        c.sub_account_id,
        c.service_name,
        c.resource_id,
        c.charge_category,
        c.x_source_system,
        c.x_model_name as model_name,
        c.billing_currency,
        cast(c.charge_period_start as date) as start_day,
        case
            when c.charge_period_end is null or c.charge_period_end <= c.charge_period_start
                then cast(c.charge_period_start as date)
            else cast({{ dbt.dateadd('second', -1, 'c.charge_period_end') }} as date)
        end as last_day,
        case when {{ waste_is_activity('c', 'm.is_activity_meter') }} then 1 else 0 end as is_activity,
        case when c.service_category = 'AI and Machine Learning'
                or m.is_gpu_meter
                or c.x_source_system in {{ ai_workload_api_sources() }}
                or c.x_source_system in {{ ai_workload_saas_sources() }} then 1
            else 0
        end as is_ai,
        sum(c.x_reporting_effective_cost) as cost
    from {{ ref('fct_charges') }} as c
    inner join meters as m
        on c.sku_meter is not distinct from m.sku_meter
        and c.x_usage_type is not distinct from m.x_usage_type
        and c.consumed_unit is not distinct from m.consumed_unit
    cross join as_of as o
    where cast(c.charge_period_start as date) <= o.as_of_date
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
),

tagged as (
    select *
    from (
        select
            billing_period,
            provider_name,
            billing_account_id,
            sub_account_id,
            service_name,
            resource_id,
            charge_category,
            x_source_system,
            model_name,
            billing_currency,
            project,
            owner,
            row_number() over (
                partition by
                    billing_period, provider_name, billing_account_id, sub_account_id, service_name,
                    resource_id, charge_category, x_source_system, model_name, billing_currency
                order by case when project is not null then 0 else 1 end, abs(effective_cost) desc, project, owner asc
            ) as pick
        from {{ ref('int_cost_tagged') }}
    ) as ranked
    where pick = 1
),

attributed as (
    select
        l.*,
        t.project,
        t.owner
    from lines as l
    left join tagged as t
        on l.billing_period = t.billing_period
        and l.provider_name = t.provider_name
        and {{ cost_tag_null_safe_eq('t.billing_account_id', 'l.billing_account_id') }}
        and {{ cost_tag_null_safe_eq('t.sub_account_id', 'l.sub_account_id') }}
        and {{ cost_tag_null_safe_eq('t.service_name', 'l.service_name') }}
        and {{ cost_tag_null_safe_eq('t.resource_id', 'l.resource_id') }}
        and l.charge_category = t.charge_category
        and l.x_source_system = t.x_source_system
        and {{ cost_tag_null_safe_eq('t.model_name', 'l.model_name') }}
        and {{ cost_tag_null_safe_eq('t.billing_currency', 'l.billing_currency') }}
),

scoped as (
    select
        'resource' as scope_type, provider_name as scope_provider, resource_id as scope_value,
        start_day, last_day, is_activity, is_ai, owner, cost
    from attributed
    where resource_id is not null
        and x_source_system not in {{ ai_workload_api_sources() }}
        and x_source_system not in {{ ai_workload_saas_sources() }}
    union all
    select
        'project', cast(null as {{ dbt.type_string() }}), project,
        start_day, last_day, is_activity, is_ai, owner, cost
    from attributed
    where project is not null
    union all
    select
        'workload', provider_name, {{ ai_workload_id('a') }},
        start_day, last_day, is_activity, is_ai, owner, cost
    from attributed as a
    where project is null
),

spans as (
    select
        scope_type,
        scope_value,
        scope_provider,
        start_day,
        last_day,
        max(is_activity) as has_activity,
        sum(cost) as cost,
        sum(case when owner is not null then cost else 0 end) as owned_cost,
        sum(case when is_ai = 1 then cost else 0 end) as ai_cost
    from scoped
    group by 1, 2, 3, 4, 5
),

-- a span longer than a day (a monthly fee) as one row per day of start_day..last_day
span_days as (
    select
        s.*,
        {{ day_series('s.start_day', 's.last_day') }} as day_ts
    from spans as s
    where s.last_day > s.start_day
),

-- one row per scope and day: a one-day span keeps its row, a longer one is spread evenly over its days
-- (day_share: the days add up to the span's amounts exactly)
days as (
    select scope_type, scope_value, scope_provider, start_day as charge_day, has_activity, cost, owned_cost, ai_cost
    from spans
    where last_day <= start_day
    union all
    select
        scope_type,
        scope_value,
        scope_provider,
        cast(day_ts as date),
        has_activity,
        {{ day_share('cost', span_days, 'cast(day_ts as date) = last_day') }},
        {{ day_share('owned_cost', span_days, 'cast(day_ts as date) = last_day') }},
        {{ day_share('ai_cost', span_days, 'cast(day_ts as date) = last_day') }}
    from span_days
)

select
    d.scope_type,
    d.scope_value,
    d.scope_provider as provider_name,
    d.charge_day,
    cast(sum(d.cost) as {{ type_money() }}) as cost,
    cast(sum(d.owned_cost) as {{ type_money() }}) as owned_cost,
    cast(sum(d.ai_cost) as {{ type_money() }}) as ai_cost,
    max(d.has_activity) = 1 as has_activity,
    o.as_of_date
from days as d
cross join as_of as o
where d.charge_day <= o.as_of_date
group by d.scope_type, d.scope_value, d.scope_provider, d.charge_day, o.as_of_date
