{{ config(materialized='view', meta={'dagster': {'owners': ['team:finops']}}) }}
{#- The FOCUS charge record with snake_case column names: one row per charge from every provider. -#}
select {{ select_focus_columns('charges') }}
from {{ ref('int_charges_unioned') }} as charges
