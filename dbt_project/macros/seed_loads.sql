{#- What each seed table holds, for `finops load` (orchestration/lib/dbt.py stale_seeds), which re-seeds only the
    seeds whose file or column types changed since they were last loaded into this warehouse. Every seed run (dbt
    seed, dbt build, `finops run`, `finops load`) records itself: dbt's checksum of the file and the column types.
    A seed that failed records nothing (its old row stays, so it no longer matches and is loaded again).
    DuckDB only: a Spark build re-seeds every run (`finops load` is the DuckDB path). -#}
{% macro create_seed_loads() -%}
{%- if target.type == 'duckdb' %}
    create schema if not exists dbt_state;
    create table if not exists dbt_state.seed_loads (
        seed_relation varchar primary key,  -- schema.table
        checksum varchar not null,
        column_types varchar not null,
        loaded_at timestamp with time zone not null
    )
{%- endif %}
{%- endmacro %}

{% macro record_seed_load() -%}
{%- if target.type == 'duckdb' %}
    insert or replace into dbt_state.seed_loads values (
        {{ dbt.string_literal(this.schema ~ '.' ~ this.identifier) }},
        {{ dbt.string_literal(model.checksum.checksum) }},
        {{ dbt.string_literal(tojson(model.config.column_types or {})) }},
        current_timestamp
    )
{%- endif %}
{%- endmacro %}
