{{ config(materialized='view', meta={'dagster': {'owners': ['team:finops']}}) }}
{#- The FOCUS charge record with snake_case column names: one row per charge from every provider.
    Columns: the FOCUS record (macros/focus_columns.sql), with InvoiceId completed by the provisional invoice
    id where the provider has not issued one yet, then mart-level x_ columns: the reporting currency
    (var reporting_currency) amounts at the rate of the charge's day (ChargePeriodStart's date) from
    int_fx_rates_daily - one equi-join on (day, currency) against a small table, no aggregation, so the view stays
    cheap at 10M rows and always uses the latest rates (int_charges_unioned stays incremental). A currency and day
    without a usable rate: reporting amounts null, x_fx_rate_missing true (never converted at 0 or 1). -#}
select
    {%- for name, _, kind in focus_charge_columns() %}
    {%- if name == 'invoice_id' %}
    coalesce(charges.invoice_id, {{ provisional_invoice_id('charges') }}) as invoice_id,
    {%- else %}
    charges.{{ name }},
    {%- endif %}
    {%- endfor %}
    charges.invoice_id is null as x_invoice_id_provisional,
    cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as x_reporting_currency,
    {{ to_reporting_currency('charges.billed_cost', 'fx') }} as x_reporting_billed_cost,
    {{ to_reporting_currency('charges.effective_cost', 'fx') }} as x_reporting_effective_cost,
    fx.rate as x_fx_rate,
    fx.rate_as_of_date as x_fx_rate_date,
    fx.rate_source as x_fx_rate_source,
    fx.rate is null as x_fx_rate_missing
from {{ ref('int_charges_unioned') }} as charges
left join {{ ref('int_fx_rates_daily') }} as fx
    on {{ fx_join('fx', 'charges.billing_currency', 'charges.charge_period_start') }}
