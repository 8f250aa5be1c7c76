{#- ColumnHandling (column_handling.md) on the FOCUS export: every FOCUS 1.2 column is there; every other column
    is prefixed x_ and comes after all FOCUS columns. FOCUS columns: the one list (macros/focus_columns.sql). -#}
{%- set rel = ref('focus_cost_and_usage') -%}
{%- set focus_13 = focus_13_column_ids() -%}
with actual as (
    select column_name, ordinal_position
    from information_schema.columns
    where table_catalog = '{{ rel.database }}' and table_schema = '{{ rel.schema }}'
        and table_name = '{{ rel.identifier }}'
),

focus as (
    select column_name, focus_version
    from (values
        {%- for _, focus_id, _ in focus_charge_columns() if not focus_id.startswith('x_') %}
        ('{{ focus_id }}', '{{ "1.3" if focus_id in focus_13 else "1.2" }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as f (column_name, focus_version)
),

custom as (
    select actual.column_name, actual.ordinal_position
    from actual
    left join focus on actual.column_name = focus.column_name
    where focus.column_name is null
),

last_focus as (
    select max(actual.ordinal_position) as ordinal_position
    from actual
    inner join focus on actual.column_name = focus.column_name
)

select 'missing FOCUS 1.2 column' as violation, focus.column_name
from focus
left join actual on focus.column_name = actual.column_name
where focus.focus_version = '1.2' and actual.column_name is null

union all

select 'custom column not prefixed x_' as violation, column_name
from custom
where left(column_name, 2) <> 'x_'

union all

select 'custom column before a FOCUS column' as violation, custom.column_name
from custom
cross join last_focus
where custom.ordinal_position < last_focus.ordinal_position
