{#- One FX rate per calendar day and currency into the reporting currency (var reporting_currency, default USD):
    1 from_currency = rate to_currency on rate_date. Built from treasury's rates (stg_finance__fx_rates):
    a quoted pair from -> reporting is used as is ('direct', exact); a quote reporting -> from is inverted
    ('inverse', 1 / rate rounded to 10 decimals). A day without a quote (weekend, holiday) carries the latest
    earlier quote forward for at most max_carry_days days of seed fx_policy (rate_as_of_date says which day was
    used). When several sources quote a pair on a day, the preferred one of seed fx_rate_sources wins (sources not
    listed after them, alphabetically).
    The reporting currency itself has rate 1, source 'same currency', every day. A currency with no usable quote
    for a day has NO row that day: convert with a left join and flag the null (macro to_reporting_currency). -#}

{%- set reporting = var('reporting_currency') -%}

with policy as (
    select max_carry_days from {{ ref('fx_policy') }}
),

preferred_sources as (
    select rate_source, preference from {{ ref('fx_rate_sources') }}
),

quotes as (
    select
        rate_date,
        base_currency as from_currency,
        rate,
        rate_source,
        'direct' as derivation
    from {{ ref('stg_finance__fx_rates') }}
    where quote_currency = '{{ reporting }}' and base_currency <> '{{ reporting }}'
    union all
    select
        rate_date,
        quote_currency as from_currency,
        cast(round(1 / rate, 10) as {{ type_money() }}) as rate,
        rate_source,
        'inverse' as derivation
    from {{ ref('stg_finance__fx_rates') }}
    where base_currency = '{{ reporting }}' and quote_currency <> '{{ reporting }}'
),

best_quote as (
    select *
    from (
        select
            q.*,
            row_number() over (
                partition by q.rate_date, q.from_currency
                order by
                    case q.derivation when 'direct' then 0 else 1 end,
                    p.preference nulls last,
                    q.rate_source
            ) as quote_rank
        from quotes as q
        left join preferred_sources as p on q.rate_source = p.rate_source
    ) as q
    where quote_rank = 1
),

bounds as (
    select
        min(rate_date) as first_day,
        {{ dbt.dateadd('day', '(select max_carry_days from policy)', 'max(rate_date)') }} as last_day
    from best_quote
),

calendar as (
    select calendar_day from {{ ref('int_calendar_days') }}
),

days as (
    select calendar_day
    from calendar
    where calendar_day between cast((select first_day from bounds) as date)
        and cast((select last_day from bounds) as date)
),

currencies as (
    select distinct from_currency from best_quote
),

carried as (
    select
        d.calendar_day as rate_date,
        c.from_currency,
        q.rate_date as rate_as_of_date,
        q.rate,
        q.rate_source,
        q.derivation,
        row_number() over (
            partition by d.calendar_day, c.from_currency
            order by q.rate_date desc
        ) as recency
    from days as d
    cross join currencies as c
    inner join best_quote as q
        on c.from_currency = q.from_currency
        and d.calendar_day >= q.rate_date
        and q.rate_date >= {{ dbt.dateadd('day', '-(select max_carry_days from policy)', 'd.calendar_day') }}
)

select
    cast(rate_date as date) as rate_date,
    from_currency,
    '{{ reporting }}' as to_currency,
    rate,
    rate_source,
    cast(rate_as_of_date as date) as rate_as_of_date,
    derivation,
    {{ dbt.datediff('rate_as_of_date', 'rate_date', 'day') }} as carried_days  -- noqa: LT05
from carried
where recency = 1

union all

select
    cast(d.calendar_day as date) as rate_date,
    '{{ reporting }}' as from_currency,
    '{{ reporting }}' as to_currency,
    cast(1 as {{ type_money() }}) as rate,
    'same currency' as rate_source,
    cast(d.calendar_day as date) as rate_as_of_date,
    'identity' as derivation,
    0 as carried_days
from calendar as d
