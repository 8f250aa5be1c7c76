{#- InvoiceId for every charge. Providers fill it once the month is invoiced (AWS bill_invoice_id, MCA invoiceId);
    before that, and for sources that never carry it (Azure EA cost details, the GCP standard export, FOCUS 1.0
    exports), the charge belongs to the provider's provisional invoice for that billing account and period, whose
    id is derived deterministically: "<ProviderName>/provisional/<BillingAccountId>/<YYYY-MM>". FOCUS 1.2 allows
    pre-generated provisional invoice ids; x_invoice_id_provisional tells them apart from issued ones. -#}
{% macro provisional_invoice_id(alias) -%}
    {{ dbt.concat([alias ~ ".provider_name", "'/provisional/'", alias ~ ".billing_account_id", "'/'", alias ~ ".x_billing_period"]) }}
{%- endmacro %}
