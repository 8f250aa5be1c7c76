{#- Every anomaly has one lifecycle row and one cycle-time row; nothing is acknowledged or resolved before it was
    detected; an automatic resolution falls after the anomaly's last day and no later than as_of_date; status
    follows the timestamps; cycle times are the exact differences. Returns offenders. -#}
{#- a check of fct_anomaly_lifecycle in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_anomaly_lifecycle'}}}) }}
with a as (
    select anomaly_id, anomaly_end_date, resolved_on, as_of_date from {{ ref('fct_cost_anomalies') }}
),

l as (
    select * from {{ ref('fct_anomaly_lifecycle') }}
),

c as (
    select * from {{ ref('fct_remediation_cycle_time') }}
)

select a.anomaly_id, 'missing lifecycle or cycle time' as problem
from a
left join l on l.anomaly_id = a.anomaly_id
left join c on c.anomaly_id = a.anomaly_id
where l.anomaly_id is null or c.anomaly_id is null
union all
select anomaly_id, 'acknowledged or resolved before detection'
from l
where acknowledged_at < detected_at or resolved_at < detected_at
union all
select anomaly_id, 'automatic resolution outside (end date, as_of_date]'
from a
where resolved_on is not null and (resolved_on <= anomaly_end_date or resolved_on > as_of_date)
union all
select anomaly_id, 'status does not follow the timestamps'
from l
where status <> case when resolved_at is not null then 'resolved' when acknowledged_at is not null then 'acknowledged' else 'open' end
   or (resolution is null) <> (resolved_at is null)
union all
select c.anomaly_id, 'cycle time is not the timestamp difference'
from c
where hours_to_acknowledge <> {{ anomaly_hours_between('detected_at', 'acknowledged_at') }}
   or hours_to_resolve <> {{ anomaly_hours_between('detected_at', 'resolved_at') }}
   or (open_hours is null) = (resolved_at is null)
