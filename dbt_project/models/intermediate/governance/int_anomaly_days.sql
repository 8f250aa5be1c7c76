{#- Anomalous days: one row per scope (scope_type, scope_value) x day whose reporting-currency cost is outside its
    baseline band, with the cost change decomposed into volume, price, mix and FX effects.

    Series: int_daily_cost_drivers summed per scope and day, zero-filled from the scope's first cost day to
    as_of_date (the latest charge day in the warehouse).
    Baseline (robust, seasonality-aware; the numbers are columns of seed anomaly_policy): the median of the same
    weekday of the previous baseline_weeks weeks (baseline_method 'same_weekday', once the series has that history);
    with a shorter history but at least min_history_days days, the median of the previous fallback_days days of the
    same day type, weekday or weekend ('recent_days'); days with less
    history are not scored. spread = 1.4826 x MAD (median absolute deviation of the baseline days from the
    baseline); robust_z = (actual - baseline) / spread (null when the spread is 0).
    Band: baseline +/- band_width, band_width = the largest of z_threshold x spread, min_impact (reporting currency)
    and min_pct x |baseline|. A day is anomalous when
    its cost is outside the band (so |robust_z| >= the threshold AND the impact reaches the minimum amount AND the
    minimum share), direction spike (above) or drop (below). The latest unsettled_days days are still
    arriving (providers deliver a day over 24-72 h): a drop there is not reported, a spike is.

    Decomposition: price-volume-mix per cost item i of int_daily_cost_drivers against the reference days, the
    baseline day(s) that make the median (the middle one, or the middle two, by cost), whose mean is the baseline,
    so that an outlier among the baseline days - an earlier spike - does not distort the effects.
    q quantity, c cost in the billing currency, C cost in the reporting currency; 0 = reference-day mean, 1 = the
    day; r0 = C0 / c0 the baseline rate, P0 = C0 / q0 the baseline unit price in the reporting currency, u = c / q;
    items are grouped by unit so that tokens are not added to images:
      volume = sum over units (Q1 - Q0) x C0 / Q0        total quantity change at the baseline average unit price
      mix    = sum over items (s1_i - s0_i) x Q1 x P0_i  share shift between the items of a unit (s = q / Q)
      price  = sum over items q1_i x (u1_i - u0_i) x r0_i  unit price change in the billing currency, baseline rate
      fx     = sum over items c1_i x (r1_i - r0_i)        the day's billing-currency cost at the day's vs the baseline rate
    so that volume + mix + price + fx = actual - baseline up to rounding. An item new on the day is priced at its
    own unit price (its cost is mix, or volume for a new unit); a unit gone is volume; an item without a quantity
    counts 1 per day it occurs. residual = impact_amount - the four (rounding only): the effects and the residual add
    up to impact_amount exactly (assert_anomaly_effects_sum_to_impact). primary_driver: the effect with the largest
    absolute value (ties: volume, price, mix, fx). lead_provider_name: the provider with the largest absolute cost
    change against the reference days. -#}
{#- the decomposition's arithmetic in DOUBLE on every engine (FLOAT is single precision: ~7 digits) -#}
{%- set fl = 'double' %}

with drivers as (
    select * from {{ ref('int_daily_cost_drivers') }}
),

policy as (
    select * from {{ ref('anomaly_policy') }}
),

-- the integers 0 .. 9999: day offsets of the series
numbers as (
    {{ integer_rows(0, 9999, 'n') }}
),

-- the baseline days of a scored day as (lag_days, baseline_method): the same weekday of the previous baseline_weeks
-- weeks ('same_weekday'), and the previous fallback_days days ('recent_days', for a series too short for the first)
baseline_lags as (
    select 7 * n.n as lag_days, 'same_weekday' as baseline_method
    from numbers as n
    cross join policy as p
    where n.n between 1 and p.baseline_weeks
    union all
    select n.n as lag_days, 'recent_days' as baseline_method
    from numbers as n
    cross join policy as p
    where n.n between 1 and p.fallback_days
),

as_of as (
    select max(as_of_date) as as_of_date
    from drivers
),

daily as (
    select scope_type, scope_value, cost_date, sum(reporting_cost) as cost
    from drivers
    group by 1, 2, 3
),

bounds as (
    select scope_type, scope_value, min(cost_date) as series_start_date, max(reporting_currency) as currency
    from drivers
    group by 1, 2
),

filled as (
    select
        b.scope_type,
        b.scope_value,
        b.currency,
        cast({{ dbt.dateadd('day', 'n.n', 'b.series_start_date') }} as date) as cost_date,
        n.n as history_days,
        {{ anomaly_is_weekend(dbt.dateadd('day', 'n.n', 'b.series_start_date')) }} as is_weekend,
        a.as_of_date
    from bounds as b
    cross join as_of as a
    inner join numbers as n
        on n.n <= {{ dbt.datediff('b.series_start_date', 'a.as_of_date', 'day') }}
),

series as (
    select
        f.*,
        cast(coalesce(d.cost, 0) as {{ type_money() }}) as actual_cost
    from filled as f
    left join daily as d
        on f.scope_type = d.scope_type and f.scope_value = d.scope_value and f.cost_date = d.cost_date
),

candidates as (
    select
        s.*,
        case when s.history_days >= 7 * p.baseline_weeks then 'same_weekday' else 'recent_days' end as baseline_method
    from series as s
    cross join policy as p
    where s.history_days >= least(p.min_history_days, 7 * p.baseline_weeks)
),

lags as (
    select
        c.scope_type,
        c.scope_value,
        c.cost_date,
        c.is_weekend,
        l.baseline_method,
        cast({{ dbt.dateadd('day', '-l.lag_days', 'c.cost_date') }} as date) as lag_date
    from candidates as c
    inner join baseline_lags as l on c.baseline_method = l.baseline_method
),

lag_values as (
    select
        l.scope_type, l.scope_value, l.cost_date, l.lag_date, h.actual_cost,
        row_number()
            over (
                partition by l.scope_type, l.scope_value, l.cost_date
                order by h.actual_cost, l.lag_date
            )
            as cost_rank,
        count(*) over (partition by l.scope_type, l.scope_value, l.cost_date) as lag_count
    from lags as l
    inner join series as h
        on l.scope_type = h.scope_type and l.scope_value = h.scope_value and l.lag_date = h.cost_date
        and (l.baseline_method = 'same_weekday' or l.is_weekend = h.is_weekend)
),

baseline as (
    select
        scope_type, scope_value, cost_date,
        cast({{ anomaly_median('actual_cost') }} as {{ type_money() }}) as baseline_cost,
        count(*) as baseline_days
    from lag_values
    group by 1, 2, 3
),

spread as (
    select
        v.scope_type, v.scope_value, v.cost_date,
        cast({{ anomaly_median('abs(v.actual_cost - b.baseline_cost)') }} as {{ type_money() }}) as mad
    from lag_values as v
    inner join baseline as b
        on v.scope_type = b.scope_type and v.scope_value = b.scope_value and v.cost_date = b.cost_date
    group by 1, 2, 3
),

measured as (
    select
        c.scope_type,
        c.scope_value,
        c.currency,
        c.cost_date,
        c.baseline_method,
        b.baseline_days,
        c.actual_cost,
        b.baseline_cost,
        m.mad,
        cast(1.4826 * m.mad as {{ type_money() }}) as spread,
        c.actual_cost - b.baseline_cost as impact_amount,
        c.as_of_date,
        cast({{ dbt.dateadd('day', '-p.unsettled_days', 'c.as_of_date') }} as date)
            as settled_through_date
    from candidates as c
    cross join policy as p
    inner join baseline as b
        on c.scope_type = b.scope_type and c.scope_value = b.scope_value and c.cost_date = b.cost_date
    inner join spread as m
        on c.scope_type = m.scope_type and c.scope_value = m.scope_value and c.cost_date = m.cost_date
),

banded as (
    select
        m.*,
        cast(greatest(
            p.z_threshold * m.spread,
            cast(p.min_impact as {{ type_money() }}),
            p.min_pct * abs(m.baseline_cost)
        ) as {{ type_money() }}) as band_width
    from measured as m
    cross join policy as p
),

flagged as (
    select
        b.*,
        b.cost_date <= b.settled_through_date as is_settled,
        case when b.impact_amount > 0 then 'spike' else 'drop' end as direction
    from banded as b
    where b.impact_amount <> 0
        and abs(b.impact_amount) >= b.band_width
        and (b.impact_amount > 0 or b.cost_date <= b.settled_through_date)
),

-- ------------------------------------------------------------------------------------------- decomposition
median_days as (
    -- the baseline day(s) that make the median: the middle one (odd count) or two (even count) by cost
    select
        v.scope_type, v.scope_value, v.cost_date, v.lag_date, count(*) over (
            partition by v.scope_type, v.scope_value, v.cost_date
        ) as reference_days
    from lag_values as v
    inner join flagged as f
        on v.scope_type = f.scope_type and v.scope_value = f.scope_value and v.cost_date = f.cost_date
    where 2 * v.cost_rank in (v.lag_count, v.lag_count + 1, v.lag_count + 2)
),

item_rows as (
    -- the median day(s) (summed; divided by their number below)
    select
        v.scope_type, v.scope_value, v.cost_date, d.item_key, d.item_unit, d.provider_name,
        cast(case when d.item_unit = '(charge)' then 1 else d.quantity end as {{ fl }}) / v.reference_days as q0,
        cast(d.billing_cost as {{ fl }}) / v.reference_days as c0,
        cast(d.reporting_cost as {{ fl }}) / v.reference_days as rc0,
        cast(0 as {{ fl }}) as q1,
        cast(0 as {{ fl }}) as c1,
        cast(0 as {{ fl }}) as rc1
    from median_days as v
    inner join drivers as d
        on v.scope_type = d.scope_type and v.scope_value = d.scope_value and v.lag_date = d.cost_date
    union all
    -- the day itself
    select
        f.scope_type, f.scope_value, f.cost_date, d.item_key, d.item_unit, d.provider_name,
        0, 0, 0,
        cast(case when d.item_unit = '(charge)' then 1 else d.quantity end as {{ fl }}),
        cast(d.billing_cost as {{ fl }}),
        cast(d.reporting_cost as {{ fl }})
    from flagged as f
    inner join drivers as d
        on f.scope_type = d.scope_type and f.scope_value = d.scope_value and f.cost_date = d.cost_date
),

items as (
    select
        scope_type, scope_value, cost_date, item_key, item_unit, provider_name,
        sum(q0) as q0,
        sum(c0) as c0,
        sum(rc0) as rc0,
        sum(q1) as q1,
        sum(c1) as c1,
        sum(rc1) as rc1
    from item_rows
    group by 1, 2, 3, 4, 5, 6
),

item_rates as (
    select
        i.*,
        case when i.c0 <> 0 then i.rc0 / i.c0 when i.c1 <> 0 then i.rc1 / i.c1 else 1 end as r0
    from items as i
),

item_prices as (
    select
        i.*,
        case
            when i.q0 <> 0 then i.rc0 / i.q0
            when i.q1 <> 0 then i.c1 / i.q1 * i.r0
            else 0
        end as p0
    from item_rates as i
),

item_effects as (
    select
        p.*,
        p.c1 * p.r0 - p.q1 * p.p0 as price_effect,
        p.rc1 - p.c1 * p.r0 as fx_effect
    from item_prices as p
),

unit_effects as (
    select
        scope_type, scope_value, cost_date, item_unit,
        sum(q0) as unit_q0,
        sum(q1) as unit_q1,
        sum(rc0) as unit_rc0,
        sum(q1 * p0) as unit_q1_p0,
        sum(price_effect) as price_effect,
        sum(fx_effect) as fx_effect
    from item_effects
    group by 1, 2, 3, 4
),

effects as (
    select
        scope_type, scope_value, cost_date,
        sum(case when unit_q0 <> 0 then (unit_q1 - unit_q0) * unit_rc0 / unit_q0 else unit_q1_p0 end) as volume_effect,
        sum(case when unit_q0 <> 0 then unit_q1_p0 - unit_q1 * unit_rc0 / unit_q0 else 0 end) as mix_effect,
        sum(price_effect) as price_effect,
        sum(fx_effect) as fx_effect
    from unit_effects
    group by 1, 2, 3
),

provider_changes as (
    select
        scope_type, scope_value, cost_date, provider_name,
        row_number() over (
            partition by scope_type, scope_value, cost_date
            order by abs(sum(rc1) - sum(rc0)) desc, provider_name
        ) as provider_rank
    from items
    group by 1, 2, 3, 4
),

decomposed as (
    select
        f.*,
        {{ double_to_decimal('coalesce(e.volume_effect, 0)') }} as volume_effect,
        {{ double_to_decimal('coalesce(e.price_effect, 0)') }} as price_effect,
        {{ double_to_decimal('coalesce(e.mix_effect, 0)') }} as mix_effect,
        {{ double_to_decimal('coalesce(e.fx_effect, 0)') }} as fx_effect,
        p.provider_name as lead_provider_name
    from flagged as f
    left join effects as e
        on f.scope_type = e.scope_type and f.scope_value = e.scope_value and f.cost_date = e.cost_date
    left join provider_changes as p
        on f.scope_type = p.scope_type and f.scope_value = p.scope_value and f.cost_date = p.cost_date
        and p.provider_rank = 1
)

select
    scope_type,
    scope_value,
    cost_date as anomaly_date,
    currency,
    actual_cost,
    baseline_cost,
    impact_amount,
    cast({{ safe_ratio('impact_amount', 'baseline_cost') }} as decimal(18, 6)) as impact_pct,
    direction,
    baseline_method,
    cast(baseline_days as integer) as baseline_days,
    mad,
    spread,
    cast({{ safe_ratio('impact_amount', 'spread') }} as decimal(18, 4)) as robust_z,
    band_width,
    baseline_cost - band_width as band_lower,
    baseline_cost + band_width as band_upper,
    volume_effect,
    price_effect,
    mix_effect,
    fx_effect,
    impact_amount - volume_effect - price_effect - mix_effect - fx_effect as residual_effect,
    case
        when abs(volume_effect) >= abs(price_effect) and abs(volume_effect) >= abs(mix_effect)
            and abs(volume_effect) >= abs(fx_effect) then 'volume'
        when abs(price_effect) >= abs(mix_effect) and abs(price_effect) >= abs(fx_effect) then 'price'
        when abs(mix_effect) >= abs(fx_effect) then 'mix'
        else 'fx'
    end as primary_driver,
    lead_provider_name,
    is_settled,
    as_of_date,
    settled_through_date
from decomposed
