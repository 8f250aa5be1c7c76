{#- The as-of day of the waste and commitment models (one row): var waste_as_of_date ('YYYY-MM-DD', a parameter of
    the run), else the latest charge day of the FOCUS record (max ChargePeriodStart) - never current_date, so that a
    rerun on the same data gives the same answer. Ephemeral: inlined into the models that cross join it. -#}
{{ config(materialized='ephemeral') }}

{%- if var('waste_as_of_date', none) %}
select cast('{{ var("waste_as_of_date") }}' as date) as as_of_date
{%- else %}
select cast(max(charge_period_start) as date) as as_of_date
from {{ ref('fct_charges') }}
{%- endif %}
