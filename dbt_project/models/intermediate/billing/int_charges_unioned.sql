{#- Every provider's charges, one CTE per source with identical columns (the FOCUS charge record).
    assert_no_charges_dropped_in_union proves the row count and cost sums survive the union. -#}
{%- set sources = [
    'stg_aws_cur__line_items',
    'stg_azure_cost_details__cost_details',
    'stg_gcp_billing__billing_export_rows',
    'stg_focus_exports__focus_rows',
] -%}

with
{% for model in sources %}
{{ model }} as (
    select {{ focus_column_list() }}
    from {{ ref(model) }}
){{ "," if not loop.last }}
{% endfor %}

{% for model in sources %}
select * from {{ model }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
