{#- Cost avoidance: one row per action on a waste candidate (seed waste_actions), projected against realised savings
    from the billing data, as of the latest charge day.
      scope                 the candidate's scope: a resource (every line of the ResourceId), a project, an AI workload
                            (int_waste_scope_daily), a training spec (its runs, int_waste_training_runs) or SaaS seats
                            (int_waste_saas_seats, per billing period)
      run_rate_before       the scope's cost in the lookback_days days (seed waste_policy) before action_date
                            (fewer when its cost started later) per day x 30
      run_rate_after        its cost from action_date to the as-of day per day x 30
      projected_monthly_savings   what the candidate promised on the day before the action: for idle capacity the
                            capacity's run rate (int_waste_capacity_daily), for repeated training runs the repeats'
                            cost, for seats the unused seats' cost, else run_rate_before
      realised_monthly_savings    run_rate_before - run_rate_after
      realised_savings_to_date    (cost per day before - cost per day after) x days since the action
      status                pending (action after the as-of day), realised (at least the projected savings,
                            to the cent), partially_realised (some), not_realised (none).
    Money in var reporting_currency, rounded to the cent. -#}
{%- set reporting = var('reporting_currency') %}
{#- the window of the waste policy, a scalar subquery on the one-row seed -#}
{%- set lookback = '(select wp.lookback_days from policy as wp)' %}

with as_of as (
    select max(as_of_date) as as_of_date from {{ ref('int_waste_scope_daily') }}
),

policy as (
    select lookback_days from {{ ref('waste_policy') }}
),

actions as (
    select
        a.*,
        coalesce(
            nullif(trim(a.candidate_id), ''),
            {{ waste_candidate_id('a.waste_type', dbt.concat(['a.scope_type', "':'", 'a.scope_value'])) }})
            as resolved_candidate_id
    from {{ ref('waste_actions') }} as a
),

-- daily cost of every scope an action names
scope_days as (
    select
        a.action_id,
        d.charge_day,
        sum(d.cost) as cost
    from actions as a
    inner join {{ ref('int_waste_scope_daily') }} as d
        on a.scope_type = d.scope_type and a.scope_value = d.scope_value
    where a.scope_type in ('resource', 'project', 'workload')
    group by 1, 2
    union all
    select
        a.action_id,
        r.run_date,
        sum(r.run_cost)
    from actions as a
    inner join
        {{ ref('int_waste_training_runs') }} as r
        on a.scope_type = 'training_spec' and a.scope_value = r.spec_key
    group by 1, 2
    union all
    select
        a.action_id,
        s.period_start,
        sum(s.seat_cost)
    from actions as a
    inner join {{ ref('int_waste_saas_seats') }} as s
        on a.scope_type = 'saas_seats'
        and {{ dbt.concat(['s.provider_name', "'|'", "coalesce(s.billing_account_id, '-')", "'|'", 's.service_name']) }}
        = a.scope_value
    group by 1, 2
),

windows as (
    select
        a.action_id,
        o.as_of_date,
        min(d.charge_day) as first_cost_day,
        sum(
            case when d.charge_day >= {{ dbt.dateadd('day', '-' ~ lookback, 'a.action_date') }}
                    and d.charge_day < a.action_date
                    then d.cost
                else 0
            end
        ) as cost_before,
        sum(case when d.charge_day >= a.action_date and d.charge_day <= o.as_of_date then d.cost else 0 end)
            as cost_after
    from actions as a
    cross join as_of as o
    left join scope_days as d on a.action_id = d.action_id
    group by 1, 2
),

spans as (
    select
        w.*,
        -- days observed before the action (the window, or since the scope's first cost) and since it
        {{ dbt.datediff(
            "case when w.first_cost_day > " ~ dbt.dateadd('day', '-' ~ lookback, 'a.action_date')
            ~ " then w.first_cost_day else " ~ dbt.dateadd('day', '-' ~ lookback, 'a.action_date') ~ " end",
            'a.action_date', 'day') }} as days_before,
        {{ dbt.datediff('a.action_date', 'w.as_of_date', 'day') }} + 1 as days_after  -- noqa: LT05
    from windows as w
    inner join actions as a on w.action_id = a.action_id
),

-- what the candidate promised the day before the action
idle_promise as (
    select
        a.action_id,
        max(c.window_capacity_cost / c.window_capacity_days * 30) as promised
    from actions as a
    inner join {{ ref('int_waste_capacity_daily') }} as c
        on a.scope_type = 'resource' and a.scope_value = c.resource_id and a.waste_type = c.waste_type
        and c.charge_day = {{ dbt.dateadd('day', -1, 'a.action_date') }}
    where c.is_idle
    group by 1
),

training_promise as (
    select
        a.action_id,
        sum(case when r.is_repeat then r.run_cost else 0 end) * 30 / {{ lookback }} as promised
    from actions as a
    inner join {{ ref('int_waste_training_runs') }} as r
        on a.scope_type = 'training_spec' and a.scope_value = r.spec_key
        and a.action_date > r.run_date and r.run_date >= {{ dbt.dateadd('day', '-' ~ lookback, 'a.action_date') }}
    group by 1
),

seat_promise as (
    select
        a.action_id,
        max(s.unused_seats * s.seat_price) as promised
    from actions as a
    inner join {{ ref('int_waste_saas_seats') }} as s
        on a.scope_type = 'saas_seats'
        and {{ dbt.concat(['s.provider_name', "'|'", "coalesce(s.billing_account_id, '-')", "'|'", 's.service_name']) }}
        = a.scope_value
        and a.action_date > s.period_start
        and s.period_start >= {{ dbt.dateadd('month', -1, 'a.action_date') }}
    group by 1
),

measured as (
    select
        a.action_id,
        a.resolved_candidate_id as candidate_id,
        a.waste_type,
        a.scope_type,
        a.scope_value,
        a.action,
        a.action_date,
        a.action_by,
        a.note,
        s.as_of_date,
        cast(case when s.days_before > 0 then s.days_before else 0 end as integer) as days_before,
        cast(case when s.days_after > 0 then s.days_after else 0 end as integer) as days_after,
        s.cost_before,
        s.cost_after,
        case when s.days_before > 0 then s.cost_before / s.days_before end as daily_before,
        case when s.days_after > 0 then s.cost_after / s.days_after end as daily_after,
        coalesce(ip.promised, tp.promised, sp.promised) as promised
    from actions as a
    inner join spans as s on a.action_id = s.action_id
    left join idle_promise as ip on a.action_id = ip.action_id
    left join training_promise as tp on a.action_id = tp.action_id
    left join seat_promise as sp on a.action_id = sp.action_id
),

valued as (
    select
        m.*,
        cast(round(m.daily_before * 30, 2) as {{ type_money() }}) as run_rate_before,
        cast(round(m.daily_after * 30, 2) as {{ type_money() }}) as run_rate_after,
        cast(round(coalesce(m.promised, m.daily_before * 30), 2) as {{ type_money() }}) as projected_monthly_savings,
        cast(round((m.daily_before - m.daily_after) * 30, 2) as {{ type_money() }}) as realised_monthly_savings,
        cast(round(m.daily_before * m.days_after - m.cost_after, 2) as {{ type_money() }}) as realised_savings_to_date
    from measured as m
)

select
    v.action_id,
    v.candidate_id,
    v.waste_type,
    v.scope_type,
    v.scope_value,
    v.action,
    v.action_date,
    v.action_by,
    v.note,
    v.days_before,
    v.days_after,
    cast(round(v.cost_before, 2) as {{ type_money() }}) as cost_before,
    cast(round(v.cost_after, 2) as {{ type_money() }}) as cost_after,
    v.run_rate_before,
    v.run_rate_after,
    v.projected_monthly_savings,
    v.realised_monthly_savings,
    v.realised_savings_to_date,
    '{{ reporting }}' as currency,
    case
        when v.action_date > v.as_of_date or v.days_after = 0 then 'pending'
        when v.realised_monthly_savings is null or v.realised_monthly_savings <= 0 then 'not_realised'
        when v.realised_monthly_savings >= v.projected_monthly_savings then 'realised'
        else 'partially_realised'
    end as status,
    v.as_of_date
from valued as v
