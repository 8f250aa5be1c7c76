{#- Effective-dated model prices: the genai-prices list snapshot (plus hand-kept additions for models it lacks)
    with the negotiated overlay applied.
    Grain: vendor x model_id x token_type x [valid_from, valid_to). Where an overlay term starts or ends inside a
    list interval, the interval is split so that every row has one list price and one contracted price. -#}
{%- set open_end = price_book_open_end() %}
{%- set key = 'vendor, model_id, token_type, list_valid_from' %}

with list_prices as (
    select
        vendor,
        model_id,
        model_match,
        model_match_exact,
        match_rank,
        token_type,
        cast(price_per_million as {{ type_money() }}) as list_price_per_million,
        currency,
        pricing_unit,
        cast(valid_from as date) as list_valid_from,
        coalesce(cast(valid_to as date), {{ open_end }}) as list_valid_to,
        conditions,
        source_provider,
        source,
        source_version,
        cast(snapshot_date as date) as snapshot_date
    from (
        select * from {{ ref('model_prices_list') }}
        union all
        select * from {{ ref('model_prices_additions') }}
    ) as prices
),

overlay as (
    select
        row_number() over (
            order by vendor, model_pattern, token_type, valid_from, contract_ref
        ) as overlay_id,
        vendor,
        lower(model_pattern) as model_pattern,
        token_type,
        cast(rate_per_million as {{ type_money() }}) as rate_per_million,
        cast(discount_pct as {{ type_money() }}) as discount_pct,
        currency,
        cast(valid_from as date) as term_from,
        coalesce(cast(valid_to as date), {{ open_end }}) as term_to,
        contract_ref
    from {{ ref('model_prices_negotiated') }}
),

-- overlay terms that overlap a list interval, clipped to it
applicable as (
    select
        l.vendor, l.model_id, l.token_type, l.list_valid_from,
        o.overlay_id, o.contract_ref, o.term_from,
        case when o.rate_per_million is not null then 0 else 1 end as kind_rank,
        case when o.term_from > l.list_valid_from then o.term_from else l.list_valid_from end as applies_from,
        case when o.term_to < l.list_valid_to then o.term_to else l.list_valid_to end as applies_to
    from list_prices as l
    inner join overlay as o
        on l.vendor = o.vendor
        and l.currency = o.currency
        and (o.token_type = '*' or l.token_type = o.token_type)
        and {{ price_book_like('lower(l.model_id)', 'o.model_pattern') }}
        and l.list_valid_to > o.term_from
        and l.list_valid_from < o.term_to
),

boundaries as (
    select {{ key }}, list_valid_from as boundary from list_prices
    union
    select {{ key }}, applies_from from applicable
    union
    select {{ key }}, applies_to from applicable
),

segments as (
    select
        b.vendor, b.model_id, b.token_type, b.list_valid_from,
        b.boundary as seg_from,
        coalesce(
            lead(b.boundary) over (
                partition by b.vendor, b.model_id, b.token_type, b.list_valid_from
                order by b.boundary
            ),
            l.list_valid_to
        ) as seg_to
    from boundaries as b
    inner join list_prices as l
        on b.vendor = l.vendor and b.model_id = l.model_id and b.token_type = l.token_type
        and b.list_valid_from = l.list_valid_from
    where b.boundary < l.list_valid_to
),

-- the winning term per segment: a fixed rate beats a discount, then the later term, then the contract ref
ranked as (
    select
        s.vendor, s.model_id, s.token_type, s.list_valid_from, s.seg_from, s.seg_to, a.overlay_id,
        row_number() over (
            partition by s.vendor, s.model_id, s.token_type, s.seg_from
            order by a.kind_rank asc, a.term_from desc, a.contract_ref asc, a.overlay_id asc
        ) as rn
    from segments as s
    left join applicable as a
        on s.vendor = a.vendor and s.model_id = a.model_id and s.token_type = a.token_type
        and s.list_valid_from = a.list_valid_from
        and s.seg_from >= a.applies_from and s.seg_to <= a.applies_to
),

flagged as (
    select
        {{ key }}, seg_from, seg_to, overlay_id,
        case
            when coalesce(lag(overlay_id) over (
                    partition by {{ key }}
                    order by seg_from
                ), 0) = coalesce(overlay_id, 0)
                and lag(seg_from) over (
                    partition by {{ key }}
                    order by seg_from
                ) is not null
                then 0
            else 1
        end as starts_island
    from ranked
    where rn = 1
),

islands as (
    select
        {{ key }}, seg_from, seg_to, overlay_id,
        sum(starts_island) over (
            partition by {{ key }}
            order by seg_from rows between unbounded preceding and current row
        ) as island
    from flagged
),

merged as (
    select {{ key }}, overlay_id, min(seg_from) as valid_from, max(seg_to) as valid_to
    from islands
    group by {{ key }}, overlay_id, island
)

select
    m.vendor,
    m.model_id,
    m.token_type,
    m.valid_from,
    case when m.valid_to = {{ open_end }} then null else m.valid_to end as valid_to,
    l.list_price_per_million,
    cast(
        case
            when o.rate_per_million is not null then o.rate_per_million
            when o.discount_pct is not null then l.list_price_per_million * (100 - o.discount_pct) * 0.01
            else l.list_price_per_million
        end as {{ type_money() }}
    ) as contracted_price_per_million,
    o.discount_pct,
    l.currency,
    l.pricing_unit,
    case when o.overlay_id is null then 'list' else 'negotiated' end as price_source,
    o.contract_ref,
    l.model_match,
    l.model_match_exact,
    l.match_rank,
    l.conditions,
    l.source_provider,
    l.source,
    l.source_version,
    l.snapshot_date
from merged as m
inner join list_prices as l
    on m.vendor = l.vendor and m.model_id = l.model_id and m.token_type = l.token_type
    and m.list_valid_from = l.list_valid_from
left join overlay as o
    on m.overlay_id = o.overlay_id
