{#- a check of fct_cost_anomalies in Dagster (the test reads several relations) -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_cost_anomalies'}}}) }}
{{ config(severity='warn') }}
{#- Warning only: every annotation (seed anomaly_annotations) belongs to exactly one anomaly of fct_cost_anomalies
    (same scope, its day within the anomaly's days). An annotation matching none is probably a typo in the scope or
    the day, or names an anomaly of data no longer in the warehouse; it is ignored. Returns the annotations and how
    many anomalies they match. -#}
select n.scope_type, n.scope_value, n.anomaly_date, n.action, n.action_at, count(a.anomaly_id) as anomalies_matched
from {{ ref('anomaly_annotations') }} as n
left join {{ ref('fct_cost_anomalies') }} as a
    on a.scope_type = n.scope_type and a.scope_value = n.scope_value
    and n.anomaly_date >= a.anomaly_date and n.anomaly_date <= a.anomaly_end_date
group by 1, 2, 3, 4, 5
having count(a.anomaly_id) <> 1
