{#- Finance expressions (SaaS invoices, shadow AI, reconciliation, currency conversion). -#}

{#- A free-text payee (card merchant, AP supplier, ledger vendor) for alias matching: lower case, every run of
    characters other than letters, digits, '.' and '&' replaced by one blank, trimmed, wrapped in single blanks
    so that an alias matches on word boundaries with plain LIKEs (payee_matches; portable: no regex at match time). -#}
{% macro normalize_payee(expr) -%}
concat(' ', trim({{ regex_replace_all("lower(coalesce(" ~ expr ~ ", ''))", '[^a-z0-9.&]+', ' ') }}), ' ')
{%- endmacro %}

{#- Whether a normalised payee (normalize_payee) contains the alias as whole words: " alias " or " alias." (a domain
    or abbreviation: "elevenlabs.io", "jasper ai inc."). Aliases are lower case (seed ai_vendor_catalogue). -#}
{% macro payee_matches(normalized_payee, alias) -%}
({{ normalized_payee }} like {{ dbt.concat(["'% '", alias, "' %'"]) }} or {{ normalized_payee }} like {{ dbt.concat(["'% '", alias, "'.%'"]) }})
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

{#- Whether a payee (alias p: payee, payee_normalized = normalize_payee(payee)) is named by a row of the view
    int_vendor_aliases (alias a): the vendor's canonical name, or an alias as whole words. Join condition of
    `left join {{ ref('int_vendor_aliases') }} as a on {{ vendor_alias_matches('p', 'a') }}`. -#}
{% macro vendor_alias_matches(p, a) -%}
({{ a }}.match_name = lower(trim({{ p }}.payee)) or {{ payee_matches(p ~ '.payee_normalized', a ~ '.alias') }})
{%- endmacro %}

{#- The rank of a matching int_vendor_aliases row (alias a) among a payee's (alias p) matches: 1 = the row the payee
    resolves to (the highest priority, then the longest alias, then the vendor name). -#}
{% macro vendor_alias_rank(p, a) -%}
row_number() over (partition by {{ p }}.payee order by {{ a }}.priority desc, {{ a }}.alias_length desc, {{ a }}.vendor)
{%- endmacro %}

{#- Free text from a vendor (an invoice line description) as ASCII for a FOCUS string column: focus-validator 2.2.1
    checks StringHandling as ASCII-only. Common typography is spelled out ('×' -> 'x', '€' -> 'EUR ', dashes,
    quotes, no-break space), accents are stripped where the adapter can, anything else non-ASCII is dropped. The
    original text stays in staging. -#}
{% macro ascii_text(expr) -%}
{%- set typography = "replace(replace(replace(replace(replace(replace(replace(replace(" ~ expr ~ ", '×', 'x'), '€', 'EUR '), '£', 'GBP '), '–', '-'), '—', '-'), '’', ''''), '‘', ''''), ' ', ' ')" -%}
{{ regex_replace_all(strip_accents_text(typography), '[^\\x01-\\x7F]', '') }}
{%- endmacro %}
