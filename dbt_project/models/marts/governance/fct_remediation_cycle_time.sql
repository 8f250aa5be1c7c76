{#- Remediation cycle time, one row per anomaly (fct_anomaly_lifecycle): exact durations from detection (detected_at,
    the first anomalous day at 00:00) to acknowledgement and to resolution, in hours (to the second) and days
    (hours / 24); null while not acknowledged / not resolved. open_hours: for an unresolved anomaly, the time from
    detection to the end of as_of_date (the latest charge day), so its age is never understated.
    Second grain as columns: month_* summarise the anomalies detected in the same calendar month (detection_month,
    YYYY-MM): how many, acknowledged, resolved, and the mean hours to acknowledge / to resolve of those that were. -#}

with lifecycle as (
    select * from {{ ref('fct_anomaly_lifecycle') }}
),

durations as (
    select
        anomaly_id,
        scope_type,
        scope_value,
        owner,
        severity,
        anomaly_type,
        status,
        resolution,
        detected_date,
        detected_at,
        acknowledged_at,
        resolved_at,
        substring(cast(detected_date as {{ dbt.type_string() }}), 1, 7) as detection_month,
        {{ anomaly_hours_between('detected_at', 'acknowledged_at') }} as hours_to_acknowledge,
        {{ anomaly_hours_between('detected_at', 'resolved_at') }} as hours_to_resolve,
        case
            when resolved_at is null
                then {{ anomaly_hours_between(
                    'detected_at', 'cast(' ~ dbt.dateadd('day', 1, 'as_of_date') ~ ' as timestamp)'
                ) }}
        end as open_hours,
        as_of_date
    from lifecycle
)

select
    *,
    cast(hours_to_acknowledge / 24 as decimal(18, 6)) as days_to_acknowledge,
    cast(hours_to_resolve / 24 as decimal(18, 6)) as days_to_resolve,
    cast(count(*) over (partition by detection_month) as integer) as month_anomalies,
    cast(count(acknowledged_at) over (partition by detection_month) as integer) as month_acknowledged,
    cast(count(resolved_at) over (partition by detection_month) as integer) as month_resolved,
    cast(avg(hours_to_acknowledge) over (partition by detection_month) as decimal(18, 6))
        as month_mean_hours_to_acknowledge,
    cast(avg(hours_to_resolve) over (partition by detection_month) as decimal(18, 6)) as month_mean_hours_to_resolve
from durations
