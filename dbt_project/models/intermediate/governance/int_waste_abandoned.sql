{#- Abandoned AI pilots as of the as-of day: one row per AI project or AI workload without a project that has cost in
    the last lookback_days days (seed waste_policy) and
      no activity   its last activity (int_waste_scope_daily.has_activity: tokens, data processed / transferred,
                    requests, training, ...) is abandoned_days (seed waste_policy) or more before the as-of day, or
      no owner      none of that cost has an owner (tag, ownership mapping or virtual tag; for a workload also none in
                    dim_ai_workloads, which falls back to the owner of the product its cost is allocated to), for
                    abandoned_days days or more.
    Scopes: project (int_cost_tagged's project: all its lines, every provider; an AI project = some AI cost in the
    window) and workload (dim_ai_workloads' API projects, SaaS subscriptions and cloud resources whose lines carry no
    project; an API key's cost is its project's and is not repeated). A scope that never showed activity and has an
    owner is not judged here (a billed endpoint without any traffic is an idle candidate). Money: reporting currency. -#}
{%- set inactive_from = dbt.dateadd('day', 'j.abandoned_days', 'j.last_activity_day') %}
{%- set ownerless_from = dbt.dateadd('day', 'j.abandoned_days - 1',
                                     "coalesce(" ~ dbt.dateadd('day', 1, 'j.last_owned_day') ~ ", j.first_cost_day)") %}

with daily as (
    select *
    from {{ ref('int_waste_scope_daily') }}
    where scope_type in ('project', 'workload')
),

as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_waste_scope_daily') }}
),

policy as (
    select
        p.abandoned_days,
        {{ dbt.dateadd('day', '-p.lookback_days', 'o.as_of_date') }} as window_start
    from {{ ref('waste_policy') }} as p
    cross join as_of as o
),

workloads as (
    select workload_id, workload_type, vendor, service, name, owner, business_unit, cost_center
    from {{ ref('dim_ai_workloads') }}
    where workload_type in ('api_project', 'saas_subscription', 'cloud_resource')
),

stats as (
    select
        d.scope_type,
        d.scope_value,
        max(d.provider_name) as provider_name,
        min(case when d.cost <> 0 then d.charge_day end) as first_cost_day,
        max(case when d.cost <> 0 then d.charge_day end) as last_cost_day,
        max(case when d.has_activity then d.charge_day end) as last_activity_day,
        max(case when d.owned_cost <> 0 then d.charge_day end) as last_owned_day,
        sum(case when d.charge_day > p.window_start then d.cost else 0 end)
            as cost_window,
        sum(case when d.charge_day > p.window_start then d.owned_cost else 0 end)
            as owned_cost_window,
        sum(case when d.charge_day > p.window_start then d.ai_cost else 0 end)
            as ai_cost_window,
        sum(case when d.charge_day > p.window_start and d.has_activity
                then 1
            else 0
        end) as active_days_window,
        o.as_of_date,
        p.abandoned_days
    from daily as d
    cross join as_of as o
    cross join policy as p
    group by d.scope_type, d.scope_value, o.as_of_date, p.abandoned_days
),

judged as (
    select
        s.*,
        s.last_activity_day is not null
        and s.last_activity_day <= {{ dbt.dateadd('day', '-s.abandoned_days', 's.as_of_date') }} as is_inactive,
        -- no owner on any cost of the window (a workload: nor in the AI inventory, which also takes the owner of the
        -- product its cost is allocated to), and unowned for abandoned_days days or more
        s.owned_cost_window = 0
        and (s.scope_type = 'project' or w.owner is null)
        and coalesce({{ dbt.dateadd('day', 1, 's.last_owned_day') }}, s.first_cost_day)
        <= {{ dbt.dateadd('day', '1 - s.abandoned_days', 's.as_of_date') }} as is_ownerless
    from stats as s
    left join workloads as w on s.scope_type = 'workload' and s.scope_value = w.workload_id
    where s.cost_window > 0
        and (
            (s.scope_type = 'project' and s.ai_cost_window <> 0)
            or (s.scope_type = 'workload' and w.workload_id is not null)
        )
)

select
    j.scope_type,
    j.scope_value,
    case when j.scope_type = 'project' then {{ dbt.concat(["'project:'", 'j.scope_value']) }} else j.scope_value end
        as scope_key,
    j.provider_name,
    w.workload_type,
    w.vendor,
    w.service,
    coalesce(w.name, j.scope_value) as name,
    w.owner as workload_owner,
    w.business_unit as workload_business_unit,
    w.cost_center as workload_cost_center,
    j.first_cost_day,
    j.last_cost_day,
    j.last_activity_day,
    cast(
        case
            when j.last_activity_day is not null
                then {{ dbt.datediff('j.last_activity_day', 'j.as_of_date', 'day') }}
        end as integer
    ) as days_since_activity,
    j.last_owned_day,
    j.is_inactive,
    j.is_ownerless,
    cast(j.cost_window as {{ type_money() }}) as cost_window,
    cast(j.ai_cost_window as {{ type_money() }}) as ai_cost_window,
    cast(j.active_days_window as integer) as active_days_window,
    -- the day it met a condition: N days after its last activity, or N days into cost without an owner
    cast(case
        when j.is_inactive and j.is_ownerless and {{ inactive_from }} > {{ ownerless_from }} then {{ ownerless_from }}
        when j.is_inactive then {{ inactive_from }}
        else {{ ownerless_from }}
    end as date) as flagged_from,
    j.as_of_date
from judged as j
left join workloads as w on j.scope_type = 'workload' and j.scope_value = w.workload_id
where j.is_inactive or j.is_ownerless
