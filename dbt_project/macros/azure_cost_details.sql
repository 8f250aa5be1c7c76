{#- Azure cost details (EA / MCA) expressions for int_azure__focus_charges (DuckDB SQL: JSON, list functions). -#}

{#- Lower-cased, space-free ChargeType / PricingModel values the cost rules key on (settings.py holds the same). -#}
{% macro azure_unused_charge_types() -%}('unusedreservation', 'unusedsavingsplan'){%- endmacro %}
{% macro azure_purchase_charge_types() -%}('purchase', 'refund'){%- endmacro %}
{% macro azure_commitment_pricing_models() -%}('reservation', 'savingsplan'){%- endmacro %}

{#- Normalise a ChargeType / PricingModel value: lower case, no spaces ('On Demand' = 'OnDemand'). -#}
{% macro azure_norm(expr) -%}
    lower(replace(coalesce({{ expr }}, ''), ' ', ''))
{%- endmacro %}

{#- Tags as a FOCUS KeyValueFormat JSON object, in two steps (the second needs the first as a column).
    1. azure_tags_object: the text as a JSON object or null. EA cost details write the members without the outer
       braces ('"k": "v","k2": "v2"'); MCA writes a JSON object. Wrap when needed (Microsoft's FOCUS conversion:
       "Wrap in { and } if needed"). Empty or unparseable text -> null.
    2. azure_tags_normalize: keep the last value of a duplicated key, turn an empty value (Azure's valueless
       tag) into true (FOCUS Tags: valueless keys MUST be true), serialise nested values as JSON text (FOCUS: no
       nested objects), keys sorted. -#}

{% macro azure_tags_object(expr) -%}
    {{ return(adapter.dispatch('azure_tags_object')(expr)) }}
{%- endmacro %}
{% macro default__azure_tags_object(expr) -%}
    case
        when nullif(trim({{ expr }}), '') is null then null
        when json_valid(case when starts_with(trim({{ expr }}), '{') then trim({{ expr }}) else '{' || trim({{ expr }}) || '}' end)
         and json_type(case when starts_with(trim({{ expr }}), '{') then trim({{ expr }}) else '{' || trim({{ expr }}) || '}' end) = 'OBJECT'
        then case when starts_with(trim({{ expr }}), '{') then trim({{ expr }}) else '{' || trim({{ expr }}) || '}' end
    end
{%- endmacro %}

{#- Spark: a JSON object is text that parses (try_parse_json) to a variant of type OBJECT. -#}
{% macro spark__azure_tags_object(expr) -%}
    {%- set wrapped = "case when startswith(trim(" ~ expr ~ "), '{') then trim(" ~ expr ~ ") else '{' || trim(" ~ expr ~ ") || '}' end" -%}
    case
        when nullif(trim({{ expr }}), '') is null then null
        when schema_of_variant(try_parse_json({{ wrapped }})) like 'OBJECT%' then {{ wrapped }}
    end
{%- endmacro %}

{% macro azure_tags_normalize(obj_expr) -%}
    {{ return(adapter.dispatch('azure_tags_normalize')(obj_expr)) }}
{%- endmacro %}
{% macro default__azure_tags_normalize(obj_expr) -%}
    case when {{ obj_expr }} is not null then (
        select to_json(map_from_entries(list(struct_pack(
                   k := _kv.key,
                   v := case
                       when _kv.val = '""'::json then 'true'::json
                       when json_type(_kv.val) in ('OBJECT', 'ARRAY') then to_json(_kv.val::varchar)
                       else _kv.val
                   end) order by _kv.key)))::varchar
        from (
            select key, last(value order by _rn) as val
            from (select key, value, row_number() over () as _rn from json_each(coalesce({{ obj_expr }}, '{}')))
            group by key
        ) as _kv
    ) end
{%- endmacro %}
{#- Spark: the object as a VARIANT (spark.sql.variant.allowDuplicateKeys: the last value of a duplicated key, keys
    sorted), its members written back as JSON text by hand. -#}
{% macro spark__azure_tags_normalize(obj_expr) -%}
    case when {{ obj_expr }} is not null then concat('{', concat_ws(',', transform(
        map_entries(cast(parse_json({{ obj_expr }}) as map<string, variant>)),
        e -> concat({{ spark_json_string('e.key') }}, ':', case
                when to_json(e.value) = '""' then 'true'
                when schema_of_variant(e.value) like 'OBJECT%' or schema_of_variant(e.value) like 'ARRAY%'
                    then {{ spark_json_string('to_json(e.value)') }}
                else to_json(e.value)
            end))), '}') end
{%- endmacro %}

{#- The ARM resource type of an Azure resource ID, lower-cased: the provider namespace and every resource type
    segment after the last '/providers/' ('/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a/
    databases/b' -> 'microsoft.sql/servers/databases'), as the FinOps toolkit's parse_resourceid does. Null when the
    ID has no provider segment. -#}

{% macro azure_arm_resource_type(expr) -%}
    {{ return(adapter.dispatch('azure_arm_resource_type')(expr)) }}
{%- endmacro %}
{% macro default__azure_arm_resource_type(expr) -%}
    nullif(array_to_string(list_filter(
        string_split(regexp_extract(lower({{ expr }}), '.*/providers/(.*)$', 1), '/'),
        (s, i) -> (i = 1 or i % 2 = 0) and s <> ''
    ), '/'), '')
{%- endmacro %}
{#- Spark: filter's index is 0-based (DuckDB's 1-based); split takes a regex ('/' is literal). -#}
{% macro spark__azure_arm_resource_type(expr) -%}
    nullif(array_join(filter(
        split(regexp_extract(lower({{ expr }}), '.*/providers/(.*)$', 1), '/'),
        (s, i) -> (i = 0 or (i + 1) % 2 = 0) and s <> ''
    ), '/'), '')
{%- endmacro %}

{#- Text value of a top-level key in a JSON text column (AdditionalInfo); null when the text is not JSON. -#}

{% macro azure_json_text(expr, key) -%}
    {{ return(adapter.dispatch('azure_json_text')(expr, key)) }}
{%- endmacro %}
{% macro default__azure_json_text(expr, key) -%}
    case when json_valid({{ expr }}) and json_type({{ expr }}) = 'OBJECT'
         then nullif(json_extract_string({{ expr }}, '$."{{ key }}"'), '') end
{%- endmacro %}
{% macro spark__azure_json_text(expr, key) -%}
    case when schema_of_variant(try_parse_json({{ expr }})) like 'OBJECT%'
         then nullif(get_json_object({{ expr }}, '$.{{ key }}'), '') end
{%- endmacro %}

{#- Last path segment of an ID ('/a/b/c' -> 'c'), ignoring a trailing slash. -#}

{% macro azure_last_segment(expr) -%}
    nullif({{ regex_group(rtrim_chars(expr, '/'), '([^/]*)$', 1) }}, '')
{%- endmacro %}

{#- FOCUS 1.2 ServiceSubcategory allowed values by ServiceCategory (servicesubcategory.md). Microsoft's
    Services.csv uses a few values outside the list ('Quantum', 'Data Transfer'): int_azure__focus_charges maps
    'Quantum' to 'Quantum Compute' and anything else unknown to 'Other (<category>)'. -#}
{% macro focus_service_subcategories() -%}
{{ return({
    'AI and Machine Learning': ['AI Platforms', 'Bots', 'Generative AI', 'Machine Learning', 'Natural Language Processing'],
    'Analytics': ['Analytics Platforms', 'Business Intelligence', 'Data Processing', 'Search', 'Streaming Analytics'],
    'Business Applications': ['Productivity and Collaboration'],
    'Compute': ['Containers', 'End User Computing', 'Quantum Compute', 'Serverless Compute', 'Virtual Machines'],
    'Databases': ['Caching', 'Data Warehouses', 'Ledger Databases', 'NoSQL Databases', 'Relational Databases', 'Time Series Databases'],
    'Developer Tools': ['Developer Platforms', 'Continuous Integration and Deployment', 'Development Environments', 'Source Code Management', 'Quality Assurance'],
    'Identity': ['Identity and Access Management'],
    'Integration': ['API Management', 'Messaging', 'Workflow Orchestration'],
    'Internet of Things': ['IoT Analytics', 'IoT Platforms'],
    'Management and Governance': ['Architecture', 'Compliance', 'Cost Management', 'Data Governance', 'Disaster Recovery', 'Endpoint Management', 'Observability', 'Support'],
    'Media': ['Content Creation', 'Gaming', 'Media Streaming', 'Mixed Reality'],
    'Migration': ['Data Migration', 'Resource Migration'],
    'Mobile': [],
    'Multicloud': ['Multicloud Integration'],
    'Networking': ['Application Networking', 'Content Delivery', 'Network Connectivity', 'Network Infrastructure', 'Network Routing', 'Network Security'],
    'Security': ['Secret Management', 'Security Posture Management', 'Threat Detection and Response'],
    'Storage': ['Backup Storage', 'Block Storage', 'File Storage', 'Object Storage', 'Storage Platforms'],
    'Web': ['Application Platforms'],
    'Other': [],
}) }}
{%- endmacro %}

{#- SQL: the allowed ServiceSubcategory for (category, subcategory) expressions. -#}
{% macro azure_focus_subcategory(category_expr, subcategory_expr) -%}
    case
        when {{ subcategory_expr }} = 'Quantum' and {{ category_expr }} = 'Compute' then 'Quantum Compute'
        {%- for cat, subs in focus_service_subcategories().items() %}
        {%- if subs %}
        when {{ category_expr }} = '{{ cat }}' and {{ subcategory_expr }} in ('{{ subs | join("', '") }}') then {{ subcategory_expr }}
        {%- endif %}
        {%- endfor %}
        else 'Other (' || {{ category_expr }} || ')'
    end
{%- endmacro %}
