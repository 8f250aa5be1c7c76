{#- Incremental by delivery for int_charges_unioned. An (export, billing period) is rebuilt when its raw rows were
    ingested after the copy in the model (a new or re-delivered period), and only then; providers restate whole
    periods, so the model's rows for those keys are replaced. The keys of every source and when each source is
    rebuilt (key / period / always) are the model int_charge_source_keys; these macros take it and the target
    as explicit relations.

    * `charge_keys_to_rebuild(source_keys, target)`: runs the comparison and returns the keys to rebuild as rows
      (charge_source, rebuild_by, x_export_id, x_billing_period). The model calls it when it is compiled (before
      its pre-hook runs), so that the keys are inlined as constants and reach the staging views' raw scans.
    * `charge_key_filter(keys, charge_source, alias)`: the WHERE condition of one source's CTE (an expression).
    * `delete_stale_charge_keys(target, source_keys)` (pre-hook): deletes the model's rows of the keys to rebuild
      and of keys no longer in any raw table; the model then inserts the rebuilt keys. Keys whose mapping output
      is now empty (e.g. Azure actual-cost rows superseded once the amortized twin arrives) therefore vanish. -#}

{% macro charge_keys_to_rebuild(source_keys, target) -%}
{%- if not execute %}{{ return([]) }}{% endif %}
{%- set query %}
with

delivered as (
    select charge_source, rebuild_by, x_export_id, x_billing_period, ingested_at from {{ source_keys }}
),

copied as (
    select x_export_id, x_billing_period, max(x_ingested_at) as ingested_at
    from {{ target }}
    group by x_export_id, x_billing_period
),

-- sources rebuilt per billing period: a period is stale when any export of the source was delivered in it after
-- the latest copy of the source's exports in that period
delivered_periods as (
    select charge_source, x_billing_period, max(ingested_at) as ingested_at
    from delivered
    where rebuild_by = 'period'
    group by charge_source, x_billing_period
),

copied_periods as (
    select exports.charge_source, copied.x_billing_period, max(copied.ingested_at) as ingested_at
    from copied
    inner join (select distinct charge_source, x_export_id from delivered where rebuild_by = 'period') as exports
        on copied.x_export_id = exports.x_export_id
    group by exports.charge_source, copied.x_billing_period
),

stale_periods as (
    select delivered_periods.charge_source, delivered_periods.x_billing_period
    from delivered_periods
    left join copied_periods
        on delivered_periods.charge_source = copied_periods.charge_source
       and delivered_periods.x_billing_period = copied_periods.x_billing_period
    where copied_periods.ingested_at is null or delivered_periods.ingested_at > copied_periods.ingested_at
)

select delivered.charge_source, delivered.rebuild_by, delivered.x_export_id, delivered.x_billing_period
from delivered
left join copied
    on delivered.x_export_id = copied.x_export_id and delivered.x_billing_period = copied.x_billing_period
left join stale_periods
    on delivered.charge_source = stale_periods.charge_source
   and delivered.x_billing_period = stale_periods.x_billing_period
where delivered.rebuild_by = 'always'
   or (delivered.rebuild_by = 'key' and (copied.ingested_at is null or delivered.ingested_at > copied.ingested_at))
   or (delivered.rebuild_by = 'period' and stale_periods.x_billing_period is not null)
{%- endset %}
{%- set keys = [] %}
{%- for row in run_query(query).rows %}
    {%- do keys.append([row[0], row[1], row[2], row[3]]) %}
{%- endfor %}
{{ return(keys) }}
{%- endmacro %}


{#- The keys as an inline table (x_export_id, x_billing_period). -#}
{% macro charge_keys_values(keys) -%}
(values {% for k in keys %}({{ sql_literal(k[2]) }}, {{ sql_literal(k[3]) }}){{ ", " if not loop.last }}{% endfor %}) as k (x_export_id, x_billing_period)
{%- endmacro %}

{#- One source's rows to read: its keys to rebuild, as constants (IN lists the scans can use); a semi-join on the
    inline key table beyond max_keys keys. -#}
{% macro charge_key_filter(keys, charge_source, alias, max_keys=500) -%}
{%- set own = keys | selectattr(0, 'equalto', charge_source) | list -%}
{%- if not execute -%}
1 = 1
{%- elif own | length == 0 -%}
1 = 0
{%- elif own | length > max_keys -%}
exists (
    select 1 from {{ charge_keys_values(own) }}
    where k.x_export_id = {{ alias }}.x_export_id and k.x_billing_period = {{ alias }}.x_billing_period
)
{%- elif own[0][1] == 'period' -%}
{%- set periods = own | map(attribute=3) | unique | list -%}
{{ alias }}.x_billing_period in ({% for p in periods %}{{ sql_literal(p) }}{{ ", " if not loop.last }}{% endfor %})
{%- else -%}
{%- set exports = own | map(attribute=2) | unique | list -%}
{%- set periods = own | map(attribute=3) | unique | list -%}
{{ alias }}.x_export_id in ({% for e in exports %}{{ sql_literal(e) }}{{ ", " if not loop.last }}{% endfor %})
    and {{ alias }}.x_billing_period in ({% for p in periods %}{{ sql_literal(p) }}{{ ", " if not loop.last }}{% endfor %})
    and ({% for k in own %}({{ alias }}.x_export_id = {{ sql_literal(k[2]) }} and {{ alias }}.x_billing_period = {{ sql_literal(k[3]) }}){{ " or " if not loop.last }}{% endfor %})
{%- endif -%}
{%- endmacro %}

{% macro delete_stale_charge_keys(target, source_keys) -%}
{%- if is_incremental() %}
{%- set keys = charge_keys_to_rebuild(source_keys, target) %}
delete from {{ target }}
where not exists (
    select 1 from {{ source_keys }} as r
    where r.x_export_id = {{ target }}.x_export_id and r.x_billing_period = {{ target }}.x_billing_period
)
{%- if keys %}
or exists (
    select 1 from {{ charge_keys_values(keys) }}
    where k.x_export_id = {{ target }}.x_export_id and k.x_billing_period = {{ target }}.x_billing_period
)
{%- endif %}
{%- else %}
select 1
{%- endif %}
{%- endmacro %}
