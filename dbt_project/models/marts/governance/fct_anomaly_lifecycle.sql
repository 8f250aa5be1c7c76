{#- The lifecycle of every anomaly (fct_cost_anomalies): detected on its first anomalous day (detected_at: that day
    at 00:00, the onset), acknowledged and resolved from the annotations (seed anomaly_annotations: scope_type,
    scope_value, a day of the anomaly, action acknowledge | resolve, action_at, action_by, note) or resolved
    automatically when the scope's cost stays within its baseline band for anomaly_policy.resolve_days consecutive
    settled days (resolved_at = the first of them at 00:00, resolution 'returned_to_baseline').
    An annotation belongs to the anomaly of its scope whose days [anomaly_date, anomaly_end_date] contain its day.
    acknowledged_at: the earliest acknowledgement, else a resolving annotation (resolving acknowledges);
    resolved_at: the earlier of the automatic resolution and the earliest resolving annotation.
    status: resolved | acknowledged | open. note: the resolving annotation's note when resolved by annotation,
    else the acknowledgement's. -#}

with anomalies as (
    select * from {{ ref('fct_cost_anomalies') }}
),

annotations as (
    select
        a.anomaly_id,
        n.action,
        cast(n.action_at as timestamp) as action_at,
        n.action_by,
        n.note,
        row_number() over (
            partition by a.anomaly_id, n.action
            order by n.action_at, n.action_by
        ) as action_rank
    from {{ ref('anomaly_annotations') }} as n
    inner join anomalies as a
        on n.scope_type = a.scope_type and n.scope_value = a.scope_value
        and cast(n.anomaly_date as date) >= a.anomaly_date and cast(n.anomaly_date as date) <= a.anomaly_end_date
),

acks as (
    select anomaly_id, action_at, action_by, note from annotations
    where action = 'acknowledge' and action_rank = 1
),

resolves as (
    select anomaly_id, action_at, action_by, note from annotations
    where action = 'resolve' and action_rank = 1
),

joined as (
    select
        a.anomaly_id,
        a.scope_type,
        a.scope_value,
        a.provider_name,
        a.anomaly_date as detected_date,
        cast(a.anomaly_date as timestamp) as detected_at,
        a.anomaly_end_date,
        a.owner,
        a.business_unit,
        a.cost_center,
        a.severity,
        a.anomaly_type,
        a.impact_amount,
        a.currency,
        coalesce(k.action_at, r.action_at) as acknowledged_at,
        case when k.anomaly_id is not null then k.action_by else r.action_by end as acknowledged_by,
        cast(a.resolved_on as timestamp) as auto_resolved_at,
        r.action_at as annotation_resolved_at,
        r.action_by as annotation_resolved_by,
        k.note as acknowledge_note,
        r.note as resolve_note,
        a.as_of_date
    from anomalies as a
    left join acks as k on a.anomaly_id = k.anomaly_id
    left join resolves as r on a.anomaly_id = r.anomaly_id
)

select
    anomaly_id,
    scope_type,
    scope_value,
    provider_name,
    detected_date,
    detected_at,
    anomaly_end_date,
    owner,
    business_unit,
    cost_center,
    severity,
    anomaly_type,
    impact_amount,
    currency,
    case
        when auto_resolved_at is not null or annotation_resolved_at is not null then 'resolved'
        when acknowledged_at is not null then 'acknowledged'
        else 'open'
    end as status,
    acknowledged_at,
    acknowledged_by,
    case
        when annotation_resolved_at is not null
            and (auto_resolved_at is null or annotation_resolved_at < auto_resolved_at)
            then annotation_resolved_at
        else auto_resolved_at
    end as resolved_at,
    case
        when annotation_resolved_at is not null
            and (auto_resolved_at is null or annotation_resolved_at < auto_resolved_at)
            then 'annotation'
        when auto_resolved_at is not null then 'returned_to_baseline'
    end as resolution,
    case
        when annotation_resolved_at is not null
            and (auto_resolved_at is null or annotation_resolved_at < auto_resolved_at)
            then annotation_resolved_by
    end as resolved_by,
    case
        when annotation_resolved_at is not null
            and (auto_resolved_at is null or annotation_resolved_at < auto_resolved_at)
            then resolve_note
        else coalesce(acknowledge_note, resolve_note)
    end as note,
    as_of_date
from joined
