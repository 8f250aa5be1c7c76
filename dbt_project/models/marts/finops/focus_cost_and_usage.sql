{{ config(materialized='view', meta={'dagster': {'owners': ['team:finops']}}) }}
{#- FOCUS 1.2 export: exact FOCUS column IDs, FOCUS 1.3 columns nullable, custom columns x_-prefixed after
    them. This is what `finops validate-focus` checks and `finops export-focus` writes. -#}
-- LT02 cannot place the column lines that a whitespace-stripping loop renders -- noqa: disable=LT02
select
{%- for name, focus_id, _ in focus_charge_columns() + mart_extra_columns() %}
    {{ name }} as {{ adapter.quote(focus_id) }}{% if not loop.last %},{% endif %}
{%- endfor %}
-- noqa: enable=LT02
from {{ ref('fct_charges') }}
