{#- Text as ASCII for a FOCUS column whose StringHandling the validator checks (ServiceName-C-002-M: ASCII
    only): accents stripped ('é' -> 'e'), trademark signs dropped ('Red Hat® OpenShift®' -> 'Red Hat OpenShift'),
    any other non-ASCII character removed, spaces collapsed. -#}
{% macro focus_ascii(value) -%}
nullif(trim(regexp_replace(regexp_replace(strip_accents({{ value }}), '[^\x{01}-\x{7F}]', '', 'g'), '\s{2,}', ' ', 'g')), '')
{%- endmacro %}

{#- A Jinja value as a SQL literal: none -> null, numbers as they are, anything else a quoted string ('' escaped). -#}
{% macro sql_literal(value) -%}
{%- if value is none -%}null{%- elif value is number and value is not sameas true and value is not sameas false -%}{{ value }}{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
