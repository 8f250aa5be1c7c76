{#- The FOCUS record (fct_charges) as daily EffectiveCost per charge day and allocation key. A charge whose charge
    period spans several days (monthly fees, tax, commitment and support charges, credits) is spread evenly over
    the days of [ChargePeriodStart, ChargePeriodEnd); the last day takes the rounding remainder, so per line the
    days add up to its EffectiveCost exactly. Charges of an hour or a day stay on their start day.
    allocation_key is the hash of the columns fct_cost_allocated shares with the record (billing period,
    provider, accounts, service, resource, charge category, source system, model, currency): it carries each
    allocated line's daily profile in int_governance_daily_cost. vendor_name is the FOCUS PublisherName (the
    party whose product is sold, e.g. Anthropic on a marketplace), else the provider. -#}
{%- set key = ['x_billing_period', 'provider_name', 'billing_account_id', 'sub_account_id', 'service_name',
               'resource_id', 'charge_category', 'x_source_system', 'x_model_name', 'billing_currency'] %}

with charges as (
    select
        {{ key | join(', ') }},
        coalesce(publisher_name, provider_name) as vendor_name,
        cast(charge_period_start as date) as start_day,
        -- exclusive end day: a period ending at midnight ends that day, one ending within a day covers it
        case
            when charge_period_end is null then cast(charge_period_start as date) + 1
            when charge_period_end = date_trunc('day', charge_period_end) then cast(charge_period_end as date)
            else cast(charge_period_end as date) + 1
        end as end_day,
        effective_cost
    from {{ ref('fct_charges') }}
),

spans as (
    select *, greatest({{ dbt.datediff('start_day', 'end_day', 'day') }}, 1) as span_days
    from charges
),

single_day as (
    select start_day as charge_date, {{ key | join(', ') }}, vendor_name, effective_cost
    from spans
    where span_days = 1
),

multi_day as (
    select
        *,
        {{ day_series('start_day', 'end_day - 1') }} as charge_ts
    from spans
    where span_days > 1
),

spread as (
    select
        cast(charge_ts as date) as charge_date, {{ key | join(', ') }}, vendor_name,
        {{ day_share('effective_cost', 'span_days', 'cast(charge_ts as date) = end_day - 1') }} as effective_cost
    from multi_day
    union all
    select * from single_day
),

-- per day and key columns first (an hourly month: ~24 rows per day and key become one), then hashed: the key's hash
-- is computed once per group, not once per line
by_key as (
    select charge_date, {{ key | join(', ') }}, vendor_name, sum(effective_cost) as effective_cost
    from spread
    group by all
)

select
    k.charge_date,
    k.x_billing_period as billing_period,
    {{ dbt.hash(dbt.concat(grain_parts(key, 'k'))) }} as allocation_key,
    k.provider_name,
    k.vendor_name,
    k.service_name,
    k.x_model_name as model_name,
    k.billing_currency,
    cast(sum(k.effective_cost) as {{ type_money() }}) as effective_cost
from by_key as k
group by 1, 2, 3, 4, 5, 6, 7, 8
