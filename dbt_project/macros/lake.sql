{#- The raw sources on Spark: one table per dbt source a model reads, over its folder of the Parquet lake
    ($FINOPS_LAKE, written by `finops lake`: ingestion/_common/lake.py), re-created at the start of every run so
    that each run reads the lake's current files. recursiveFileLookup: the partition folders are a layout, not
    columns (every column, the replacement key included, is in the files). -#}
{% macro register_lake_sources() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- set lake = env_var('FINOPS_LAKE', '') -%}
        {%- if not lake -%}
            {{ exceptions.raise_compiler_error("The spark target reads the raw layer from the Parquet lake: set FINOPS_LAKE to its folder (write it with `finops lake`).") }}
        {%- endif -%}
        {#- the sources a model reads (a source declared for documentation only, such as a deliveries log that
            exists once the first delivery is loaded, need not be in the lake) -#}
        {%- set used = [] -%}
        {%- for n in graph.nodes.values() if n.resource_type == 'model' -%}
            {%- for dep in n.depends_on.nodes if dep.startswith('source.') -%}{%- do used.append(dep) -%}{%- endfor -%}
        {%- endfor -%}
        {%- set schemas = [] -%}
        {%- for node in graph.sources.values() if node.unique_id in used -%}
            {%- if node.schema not in schemas -%}
                {%- do schemas.append(node.schema) -%}
                {%- do run_query('create schema if not exists ' ~ node.schema) -%}
            {%- endif -%}
            {%- do run_query('drop table if exists ' ~ node.schema ~ '.' ~ node.identifier) -%}
            {%- do run_query(
                'create table ' ~ node.schema ~ '.' ~ node.identifier ~ ' using parquet options (path '
                ~ dbt.string_literal(lake ~ '/' ~ node.schema ~ '/' ~ node.identifier)
                ~ ', recursiveFileLookup \'true\')'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
