{#- Expressions of int_focus_exports__focus_charges (DuckDB SQL: regular expressions, JSON, strptime). -#}

{#- Text as FOCUS wants it: trimmed, NULL for '' and placeholders ('null', 'N/A', ...). The placeholder list
    is ingestion/focus_exports/settings.py NULL_PLACEHOLDERS. -#}

{#- DuckDB turns long IN lists into joins (one per column: slow to plan); a regex is one expression. -#}
{% macro focus_exports_clean_text(expr) -%}
    nullif({{ regex_replace_first('trim(' ~ expr ~ ')', '^(?i:null|n/a|none|nil|#n/a|not applicable|<null>)$', '') }}, '')
{%- endmacro %}

{#- A delivered date/time (text, already cleaned with focus_exports_clean_text: the expression is repeated, so
    pass a column) as a UTC timestamp. Shapes (same as the ingestion check in
    ingestion/focus_exports/helpers.py, which rejects anything else; keep both in step):
    M/D/YY or M/D/YYYY [H:MM[:SS]] (US order, FOCUS spec SaaS samples); ISO 8601 with or without zone
    (converted to UTC); ISO without seconds or with an hour up to 47 (rolled over into the next day). -#}

{% macro focus_exports_parse_timestamp(expr) -%}
    {{ return(adapter.dispatch('focus_exports_parse_timestamp')(expr)) }}
{%- endmacro %}
{% macro default__focus_exports_parse_timestamp(expr) -%}
    {%- set v = expr -%}
    {%- set mdy = '^\\d{1,2}/\\d{1,2}/(\\d{2}|\\d{4})( \\d{1,2}:\\d{2}(:\\d{2})?)?$' -%}
    {%- set loose = '^(\\d{4}-\\d{2}-\\d{2})[T ]([01]?\\d|2\\d|3\\d|4[0-7]):([0-5]\\d)(:([0-5]\\d)(\\.\\d+)?)?\\s*(Z|UTC|[+-]00:?00)?$' -%}
    (case
        when {{ v }} is null then null
        when regexp_full_match({{ v }}, '{{ mdy }}')
            then try_strptime({{ v }}, ['%m/%d/%y', '%m/%d/%Y', '%m/%d/%y %H:%M', '%m/%d/%Y %H:%M', '%m/%d/%y %H:%M:%S', '%m/%d/%Y %H:%M:%S'])
        when try_cast({{ v }} as timestamptz) is not null
            then cast(timezone('UTC', try_cast({{ v }} as timestamptz)) as timestamp)
        when regexp_full_match({{ v }}, '{{ loose }}')
            then cast(cast(regexp_extract({{ v }}, '{{ loose }}', 1) as date) as timestamp)
                + to_hours(cast(regexp_extract({{ v }}, '{{ loose }}', 2) as bigint))
                + to_minutes(cast(regexp_extract({{ v }}, '{{ loose }}', 3) as bigint))
                + to_seconds(coalesce(try_cast(nullif(regexp_extract({{ v }}, '{{ loose }}', 5), '') as bigint), 0))
    end)
{%- endmacro %}
{#- Spark: the US dates from their parts (make_timestamp; a two-digit year 69-99 is 19xx, 00-68 20xx, as DuckDB's
    %y; an impossible date is null, as try_strptime), ISO text by cast (null when it does not parse, non-ANSI),
    the loose ISO shape as date + hours, minutes, seconds. -#}
{% macro spark__focus_exports_parse_timestamp(expr) -%}
    {%- set v = expr -%}
    {%- set mdy = '^\\d{1,2}/\\d{1,2}/(\\d{2}|\\d{4})( \\d{1,2}:\\d{2}(:\\d{2})?)?$' -%}
    {%- set loose = '^(\\d{4}-\\d{2}-\\d{2})[T ]([01]?\\d|2\\d|3\\d|4[0-7]):([0-5]\\d)(:([0-5]\\d)(\\.\\d+)?)?\\s*(Z|UTC|[+-]00:?00)?$' -%}
    {%- set year = "cast(" ~ regex_group(v, '^\\d{1,2}/\\d{1,2}/(\\d{2}|\\d{4})', 1) ~ " as int)" -%}
    {%- set part = "coalesce(cast(nullif(%s, '') as int), 0)" -%}
    (case
        when {{ v }} is null then null
        when {{ regex_full(v, mdy) }}
            then make_timestamp(
                case when {{ year }} >= 100 then {{ year }} when {{ year }} >= 69 then 1900 + {{ year }} else 2000 + {{ year }} end,
                cast({{ regex_group(v, '^(\\d{1,2})/', 1) }} as int),
                cast({{ regex_group(v, '^\\d{1,2}/(\\d{1,2})/', 1) }} as int),
                {{ part | format(regex_group(v, ' (\\d{1,2}):', 1)) }},
                {{ part | format(regex_group(v, ' \\d{1,2}:(\\d{2})', 1)) }},
                {{ part | format(regex_group(v, ' \\d{1,2}:\\d{2}:(\\d{2})$', 1)) }})
        when cast({{ v }} as timestamp) is not null
            then cast({{ v }} as timestamp)
        when {{ regex_full(v, loose) }}
            then cast(cast({{ regex_group(v, loose, 1) }} as date) as timestamp)
                + make_dt_interval(0, cast({{ regex_group(v, loose, 2) }} as int), cast({{ regex_group(v, loose, 3) }} as int),
                                   {{ part | format(regex_group(v, loose, 5)) }})
    end)
{%- endmacro %}

{#- A unit in FOCUS UnitFormat (unit_format.md; focus-validator's FormatUnit pattern) where a delivered spelling
    differs only in form; the delivered text is kept in x_source_values by int_focus_exports__focus_charges.
    Rules, in order:
    * thousands separators in the block size: '10,000 Transactions' -> '10000 Transactions';
    * a product prefix before a data-size compound: 'Lambda-GB-Second' -> 'GB-Seconds';
    * abbreviated or singular time units after '-': 'GB-Mo' -> 'GB-Months', 'Instance-Hrs' -> 'Instance-Hours',
      'GB-Day' -> 'GB-Days', and a bare 'Hrs' / 'Hr' -> 'Hours';
    * a data-size rate held over time (AWS 'GiB/Second-Months', provisioned throughput): '<size>/Second-<times>'
      reads "<size> per second, per <time>", which the 1.2 formats (<units>, <unit>-<plural-time>,
      <units>/<singular-time>) cannot say with a slash; it is written '<size>ps-<times>' ('GiBps-Months', the
      <singular-unit>-<plural-time-units> form with the provider's own throughput unit, as AWS prices EFS
      provisioned throughput in "MBps-Mo"). 'GiB-Second-Months' would be a different quantity (GiB x s x months).
    Anything else is kept as delivered. -#}

{% macro focus_exports_unit(expr) -%}
    {%- set size = '(b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB)' -%}
    {%- set ns = namespace(out=focus_exports_clean_text(expr)) -%}
    {%- for pattern, replacement in [
            ('^(\\d{1,3}),(\\d{3}),(\\d{3}) ', '\\1\\2\\3 '),
            ('^(\\d{1,3}),(\\d{3}) ', '\\1\\2 '),
            ('^[A-Za-z]+-' ~ size ~ '-', '\\1-'),
            ('-(Mo|Mos|Mon|Mons|Month)$', '-Months'),
            ('-(Hr|Hrs|Hour)$', '-Hours'),
            ('-(Day)$', '-Days'),
            ('-(Sec|Secs|Second)$', '-Seconds'),
            ('^(Hr|Hrs)$', 'Hours'),
            ('^' ~ size ~ '/Second-(Years|Months|Days|Hours|Minutes|Seconds)$', '\\1ps-\\2')] -%}
        {%- set ns.out = regex_replace_first(ns.out, pattern, replacement) -%}
    {%- endfor -%}
    {{ ns.out }}
{%- endmacro %}

{#- Key for matching a legal entity's name (seed focus_exports__provider_entities): lower case, accents removed,
    every run of punctuation or blanks one space ('Amazon Web Services Canada, Inc.' = 'amazon web services
    canada inc', 'AWS Serviços Brasil Ltda.' = 'aws servicos brasil ltda'). -#}

{% macro focus_exports_entity_key(expr) -%}
    trim({{ regex_replace_all('lower(' ~ strip_accents_text('trim(' ~ expr ~ ')') ~ ')', '[^a-z0-9]+', ' ') }})
{%- endmacro %}

{#- x_source_values: a JSON object of the delivered values the mapping replaced, keyed by FOCUS column ID; a
    JSON null when the export left the column empty and the record's value was derived; NULL when nothing was
    replaced. pairs: list of (FOCUS column ID, delivered expression, record expression). -#}

{% macro focus_exports_source_values(pairs) -%}
    nullif('{' || concat_ws(','
    {%- for key, delivered, record in pairs %},
        case when ({{ delivered }}) is distinct from ({{ record }})
            then '"{{ key }}":' || coalesce({{ json_string_text(delivered) }}, 'null') end
    {%- endfor %}
    ) || '}', '{}')
{%- endmacro %}

{#- JSON text kept only when it is a JSON object (FOCUS KeyValueFormat for Tags, SkuPriceDetails). -#}

{% macro focus_exports_json_object(expr) -%}
    {{ return(adapter.dispatch('focus_exports_json_object')(expr)) }}
{%- endmacro %}
{% macro default__focus_exports_json_object(expr) -%}
    (case when json_valid({{ expr }}) then
        case when json_type(cast({{ expr }} as json)) = 'OBJECT' then {{ expr }} end end)
{%- endmacro %}
{% macro spark__focus_exports_json_object(expr) -%}
    (case when schema_of_variant(try_parse_json({{ expr }})) like 'OBJECT%' then {{ expr }} end)
{%- endmacro %}

{#- One key of x_provider_extensions (the export's own x_ columns) as text. -#}

{% macro focus_exports_extension(key, column='x_provider_extensions') -%}
    {{ focus_exports_clean_text(json_member_text(column, key)) }}
{%- endmacro %}

{#- Provider family from the FOCUS ProviderName: 'aws', 'azure', 'gcp', else ProviderName lower-cased; without a
    ProviderName the first folder of the landing path when it names a provider; else 'focus'. -#}
{% macro focus_exports_source_system(provider_expr, export_id_expr) -%}
    (case
        when lower({{ provider_expr }}) in ('aws', 'amazon', 'amazon web services')
          or lower({{ provider_expr }}) like 'amazon web services%' then 'aws'
        when lower({{ provider_expr }}) like '%microsoft%' or lower({{ provider_expr }}) like '%azure%' then 'azure'
        when lower({{ provider_expr }}) like '%google%' or lower({{ provider_expr }}) = 'gcp' then 'gcp'
        when {{ provider_expr }} is not null then lower({{ provider_expr }})
        when lower({{ export_id_expr }}) like 'aws/%' then 'aws'
        when lower({{ export_id_expr }}) like 'azure/%' then 'azure'
        when lower({{ export_id_expr }}) like 'gcp/%' then 'gcp'
        when lower({{ export_id_expr }}) like 'oci/%' then 'oci'
        else 'focus'
    end)
{%- endmacro %}

{#- Key for matching ServiceCategory values: lower case, one trailing 's' dropped ('Database' = 'Databases'). -#}
{% macro focus_exports_category_key(expr) -%}
    (case when lower(trim({{ expr }})) like '%s'
          then substr(lower(trim({{ expr }})), 1, length(trim({{ expr }})) - 1)
          else lower(trim({{ expr }})) end)
{%- endmacro %}
