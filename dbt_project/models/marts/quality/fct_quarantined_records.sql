{#- Every record in quarantine, one view for people and BI: the rows and files that failed parsing or a hard rule in
    any dataset (billing exports, finance, business KPIs), plus the landed files nothing could load (the landing
    inventory's unreadable and unrecognised files, and the files `finops load` was given that nothing could load:
    dataset 'landing_zone', unless a dataset already quarantined that file). A view, so it always shows the quarantine as loaded now, also between dbt runs (`finops quarantine` reads
    it). The loaders keep each quarantine table to the current state: a fixed file delivered again clears its
    records. One CTE per source, identical columns. -#}
{{ config(materialized='view') }}

{%- set datasets = ['aws_cur', 'azure_cost_details', 'gcp_billing', 'focus_exports', 'finance', 'business_kpis'] %}

with
{% for ds in datasets %}
{{ ds }} as (
    select
        cast({{ dbt.string_literal(ds) }} as {{ dbt.type_string() }}) as dataset,
        cast(delivery_id as {{ dbt.type_string() }}) as delivery_id,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(row_number as {{ dbt.type_bigint() }}) as row_number,
        cast(nullif(field, '') as {{ dbt.type_string() }}) as field,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(value as {{ dbt.type_string() }}) as value,
        cast(raw_record as {{ dbt.type_string() }}) as raw_record,
        cast(hint as {{ dbt.type_string() }}) as hint,
        {{ utc_timestamp('quarantined_at') }} as quarantined_at
    from {{ source(ds, 'quarantine') }}
),
{% endfor %}

landing_zone as (
    select
        cast('landing_zone' as {{ dbt.type_string() }}) as dataset,
        cast(delivery_key as {{ dbt.type_string() }}) as delivery_id,
        cast(path as {{ dbt.type_string() }}) as source_file,
        cast(0 as {{ dbt.type_bigint() }}) as row_number,
        cast(null as {{ dbt.type_string() }}) as field,
        cast({{ dbt.concat(['status', "': '", "coalesce(reason, '')"]) }} as {{ dbt.type_string() }}) as reason,
        cast(null as {{ dbt.type_string() }}) as value,
        cast(null as {{ dbt.type_string() }}) as raw_record,
        cast(case status
            when
                'unreadable'
                then 'Fix or re-export the file and deliver it again; the previous delivery of its period stays loaded.'
            -- a message for people, one string literal
            else 'Not a known billing export: load it with `finops load PATH --format F`, or move it out of the landing zone.'  -- noqa: LT05
        end as {{ dbt.type_string() }}) as hint,
        {{ utc_timestamp('seen_at') }} as quarantined_at
    from (
        select path, status, reason, delivery_key, seen_at from {{ source('landing_zone', 'files') }}
        union all
        -- files given to `finops load PATH` that nothing could load (absolute path or URL)
        select path, status, reason, delivery_key, seen_at from {{ source('landing_zone', 'load_rejects') }}
    ) as landed
    where status <> 'recognised'
        -- a corrupt re-delivery of a known export is quarantined by its dataset: list it once
        and path not in (
            {%- for ds in datasets %}
            select source_file from {{ ds }}{{ ' union all' if not loop.last }}
            {%- endfor %}
        )
)

{% for ds in datasets %}
select * from {{ ds }}
union all
{% endfor %}
select * from landing_zone
