{#- Business volumes per day x product x KPI, one row per key. Names are normalised (product and kpi_name lower
    case and trimmed), the value is DECIMAL via type_money(). When both sources report the same key, the SQL
    database wins over the CSV drop (it is the system of record; the drop is a manual export), and within one
    source the most recently changed row wins. reported_by_sources counts the sources that reported the key, and
    overridden_csv_value keeps the CSV value a SQL value replaced, so a disagreement stays visible. A day with
    volume 0 is kept (0, not NULL): unit costs over it must divide by NULLIF(..., 0). -#}

with source as (
    select * from {{ source('business_kpis', 'daily_volumes') }}
),

typed as (
    select
        cast(kpi_date as date) as kpi_date,
        lower(trim(product)) as product,
        lower(trim(kpi_name)) as kpi_name,
        cast(kpi_value as {{ type_money() }}) as kpi_value,
        trim(kpi_unit) as kpi_unit,
        source_system,
        source_ref,
        source_row,
        source_updated_at,
        loaded_at,
        _dlt_load_id as x_load_id,
        case source_system when 'sql_database' then 1 when 'csv_drop' then 2 else 3 end as source_precedence
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by kpi_date, product, kpi_name
            order by source_precedence asc, source_updated_at desc nulls last, x_load_id desc, source_ref desc
        ) as rank_in_key,
        {{ count_distinct_window('source_system', 'kpi_date, product, kpi_name') }} as reported_by_sources,
        max(case when source_system = 'csv_drop' then kpi_value end)
            over (partition by kpi_date, product, kpi_name) as csv_value
    from typed
)

select
    kpi_date,
    product,
    kpi_name,
    kpi_value,
    kpi_unit,
    source_system,
    source_ref,
    source_row,
    source_updated_at,
    reported_by_sources,
    case when source_system <> 'csv_drop' then csv_value end as overridden_csv_value,
    loaded_at,
    x_load_id
from ranked
where rank_in_key = 1
