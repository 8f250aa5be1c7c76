{#- Spark only (the `spark` target, `make test-spark`): what dbt-spark's own macros get wrong for this project. -#}

{#- Seeds as SQL literals. dbt-spark's session method binds seed values by quoting their text (None becomes the
    string 'None', a quote in a value breaks the statement) and turns numbers into floats (a DECIMAL(38,10) price
    rounded through a double). Here every value is written as its own literal cast to the column's type: empty cells
    are null, numbers keep their digits, text is escaped (sql_string). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }}){{ ", " if not loop.last }}
                {%- endfor -%}){{ "," if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is number -%}{{ sql_string(value | string) }}
    {%- elif value.isoformat is defined -%}{{ sql_string(value.isoformat()) }}
    {%- else -%}{{ sql_string(value) }}
    {%- endif -%}
{%- endmacro %}
