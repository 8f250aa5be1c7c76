{#- Cost anomalies: one row per anomaly (consecutive anomalous days of one scope in one direction, int_anomaly_episodes)
    of the daily reporting-currency cost per provider, service, model, project and API key against its robust,
    seasonality-aware baseline (int_anomaly_days), with the change decomposed into volume, price, mix and FX effects
    (they and residual_effect add up to impact_amount exactly). anomaly_date is the anomaly's first day, amounts are
    summed over its days. anomaly_type: usage_spike / usage_drop (primary driver volume or mix), price_change (price)
    or fx_move (fx): a price change or a currency move is never reported as a usage spike. Owner, business unit and
    cost centre: int_anomaly_scope_owners. severity 'error' when |impact_amount| >= error_impact (seed
    anomaly_policy), else 'warn'. is_new: started within the last new_days days (anomaly_policy) up to as_of_date
    (the latest charge day in the warehouse). -#}

with episodes as (
    select * from {{ ref('int_anomaly_episodes') }}
),

owners as (
    select * from {{ ref('int_anomaly_scope_owners') }}
),

policy as (
    select error_impact, new_days from {{ ref('anomaly_policy') }}
)

select
    e.anomaly_id,
    e.scope_type,
    e.scope_value,
    e.lead_provider_name as provider_name,
    e.start_date as anomaly_date,
    e.end_date as anomaly_end_date,
    e.anomaly_days,
    e.actual_cost,
    e.baseline_cost,
    e.impact_amount,
    e.impact_pct,
    e.currency,
    e.direction,
    e.volume_effect,
    e.price_effect,
    e.mix_effect,
    e.fx_effect,
    e.residual_effect,
    e.primary_driver,
    case
        when e.primary_driver = 'price' then 'price_change'
        when e.primary_driver = 'fx' then 'fx_move'
        when e.direction = 'spike' then 'usage_spike'
        else 'usage_drop'
    end as anomaly_type,
    e.primary_driver in ('volume', 'mix') as is_usage_driven,
    e.peak_date,
    e.peak_impact_amount,
    e.peak_robust_z,
    e.baseline_method,
    o.owner,
    o.business_unit,
    o.cost_center,
    o.owner_source,
    case when abs(e.impact_amount) >= p.error_impact then 'error' else 'warn' end as severity,
    {{ dbt.datediff('e.start_date', 'e.as_of_date', 'day') }} < p.new_days as is_new,  -- noqa: LT05
    e.resolved_on,
    e.as_of_date
from episodes as e
left join owners as o on e.scope_type = o.scope_type and e.scope_value = o.scope_value
cross join policy as p
