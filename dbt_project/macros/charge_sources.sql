{#- The staging models that feed the FOCUS charge record (one per export family). Adding a provider: add its
    staging model here; int_charges_unioned and the conservation test pick it up. -#}
{% macro focus_charge_sources() -%}
{{ return([
    'stg_aws_cur__line_items',
    'stg_azure_cost_details__cost_details',
    'stg_gcp_billing__billing_export_rows',
    'stg_focus_exports__focus_rows',
    'int_ai_api_charges',
    'int_saas_charges',
]) }}
{%- endmacro %}
