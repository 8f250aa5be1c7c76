{%- set sources = [
    'stg_aws_cur__line_items',
    'stg_azure_cost_details__cost_details',
    'stg_gcp_billing__billing_export_rows',
    'stg_focus_exports__focus_rows',
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['x_export_id', 'x_billing_period'],
    on_schema_change='fail',
    post_hook="{{ delete_vanished_periods(" ~ sources ~ ") }}",
) }}
{#- Every provider's charges in the FOCUS charge record, one CTE per source with identical columns.
    Incremental by delivery: only (export, billing period) pairs that were (re)delivered since the last run are
    read from staging, and they replace their earlier copy. assert_no_charges_dropped_in_union proves no row or
    cent is lost between staging, this model and the marts. A period that left staging altogether (e.g. Azure
    actual-cost rows superseded once the amortized twin arrives) is removed by the post-hook. -#}

with
{% for model in sources %}
{{ model }} as (
    select {{ focus_column_list('src') }}
    from {{ ref(model) }} as src
    {%- if is_incremental() %}
    where {{ changed_periods_filter(ref(model), 'src') }}
    {%- endif %}
){{ "," if not loop.last }}
{% endfor %}

{% for model in sources %}
select * from {{ model }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
