{#- The delivery keys of every source of the FOCUS charge record: one row per (source, export, billing period)
    with its latest ingestion, read from the raw rows' key columns (x_export_id, x_billing_period, x_ingested_at)
    through the thin staging views, never from the FOCUS mappings (which would run the whole mapping just to find
    the keys). int_charges_unioned compares them with its own copy to find the keys to rebuild
    (macros/incremental.sql). One CTE per source, as in int_charges_unioned; a new source is added to both.

    rebuild_by says when a key of the source is rebuilt:
      * key    - when this (export, period) was (re)delivered after the copy in int_charges_unioned;
      * period - when any export of the source was (re)delivered in the period: the mapping's output for a key
                 depends on the period's other exports (Azure pairs ActualCost and AmortizedCost exports and
                 stamps each row with the pair's latest ingestion), so every export of the period is rebuilt;
      * always - on every run: the rows depend on reference data as well as on deliveries (int_saas_charges:
                 which vendor's invoices become FOCUS rows follows the contracts and vendor catalogue seeds), so a
                 seed change reaches int_charges_unioned without a --full-refresh. Only for sources of a few
                 thousand rows. -#}
{{ config(materialized='view') }}

with

aws as (

    select
        'aws' as charge_source, 'key' as rebuild_by,
        x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ ref('stg_aws_cur__line_items') }}
    group by x_export_id, x_billing_period

),

azure as (

    select
        'azure' as charge_source, 'period' as rebuild_by,
        x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ ref('stg_azure_cost_details__cost_details') }}
    group by x_export_id, x_billing_period

),

gcp as (

    select
        'gcp' as charge_source, 'key' as rebuild_by,
        x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ ref('stg_gcp_billing__billing_export_rows') }}
    group by x_export_id, x_billing_period

),

focus_exports as (

    select
        'focus_exports' as charge_source, 'key' as rebuild_by,
        x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ ref('stg_focus_exports__focus_rows') }}
    group by x_export_id, x_billing_period

),

ai_api as (

    select
        'ai_api' as charge_source, 'key' as rebuild_by,
        x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ ref('int_ai_api_charges') }}
    group by x_export_id, x_billing_period

),

saas as (

    select
        'saas' as charge_source, 'always' as rebuild_by,
        x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ ref('int_saas_charges') }}
    group by x_export_id, x_billing_period

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
