{#- Provisioned capacity and its traffic, per idle rule (seed waste_idle_rules), resource and day, from the resource's
    first capacity day to the as-of day (zero-filled), with the rolling window of the last waste_lookback_days days.
      capacity   Usage lines of the rule's service whose SkuMeter / usage type matches capacity_meters (hosting
                 hours of an endpoint, PTU / provisioned throughput hours, GPU instance hours): their cost in the
                 reporting currency (EffectiveCost as converted upstream) and quantity (hours);
      traffic    lines of the same ResourceId that prove use: the rule's traffic_meters (data processed / transferred,
                 their ConsumedQuantity) or, for traffic: tokens, the resource's lines priced in tokens (x_TokenCount,
                 else ConsumedQuantity in its token unit) - the billing data's own evidence, no monitoring needed;
      is_idle    the window had capacity cost on at least waste_idle_min_days days and at most
                 max_traffic_per_hour traffic per capacity hour (0: none at all).
    Capacity without a traffic meter of its own in the billing data is not judged (no rule), nor is a resource whose
    billing account never reports the rule's traffic meter on any resource (traffic_observable: e.g. an export
    without data-transfer lines says nothing about a GPU instance's traffic). -#}
{%- set rules = waste_idle_rules(ref('waste_idle_rules')) %}
{%- set lookback = var('waste_lookback_days') | int %}
{%- set min_days = var('waste_idle_min_days') | int %}
{%- set w = 'partition by rule_id, provider_name, resource_id order by charge_day rows between ' ~ (lookback - 1) ~ ' preceding and current row' %}

with as_of as (
    select {{ waste_as_of_date(ref('fct_charges')) }} as as_of_date
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

capacity_lines as (
    {%- for r in rules %}
    select
        {{ loop.index }} as rule_id,
        '{{ r.waste_type }}' as waste_type,
        l.*
    from lines as l
    -- a literal per rule; `null` only in the one placeholder rule of an empty seed, which must match nothing
    where l.service_name = {{ sql_literal(r.service_name) }}  -- noqa: CV05
        and {{ waste_meter_like('l', r.capacity_meters) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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

traffic_lines as (
    {%- for r in rules %}
    select
        {{ loop.index }} as rule_id,
        l.provider_name,
        l.resource_id,
        l.charge_day,
    {%- if r.traffic is defined and r.traffic == 'tokens' %}
        {{ waste_token_quantity('l') }} as traffic_quantity,
        'Tokens' as traffic_unit
        {%- else %}
    l.consumed_quantity as traffic_quantity,
    l.consumed_unit as traffic_unit
    {%- endif %}
    from lines as l
    inner join capacity_resources as r
        on r.rule_id = {{ loop.index }} and l.provider_name = r.provider_name and l.resource_id = r.resource_id
    where
    {%- if r.traffic is defined and r.traffic == 'tokens' %}
        {{ waste_is_token_line('l') }}
        {%- else %}
    {{ waste_meter_like('l', r.traffic_meters | default([])) }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- a traffic meter the billing account never reports is no evidence: the rule judges a resource only when its
-- billing account shows the rule's traffic on some resource (the export carries that meter at all)
observable_accounts as (
    {%- for r in rules %}
    select distinct
        {{ loop.index }} as rule_id,
        l.provider_name,
        l.billing_account_id
    from lines as l
    where
    {%- if r.traffic is defined and r.traffic == 'tokens' %}
        l.service_name = {{ sql_literal(r.service_name) }} and {{ waste_is_token_line('l') }}
        {%- else %}
    {{ waste_meter_like('l', r.traffic_meters | default([])) }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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

calendar as (
    {{ calendar_days("coalesce((select first_day from bounds), (select as_of_date from as_of))",
                     "(select as_of_date from as_of)") }}
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

windowed as (
    select
        s.*,
        sum(capacity_cost) over ({{ w }}) as window_capacity_cost,
        sum(capacity_quantity) over ({{ w }}) as window_capacity_quantity,
        sum(capacity_day) over ({{ w }}) as window_capacity_days,
        sum(traffic_quantity) over ({{ w }}) as window_traffic_quantity,
        max(case when capacity_day = 1 then charge_day end) over ({{ w }}) as window_last_capacity_day
    from series as s
),

thresholds as (
    {%- for r in rules %}
    select
        {{ loop.index }} as rule_id,
        cast({{ r.max_traffic_per_hour | default(0) }} as {{ type_money() }}) as max_traffic_per_hour,
        {{ "'Tokens'" if (r.traffic is defined and r.traffic == 'tokens')
            else sql_literal(r.traffic_unit | default(none)) }} as rule_traffic_unit,
        {{ 'true' if (r.traffic is defined and r.traffic == 'tokens') else 'false' }} as traffic_is_tokens
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
    and w.window_capacity_days >= {{ min_days }}
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
