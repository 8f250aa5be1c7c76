{#- CurrencyFormat (currency_format.md), what the validator's PricingCurrency-C-003-M applies too narrowly:
    PricingCurrency is a 3-letter ISO 4217 code or a virtual currency name ("Credits", "Tokens") that follows
    StringHandling: not empty, no leading or trailing blanks, printable ASCII, not a placeholder, and not a national
    code in the wrong case ("usd", "Eur"). BillingCurrency-C-006-M: never bill in a virtual currency. -#}
{%- set rel = ref('focus_cost_and_usage') -%}
with not_iso_shaped as (
    select distinct cast("PricingCurrency" as varchar) as currency
    from {{ rel }}
    where "PricingCurrency" is not null
        and not regexp_full_match(cast("PricingCurrency" as varchar), '[A-Z]{3}')
)

select 'PricingCurrency neither an ISO 4217 code nor a virtual currency name' as violation, currency, null as n_rows
from not_iso_shaped
where currency = ''
    or currency <> trim(currency)
    or not regexp_full_match(currency, '[ -~]+')
    or regexp_full_match(currency, '[A-Za-z]{3}')
    or lower(trim(currency)) in {{ focus_sql_list(focus_placeholder_strings()) }}

union all

select 'BillingCurrency is a virtual currency' as violation, cast("BillingCurrency" as varchar) as currency,
    count(*) as n_rows
from {{ rel }}
where cast("BillingCurrency" as varchar) in (select currency from not_iso_shaped)
group by 2
