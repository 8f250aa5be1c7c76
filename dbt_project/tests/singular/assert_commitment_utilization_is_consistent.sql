{#- Commitment figures hold together: a commitment discount's used + unused cost is its spend and its utilisation
    lies in [0, 1]; no shortfall or overage is negative; a closed period's projection is its actual; a vendor
    contract's spend to date equals its daily spend (int_commitment_contract_daily) over the period's elapsed days.
    Returns the offending rows. -#}
{#- a check of fct_commitment_utilization in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_commitment_utilization'}}}) }}
with contract_days as (
    select
        u.commitment_id,
        u.period_start,
        sum(d.commit_spend) as spend
    from {{ ref('fct_commitment_utilization') }} as u
    inner join {{ ref('int_commitment_contract_daily') }} as d
        on d.contract_id = u.commitment_id and d.charge_day between u.period_start and u.period_end
        and d.charge_day <= u.as_of_date
    where u.commitment_type = 'vendor_contract'
    group by 1, 2
)

select commitment_id, period, 'used + unused is not the spend, or utilisation outside [0, 1]' as problem
from {{ ref('fct_commitment_utilization') }}
where commitment_type = 'commitment_discount'
  and (used_commitment_cost + unused_commitment_cost <> spend_to_date
       or utilization_to_date < 0 or utilization_to_date > 1)
union all
select commitment_id, period, 'negative shortfall or overage'
from {{ ref('fct_commitment_utilization') }}
where projected_shortfall < 0 or projected_overage_quantity < 0 or projected_overage_cost < 0
union all
select commitment_id, period, 'closed period projected away from its actual'
from {{ ref('fct_commitment_utilization') }}
where days_elapsed = days_in_period and abs(projected_spend - spend_to_date) > 0.005
union all
select u.commitment_id, u.period, 'spend to date is not the sum of its days'
from {{ ref('fct_commitment_utilization') }} as u
left join contract_days as d on d.commitment_id = u.commitment_id and d.period_start = u.period_start
where u.commitment_type = 'vendor_contract' and u.spend_to_date <> coalesce(d.spend, 0)
