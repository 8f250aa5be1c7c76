{%- set specs = charge_source_specs(focus_charge_sources()) -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['x_export_id', 'x_billing_period'],
    on_schema_change='fail',
    pre_hook="{{ delete_stale_periods(charge_source_specs(focus_charge_sources())) }}",
) }}
{#- Every provider's charges in the FOCUS charge record, one CTE per source with identical columns
    (the staging models listed in macros/charge_sources.sql).
    Incremental by delivery (macros/incremental.sql): only (export, billing period) pairs that were (re)delivered
    since the last run, found from the raw tables' key columns, are read from staging (the filter is inlined as
    constants so that it reaches the raw scans), and they replace their earlier copy; the pre-hook removes the
    keys being rebuilt and keys that left the raw tables, so a key whose staging output is now empty (e.g. Azure
    actual-cost rows superseded once the amortized twin arrives) vanishes. assert_no_charges_dropped_in_union
    proves no row or cent is lost between staging, this model and the marts. -#}
{%- if is_incremental() %}
{%- set stale = _stale_keys_by_spec(specs) %}
{%- endif %}

with
{% for spec in specs %}
{{ spec['model'] }} as (
    select {{ focus_column_list('src') }}
    from {{ ref(spec['model']) }} as src
    {%- if is_incremental() %}
    where {{ incremental_key_filter(specs, stale, loop.index0, 'src') }}
    {%- endif %}
){{ "," if not loop.last }}
{% endfor %}

{% for spec in specs %}
select * from {{ spec['model'] }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
