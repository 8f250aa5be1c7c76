{#- The AI inventory: one row per AI workload the warehouse can see, whoever runs it.
    workload_type (macros/ai_inventory.sql gives the ids):
      cloud_resource     cloud lines of the FOCUS record (fct_charges) in ServiceCategory 'AI and Machine Learning' or
                         on a GPU meter (seed gpu_meter_patterns), per ResourceId - every line of such a resource
                         counts - or, for usage lines without one (GCP exports), per account / sub-account / service
                         (only its AI and GPU Usage lines: account-level tax, credits and corrections are no
                         workload);
      api_project        model-API projects / workspaces (OpenAI, Anthropic): their cost lines in fct_charges, their
                         usage in fct_ai_usage;
      api_key            model-API keys, the same sources (an Anthropic key has usage only: its cost is reported per
                         workspace); its cost is part of its project's, so do not add the two up;
      saas_subscription  AI SaaS charges (int_saas_charges in the FOCUS record: the SaaS invoices API and AP-invoiced
                         contracts such as GitHub Copilot), per vendor and billing account;
      shadow_saas        spend no contract covers (fct_shadow_ai_spend), per vendor, product and payer.
    Owner, product, business unit, cost centre: the workload's own tags / ownership mappings / virtual tags
    (int_cost_tagged; owner_source tag | mapping | virtual_tag), then - SaaS subscriptions - the covering contract,
    then the allocation (fct_cost_allocated: the product that receives most of the workload's cost in its latest
    billing period, and that product's business unit, cost centre and owner; source 'allocation'); an API key
    without any falls back to its project's; shadow SaaS: the paying employee as owner ('payer') and the line's cost
    centre. Money: in var reporting_currency as converted upstream - fct_charges' x_reporting_effective_cost
    (EffectiveCost, amortized, at the rate of the charge's day), fct_shadow_ai_spend's amount_reporting - spread
    evenly over the days of a line's charge period (monthly SaaS lines) or service month (AP shadow lines; card and
    expense lines count on their day); cost_30d_fx_missing = some cost of the
    window had no rate (left out of cost_30d, never converted at 0 or 1).
    As of: var ai_workload_as_of_date, else the latest day with cost or usage in any of these sources - never
    current_date, so the status is reproducible. Usage = a Usage line with a consumed quantity or tokens, model-API
    usage (tokens, requests), a shadow purchase; a SaaS line's seats or metered quantity count as usage.
    status (seed ai_workload_policy: active_days / idle_days / abandoned_days, the demo 7 / 14 / 30), first match:
      abandoned  no cost and no usage for abandoned_days or more, or cost in the last 30 days and no owner;
      idle       cost in the last idle_days but no usage in them (e.g. an endpoint nobody calls);
      active     cost or usage in the last active_days;
      inactive   otherwise (seen in the last abandoned_days, not in the last active_days).
    sanctioned: a contract in ai_vendor_contracts for the vendor (product empty, or the subscription's product)
    covers last_seen; shadow SaaS is never sanctioned. -#}

{%- set reporting = var('reporting_currency') %}
{%- set as_of_override = var('ai_workload_as_of_date', none) %}
{#- the status thresholds of seed ai_workload_policy (joined as p) before the as-of date (o) -#}
{%- set abandoned_since = dbt.dateadd('day', '-p.abandoned_days', 'o.as_of_date') %}
{%- set idle_since = dbt.dateadd('day', '-p.idle_days', 'o.as_of_date') %}
{%- set active_since = dbt.dateadd('day', '-p.active_days', 'o.as_of_date') %}
{%- set abandoned_text = 'cast(p.abandoned_days as ' ~ dbt.type_string() ~ ')' %}
{%- set idle_text = 'cast(p.idle_days as ' ~ dbt.type_string() ~ ')' %}
{%- set active_text = 'cast(p.active_days as ' ~ dbt.type_string() ~ ')' %}
{%- set span_days = '(' ~ dbt.datediff('start_day', 'last_day', 'day') ~ ' + 1)' %}

with policy as (
    select active_days, idle_days, abandoned_days from {{ ref('ai_workload_policy') }}
),

gpu_meters as (
    select pattern from {{ ref('gpu_meter_patterns') }}
),

-- the record's distinct meters, each tested once against the GPU meter patterns (not once per line)
meters as (
    select d.sku_meter, d.x_usage_type, {{ ai_workload_is_gpu('d', 'gpu_meters') }} as is_gpu_meter
    from (select distinct sku_meter, x_usage_type from {{ ref('fct_charges') }}) as d
),

charge_lines as (
    select
        c.provider_name,
        c.billing_account_id,
        c.sub_account_id,
        c.sub_account_name,
        c.resource_id,
        c.resource_name,
        c.service_name,
        c.service_category,
        c.x_source_system,
        c.charge_category,
        c.charge_class,
        c.charge_period_start,
        c.charge_period_end,
        c.effective_cost,
        c.x_reporting_effective_cost,
        c.x_fx_rate_missing,
        c.consumed_quantity,
        c.x_token_count,
        {{ ai_workload_id('c') }} as workload_id,
        {{ ai_workload_api_key_id('c') }} as api_key_workload_id,
        c.x_source_system in {{ ai_workload_api_sources() }} or c.x_source_system in {{ ai_workload_saas_sources() }}
        or c.service_category = 'AI and Machine Learning' or m.is_gpu_meter as is_ai_line,
        c.service_category <> 'AI and Machine Learning' and m.is_gpu_meter as is_gpu_line
    from {{ ref('fct_charges') }} as c
    inner join meters as m
        on c.sku_meter is not distinct from m.sku_meter and c.x_usage_type is not distinct from m.x_usage_type
),

ai_resources as (
    select distinct workload_id
    from charge_lines
    where is_ai_line and resource_id is not null
        and x_source_system not in {{ ai_workload_api_sources() }}
        and x_source_system not in {{ ai_workload_saas_sources() }}
),

ai_lines as (
    select l.*
    from charge_lines as l
    where l.x_source_system in {{ ai_workload_api_sources() }}
        or l.x_source_system in {{ ai_workload_saas_sources() }}
        or (
            l.resource_id is null and l.is_ai_line and l.charge_category = 'Usage'
            and coalesce(l.charge_class, '') <> 'Correction'
        )
        or (l.resource_id is not null and l.workload_id in (select workload_id from ai_resources))
),

shadow as (
    select
        {{ dbt.concat([
                "'shadow_saas:'", 's.vendor', "':'", "coalesce(s.product, '-')", "':'", "coalesce(s.payer_type, '-')",
                "':'", "coalesce(s.payer_id, '-')"
        ]) }} as workload_id,
        s.*
    from {{ ref('fct_shadow_ai_spend') }} as s
),

-- activity: cost (reporting currency, as converted upstream) and usage per workload and day ------------------
line_periods as (
    select
        workload_id,
        api_key_workload_id,
        cast(charge_period_start as date) as start_day,
        case when charge_period_end > charge_period_start
                then cast({{ dbt.dateadd('second', -1, 'charge_period_end') }} as date)
            else cast(charge_period_start as date)
        end as last_day,
        sum(x_reporting_effective_cost) as cost,
        max(case when effective_cost <> 0 then 1 else 0 end) as has_cost,
        max(case when effective_cost <> 0 and x_fx_rate_missing then 1 else 0 end) as fx_missing,
        max(
            case when charge_category = 'Usage' and (consumed_quantity > 0 or x_token_count > 0) then 1 else 0 end
        ) as has_usage
    from ai_lines
    group by 1, 2, 3, 4
    union all
    -- shadow spend: an AP line over its service month, a card or expense line on its day; a purchase is usage
    select
        workload_id,
        cast(null as {{ dbt.type_string() }}),
        start_day,
        last_day,
        sum(amount_reporting),
        max(case when amount <> 0 then 1 else 0 end),
        max(case when amount <> 0 and fx_rate_missing then 1 else 0 end),
        1
    from (
        select
            *,
            case when billing_period is not null
                    then cast({{ dbt.concat(['billing_period', "'-01'"]) }} as date)
                else spend_date
            end as start_day,
            case when billing_period is not null
                    then cast({{ dbt.dateadd(
                        'day', -1,
                        dbt.dateadd('month', 1, "cast(" ~ dbt.concat(['billing_period', "'-01'"]) ~ " as date)")
                    ) }} as date)
                else spend_date
            end as last_day
        from shadow
    ) as s
    group by 1, 2, 3, 4
),

-- a period longer than a day (a monthly invoice line) as one row per day of start_day..last_day
line_period_days as (
    select
        p.*,
        {{ day_series('p.start_day', 'p.last_day') }} as day_ts
    from line_periods as p
    where p.last_day > p.start_day
),

-- one row per workload and day: a one-day period keeps its row, a longer one is spread evenly over its days
-- (day_share: the days add up to the period's cost exactly)
line_days as (
    select workload_id, api_key_workload_id, start_day as activity_day, has_cost, fx_missing, has_usage, cost
    from line_periods
    where last_day <= start_day
    union all
    select
        workload_id,
        api_key_workload_id,
        cast(day_ts as date),
        has_cost,
        fx_missing,
        has_usage,
        {{ day_share('cost', span_days, 'cast(day_ts as date) = last_day') }}
    from line_period_days
),

api_usage as (
    select
        case when vendor = 'openai' then 'OpenAI' else 'Anthropic' end as provider_name,
        {{ dbt.concat(['vendor', "'_usage'"]) }} as x_source_system,
        organization as billing_account_id,
        project_id as sub_account_id,
        api_key_id as resource_id,
        case when vendor = 'openai' then 'OpenAI API' else 'Anthropic API' end as service_name,
        usage_date
    from {{ ref('fct_ai_usage') }}
    where usage_source = 'api' and vendor in ('openai', 'anthropic')
        and (tokens > 0 or requests > 0 or usage_quantity > 0)
    group by 1, 2, 3, 4, 5, 6, 7
),

activity as (
    select workload_id, activity_day, cost, has_cost, fx_missing, has_usage from line_days
    union all
    select api_key_workload_id, activity_day, cost, has_cost, fx_missing, has_usage
    from line_days
    where api_key_workload_id is not null
    union all
    select {{ ai_workload_id('u') }}, usage_date, cast(0 as {{ type_money() }}), 0, 0, 1
    from api_usage as u
    union all
    select {{ ai_workload_api_key_id('u') }}, usage_date, cast(0 as {{ type_money() }}), 0, 0, 1
    from api_usage as u
    where u.resource_id is not null
),

as_of as (
    select
    {%- if as_of_override %}
        cast('{{ as_of_override }}' as date) as as_of_date
        {%- else %}
    cast(max(activity_day) as date) as as_of_date
    {%- endif %}
    from activity
    where has_cost = 1 or has_usage = 1
),

daily as (
    select
        a.workload_id,
        a.activity_day,
        sum(a.cost) as cost,
        max(a.has_cost) as has_cost,
        max(a.fx_missing) as fx_missing,
        max(a.has_usage) as has_usage
    from activity as a
    cross join as_of as o
    where a.activity_day <= o.as_of_date
    group by 1, 2
),

stats as (
    select
        d.workload_id,
        min(case when d.has_cost = 1 or d.has_usage = 1 then d.activity_day end) as first_seen,
        max(case when d.has_cost = 1 or d.has_usage = 1 then d.activity_day end) as last_seen,
        max(case when d.has_cost = 1 then d.activity_day end) as last_cost_date,
        max(case when d.has_usage = 1 then d.activity_day end) as last_usage_date,
        cast(
            coalesce(sum(case when d.activity_day > {{ dbt.dateadd('day', -30, 'o.as_of_date') }} then d.cost end), 0)
            as {{ type_money() }}
        ) as cost_30d,
        max(case when d.activity_day > {{ dbt.dateadd('day', -30, 'o.as_of_date') }} then d.fx_missing else 0 end) = 1
            as cost_30d_fx_missing
    from daily as d
    cross join as_of as o
    group by d.workload_id
    having max(case when d.has_cost = 1 or d.has_usage = 1 then 1 else 0 end) = 1
),

-- what each workload is ---------------------------------------------------------------------------------------
service_costs as (
    select workload_id, service_name, sum(abs(effective_cost)) as service_cost
    from ai_lines
    where is_ai_line
    group by 1, 2
),

top_service as (
    select
        workload_id,
        service_name,
        row_number() over (
            partition by workload_id
            order by service_cost desc, service_name asc
        ) as service_rank
    from service_costs
),

line_identities as (
    select
        l.workload_id,
        case when l.x_source_system in {{ ai_workload_api_sources() }} then 'api_project'
            when l.x_source_system in {{ ai_workload_saas_sources() }} then 'saas_subscription'
            else 'cloud_resource'
        end as workload_type,
        l.provider_name,
        l.x_source_system,
        l.billing_account_id,
        l.sub_account_id,
        l.sub_account_name,
        case when l.x_source_system not in {{ ai_workload_api_sources() }} then l.resource_id end as resource_id,
        l.resource_name,
        l.service_name,
        l.is_gpu_line,
        cast(null as {{ dbt.type_string() }}) as parent_workload_id,
        row_number() over (
            partition by l.workload_id
            order by
                l.charge_period_start desc, case when l.resource_name is not null then 0 else 1 end,
                abs(l.effective_cost) desc
        ) as identity_rank
    from ai_lines as l
    where l.is_ai_line or l.resource_id is not null
    union all
    select
        api_key_workload_id,
        'api_key',
        provider_name,
        x_source_system,
        billing_account_id,
        sub_account_id,
        sub_account_name,
        resource_id,
        resource_name,
        service_name,
        false,
        workload_id,
        row_number() over (
            partition by api_key_workload_id
            order by charge_period_start desc, abs(effective_cost) desc
        )
    from ai_lines
    where api_key_workload_id is not null
),

usage_identities as (
    select
        {{ ai_workload_id('u') }} as workload_id,
        'api_project' as workload_type,
        u.provider_name,
        u.x_source_system,
        u.billing_account_id,
        u.sub_account_id,
        u.sub_account_name,
        cast(null as {{ dbt.type_string() }}) as resource_id,
        cast(null as {{ dbt.type_string() }}) as resource_name,
        u.service_name,
        false as is_gpu_line,
        cast(null as {{ dbt.type_string() }}) as parent_workload_id,
        row_number() over (
            partition by {{ ai_workload_id('u') }}
            order by u.usage_date desc
        ) as identity_rank
    from (select *, sub_account_id as sub_account_name from api_usage) as u
    union all
    select
        {{ ai_workload_api_key_id('u') }},
        'api_key',
        u.provider_name,
        u.x_source_system,
        u.billing_account_id,
        u.sub_account_id,
        u.sub_account_id,  -- sub_account_name: the project id stands for its name -- noqa: AL08
        u.resource_id,
        cast(null as {{ dbt.type_string() }}),
        u.service_name,
        false,
        {{ ai_workload_id('u') }},
        row_number() over (
            partition by {{ ai_workload_api_key_id('u') }}
            order by u.usage_date desc
        )
    from api_usage as u
    where u.resource_id is not null
),

identities as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by workload_id
                order by source_rank, identity_rank
            ) as pick
        from (
            select *, 1 as source_rank from line_identities
            where identity_rank = 1
            union all
            select *, 2 as source_rank from usage_identities
            where identity_rank = 1
        ) as candidates
    ) as ranked
    where pick = 1
),

payee_vendors as (
    select payee, vendor from {{ ref('int_payee_vendors') }}
),

-- owner, product, business unit -------------------------------------------------------------------------------
tagged_keys as (
    select {{ ai_workload_id('t') }} as workload_id, t.*
    from {{ ref('int_cost_tagged') }} as t
    union all
    select {{ ai_workload_api_key_id('t') }}, t.*
    from {{ ref('int_cost_tagged') }} as t
    where t.x_source_system in {{ ai_workload_api_sources() }} and t.resource_id is not null
),

tagged as (
    select *
    from (
        select
            workload_id,
            owner,
            owner_source,
            product,
            product_source,
            business_unit,
            cost_center,
            row_number() over (
                partition by workload_id
                order by
                    billing_period desc,
                    case when owner is not null then 0 else 1 end,
                    case when product is not null then 0 else 1 end,
                    abs(effective_cost) desc
            ) as attribute_rank
        from tagged_keys
        where workload_id in (select workload_id from identities)
    ) as t
    where attribute_rank = 1
),

allocated_keys as (
    select {{ ai_workload_id('a') }} as workload_id, a.*
    from {{ ref('fct_cost_allocated') }} as a
    where a.is_allocated
    union all
    select {{ ai_workload_api_key_id('a') }}, a.*
    from {{ ref('fct_cost_allocated') }} as a
    where a.is_allocated and a.x_source_system in {{ ai_workload_api_sources() }} and a.resource_id is not null
),

allocated_targets as (
    select
        workload_id,
        billing_period,
        product,
        business_unit,
        cost_center,
        owner,
        sum(allocated_effective_cost) as allocated_cost
    from allocated_keys
    where workload_id in (select workload_id from identities)
    group by 1, 2, 3, 4, 5, 6
),

allocated as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by workload_id
                order by billing_period desc, allocated_cost desc, product asc
            ) as attribute_rank
        from allocated_targets
    ) as a
    where attribute_rank = 1
),

contracts as (
    select
        contract_id,
        vendor,
        nullif(trim(product), '') as product,
        owner,
        business_unit,
        cost_center,
        term_start,
        term_end
    from {{ ref('ai_vendor_contracts') }}
),

workloads as (
    select
        i.workload_id,
        i.workload_type,
        coalesce(pv.vendor, i.provider_name) as vendor,
        case when i.workload_type = 'saas_subscription' then i.service_name end as vendor_product,
        coalesce(ts.service_name, i.service_name) as service,
        case
            when i.workload_type = 'api_project' then coalesce(i.sub_account_name, i.sub_account_id)
            when i.workload_type = 'api_key' then coalesce(i.resource_name, i.resource_id)
            when i.workload_type = 'saas_subscription' then i.service_name
            when i.resource_id is not null then coalesce(i.resource_name, i.resource_id)
            else {{ dbt.concat([
                "coalesce(i.sub_account_name, i.sub_account_id, i.billing_account_id, '-')", "' / '",
                'coalesce(ts.service_name, i.service_name)',
                "case when i.is_gpu_line then ' GPU' else '' end"]) }}
        end as name,
        i.billing_account_id as account_id,
        i.sub_account_id,
        i.resource_id,
        i.parent_workload_id
    from identities as i
    left join top_service as ts on i.workload_id = ts.workload_id and ts.service_rank = 1
    left join payee_vendors as pv on i.provider_name = pv.payee
),

covering as (
    select
        w.workload_id,
        c.contract_id,
        c.owner,
        c.business_unit,
        c.cost_center,
        row_number() over (
            partition by w.workload_id
            order by c.product nulls last, c.contract_id
        ) as contract_rank
    from workloads as w
    inner join stats as s on w.workload_id = s.workload_id
    inner join contracts as c
        on w.vendor = c.vendor
        and (c.product is null or w.vendor_product is null or w.vendor_product = c.product)
        and s.last_seen >= c.term_start and s.last_seen <= c.term_end
),

attributed as (
    select
        w.*,
        coalesce(t.owner, case when w.workload_type = 'saas_subscription' then k.owner end, a.owner) as own_owner,
        case when t.owner is not null then t.owner_source
            when w.workload_type = 'saas_subscription' and k.owner is not null then 'contract'
            when a.owner is not null then 'allocation'
        end as own_owner_source,
        coalesce(t.product, a.product) as own_product,
        case when t.product is not null then t.product_source
            when a.product is not null then 'allocation'
        end as own_product_source,
        coalesce(
            t.business_unit, case when w.workload_type = 'saas_subscription' then k.business_unit end,
            a.business_unit
        ) as own_business_unit,
        coalesce(
            t.cost_center, case when w.workload_type = 'saas_subscription' then k.cost_center end,
            a.cost_center
        ) as own_cost_center,
        k.contract_id
    from workloads as w
    left join tagged as t on w.workload_id = t.workload_id
    left join allocated as a on w.workload_id = a.workload_id
    left join covering as k on w.workload_id = k.workload_id and k.contract_rank = 1
),

inventory as (
    -- billing-side workloads (an API key without attributes of its own takes its project's)
    select
        w.workload_id,
        w.workload_type,
        w.vendor,
        w.service,
        w.name,
        w.account_id,
        w.sub_account_id,
        w.resource_id,
        coalesce(w.own_owner, p.own_owner) as owner,
        case when w.own_owner is not null then w.own_owner_source
            when p.own_owner is not null then {{ dbt.concat(["'project '", 'p.own_owner_source']) }}
        end as owner_source,
        coalesce(w.own_business_unit, p.own_business_unit) as business_unit,
        coalesce(w.own_cost_center, p.own_cost_center) as cost_center,
        coalesce(w.own_product, p.own_product) as product,
        case when w.own_product is not null then w.own_product_source
            when p.own_product is not null then {{ dbt.concat(["'project '", 'p.own_product_source']) }}
        end as product_source,
        w.contract_id is not null as sanctioned,
        w.contract_id
    from attributed as w
    left join attributed as p on w.parent_workload_id = p.workload_id
    union all
    -- shadow SaaS, per vendor, product and payer: the latest line describes it
    select
        workload_id,
        'shadow_saas',
        vendor,
        coalesce(product, vendor),
        payee,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        coalesce(employee_name, employee_id),
        case when employee_name is not null or employee_id is not null then 'payer' end,
        business_unit,
        cost_center,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        false,
        cast(null as {{ dbt.type_string() }})
    from (
        select
            *,
            row_number() over (
                partition by workload_id
                order by spend_date desc, spend_line_id desc
            ) as line_rank
        from shadow
    ) as s
    where line_rank = 1
)

select
    i.workload_id,
    i.workload_type,
    i.vendor,
    i.service,
    i.name,
    i.account_id,
    i.sub_account_id,
    i.resource_id,
    i.owner,
    i.owner_source,
    i.business_unit,
    i.cost_center,
    i.product,
    i.product_source,
    s.first_seen,
    s.last_seen,
    s.last_cost_date,
    s.last_usage_date,
    s.cost_30d,
    '{{ reporting }}' as currency,
    s.cost_30d_fx_missing,
    o.as_of_date,
    cast({{ dbt.datediff('s.last_seen', 'o.as_of_date', 'day') }} as {{ dbt.type_bigint() }}) as days_since_last_seen,  -- noqa: LT05
    case
        when s.last_seen <= {{ abandoned_since }} then 'abandoned'
        when i.owner is null and s.cost_30d <> 0 then 'abandoned'
        when s.last_cost_date > {{ idle_since }}
            and (s.last_usage_date is null or s.last_usage_date <= {{ idle_since }})
            then 'idle'
        when s.last_seen > {{ active_since }} then 'active'
        else 'inactive'
    end as status,
    case
        when s.last_seen <= {{ abandoned_since }}
            then {{ dbt.concat(["'no cost and no usage for '", abandoned_text, "'+ days'"]) }}
        when i.owner is null and s.cost_30d <> 0 then 'cost without an owner'
        when s.last_cost_date > {{ idle_since }}
            and (s.last_usage_date is null or s.last_usage_date <= {{ idle_since }})
            then {{ dbt.concat(["'cost but no usage in the last '", idle_text, "' days'"]) }}
        when s.last_seen > {{ active_since }}
            then {{ dbt.concat(["'cost or usage in the last '", active_text, "' days'"]) }}
        else {{ dbt.concat(["'no cost or usage in the last '", active_text, "' days'"]) }}
    end as status_reason,
    i.sanctioned,
    i.contract_id
from inventory as i
inner join stats as s on i.workload_id = s.workload_id
cross join as_of as o
cross join policy as p
