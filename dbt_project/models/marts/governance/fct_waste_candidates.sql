{#- Waste candidates as of the latest charge day (never the clock): one row per candidate, with the evidence from the
    billing data itself and the estimated monthly savings (30 days) of removing the idle part. waste_type:
      idle_endpoint / idle_provisioned_capacity / idle_gpu   a resource billed for provisioned capacity (seed
          waste_idle_rules: endpoint hosting hours, PTU / provisioned throughput, GPU instance hours) with no or
          little traffic on the same resource over the last lookback_days days (seed waste_policy) and still billed
          (int_waste_capacity_daily); savings = the capacity's cost per billed day x 30;
      abandoned_pilot   an AI project, model-API project, SaaS subscription or cloud workload with cost but no
          activity for abandoned_days days, or without an owner (int_waste_abandoned); savings = its whole cost
          run rate (cost of the window / window days x 30). Its resources are not repeated as idle candidates;
      repeated_training_run   training_min_runs or more runs of one training spec in the window
          (int_waste_training_runs); savings = the repeats' cost scaled to 30 days;
      unused_saas_seats   seats billed above the contract's included quantity in the current billing period
          (int_waste_saas_seats; the invoices carry no seat activity); savings = unused seats x seat price.
    candidate_id = hash of waste_type and scope (scope_type, scope_value), stable from day to day. Owner, business
    unit, cost centre: the resource's / project's tags and mappings (int_cost_tagged, latest billing period), the AI
    inventory's for workloads, the contract's for seats. is_actioned: seed waste_actions names the candidate. Money in
    var reporting_currency. -#}
{%- set reporting = var('reporting_currency') %}
{#- the policy's numbers, as scalar subqueries on the one-row seed -#}
{%- set lookback = '(select wp.lookback_days from policy as wp)' %}
{%- set still_billed = '(select wp.still_billed_days from policy as wp)' %}
{%- set min_runs = '(select wp.training_min_runs from policy as wp)' %}

with as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_waste_scope_daily') }}
),

policy as (
    select lookback_days, still_billed_days, training_min_runs from {{ ref('waste_policy') }}
),

-- owners and projects of resources and projects (int_cost_tagged: the latest billing period, owned lines first)
resource_attrs as (
    select *
    from (
        select
            provider_name,
            resource_id,
            project,
            owner,
            business_unit,
            cost_center,
            row_number() over (
                partition by provider_name, resource_id
                order by
                    billing_period desc, case when owner is not null then 0 else 1 end,
                    abs(effective_cost) desc, project, owner asc
            ) as pick
        from {{ ref('int_cost_tagged') }}
        where resource_id is not null
    ) as ranked
    where pick = 1
),

project_attrs as (
    select *
    from (
        select
            project,
            owner,
            business_unit,
            cost_center,
            row_number() over (
                partition by project
                order by
                    billing_period desc, case when owner is not null then 0 else 1 end,
                    case when business_unit is not null then 0 else 1 end, abs(effective_cost) desc,
                    owner, business_unit asc
            ) as pick
        from {{ ref('int_cost_tagged') }}
        where project is not null
    ) as ranked
    where pick = 1
),

resource_cost as (
    select
        d.provider_name,
        d.scope_value as resource_id,
        sum(d.cost) as cost_window
    from {{ ref('int_waste_scope_daily') }} as d
    cross join as_of as o
    where d.scope_type = 'resource' and d.charge_day > {{ dbt.dateadd('day', '-' ~ lookback, 'o.as_of_date') }}
    group by 1, 2
),

-- abandoned pilots ----------------------------------------------------------------------------------------------
abandoned as (
    select * from {{ ref('int_waste_abandoned') }}
),

project_resources as (
    -- the largest resources of each abandoned project in the window, for the evidence
    select
        a.scope_value as project,
        count(*) as resources,
        {{ dbt.listagg(
            dbt.concat([waste_resource_short_name('c.resource_id'), "' '", waste_money_text('c.cost_window')]),
            "', '", 'order by c.cost_window desc, c.resource_id', 3) }} as largest
    from abandoned as a
    inner join resource_attrs as r on a.scope_value = r.project
    inner join resource_cost as c on r.provider_name = c.provider_name and r.resource_id = c.resource_id
    where a.scope_type = 'project' and c.cost_window <> 0
    group by 1
),

abandoned_candidates as (
    select
        'abandoned_pilot' as waste_type,
        a.scope_type,
        a.scope_value,
        coalesce(a.provider_name, a.vendor) as provider_name,
        a.service as service_name,
        cast(null as {{ dbt.type_string() }}) as resource_id,
        a.scope_key as workload_id,
        a.name,
        coalesce(a.workload_owner, p.owner) as owner,
        coalesce(a.workload_business_unit, p.business_unit) as business_unit,
        coalesce(a.workload_cost_center, p.cost_center) as cost_center,
        {{ dbt.concat([
            "case when a.scope_type = 'project' then 'project ' else '' end", 'a.name', "': '",
            waste_money_text('a.cost_window'), "' '", "'" ~ reporting ~ "'",
            "' in the last '", "cast(" ~ lookback ~ " as " ~ dbt.type_string() ~ ")", "' days'",
            "coalesce(" ~ dbt.concat(["' on '", "cast(pr.resources as " ~ dbt.type_string() ~ ")", "' resources (largest: '", 'pr.largest', "')'"]) ~ ", '')",
            "case when a.is_inactive then " ~ dbt.concat(["'; no activity since '", "cast(a.last_activity_day as " ~ dbt.type_string() ~ ")", "' ('", "cast(a.days_since_activity as " ~ dbt.type_string() ~ ")", "' days: no tokens, requests, data processed or training)'"]) ~ " else '' end",
            "case when a.is_ownerless then '; no owner (no owner tag, ownership mapping or virtual tag on its cost)' else '' end",
            "case when not a.is_inactive and a.last_activity_day is not null then " ~ dbt.concat(["'; last activity '", "cast(a.last_activity_day as " ~ dbt.type_string() ~ ")"]) ~ " else '' end"
        ]) }} as evidence,
        a.cost_window as cost_30d,
        cast(a.active_days_window as {{ type_money() }}) as usage_30d,
        'active days' as usage_unit,
        cast(a.cost_window * 30 / {{ lookback }} as {{ type_money() }}) as estimated_monthly_savings,
        a.flagged_from as first_flagged_date
    from abandoned as a
    left join project_attrs as p on a.scope_type = 'project' and a.scope_value = p.project
    left join project_resources as pr on a.scope_type = 'project' and a.scope_value = pr.project
),

-- idle provisioned capacity --------------------------------------------------------------------------------------
capacity as (
    select * from {{ ref('int_waste_capacity_daily') }}
),

idle_since as (
    select
        rule_id,
        provider_name,
        resource_id,
        max(case when not is_idle then charge_day end) as last_not_idle_day,
        min(case when is_idle then charge_day end) as first_idle_day
    from capacity
    group by 1, 2, 3
),

idle_candidates as (
    select
        c.waste_type,
        'resource' as scope_type,
        c.resource_id as scope_value,
        c.provider_name,
        c.service_name,
        c.resource_id,
        {{ dbt.concat(["'cloud_resource:'", 'c.provider_name', "':'", 'c.resource_id']) }} as workload_id,
        coalesce(c.resource_name, {{ waste_resource_short_name('c.resource_id') }}) as name,
        r.owner,
        r.business_unit,
        r.cost_center,
        {{ dbt.concat([
            'c.service_name', "' '", 'c.capacity_meter', "': '", waste_number_text('c.window_capacity_quantity'), "' '",
            "coalesce(c.capacity_unit, '')", "' ('", waste_money_text('c.window_capacity_cost'), "' " ~ reporting ~ ") on '",
            "cast(c.window_capacity_days as " ~ dbt.type_string() ~ ")", "' of the last '",
            "cast(" ~ lookback ~ " as " ~ dbt.type_string() ~ ")", "' days; traffic on the same resource: '",
            waste_number_text('c.window_traffic_quantity'), "' '", "coalesce(c.traffic_unit, '')",
            "case when c.max_traffic_per_hour > 0 then " ~ dbt.concat(["' ('", waste_number_text('c.window_traffic_quantity / nullif(c.window_capacity_quantity, 0)'), "' per capacity hour, idle below '", waste_number_text('c.max_traffic_per_hour'), "')'"]) ~ " else ' (none)' end",
            "'; idle since '", "cast(coalesce(" ~ dbt.dateadd('day', 1, 's.last_not_idle_day') ~ ", s.first_idle_day) as date)"
        ]) }} as evidence,
        coalesce(rc.cost_window, c.window_capacity_cost) as cost_30d,
        c.window_traffic_quantity as usage_30d,
        c.traffic_unit as usage_unit,
        cast(c.window_capacity_cost / c.window_capacity_days * 30 as {{ type_money() }}) as estimated_monthly_savings,
        cast(coalesce({{ dbt.dateadd('day', 1, 's.last_not_idle_day') }}, s.first_idle_day) as date)
            as first_flagged_date
    from capacity as c
    inner join idle_since as s
        on c.rule_id = s.rule_id and c.provider_name = s.provider_name and c.resource_id = s.resource_id
    left join resource_attrs as r on c.provider_name = r.provider_name and c.resource_id = r.resource_id
    left join resource_cost as rc on c.provider_name = rc.provider_name and c.resource_id = rc.resource_id
    where c.charge_day = c.as_of_date
        and c.is_idle
        and c.window_last_capacity_day > {{ dbt.dateadd('day', '-' ~ still_billed, 'c.as_of_date') }}
        -- covered by an abandoned pilot: its project or its workload
        and not exists (
            select 1 from abandoned as a
            where (a.scope_type = 'project' and a.scope_value = r.project)
                or (
                    a.scope_type = 'workload'
                    and a.scope_value
                    = {{ dbt.concat(["'cloud_resource:'", 'c.provider_name', "':'", 'c.resource_id']) }}
                )
        )
),

-- repeated training runs -----------------------------------------------------------------------------------------
runs as (
    select * from {{ ref('int_waste_training_runs') }}
    where in_window and runs_in_window >= {{ min_runs }}
),

latest_runs as (
    select *
    from (
        select
            *, row_number() over (
                partition by spec_key
                order by run_start desc, resource_id desc
            ) as pick
        from runs
    ) as ranked
    where pick = 1
),

training_candidates as (
    select
        'repeated_training_run' as waste_type,
        'training_spec' as scope_type,
        r.spec_key as scope_value,
        max(r.provider_name) as provider_name,
        max(r.service_name) as service_name,
        cast(null as {{ dbt.type_string() }}) as resource_id,
        {{ dbt.concat(["'training_spec:'", 'r.spec_key']) }} as workload_id,
        max(r.job_family) as name,
        max(a.owner) as owner,
        max(a.business_unit) as business_unit,
        max(a.cost_center) as cost_center,
        {{ dbt.concat([
            "cast(count(*) as " ~ dbt.type_string() ~ ")", "' runs of one training spec ('", 'max(r.instance_meter)', "', '",
            waste_number_text('max(r.spec_hours)'), "' h, '", 'max(r.spec_label)', "') between '",
            "cast(min(r.run_date) as " ~ dbt.type_string() ~ ")", "' and '", "cast(max(r.run_date) as " ~ dbt.type_string() ~ ")",
            "': '", dbt.listagg('r.job_name', "', '", 'order by r.run_start, r.resource_id'),
            "'; '", "cast(count(*) - 1 as " ~ dbt.type_string() ~ ")", "' repeats cost '",
            waste_money_text('sum(case when r.is_repeat then r.run_cost else 0 end)'), "' " ~ reporting ~ "'"
        ]) }} as evidence,
        cast(sum(r.run_cost) as {{ type_money() }}) as cost_30d,
        cast(sum(r.run_hours) as {{ type_money() }}) as usage_30d,
        'Hours' as usage_unit,
        cast(sum(case when r.is_repeat then r.run_cost else 0 end) * 30 / {{ lookback }} as {{ type_money() }})
            as estimated_monthly_savings,
        cast(max(case when r.run_number = {{ min_runs }} then r.run_date end) as date) as first_flagged_date
    from runs as r
    inner join latest_runs as l on r.spec_key = l.spec_key
    left join resource_attrs as a on l.provider_name = a.provider_name and l.resource_id = a.resource_id
    group by r.spec_key
),

-- unused SaaS seats ----------------------------------------------------------------------------------------------
seats as (
    select *
    from (
        select
            s.*,
            row_number() over (
                partition by s.provider_name, s.billing_account_id, s.service_name
                order by s.period_start desc
            ) as pick
        from {{ ref('int_waste_saas_seats') }} as s
        where s.period_start <= s.as_of_date
    ) as ranked
    where pick = 1 and unused_seats > 0
),

seat_candidates as (
    select
        'unused_saas_seats' as waste_type,
        'saas_seats' as scope_type,
        {{ dbt.concat(['s.provider_name', "'|'", "coalesce(s.billing_account_id, '-')", "'|'", 's.service_name']) }}
            as scope_value,
        s.provider_name,
        s.service_name,
        cast(null as {{ dbt.type_string() }}) as resource_id,
        {{ dbt.concat(["'saas_subscription:'", 's.provider_name', "':'", "coalesce(s.billing_account_id, '-')"]) }}
            as workload_id,
        s.service_name as name,
        s.owner,
        s.business_unit,
        s.cost_center,
        {{ dbt.concat([
            's.service_name', "' '", 's.billing_period', "': '", waste_number_text('s.seats'), "' seats billed, contract '",
            's.contract_id', "' includes '", waste_number_text('s.included_seats'),
            "'; the invoices carry no seat activity, so the '", waste_number_text('s.unused_seats'),
            "' seats above the contract''s included quantity count as unused ('", waste_money_text('s.seat_price'),
            "' " ~ reporting ~ " a seat)'"
        ]) }} as evidence,
        s.seat_cost as cost_30d,
        s.seats as usage_30d,
        'Seats' as usage_unit,
        cast(s.unused_seats * s.seat_price as {{ type_money() }}) as estimated_monthly_savings,
        s.period_start as first_flagged_date
    from seats as s
),

candidates as (
    select * from idle_candidates
    union all
    select * from abandoned_candidates
    union all
    select * from training_candidates
    union all
    select * from seat_candidates
),

actions as (
    select distinct candidate_id, waste_type, scope_type, scope_value
    from {{ ref('waste_actions') }}
)

select
    {{ waste_candidate_id('c.waste_type', dbt.concat(['c.scope_type', "':'", 'c.scope_value'])) }} as candidate_id,
    c.waste_type,
    c.scope_type,
    c.scope_value,
    c.provider_name,
    c.service_name,
    c.resource_id,
    c.workload_id,
    c.name,
    c.owner,
    c.business_unit,
    c.cost_center,
    c.evidence,
    cast(c.cost_30d as {{ type_money() }}) as cost_30d,
    cast(c.usage_30d as {{ type_money() }}) as usage_30d,
    c.usage_unit,
    cast(round(c.estimated_monthly_savings, 2) as {{ type_money() }}) as estimated_monthly_savings,
    '{{ reporting }}' as currency,
    cast(c.first_flagged_date as date) as first_flagged_date,
    exists(
        select 1 from actions as x
        where x.candidate_id
            = {{ waste_candidate_id('c.waste_type', dbt.concat(['c.scope_type', "':'", 'c.scope_value'])) }}
            or (x.waste_type = c.waste_type and x.scope_type = c.scope_type and x.scope_value = c.scope_value)
    ) as is_actioned,
    o.as_of_date
from candidates as c
cross join as_of as o
