{#- The anomaly series and their cost drivers: one row per day x scope (scope_type, scope_value) x cost item, with
    the item's quantity and its cost in the billing currency and in the reporting currency. Scope types (those of
    seed anomaly_scope_types):
      provider   FOCUS ProviderName
      service    FOCUS ServiceName
      model      x_ModelName (lines without a model are in no model scope)
      project    the line's project (tag, ownership mapping or virtual tag, int_cost_tagged), else for model-API
                 lines their API project / workspace (SubAccountId); lines without either are in no project scope
      api_key    ResourceId of the model-API lines (OpenAI / Anthropic usage and cost APIs)
    A cost item is what a unit price belongs to: provider, service, SKU (SkuPriceId, else SkuId, SkuMeter,
    ChargeDescription), model, token type, charge category, unit and billing currency. quantity: PricingQuantity,
    else ConsumedQuantity (unit: their unit); lines without a quantity (fees, tax, credits) are unit '(charge)'
    with quantity null (the decomposition counts such an item as 1 per day it occurs).
    Days: a charge of a day or less stays on its start day; a longer one (monthly fees, tax, credits) is spread
    evenly over the days of [ChargePeriodStart, ChargePeriodEnd), the last day taking the remainder; only days up
    to as_of_date (the latest charge day in the warehouse) are kept. Lines without a reporting-currency amount
    (x_FxRateMissing) are left out: they cannot be compared.
    Project: int_cost_tagged is monthly and split by tags, so each charge key (the allocation key of
    int_governance_daily_charges) is shared among its projects by their share of the key's monthly EffectiveCost
    (of its rows when the key nets to 0); a key with one project (the usual case, every model-API key) is exact. -#}
{%- set key = ['x_billing_period', 'provider_name', 'billing_account_id', 'sub_account_id', 'service_name',
               'resource_id', 'charge_category', 'x_source_system', 'x_model_name', 'billing_currency'] %}
{%- set tagged_key = ['billing_period', 'provider_name', 'billing_account_id', 'sub_account_id', 'service_name',
                      'resource_id', 'charge_category', 'x_source_system', 'model_name', 'billing_currency'] %}
{%- set dims = ['allocation_key', 'provider_name', 'service_name', 'model_name', 'api_key', 'api_project', 'item_key',
                'item_unit', 'billing_currency', 'reporting_currency'] %}
{%- set last_day = 'cast(day_ts as date) = ' ~ dbt.dateadd('day', 'span_days - 1', 'start_day') %}
{#- the lines' own columns the keys are made of (key, then the scope and item columns) -#}
{%- set raw_dims = key + ['api_key', 'api_project', 'sku', 'token_type', 'item_unit', 'reporting_currency'] %}

with as_of as (
    select max(cast(charge_period_start as date)) as as_of_date
    from {{ ref('fct_charges') }}
),

lines as (
    select
        {{ key | join(', ') }},
        case when c.x_source_system in {{ ai_workload_api_sources() }} then c.resource_id end as api_key,
        case when c.x_source_system in {{ ai_workload_api_sources() }} then c.sub_account_id end as api_project,
        case
            when coalesce(c.pricing_quantity, 0) <> 0 then coalesce(c.pricing_unit, '(unit)')
            when coalesce(c.consumed_quantity, 0) <> 0 then coalesce(c.consumed_unit, '(unit)')
            else '(charge)'
        end as item_unit,
        case
            when coalesce(c.pricing_quantity, 0) <> 0 then c.pricing_quantity
            when coalesce(c.consumed_quantity, 0) <> 0 then c.consumed_quantity
        end as quantity,
        c.x_reporting_currency as reporting_currency,
        c.effective_cost,
        c.x_reporting_effective_cost as reporting_cost,
        coalesce(c.sku_price_id, c.sku_id, c.sku_meter, c.charge_description, '-') as sku,
        c.x_token_type as token_type,
        cast(c.charge_period_start as date) as start_day,
        -- exclusive end day: a period ending at midnight ends that day, one ending within a day covers it
        case
            when c.charge_period_end is null then cast(c.charge_period_start as date)
            when
                c.charge_period_end = cast(cast(c.charge_period_end as date) as timestamp)
                then cast(c.charge_period_end as date)
            else {{ dbt.dateadd('day', 1, 'cast(c.charge_period_end as date)') }}
        end as end_day_raw
    from {{ ref('fct_charges') }} as c
    where c.x_reporting_effective_cost is not null
),

keyed as (
    select
        {{ raw_dims | join(', ') }},
        quantity, effective_cost, reporting_cost, start_day,
        greatest({{ dbt.datediff('start_day', 'cast(end_day_raw as date)', 'day') }}, 1) as span_days
    from lines
),

single_day as (
    select start_day as cost_date, {{ raw_dims | join(', ') }}, quantity, effective_cost, reporting_cost
    from keyed
    where span_days = 1
),

multi_day as (
    select k.*, {{ day_series('k.start_day', dbt.dateadd('day', 'k.span_days - 1', 'k.start_day')) }} as day_ts
    from keyed as k
    where k.span_days > 1
),

spread as (
    select
        cast(day_ts as date) as cost_date,
        {{ raw_dims | join(', ') }},
        {{ day_share('quantity', 'span_days', last_day) }} as quantity,
        {{ day_share('effective_cost', 'span_days', last_day) }} as effective_cost,
        {{ day_share('reporting_cost', 'span_days', last_day) }} as reporting_cost
    from multi_day
    union all
    select * from single_day
),

-- per day and the lines' own columns first (an hourly month: ~24 lines per day become one row), then the keys: the
-- allocation key's hash and the item key are computed once per group, not once per line
by_line_columns as (
    select
        s.cost_date,
        {% for d in raw_dims %}s.{{ d }},
        {% endfor -%}
        sum(s.quantity) as quantity,
        sum(s.effective_cost) as effective_cost,
        sum(s.reporting_cost) as reporting_cost
    from spread as s
    cross join as_of as a
    where s.cost_date <= a.as_of_date
    group by all
),

daily as (
    select
        r.cost_date,
        {{ dbt.hash(dbt.concat(grain_parts(key, 'r'))) }} as allocation_key,
        r.provider_name,
        r.service_name,
        r.x_model_name as model_name,
        r.api_key,
        r.api_project,
        {{ dbt.concat(["r.provider_name", "'|'", "coalesce(r.service_name, '-')", "'|'", "r.sku", "'|'",
                       "coalesce(r.x_model_name, '-')", "'|'", "coalesce(r.token_type, '-')", "'|'",
                       "coalesce(r.charge_category, '-')", "'|'", "r.item_unit", "'|'", "r.billing_currency"]) }}
            as item_key,
        r.item_unit,
        r.billing_currency,
        r.reporting_currency,
        sum(r.quantity) as quantity,
        sum(r.effective_cost) as effective_cost,
        sum(r.reporting_cost) as reporting_cost
    from by_line_columns as r
    group by
    {%- for i in range(1, dims | length + 2) %}
        {{ i }}{% if not loop.last %},{% endif %}
    {%- endfor %}
),

tagged as (
    select
        {{ dbt.hash(dbt.concat(grain_parts(tagged_key, 't'))) }} as allocation_key,
        coalesce(t.project, case when t.x_source_system in {{ ai_workload_api_sources() }} then t.sub_account_id end)
            as project,
        t.effective_cost,
        t.charge_rows
    from {{ ref('int_cost_tagged') }} as t
),

key_projects as (
    select
        allocation_key,
        project,
        sum(effective_cost) as project_cost,
        sum(charge_rows) as project_rows
    from tagged
    group by 1, 2
),

key_totals as (
    select allocation_key, sum(project_cost) as key_cost, sum(project_rows) as key_rows
    from key_projects
    group by 1
),

project_shares as (
    select
        p.allocation_key,
        p.project,
        case
            when t.key_cost <> 0 then {{ double_to_decimal(decimal_div('p.project_cost', 't.key_cost')) }}
            else {{ double_to_decimal(decimal_div('1.0 * p.project_rows', 't.key_rows')) }}
        end as share
    from key_projects as p
    inner join key_totals as t on p.allocation_key = t.allocation_key
    where p.project is not null
),

-- every supported scope type; the final select keeps those of seed anomaly_scope_types
scoped as (
    select
        cost_date, 'provider' as scope_type, provider_name as scope_value, provider_name, item_key, item_unit,
        billing_currency, reporting_currency, quantity, effective_cost, reporting_cost
    from daily
    union all
    select
        cost_date, 'service', service_name, provider_name, item_key, item_unit, billing_currency, reporting_currency,
        quantity, effective_cost, reporting_cost
    from daily
    where service_name is not null
    union all
    select
        cost_date, 'model', model_name, provider_name, item_key, item_unit, billing_currency, reporting_currency,
        quantity, effective_cost, reporting_cost
    from daily
    where model_name is not null
    union all
    select
        cost_date, 'api_key', api_key, provider_name, item_key, item_unit, billing_currency, reporting_currency,
        quantity, effective_cost, reporting_cost
    from daily
    where api_key is not null
    union all
    select
        d.cost_date, 'project', p.project, d.provider_name, d.item_key, d.item_unit, d.billing_currency,
        d.reporting_currency,
        cast(d.quantity * p.share as {{ type_money() }}),
        cast(d.effective_cost * p.share as {{ type_money() }}),
        cast(d.reporting_cost * p.share as {{ type_money() }})
    from daily as d
    inner join project_shares as p on d.allocation_key = p.allocation_key
)

select
    s.cost_date,
    s.scope_type,
    s.scope_value,
    s.item_key,
    s.provider_name,
    s.item_unit,
    s.billing_currency,
    s.reporting_currency,
    cast(sum(s.quantity) as {{ type_money() }}) as quantity,
    cast(sum(s.effective_cost) as {{ type_money() }}) as billing_cost,
    cast(sum(s.reporting_cost) as {{ type_money() }}) as reporting_cost,
    max(a.as_of_date) as as_of_date
from scoped as s
cross join as_of as a
where s.scope_type in (select t.scope_type from {{ ref('anomaly_scope_types') }} as t)
group by 1, 2, 3, 4, 5, 6, 7, 8
