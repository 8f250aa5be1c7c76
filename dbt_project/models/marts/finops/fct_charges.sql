{{ config(materialized='view', meta={'dagster': {'owners': ['team:finops']}}) }}
{#- The FOCUS charge record with snake_case column names: one row per charge from every provider.
    Columns: the FOCUS record (macros/focus_columns.sql), with InvoiceId completed by the provisional invoice
    id where the provider has not issued one yet, then mart-level x_ columns. -#}
select
    {%- for name, _, kind in focus_charge_columns() %}
    {%- if name == 'invoice_id' %}
    coalesce(charges.invoice_id, {{ provisional_invoice_id('charges') }}) as invoice_id,
    {%- else %}
    charges.{{ name }},
    {%- endif %}
    {%- endfor %}
    charges.invoice_id is null as x_invoice_id_provisional
from {{ ref('int_charges_unioned') }} as charges
