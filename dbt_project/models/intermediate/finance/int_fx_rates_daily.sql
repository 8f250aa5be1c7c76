{#- One FX rate per calendar day and currency into the reporting currency (var reporting_currency, default USD):
    1 from_currency = rate to_currency on rate_date. Built from treasury's rates (stg_finance__fx_rates):
    a quoted pair from -> reporting is used as is ('direct', exact); a quote reporting -> from is inverted
    ('inverse', 1 / rate rounded to 10 decimals). A day without a quote (weekend, holiday) carries the latest
    earlier quote forward for at most var fx_max_carry_days days (rate_as_of_date says which day was used).
    When several sources quote a pair on a day, the first of var fx_rate_sources wins (then the alphabetical).
    The reporting currency itself has rate 1, source 'same currency', every day. A currency with no usable quote
    for a day has NO row that day: convert with a left join and flag the null (macro to_reporting_currency). -#}

{%- set reporting = var('reporting_currency') -%}
{%- set max_carry = var('fx_max_carry_days') -%}
{%- set preferred = var('fx_rate_sources') -%}

with quotes as (
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
            *,
            row_number() over (
                partition by rate_date, from_currency
                order by
                    case derivation when 'direct' then 0 else 1 end,
                    case rate_source
                        {%- for s in preferred %}
                        when {{ sql_literal(s) }} then {{ loop.index }}
                        {%- endfor %}
                        else {{ preferred | length + 1 }}
                    end,
                    rate_source
            ) as quote_rank
        from quotes
    ) as q
    where quote_rank = 1
),

bounds as (
    select
        min(rate_date) as first_day,
        {{ dbt.dateadd('day', max_carry, 'max(rate_date)') }} as last_day
    from best_quote
),

days as (
    {{ calendar_days('(select first_day from bounds)', '(select last_day from bounds)') }}
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
        and q.rate_date >= {{ dbt.dateadd('day', -max_carry, 'd.calendar_day') }}
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
from ({{ calendar_days("cast('2000-01-01' as date)", "cast('2100-12-31' as date)") }}) as d
