{#- Who owns an anomaly scope: one row per scope (scope_type, scope_value) of int_daily_cost_drivers.
      api_key, and project when the project is a model-API project / workspace id: the workload's owner, business
      unit and cost centre in the AI inventory (marts.dim_ai_workloads, owner_source 'dim_ai_workloads');
      otherwise the owner carrying most of the scope's allocated cost in fct_cost_allocated (over every billing
      period in the warehouse; lines with an owner first), with that owner's business unit and cost centre
      (owner_source 'fct_cost_allocated'). A scope no allocated line carries an owner for keeps the business unit
      and cost centre carrying most of its cost, owner null. -#}

with scopes as (
    select distinct scope_type, scope_value
    from {{ ref('int_daily_cost_drivers') }}
),

allocated as (
    select
        a.provider_name,
        a.service_name,
        a.model_name,
        case when a.x_source_system in {{ ai_workload_api_sources() }} then a.resource_id end as api_key,
        coalesce(o.project, case when a.x_source_system in {{ ai_workload_api_sources() }} then a.sub_account_id end)
            as project,
        a.owner,
        a.business_unit,
        a.cost_center,
        a.allocated_effective_cost
    from {{ ref('fct_cost_allocated') }} as a
    left join {{ ref('int_allocation_origins') }} as o on a.origin_id = o.origin_id
),

-- every supported scope type (scopes, from int_daily_cost_drivers, holds those of seed anomaly_scope_types)
allocated_scoped as (
    {%- set parts = [] %}
    {%- for s, col in [('provider', 'provider_name'), ('service', 'service_name'), ('model', 'model_name'),
                       ('api_key', 'api_key'), ('project', 'project')] %}
    {%- do parts.append(
        "select '" ~ s ~ "' as scope_type, " ~ col ~ " as scope_value, owner, business_unit, cost_center, "
        ~ "allocated_effective_cost from allocated where " ~ col ~ " is not null"
    ) %}
    {%- endfor %}
    {{ parts | join('\n    union all\n    ') }}
),

allocated_ranked as (
    select
        scope_type, scope_value, owner, business_unit, cost_center,
        row_number() over (
            partition by scope_type, scope_value
            order by
                case when owner is null then 1 else 0 end, sum(allocated_effective_cost) desc,
                owner, business_unit asc, cost_center asc
        ) as owner_rank
    from allocated_scoped
    group by 1, 2, 3, 4, 5
),

workloads as (
    select 'api_key' as scope_type, resource_id as scope_value, owner, business_unit, cost_center
    from {{ ref('dim_ai_workloads') }}
    where workload_type = 'api_key' and resource_id is not null
    union all
    select 'project', sub_account_id, owner, business_unit, cost_center
    from {{ ref('dim_ai_workloads') }}
    where workload_type = 'api_project' and sub_account_id is not null
),

workloads_ranked as (
    select
        *,
        row_number()
            over (
                partition by scope_type, scope_value
                order by owner, business_unit, cost_center
            )
            as workload_rank
    from workloads
)

select
    s.scope_type,
    s.scope_value,
    case when w.scope_value is not null then w.owner else a.owner end as owner,
    case when w.scope_value is not null then w.business_unit else a.business_unit end as business_unit,
    case when w.scope_value is not null then w.cost_center else a.cost_center end as cost_center,
    case
        when w.scope_value is not null then 'dim_ai_workloads'
        when a.scope_value is not null then 'fct_cost_allocated'
    end as owner_source
from scopes as s
left join workloads_ranked as w
    on s.scope_type = w.scope_type and s.scope_value = w.scope_value and w.workload_rank = 1
left join allocated_ranked as a
    on s.scope_type = a.scope_type and s.scope_value = a.scope_value and a.owner_rank = 1
