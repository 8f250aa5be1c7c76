{#- Incremental by delivery: an (export, billing period) is reprocessed when its rows in the source were
    ingested after the copy in this model (a new or re-delivered period), and only then. Providers restate
    whole periods, so the target's rows for those periods are replaced (delete+insert on the same key).
    Portable SQL (exists + group by), no tuple-IN. -#}
{% macro changed_periods_filter(source_relation, alias) -%}
exists (
    select 1
    from (
        select s.x_export_id, s.x_billing_period
        from (
            select x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
            from {{ source_relation }}
            group by x_export_id, x_billing_period
        ) as s
        left join (
            select x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
            from {{ this }}
            group by x_export_id, x_billing_period
        ) as t
            on s.x_export_id = t.x_export_id and s.x_billing_period = t.x_billing_period
        where t.ingested_at is null or s.ingested_at > t.ingested_at
    ) as changed
    where changed.x_export_id = {{ alias }}.x_export_id
      and changed.x_billing_period = {{ alias }}.x_billing_period
)
{%- endmacro %}

{#- Post-hook of incremental delivery models: remove (export, period) keys that no longer exist in any source
    model, e.g. when a re-delivery or a newly arrived companion export supersedes an earlier one. -#}
{% macro delete_vanished_periods(models) -%}
{%- if is_incremental() %}
delete from {{ this }}
where not exists (
    {%- for m in models %}
    select 1 from {{ ref(m) }} as s
    where s.x_export_id = {{ this }}.x_export_id and s.x_billing_period = {{ this }}.x_billing_period
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)
{%- else %}
select 1
{%- endif %}
{%- endmacro %}
