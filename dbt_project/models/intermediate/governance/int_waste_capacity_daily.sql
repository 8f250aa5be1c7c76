{#- Provisioned capacity and its traffic, per idle rule (seed waste_idle_rules), resource and day, from the resource's
    first capacity day to the as-of day (zero-filled), with the rolling window of the last lookback_days days (seed
    waste_policy).
      capacity   Usage lines of the rule's service whose SkuMeter / usage type matches capacity_meters (hosting
                 hours of an endpoint, PTU / provisioned throughput hours, GPU instance hours): their cost in the
                 reporting currency (EffectiveCost as converted upstream) and quantity (hours);
      traffic    lines of the same ResourceId that prove use: the rule's traffic_meters (data processed / transferred,
                 their ConsumedQuantity) or, for traffic: tokens, the resource's lines priced in tokens (x_TokenCount,
                 else ConsumedQuantity in its token unit) - the billing data's own evidence, no monitoring needed;
      is_idle    the window had capacity cost on at least idle_min_days days (waste_policy) and at most
                 max_traffic_per_hour traffic per capacity hour (0: none at all).
    Capacity without a traffic meter of its own in the billing data is not judged (no rule), nor is a resource whose
    billing account never reports the rule's traffic meter on any resource (traffic_observable: e.g. an export
    without data-transfer lines says nothing about a GPU instance's traffic). -#}
{#- the rolling window: the series has one row per day, so the sum over the last lookback_days days is the running
    sum minus the running sum of the day lookback_days days earlier (a join on that day: a window's lag needs a
    constant offset on Spark), exactly -#}
{%- set running = 'partition by rule_id, provider_name, resource_id order by charge_day'
    ~ ' rows between unbounded preceding and current row' %}

with as_of as (
    select as_of_date from {{ ref('int_waste_as_of_date') }}
),

policy as (
    select lookback_days, idle_min_days from {{ ref('waste_policy') }}
),

-- the rules in rule_order, numbered 1..n (rule_id)
rules as (
    select
        cast(row_number() over (
            order by rule_order
        ) as integer) as rule_id,
        waste_type,
        service_name,
        capacity_meters,
        traffic_meters,
        coalesce(traffic = 'tokens', false) as traffic_is_tokens,
        case when traffic = 'tokens' then 'Tokens' else traffic_unit end as rule_traffic_unit,
        cast(coalesce(max_traffic_per_hour, 0) as {{ type_money() }}) as max_traffic_per_hour
    from {{ ref('waste_idle_rules') }}
),

-- the rules' meter lists, one lower-case LIKE pattern per row (meter_role capacity or traffic)
rule_meters as (
    select rule_id, meter_role, lower(pattern) as pattern
    from (
        select rule_id, 'capacity' as meter_role, {{ split_rows('capacity_meters', '|') }} as pattern
        from rules
        union all
        select rule_id, 'traffic' as meter_role, {{ split_rows('traffic_meters', '|') }} as pattern
        from rules
        where not traffic_is_tokens
    ) as split
    where pattern <> ''
),

lines as (
    select
        c.provider_name,
        c.resource_id,
        c.resource_name,
        c.service_name,
        c.billing_account_id,
        c.sub_account_id,
        c.sub_account_name,
        c.region_id,
        cast(c.charge_period_start as date) as charge_day,
        c.x_reporting_effective_cost as cost,
        c.consumed_quantity,
        c.consumed_unit,
        c.sku_meter,
        c.x_usage_type,
        c.x_token_count
    from {{ ref('fct_charges') }} as c
    cross join as_of as o
    where c.resource_id is not null
        and c.charge_category = 'Usage'
        and c.x_source_system not in {{ ai_workload_api_sources() }}
        and c.x_source_system not in {{ ai_workload_saas_sources() }}
        and cast(c.charge_period_start as date) <= o.as_of_date
),

-- the distinct meters (SKU meter, usage type, unit) of each billing account and service, with whether any of their
-- lines counts tokens: all that the meter tests below read of a line, so each test runs once per meter, not per line
account_meters as (
    select distinct
        provider_name,
        billing_account_id,
        service_name,
        sku_meter,
        x_usage_type,
        consumed_unit,
        case when coalesce(x_token_count, 0) > 0 then 1 end as x_token_count
    from lines
),

-- the meters of a rule's service that match one of its capacity meters
capacity_meters as (
    select distinct
        r.rule_id,
        r.waste_type,
        l.service_name,
        l.sku_meter,
        l.x_usage_type,
        l.consumed_unit
    from account_meters as l
    inner join rules as r on l.service_name = r.service_name
    where
        exists (
            select 1
            from rule_meters as m
            where m.rule_id = r.rule_id and m.meter_role = 'capacity' and {{ waste_meter_text('l') }} like m.pattern
        )
),

-- lines of a rule's service whose meter matches one of its capacity meters
capacity_lines as (
    select
        m.rule_id,
        m.waste_type,
        l.*
    from lines as l
    inner join capacity_meters as m
        on l.service_name = m.service_name
        and l.sku_meter is not distinct from m.sku_meter
        and l.x_usage_type is not distinct from m.x_usage_type
        and l.consumed_unit is not distinct from m.consumed_unit
),

capacity_resources as (
    select
        rule_id,
        waste_type,
        provider_name,
        resource_id,
        min(charge_day) as first_capacity_day
    from capacity_lines
    group by 1, 2, 3, 4
),

-- whether a line is the rule's traffic: a token line (traffic tokens), else a line matching its traffic meters
{%- set is_traffic = "case when r.traffic_is_tokens then " ~ waste_is_token_line('l') ~ " else exists (select 1 from "
    ~ "rule_meters as m where m.rule_id = r.rule_id and m.meter_role = 'traffic' and " ~ waste_meter_text('l')
    ~ " like m.pattern) end" %}

-- the meters that are a rule's traffic (tested once per meter)
traffic_meters as (
    select distinct
        r.rule_id,
        l.sku_meter,
        l.x_usage_type,
        l.consumed_unit,
        l.x_token_count
    from account_meters as l
    cross join rules as r
    where {{ is_traffic }}
),

traffic_lines as (
    select
        r.rule_id,
        l.provider_name,
        l.resource_id,
        l.charge_day,
        case when r.traffic_is_tokens then {{ waste_token_quantity('l') }} else l.consumed_quantity end
            as traffic_quantity,
        case when r.traffic_is_tokens then 'Tokens' else l.consumed_unit end as traffic_unit
    from lines as l
    inner join capacity_resources as c on l.provider_name = c.provider_name and l.resource_id = c.resource_id
    inner join traffic_meters as t
        on c.rule_id = t.rule_id
        and l.sku_meter is not distinct from t.sku_meter
        and l.x_usage_type is not distinct from t.x_usage_type
        and l.consumed_unit is not distinct from t.consumed_unit
        and (case when coalesce(l.x_token_count, 0) > 0 then 1 end) is not distinct from t.x_token_count
    inner join rules as r on c.rule_id = r.rule_id
),

-- a traffic meter the billing account never reports is no evidence: the rule judges a resource only when its
-- billing account shows the rule's traffic on some resource (the export carries that meter at all); token traffic
-- counts on the rule's service only
observable_accounts as (
    select distinct
        r.rule_id,
        l.provider_name,
        l.billing_account_id
    from account_meters as l
    cross join rules as r
    where (not r.traffic_is_tokens or l.service_name = r.service_name) and {{ is_traffic }}
),

capacity_days as (
    select
        rule_id,
        provider_name,
        resource_id,
        charge_day,
        sum(cost) as capacity_cost,
        sum(consumed_quantity) as capacity_quantity,
        max(consumed_unit) as capacity_unit
    from capacity_lines
    group by 1, 2, 3, 4
),

traffic_days as (
    select
        rule_id,
        provider_name,
        resource_id,
        charge_day,
        sum(traffic_quantity) as traffic_quantity,
        max(traffic_unit) as traffic_unit
    from traffic_lines
    group by 1, 2, 3, 4
),

bounds as (
    select min(first_capacity_day) as first_day from capacity_resources
),

-- every day from the first capacity day (else the as-of day) to the as-of day
calendar as (
    select cast(day_ts as date) as calendar_day
    from (
        select {{ day_series('coalesce(b.first_day, a.as_of_date)', 'a.as_of_date') }} as day_ts
        from as_of as a
        cross join bounds as b
    ) as days
),

series as (
    select
        r.rule_id,
        r.waste_type,
        r.provider_name,
        r.resource_id,
        d.calendar_day as charge_day,
        cast(coalesce(c.capacity_cost, 0) as {{ type_money() }}) as capacity_cost,
        cast(coalesce(c.capacity_quantity, 0) as {{ type_money() }}) as capacity_quantity,
        case when c.capacity_cost <> 0 or c.capacity_quantity > 0 then 1 else 0 end as capacity_day,
        cast(coalesce(t.traffic_quantity, 0) as {{ type_money() }}) as traffic_quantity
    from capacity_resources as r
    inner join calendar as d on r.first_capacity_day <= d.calendar_day
    left join capacity_days as c
        on r.rule_id = c.rule_id and r.provider_name = c.provider_name and r.resource_id = c.resource_id
        and d.calendar_day = c.charge_day
    left join traffic_days as t
        on r.rule_id = t.rule_id and r.provider_name = t.provider_name and r.resource_id = t.resource_id
        and d.calendar_day = t.charge_day
),

running as (
    select
        s.*,
        sum(s.capacity_cost) over ({{ running }}) as running_capacity_cost,
        sum(s.capacity_quantity) over ({{ running }}) as running_capacity_quantity,
        sum(s.capacity_day) over ({{ running }}) as running_capacity_days,
        sum(s.traffic_quantity) over ({{ running }}) as running_traffic_quantity,
        max(case when s.capacity_day = 1 then s.charge_day end) over ({{ running }}) as last_capacity_day
    from series as s
),

windowed as (
    select
        r.rule_id,
        r.waste_type,
        r.provider_name,
        r.resource_id,
        r.charge_day,
        r.capacity_cost,
        r.capacity_quantity,
        r.capacity_day,
        r.traffic_quantity,
        r.running_capacity_cost - coalesce(e.running_capacity_cost, 0)
            as window_capacity_cost,
        r.running_capacity_quantity - coalesce(e.running_capacity_quantity, 0)
            as window_capacity_quantity,
        r.running_capacity_days - coalesce(e.running_capacity_days, 0)
            as window_capacity_days,
        r.running_traffic_quantity - coalesce(e.running_traffic_quantity, 0)
            as window_traffic_quantity,
        case
            when r.last_capacity_day > {{ dbt.dateadd('day', '-p.lookback_days', 'r.charge_day') }}
                then r.last_capacity_day
        end as window_last_capacity_day
    from running as r
    cross join policy as p
    left join running as e
        on r.rule_id = e.rule_id
        and {{ cost_tag_null_safe_eq('r.provider_name', 'e.provider_name') }}
        and {{ cost_tag_null_safe_eq('r.resource_id', 'e.resource_id') }}
        and e.charge_day = {{ dbt.dateadd('day', '-p.lookback_days', 'r.charge_day') }}
),

thresholds as (
    select rule_id, max_traffic_per_hour, rule_traffic_unit, traffic_is_tokens
    from rules
),

identity as (
    select *
    from (
        select
            rule_id,
            provider_name,
            resource_id,
            resource_name,
            service_name,
            billing_account_id,
            sub_account_id,
            sub_account_name,
            region_id,
            x_usage_type as capacity_meter,
            row_number() over (
                partition by rule_id, provider_name, resource_id
                order by charge_day desc, cost desc
            ) as pick
        from capacity_lines
    ) as ranked
    where pick = 1
),

units as (
    select
        r.rule_id,
        r.provider_name,
        r.resource_id,
        max(c.capacity_unit) as capacity_unit,
        max(t.traffic_unit) as traffic_unit
    from capacity_resources as r
    left join capacity_days as c
        on r.rule_id = c.rule_id and r.provider_name = c.provider_name and r.resource_id = c.resource_id
    left join traffic_days as t
        on r.rule_id = t.rule_id and r.provider_name = t.provider_name and r.resource_id = t.resource_id
    group by 1, 2, 3
)

select
    w.rule_id,
    w.waste_type,
    w.provider_name,
    w.resource_id,
    i.resource_name,
    i.service_name,
    i.billing_account_id,
    i.sub_account_id,
    i.sub_account_name,
    i.region_id,
    i.capacity_meter,
    u.capacity_unit,
    case when t.traffic_is_tokens then t.rule_traffic_unit else coalesce(u.traffic_unit, t.rule_traffic_unit) end
        as traffic_unit,
    w.charge_day,
    w.capacity_cost,
    w.capacity_quantity,
    w.capacity_day = 1 as is_capacity_day,
    w.traffic_quantity,
    cast(w.window_capacity_cost as {{ type_money() }}) as window_capacity_cost,
    cast(w.window_capacity_quantity as {{ type_money() }}) as window_capacity_quantity,
    cast(w.window_capacity_days as integer) as window_capacity_days,
    cast(w.window_traffic_quantity as {{ type_money() }}) as window_traffic_quantity,
    w.window_last_capacity_day,
    t.max_traffic_per_hour,
    a.rule_id is not null as traffic_observable,
    a.rule_id is not null
    and w.window_capacity_days >= p.idle_min_days
    and w.window_capacity_cost > 0
    and w.window_traffic_quantity <= t.max_traffic_per_hour * w.window_capacity_quantity as is_idle,
    o.as_of_date
from windowed as w
inner join thresholds as t on w.rule_id = t.rule_id
left join identity as i on w.rule_id = i.rule_id and w.provider_name = i.provider_name and w.resource_id = i.resource_id
left join units as u on w.rule_id = u.rule_id and w.provider_name = u.provider_name and w.resource_id = u.resource_id
left join observable_accounts as a
    on w.rule_id = a.rule_id and w.provider_name = a.provider_name
    and {{ cost_tag_null_safe_eq('a.billing_account_id', 'i.billing_account_id') }}
cross join as_of as o
cross join policy as p
