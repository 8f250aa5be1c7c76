{#- On Spark a table, rebuilt whole each run (its Parquet tables have no delete+insert; a cluster rebuilds the
    record in parallel): docs/scale-out.md. -#}
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert' if target.type == 'duckdb' else none,
    unique_key=['x_export_id', 'x_billing_period'],
    on_schema_change='fail',
    pre_hook="{{ delete_stale_charge_keys(this, ref('int_charge_source_keys')) }}",
) }}
{#- Every provider's charges in the FOCUS charge record: one CTE per source with identical columns (the FOCUS
    column list, macros/focus_columns.sql), unioned. Adding a source: a CTE here and one in int_charge_source_keys.

    Incremental by delivery (macros/incremental.sql): only the (export, billing period) keys that were
    (re)delivered since the last run, found from the raw rows' key columns (int_charge_source_keys), are read from
    the FOCUS mappings (the filter is inlined as constants so that it reaches the raw scans), and they replace
    their earlier copy; the pre-hook removes the keys being rebuilt and keys that left the raw tables, so a key
    whose mapping output is now empty (e.g. Azure actual-cost rows superseded once the amortized twin arrives)
    vanishes. assert_no_charges_dropped_in_union proves no row or cent is lost between the mappings, this model
    and the marts. -#}
{%- set keys = charge_keys_to_rebuild(ref('int_charge_source_keys'), this) if is_incremental() else none %}

with

aws as (

    select {{ focus_column_list('src') }}
    from {{ ref('int_aws__focus_charges') }} as src
    {%- if is_incremental() %}
    where {{ charge_key_filter(keys, 'aws', 'src') }}
    {%- endif %}

),

azure as (

    select {{ focus_column_list('src') }}
    from {{ ref('int_azure__focus_charges') }} as src
    {%- if is_incremental() %}
    where {{ charge_key_filter(keys, 'azure', 'src') }}
    {%- endif %}

),

gcp as (

    select {{ focus_column_list('src') }}
    from {{ ref('int_gcp__focus_charges') }} as src
    {%- if is_incremental() %}
    where {{ charge_key_filter(keys, 'gcp', 'src') }}
    {%- endif %}

),

focus_exports as (

    select {{ focus_column_list('src') }}
    from {{ ref('int_focus_exports__focus_charges') }} as src
    {%- if is_incremental() %}
    where {{ charge_key_filter(keys, 'focus_exports', 'src') }}
    {%- endif %}

),

ai_api as (

    select {{ focus_column_list('src') }}
    from {{ ref('int_ai_api_charges') }} as src
    {%- if is_incremental() %}
    where {{ charge_key_filter(keys, 'ai_api', 'src') }}
    {%- endif %}

),

saas as (

    select {{ focus_column_list('src') }}
    from {{ ref('int_saas_charges') }} as src
    {%- if is_incremental() %}
    where {{ charge_key_filter(keys, 'saas', 'src') }}
    {%- endif %}

)

select * from aws
union all
select * from azure
union all
select * from gcp
union all
select * from focus_exports
union all
select * from ai_api
union all
select * from saas
