{#- Incremental by delivery. An (export, billing period) is rebuilt when its rows in the raw table were ingested
    after the copy in this model (a new or re-delivered period), and only then. Providers restate whole periods,
    so the model's rows for those keys are replaced.

    The changed keys come from the raw tables' key columns (x_export_id, x_billing_period, x_ingested_at), never
    from the staging views (which would re-run the whole staging SQL just to find them). A source whose staging
    output for a key depends on other exports of the same billing period (Azure pairs ActualCost and
    AmortizedCost exports and stamps each row with the pair's latest ingestion) is compared per billing period:
    any newer delivery in the period rebuilds every export of that source in that period.

    * `stale_keys_sql(specs)`: the raw (export, period) keys to rebuild, with the index of their source spec
      (every key of a small source listed in incremental_rebuild_always_models).
    * `incremental_key_filter(specs, i, alias)`: the WHERE condition for source spec i, with the keys inlined as
      constants (computed once when the model is compiled, before its pre-hook runs) so that the filter is
      pushed down into the staging view's scans; falls back to the SQL form for very many keys.
    * `delete_stale_periods(specs)` (pre-hook): deletes the model's rows of the keys to rebuild and of keys no
      longer in any raw table; the model then inserts the rebuilt keys. Keys whose staging output is now empty
      (e.g. Azure actual-cost rows superseded once the amortized twin arrives) therefore vanish too.
    Portable SQL (left join, group by, exists, no tuple-IN). Specs come from `charge_source_specs(models)`. -#}

{#- Staging models whose output for an (export, period) depends on the other exports of the billing period. -#}
{% macro incremental_by_period_models() -%}
{{ return(['stg_azure_cost_details__cost_details']) }}
{%- endmacro %}

{#- Small sources rebuilt on every run (all their keys are stale): their rows depend on reference data as well
    as on deliveries (int_saas_charges: which vendor's invoices become FOCUS rows follows the contracts and the
    vendor catalogue seeds), so a seed change must reach int_charges_unioned without a --full-refresh. A restated
    invoice would be caught by its newer x_ingested_at anyway. Only for sources of a few thousand rows. -#}
{% macro incremental_rebuild_always_models() -%}
{{ return(['int_saas_charges']) }}
{%- endmacro %}

{#- One spec per staging model: its raw tables (the dbt sources it reads, from the graph, so no list to keep in
    sync) and whether it is compared per billing period. Raw tables are resolved when executing only. -#}
{% macro charge_source_specs(models) -%}
{%- set specs = [] %}
{%- for m in models %}
    {%- set spec = {'model': m, 'by_period': m in incremental_by_period_models(),
                    'rebuild_always': m in incremental_rebuild_always_models(), 'raw': []} %}
    {%- if execute %}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == m %}
            {%- for dep in node.depends_on.nodes if dep.startswith('source.') %}
                {%- do spec['raw'].append(graph.sources[dep].relation_name) %}
            {%- endfor %}
            {%- if not spec['raw'] %}{% do spec['raw'].append(ref(m)) %}{% endif %}
        {%- endfor %}
    {%- endif %}
    {%- do specs.append(spec) %}
{%- endfor %}
{{ return(specs) }}
{%- endmacro %}

{% macro _raw_keys_sql(spec) -%}
select x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
from (
    {%- for rel in spec['raw'] %}
    select x_export_id, x_billing_period, x_ingested_at from {{ rel }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
) as raw_rows
group by x_export_id, x_billing_period
{%- endmacro %}

{% macro stale_keys_sql(specs) -%}
{%- for spec in specs %}
{%- set i = loop.index0 %}
select {{ i }} as spec_index, r.x_export_id, r.x_billing_period
from ({{ _raw_keys_sql(spec) }}) as r
{%- if spec.get('rebuild_always') %}
{#- every current key: rebuilt on every run #}
{%- elif spec.get('by_period') %}
where r.x_billing_period in (
    select rp.x_billing_period
    from (
        select x_billing_period, max(ingested_at) as ingested_at
        from ({{ _raw_keys_sql(spec) }}) as rk
        group by x_billing_period
    ) as rp
    left join (
        select t.x_billing_period, max(t.x_ingested_at) as ingested_at
        from {{ this }} as t
        where t.x_export_id in (select rx.x_export_id from ({{ _raw_keys_sql(spec) }}) as rx)
        group by t.x_billing_period
    ) as tp
        on rp.x_billing_period = tp.x_billing_period
    where tp.ingested_at is null or rp.ingested_at > tp.ingested_at
)
{%- else %}
left join (
    select x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ this }}
    group by x_export_id, x_billing_period
) as t
    on r.x_export_id = t.x_export_id and r.x_billing_period = t.x_billing_period
where t.ingested_at is null or r.ingested_at > t.ingested_at
{%- endif %}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endmacro %}

{#- A Jinja value as a SQL literal: null, a number as is, anything else as a quoted string. -#}
{% macro _sql_literal(value) -%}
{%- if value is none -%}null{%- elif value is number and value is not sameas true and value is not sameas false -%}{{ value }}{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{#- The stale keys per spec index, queried once per compilation (cached in the model's context). -#}
{% macro _stale_keys_by_spec(specs) %}
{%- set by_spec = {} %}
{%- if execute %}
    {%- set res = run_query(stale_keys_sql(specs)) %}
    {%- for row in res.rows %}
        {%- do by_spec.setdefault(row[0] | int, []).append([row[1], row[2]]) %}
    {%- endfor %}
{%- endif %}
{{ return(by_spec) }}
{% endmacro %}

{% macro incremental_key_filter(specs, stale, i, alias, max_keys=500) -%}
{%- set spec = specs[i] %}
{%- set keys = stale.get(i, []) %}
{%- if not execute -%}
1 = 1
{%- elif keys | length == 0 -%}
1 = 0
{%- elif keys | length > max_keys -%}
exists (
    select 1 from ({{ stale_keys_sql(specs) }}) as k
    where k.spec_index = {{ i }}
      and k.x_export_id = {{ alias }}.x_export_id and k.x_billing_period = {{ alias }}.x_billing_period
)
{%- elif spec.get('by_period') -%}
{%- set periods = keys | map(attribute=1) | unique | list -%}
{{ alias }}.x_billing_period in ({% for p in periods %}{{ _sql_literal(p) }}{{ ", " if not loop.last }}{% endfor %})
{%- else -%}
{%- set exports = keys | map(attribute=0) | unique | list -%}
{%- set periods = keys | map(attribute=1) | unique | list -%}
{{ alias }}.x_export_id in ({% for e in exports %}{{ _sql_literal(e) }}{{ ", " if not loop.last }}{% endfor %})
    and {{ alias }}.x_billing_period in ({% for p in periods %}{{ _sql_literal(p) }}{{ ", " if not loop.last }}{% endfor %})
    and ({% for k in keys %}({{ alias }}.x_export_id = {{ _sql_literal(k[0]) }} and {{ alias }}.x_billing_period = {{ _sql_literal(k[1]) }}){{ " or " if not loop.last }}{% endfor %})
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_periods(specs) -%}
{%- if is_incremental() %}
delete from {{ this }}
where exists (
    select 1 from ({{ stale_keys_sql(specs) }}) as k
    where k.x_export_id = {{ this }}.x_export_id and k.x_billing_period = {{ this }}.x_billing_period
)
or not exists (
    {%- for spec in specs %}
    select 1 from ({{ _raw_keys_sql(spec) }}) as r
    where r.x_export_id = {{ this }}.x_export_id and r.x_billing_period = {{ this }}.x_billing_period
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)
{%- else %}
select 1
{%- endif %}
{%- endmacro %}
