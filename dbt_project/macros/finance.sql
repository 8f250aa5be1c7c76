{#- Finance expressions (SaaS invoices, shadow AI, reconciliation, currency conversion). -#}

{#- A free-text payee (card merchant, AP supplier, ledger vendor) for alias matching: lower case, every run of
    characters other than letters, digits, '.' and '&' replaced by one blank, trimmed, wrapped in single blanks
    so that an alias matches on word boundaries with plain LIKEs (payee_matches; portable: no regex at match time). -#}
{% macro normalize_payee(expr) -%}
concat(' ', trim(regexp_replace(lower(coalesce({{ expr }}, '')), '[^a-z0-9.&]+', ' ', 'g')), ' ')
{%- endmacro %}

{#- Whether a normalised payee (normalize_payee) contains the alias as whole words: " alias " or " alias." (a domain
    or abbreviation: "elevenlabs.io", "jasper ai inc."). Aliases are lower case (seed ai_vendor_catalogue). -#}
{% macro payee_matches(normalized_payee, alias) -%}
({{ normalized_payee }} like {{ dbt.concat(["'% '", alias, "' %'"]) }} or {{ normalized_payee }} like {{ dbt.concat(["'% '", alias, "'.%'"]) }})
{%- endmacro %}

{#- Generic test: the column holds ISO 4217-shaped codes (three upper-case letters). -#}
{% test iso_currency_code(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (length({{ column_name }}) <> 3 or upper({{ column_name }}) <> {{ column_name }}
       or lower({{ column_name }}) = {{ column_name }})
{% endtest %}

{#- A one-column relation (calendar_day date) of every day from start_date to end_date inclusive (date
    expressions, may be scalar subqueries). -#}
{% macro calendar_days(start_date, end_date) -%}
select cast(range as date) as calendar_day from range(cast({{ start_date }} as date), cast({{ end_date }} as date) + interval 1 day, interval 1 day)
{%- endmacro %}

{#- Columns converting amount (in currency_column, on date_expr) into the reporting currency with int_fx_rates_daily
    joined as fx_alias (left join ON fx_join(...)). A missing rate gives null amounts and fx_rate_missing = true:
    never a conversion at 0 or 1. prefix names the output columns (<prefix>amount_reporting, ...). -#}
{% macro fx_join(fx_alias, currency_column, date_expr) -%}
{{ fx_alias }}.from_currency = {{ currency_column }} and {{ fx_alias }}.rate_date = cast({{ date_expr }} as date)
{%- endmacro %}

{#- Rate 1 (the reporting currency itself) returns the amount as is: the same value, without the DECIMAL(38,10) x
    DECIMAL(38,10) product and its rescale, which costs DuckDB ~1.5 s per million rows (the FOCUS record is mostly
    in the reporting currency). -#}
{% macro to_reporting_currency(amount, fx_alias) -%}
case
    when {{ fx_alias }}.rate = 1 then cast({{ amount }} as {{ type_money() }})
    when {{ fx_alias }}.rate is not null then {{ money_mul(amount, fx_alias ~ '.rate') }}
end
{%- endmacro %}

{#- The payee -> catalogue vendor resolution of int_payee_vendors as a self-contained query over `payees` (a relation
    or a parenthesised select with a column `payee`), for models int_payee_vendors cannot feed without a cycle
    (int_saas_charges: int_payee_vendors reads int_charges_unioned, which reads int_saas_charges). Same rules and
    output columns as int_payee_vendors: the canonical vendor name first, then whole-word aliases by priority, then
    the longest alias. `catalogue` is the model's ref('ai_vendor_catalogue'). Use as
    `from ({{ resolve_payee_vendors('my_payees', ref('ai_vendor_catalogue')) }}) as pv`. -#}
{% macro resolve_payee_vendors(payees, catalogue) -%}
with pv_normalized as (
    select distinct payee, {{ normalize_payee('payee') }} as payee_normalized
    from {{ payees }} as p
    where payee is not null
),

pv_catalogue as (
    select vendor, nullif(product, '') as product, lower(alias) as alias, category, is_ai_vendor, priority
    from {{ catalogue }}
),

pv_vendors as (
    select
        vendor,
        coalesce(min(case when product is null then category end), min(category)) as category,
        -- a payee spelled as the canonical vendor name: the AI flag of the vendor-level aliases (no product)
        coalesce(
            max(case when product is null then case when is_ai_vendor then 1 else 0 end end),
            max(case when is_ai_vendor then 1 else 0 end)
        ) as is_ai_vendor
    from pv_catalogue
    group by vendor
),

pv_candidates as (
    select
        n.payee, v.vendor, cast(null as {{ dbt.type_string() }}) as product, v.category,
        v.is_ai_vendor = 1 as is_ai_vendor, cast(null as {{ dbt.type_string() }}) as matched_alias,
        1000 as priority, 0 as alias_length
    from pv_normalized as n
    inner join pv_vendors as v on lower(trim(n.payee)) = lower(v.vendor)
    union all
    select
        n.payee, c.vendor, c.product, c.category, c.is_ai_vendor, c.alias as matched_alias, c.priority,
        length(c.alias) as alias_length
    from pv_normalized as n
    inner join pv_catalogue as c on {{ payee_matches('n.payee_normalized', 'c.alias') }}
),

pv_ranked as (
    select
        *,
        row_number() over (partition by payee order by priority desc, alias_length desc, vendor) as match_rank,
        count(distinct vendor) over (partition by payee) as matched_vendors
    from pv_candidates
)

select
    n.payee,
    n.payee_normalized,
    r.vendor,
    r.product,
    r.category as vendor_category,
    coalesce(r.is_ai_vendor, false) as is_ai_vendor,
    r.matched_alias,
    coalesce(r.matched_vendors, 0) as matched_vendors
from pv_normalized as n
left join pv_ranked as r on n.payee = r.payee and r.match_rank = 1
{%- endmacro %}

{#- Free text from a vendor (an invoice line description) as ASCII for a FOCUS string column: focus-validator 2.2.1
    checks StringHandling as ASCII-only. Common typography is spelled out ('×' -> 'x', '€' -> 'EUR ', dashes,
    quotes, no-break space), accents are stripped where the adapter can, anything else non-ASCII is dropped. The
    original text stays in staging. -#}
{% macro ascii_text(expr) -%}
regexp_replace(strip_accents(
    replace(replace(replace(replace(replace(replace(replace(replace({{ expr }}, '×', 'x'), '€', 'EUR '), '£', 'GBP '), '–', '-'), '—', '-'), '’', ''''), '‘', ''''), ' ', ' ')
), '[^\x01-\x7F]', '', 'g')
{%- endmacro %}
