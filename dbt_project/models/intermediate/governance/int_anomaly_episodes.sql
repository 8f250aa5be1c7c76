{#- Anomalies: consecutive anomalous days of one scope in one direction (int_anomaly_days) are one anomaly, identified
    by anomaly_id = hash(scope_type, scope_value, start_date). Amounts and effects are summed over its days;
    primary_driver is the summed effect with the largest absolute value (ties: volume, price, mix, fx); the peak
    day is the day with the largest absolute impact (its robust z and lead provider are reported).
    Automatic resolution: the first day of the first run of resolve_days (seed anomaly_policy) consecutive settled
    days after the anomaly's last day on which the scope's cost stays within its baseline band (no anomalous day of the
    scope, in either direction); resolved_on is that run's first day, null while the anomaly is open. -#}

with days as (
    select * from {{ ref('int_anomaly_days') }}
),

policy as (
    select resolve_days from {{ ref('anomaly_policy') }}
),

ranked as (
    select
        d.*,
        row_number() over (
            partition by d.scope_type, d.scope_value, d.direction
            order by d.anomaly_date
        ) as day_rank
    from days as d
),

numbered as (
    -- consecutive days share anomaly_date - day_rank
    select r.*, cast({{ dbt.dateadd('day', '-r.day_rank', 'r.anomaly_date') }} as date) as island
    from ranked as r
),

islands as (
    select
        *,
        min(anomaly_date) over (partition by scope_type, scope_value, direction, island) as start_date,
        row_number() over (
            partition by scope_type, scope_value, direction, island
            order by abs(impact_amount) desc, anomaly_date
        ) as peak_rank
    from numbered
),

episodes as (
    select
        scope_type,
        scope_value,
        direction,
        start_date,
        max(anomaly_date) as end_date,
        count(*) as anomaly_days,
        max(currency) as currency,
        sum(actual_cost) as actual_cost,
        sum(baseline_cost) as baseline_cost,
        sum(impact_amount) as impact_amount,
        sum(volume_effect) as volume_effect,
        sum(price_effect) as price_effect,
        sum(mix_effect) as mix_effect,
        sum(fx_effect) as fx_effect,
        sum(residual_effect) as residual_effect,
        max(case when peak_rank = 1 then anomaly_date end) as peak_date,
        max(case when peak_rank = 1 then impact_amount end) as peak_impact_amount,
        max(case when peak_rank = 1 then robust_z end) as peak_robust_z,
        max(case when peak_rank = 1 then lead_provider_name end) as lead_provider_name,
        max(case when peak_rank = 1 then baseline_method end) as baseline_method,
        max(as_of_date) as as_of_date,
        max(settled_through_date) as settled_through_date
    from islands
    group by 1, 2, 3, 4
),

-- after each anomalous day of a scope: how many settled days follow before the scope's next anomalous day
flag_days as (
    select distinct scope_type, scope_value, anomaly_date, settled_through_date
    from days
),

quiet_runs as (
    select
        scope_type,
        scope_value,
        anomaly_date,
        {{ dbt.datediff(
            'anomaly_date', 'least(coalesce(next_date, settled_end), settled_end)', 'day'
        ) }} - 1 as quiet_days
    from (
        select
            f.*,
            lead(f.anomaly_date) over (
                partition by f.scope_type, f.scope_value
                order by f.anomaly_date
            ) as next_date,
            cast({{ dbt.dateadd('day', 1, 'f.settled_through_date') }} as date) as settled_end
        from flag_days as f
    ) as x
),

resolved as (
    select
        e.scope_type,
        e.scope_value,
        e.start_date,
        min(q.anomaly_date) as last_anomalous_date
    from episodes as e
    inner join quiet_runs as q
        on e.scope_type = q.scope_type and e.scope_value = q.scope_value and e.end_date <= q.anomaly_date
        and q.quiet_days >= (select ap.resolve_days from policy as ap)
    group by 1, 2, 3
)

select
    {{ dbt.hash(
        dbt.concat(["e.scope_type", "'|'", "e.scope_value", "'|'", "cast(e.start_date as " ~ dbt.type_string() ~ ")"])
    ) }}
        as anomaly_id,
    e.scope_type,
    e.scope_value,
    e.direction,
    e.start_date,
    e.end_date,
    cast(e.anomaly_days as integer) as anomaly_days,
    e.currency,
    cast(e.actual_cost as {{ type_money() }}) as actual_cost,
    cast(e.baseline_cost as {{ type_money() }}) as baseline_cost,
    cast(e.impact_amount as {{ type_money() }}) as impact_amount,
    cast({{ safe_ratio('e.impact_amount', 'e.baseline_cost') }} as decimal(18, 6)) as impact_pct,
    cast(e.volume_effect as {{ type_money() }}) as volume_effect,
    cast(e.price_effect as {{ type_money() }}) as price_effect,
    cast(e.mix_effect as {{ type_money() }}) as mix_effect,
    cast(e.fx_effect as {{ type_money() }}) as fx_effect,
    cast(e.residual_effect as {{ type_money() }}) as residual_effect,
    case
        when abs(e.volume_effect) >= abs(e.price_effect) and abs(e.volume_effect) >= abs(e.mix_effect)
            and abs(e.volume_effect) >= abs(e.fx_effect) then 'volume'
        when abs(e.price_effect) >= abs(e.mix_effect) and abs(e.price_effect) >= abs(e.fx_effect) then 'price'
        when abs(e.mix_effect) >= abs(e.fx_effect) then 'mix'
        else 'fx'
    end as primary_driver,
    e.peak_date,
    cast(e.peak_impact_amount as {{ type_money() }}) as peak_impact_amount,
    e.peak_robust_z,
    e.lead_provider_name,
    e.baseline_method,
    cast({{ dbt.dateadd('day', 1, 'r.last_anomalous_date') }} as date) as resolved_on,
    e.as_of_date,
    e.settled_through_date
from episodes as e
left join resolved as r
    on e.scope_type = r.scope_type and e.scope_value = r.scope_value and e.start_date = r.start_date
