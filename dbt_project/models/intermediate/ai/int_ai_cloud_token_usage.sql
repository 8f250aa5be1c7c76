{#- Cloud-hosted model usage parsed from the FOCUS charge record (issue 4, item 5): the token-metered Usage charges
    of Amazon Bedrock, Azure OpenAI / AI Foundry and Vertex AI, as model x token type rows.
    Grain: usage_date x vendor x billing_account_id x sub_account_id x region_id x meter_name x token_type x
    service_tier x billing_currency. See _ai__models.yml for the rules; the regex helper and the word tests are
    in macros/ai_meters.sql (adapter-specific SQL only inside ai_meter_regex_extract). -#}

{%- set exclusion_words = ['ptu', 'ptus', 'modelunits', 'modelunit'] %}
{%- set non_token_meter_words = ['character', 'characters', 'images', 'seconds', 'minutes', 'hours', 'pages'] %}

with charges as (
    select
        charge_period_start,
        x_billing_period,
        provider_name,
        service_name,
        service_category,
        service_subcategory,
        x_native_service_code,
        x_usage_type,
        sku_meter,
        billing_account_id,
        sub_account_id,
        sub_account_name,
        region_id,
        consumed_quantity,
        consumed_unit,
        pricing_quantity,
        pricing_unit,
        billed_cost,
        effective_cost,
        list_cost,
        billing_currency
    from {{ ref('int_charges_unioned') }}
    -- usage only: credits, refunds, tax and adjustments are in the FOCUS record, not usage
    where charge_category = 'Usage'
        and coalesce(sku_meter, x_usage_type) is not null
),

vendored as (
    select
        *,
        case
            when (lower(provider_name) like 'aws%' or lower(provider_name) like 'amazon%')
                and (
                    lower(coalesce(service_name, '')) like '%bedrock%'
                    or lower(coalesce(x_native_service_code, '')) like '%bedrock%'
                )
                then 'aws_bedrock'
            when (lower(provider_name) like 'microsoft%' or lower(provider_name) like 'azure%')
                and (
                    lower(coalesce(service_name, '')) like '%openai%'
                    or lower(coalesce(service_name, '')) like '%foundry%'
                    or lower(coalesce(service_name, '')) like '%cognitive%'
                    or lower(coalesce(service_name, '')) like '%ai services%'
                    or service_category = 'AI and Machine Learning'
                )
                then 'azure_openai'
            when lower(provider_name) like 'google%'
                and (
                    lower(coalesce(service_name, '')) like '%vertex%'
                    or lower(coalesce(service_name, '')) like '%gemini%'
                    or service_subcategory = 'Generative AI'
                )
                then 'google_vertex'
        end as vendor
    from charges
),

metered as (
    select
        *,
        -- the usage type / meter as the provider reports it: AWS's usage type (with its region prefix) where the
        -- source has it (FOCUS exports may carry SkuMeter without the prefix), else the SKU meter
        case when vendor = 'aws_bedrock' then coalesce(x_usage_type, sku_meter)
            else coalesce(sku_meter, x_usage_type)
        end as meter_name
    from vendored
    where vendor is not null
),

-- every distinct meter of a vendor once: the model, token type and tier are read from the meter's text alone, so
-- the text work below is done per meter, not per charge line (a month of hourly lines has ~100 lines per meter)
meters as (
    select distinct vendor, meter_name
    from metered
),

modelled as (
    select
        *,
        lower(meter_name) as meter_lc,
        case vendor
            -- [REGION-]<model>[-mantle][-batch|-flex|-priority]-<input|output|cache-read-input|cache-write-input>-token(s|-count)[-suffixes]
            when 'aws_bedrock' then {{ ai_meter_regex_extract('lower(meter_name)',
                "'^(?:[a-z]{2,3}[0-9]-|eu-)?(.+?)(?:-mantle)?(?:-batch|-flex|-priority)?-(?:input|output|cache-read-input|cache-write-input|cache-read|cache-write)-token'") }}
            -- <model> then the first qualifier word after a space: Inp/Outp/cached/glbl/regnl/dzone/Batch/aud/1K/1M/
            -- Tokens ... (a hyphen only before Inp/Outp, as in "Phi-4-Input Tokens": "gpt-4o-audio-preview" stays whole)
            when 'azure_openai' then {{ ai_meter_regex_extract('lower(meter_name)',
                "'^(.+?)(?: (?:cached|cchd|cd|inp|inpt|input|outp|outpt|output|opt|out|batch|glbl|global|gl|regnl|regional|rgnl|dzone|dz|datazone|data zone|aud|audio|txt|text|img|image|1k|1m|shortco|longco|tokens|token)|-(?:inp|inpt|input|outp|outpt|output))(?:[ -]|$)'") }}
            -- <model> then the first qualifier word: Text/Input/Output/Cached/Caching/Batch/Global/GA/Thinking ...
            when 'google_vertex' then {{ ai_meter_regex_extract('lower(meter_name)',
                "'^(.+?) (?:text|audio|image|video|cached|caching|cache|batch|thinking|reasoning|global|ga|input|output|long|short|priority|flex|tokens|characters|predictions)(?: |$)'") }}
        end as meter_model_raw
    from meters
),

worded as (
    select
        *,
        trim(meter_model_raw) as meter_model,
        {{ ai_meter_words('meter_lc') }} as meter_words,
        -- what the meter says after the model text (so that a model name cannot read as a qualifier)
        {{ ai_meter_words("case when meter_model_raw is null then meter_lc
                                else substr(meter_lc, " ~ dbt.position('meter_model_raw', 'meter_lc') ~ " + length(meter_model_raw)) end") }}
            as qualifier_words
    from modelled
),

meter_classes as (
    select
        *,
        case
            when {{ ai_meter_has_word('qualifier_words', ['1h']) }}
                and {{ ai_meter_has_word('qualifier_words', ['cache write', 'cache creation', 'cache writes']) }}
                then 'cache_write_1h'
            when {{ ai_meter_has_word('qualifier_words', ['cache write', 'cache creation', 'cache writes']) }}
                then 'cache_write'
            when {{ ai_meter_has_word('qualifier_words', ['cache read', 'cached', 'cchd', 'cd', 'caching', 'cache']) }}
                then 'cache_read'
            when {{ ai_meter_has_word('qualifier_words', ['output', 'outp', 'outpt', 'opt', 'out']) }}
                then 'output'
            when {{ ai_meter_has_word('qualifier_words', ['input', 'inp', 'inpt']) }}
                then 'input'
            -- Azure meters without a direction (embeddings: "text-embedding-3-large Tokens") are input
            when vendor = 'azure_openai' then 'input'
        end as direction,
        case
            when {{ ai_meter_has_word('qualifier_words', ['aud', 'audio', 'speech']) }} then 'audio'
            when {{ ai_meter_has_word('qualifier_words', ['img', 'image']) }} then 'image'
            when {{ ai_meter_has_word('qualifier_words', ['video']) }} then 'video'
            else 'text'
        end as modality,
        case
            when {{ ai_meter_has_word('qualifier_words', ['batch']) }} then 'batch'
            when {{ ai_meter_has_word('qualifier_words', ['flex']) }} then 'flex'
            when {{ ai_meter_has_word('qualifier_words', ['priority']) }} then 'priority'
            when {{ ai_meter_has_word('qualifier_words', ['glbl', 'global', 'gl']) }} then 'global'
            when {{ ai_meter_has_word('qualifier_words', ['dzone', 'dz', 'datazone', 'data zone']) }} then 'datazone'
            -- Bedrock geographic cross-Region inference profiles (us., eu., apac. ...): data stays in a geography
            when vendor = 'aws_bedrock' and {{ ai_meter_has_word('qualifier_words', ['cross region']) }} then 'datazone'
            when {{ ai_meter_has_word('qualifier_words', ['regnl', 'regional', 'rgnl']) }} then 'regional'
            else 'standard'
        end as service_tier,
        -- Bedrock global cross-Region inference profile (priced apart in the price book as global.<model id>)
        case when vendor = 'aws_bedrock' and {{ ai_meter_has_word('qualifier_words', ['global']) }}
                then 1
            else 0
        end as is_global_profile,
        -- token-like meter
        case
            -- provisioned throughput (Bedrock model units, Azure PTU, Vertex GSUs), reserved capacity, storage,
            -- training and hosting are not tokens
            when meter_lc like '%provisioned%' or meter_lc like '%reserved%' or meter_lc like '%storage%'
                or meter_lc like '%training%' or meter_lc like '%tuning%' or meter_lc like '%hosting%'
                or meter_lc like '%grounding%'
                or {{ ai_meter_has_word('meter_words', exclusion_words) }}
                then 0
            when vendor = 'aws_bedrock' then case when meter_model_raw is not null then 1 else 0 end
            when
                vendor = 'azure_openai'
                then case when {{ ai_meter_has_word('meter_words', ['token', 'tokens']) }} then 1 else 0 end
            when vendor = 'google_vertex'
                then
                    case
                        when
                            {{ ai_meter_has_word('qualifier_words', ['input', 'output', 'cached', 'caching']) }}
                            then 1
                        else 0
                    end
            else 0
        end as is_token_meter
    from worded
),

classified as (
    select
        l.*,
        k.meter_lc,
        k.meter_model_raw,
        k.meter_model,
        k.meter_words,
        k.qualifier_words,
        k.direction,
        k.modality,
        k.service_tier,
        k.is_global_profile,
        k.is_token_meter,
        -- quantity and unit: ConsumedQuantity / ConsumedUnit, else PricingQuantity / PricingUnit
        case when l.consumed_quantity is not null then l.consumed_quantity else l.pricing_quantity end as quantity,
        lower(trim(coalesce(
            case when l.consumed_quantity is not null then l.consumed_unit else l.pricing_unit end, ''
        ))) as unit_lc
    from metered as l
    inner join meter_classes as k on l.vendor = k.vendor and l.meter_name = k.meter_name
),

united as (
    select
        *,
        {{ ai_meter_regex_extract('unit_lc', "'^([0-9]+)'") }} as unit_number,
        {{ ai_meter_regex_extract('unit_lc', "'^[0-9.,]*[ ]*([a-z]+)'") }} as unit_word
    from classified
    where is_token_meter = 1 and direction is not null
),

measured as (
    select
        *,
        case
            when quantity is null then 0
            -- the meter counts something else (Vertex "... Input Characters", images, seconds ...)
            when {{ ai_meter_has_word('meter_words', non_token_meter_words) }}
                and not {{ ai_meter_has_word('meter_words', ['token', 'tokens']) }} then 0
            -- the unit is a time, a size, characters, images, pages or a rate
            when unit_lc like '%/%' or unit_lc like '%hour%' or unit_lc like '%second%' or unit_lc like '%minute%'
                or unit_lc like '%day%' or unit_lc like '%month%' or unit_lc like '%char%' or unit_lc like '%image%'
                or unit_lc like '%page%' or unit_lc like '%byte%' or unit_lc like '%gb%' or unit_lc like '%gib%' then 0
            when unit_lc like '%token%' then 1
            -- a count on a token meter: Azure "Units" / "1K" / "1M", Vertex "Count" / "Requests"
            when coalesce(unit_word, '') in (
                    '', 'k', 'm', 'mn', 'thousand', 'million', 'unit', 'units', 'count',
                    'counts', 'request', 'requests'
                ) then 1
            else 0
        end as is_tokens,
        -- tokens per unit, from the unit text: "1000 Tokens" -> 1000, "1K" -> 1000, "1M Tokens" -> 1000000, "Units" -> 1
        coalesce(cast(unit_number as {{ dbt.type_bigint() }}), 1)
        * case when unit_word in ('k', 'thousand') then 1000
            when unit_word in ('m', 'mn', 'million') then 1000000
            else 1
        end as tokens_per_unit
    from united
),

aliased as (
    select
        m.*,
        {{ ai_token_type('m.direction', 'm.modality') }} as token_type,
        case
            when a.model_name is null then null
            when m.is_global_profile = 1 and a.model_name not like 'global.%' then 'global.' || a.model_name
            else a.model_name
        end as model_name,
        case when m.is_tokens = 1 then cast(m.quantity * m.tokens_per_unit as {{ type_money() }}) end as tokens
    from measured as m
    left join {{ ref('ai_cloud_model_aliases') }} as a
        on m.vendor = a.vendor
        and replace(lower(trim(a.meter_model)), ' ', '-') = replace(m.meter_model, ' ', '-')
)

select
    cast(charge_period_start as date) as usage_date,
    max(x_billing_period) as x_billing_period,
    vendor,
    max(provider_name) as provider_name,
    billing_account_id,
    sub_account_id,
    max(sub_account_name) as sub_account_name,
    region_id,
    meter_name,
    meter_model,
    model_name,
    token_type,
    service_tier,
    cast(sum(tokens) as {{ type_money() }}) as tokens,
    cast(sum(billed_cost) as {{ type_money() }}) as billed_cost,
    cast(sum(effective_cost) as {{ type_money() }}) as effective_cost,
    cast(sum(list_cost) as {{ type_money() }}) as list_cost,
    billing_currency,
    count(*) as charge_rows,
    case
        when is_tokens = 0 then 'not_tokens'
        when model_name is null then 'model_unmapped'
        else 'parsed'
    end as parse_status
from aliased
group by
    cast(charge_period_start as date), vendor, billing_account_id, sub_account_id, region_id, meter_name,
    meter_model, model_name, token_type, service_tier, billing_currency, is_tokens
