{#- Text as ASCII for a FOCUS column whose StringHandling the validator checks (ServiceName-C-002-M: ASCII
    only): accents stripped ('é' -> 'e'), trademark signs dropped ('Red Hat® OpenShift®' -> 'Red Hat OpenShift'),
    any other non-ASCII character removed, spaces collapsed. -#}
{% macro focus_ascii(value) -%}
    {{ return(adapter.dispatch('focus_ascii')(value)) }}
{%- endmacro %}
{% macro default__focus_ascii(value) -%}
nullif(trim(regexp_replace(regexp_replace(strip_accents({{ value }}), '[^\x{01}-\x{7F}]', '', 'g'), '\s{2,}', ' ', 'g')), '')
{%- endmacro %}
{% macro spark__focus_ascii(value) -%}
nullif(trim({{ regex_replace_all(regex_replace_all(strip_accents_text(value), '[^\\x{01}-\\x{7F}]', ''), '\\s{2,}', ' ') }}), '')
{%- endmacro %}

{#- Text without diacritics ('é' -> 'e'). Spark has no strip_accents: there the Latin letters with diacritics
    (U+00C0-U+024F whose canonical decomposition is an ASCII letter and combining marks; generated with Python's
    unicodedata.normalize('NFD')) are translated to their base letter; other characters are kept, as on DuckDB. -#}
{% macro strip_accents_text(value) -%}
    {{ return(adapter.dispatch('strip_accents_text')(value)) }}
{%- endmacro %}
{% macro default__strip_accents_text(value) -%}strip_accents({{ value }}){%- endmacro %}
{% macro spark__strip_accents_text(value) -%}
translate({{ value }}, 'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ', 'AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy')
{%- endmacro %}

{#- A Jinja value as a SQL literal: none -> null, numbers as they are, anything else a quoted string (sql_string). -#}
{% macro sql_literal(value) -%}
{%- if value is none -%}null{%- elif value is number and value is not sameas true and value is not sameas false -%}{{ value }}{%- else -%}{{ sql_string(value | string) }}{%- endif -%}
{%- endmacro %}

{#- Text as a SQL string literal, quotes doubled. DuckDB reads a backslash as itself; Spark SQL reads it as an escape
    character ('\d' is 'd'), so there backslashes are doubled: a regex or LIKE pattern means the same on both. -#}
{% macro sql_string(text) -%}
{%- if target.type == 'spark' -%}
'{{ text | replace("\\", "\\\\") | replace("'", "''") }}'
{%- else -%}
'{{ text | replace("'", "''") }}'
{%- endif -%}
{%- endmacro %}
