{#- AI inventory (marts.dim_ai_workloads): which charge lines of the FOCUS record are which AI workload. Used on
    fct_charges, int_cost_tagged and fct_cost_allocated rows alike (columns provider_name, billing_account_id,
    sub_account_id, service_name, resource_id, x_source_system), so that owner, product and business unit attach
    to the same workload the cost does. -#}

{#- x_source_system values of model-API usage / cost APIs (workloads: api_project and api_key). -#}
{% macro ai_workload_api_sources() -%}('openai_usage', 'anthropic_usage'){%- endmacro %}

{#- x_source_system values of AI SaaS charges (int_saas_charges: SaaS invoices API, AP-invoiced contracts). -#}
{% macro ai_workload_saas_sources() -%}('saas_invoices', 'finance_ap'){%- endmacro %}

{#- The workload a charge line belongs to (model-API lines: their project or workspace; see
    ai_workload_api_key_id for the key level):
      api_project:<provider>:<organization>/<project>       model-API lines
      saas_subscription:<provider>:<billing account>        AI SaaS lines (customer at the vendor / supplier)
      cloud_resource:<provider>:<resource id>               cloud lines with a ResourceId
      cloud_resource:<provider>:<account>/<sub-account>/<service>   cloud lines without one (e.g. GCP exports). -#}
{% macro ai_workload_id(a) -%}
case
    when {{ a }}.x_source_system in {{ ai_workload_api_sources() }}
        then {{ dbt.concat(["'api_project:'", a ~ '.provider_name', "':'", "coalesce(" ~ a ~ ".billing_account_id, '-')", "'/'", "coalesce(" ~ a ~ ".sub_account_id, '-')"]) }}
    when {{ a }}.x_source_system in {{ ai_workload_saas_sources() }}
        then {{ dbt.concat(["'saas_subscription:'", a ~ '.provider_name', "':'", "coalesce(" ~ a ~ ".billing_account_id, '-')"]) }}
    when {{ a }}.resource_id is not null
        then {{ dbt.concat(["'cloud_resource:'", a ~ '.provider_name', "':'", a ~ '.resource_id']) }}
    else {{ dbt.concat(["'cloud_resource:'", a ~ '.provider_name', "':'", "coalesce(" ~ a ~ ".billing_account_id, '-')", "'/'", "coalesce(" ~ a ~ ".sub_account_id, '-')", "'/'", "coalesce(" ~ a ~ ".service_name, '-')"]) }}
end
{%- endmacro %}

{#- The API-key workload of a model-API line (api_key:<provider>:<organization>/<key id>), null for other lines and
    for model-API lines without a key. -#}
{% macro ai_workload_api_key_id(a) -%}
case
    when {{ a }}.x_source_system in {{ ai_workload_api_sources() }} and {{ a }}.resource_id is not null
        then {{ dbt.concat(["'api_key:'", a ~ '.provider_name', "':'", "coalesce(" ~ a ~ ".billing_account_id, '-')", "'/'", a ~ '.resource_id']) }}
end
{%- endmacro %}

{#- Whether a charge line is a GPU compute line: its SkuMeter or usage type (lower case, joined with a blank) matches a
    pattern of `patterns`, the model's seed gpu_meter_patterns (a ref, or a CTE selecting its pattern column). -#}
{% macro ai_workload_is_gpu(a, patterns) -%}
{%- set meter = "lower(" ~ dbt.concat(["coalesce(" ~ a ~ ".sku_meter, '')", "' '", "coalesce(" ~ a ~ ".x_usage_type, '')"]) ~ ")" -%}
exists (select 1 from {{ patterns }} as gpu where {{ meter }} like gpu.pattern)
{%- endmacro %}
