{#- The reporting-currency columns of the FOCUS record (fct_charges) are never silently wrong: no rate of 0 (or
    negative); no row converted without a rate, or flagged missing while converted; a row in the reporting currency
    always at rate 1 ('same currency'); a row in another currency never at rate 1 from the identity; converted
    amounts = cost x rate exactly (10 decimals). Returns offending rows (grouped, with a count). -#}

{%- set reporting = var('reporting_currency') %}

select
    billing_currency,
    x_fx_rate,
    x_fx_rate_source,
    x_fx_rate_missing,
    case
        when x_fx_rate <= 0 then 'rate <= 0'
        when x_fx_rate is null and not x_fx_rate_missing then 'no rate but not flagged missing'
        when x_fx_rate_missing and (x_reporting_billed_cost is not null or x_reporting_effective_cost is not null)
            then 'flagged missing but converted'
        when x_fx_rate is not null and (x_reporting_billed_cost is null or x_reporting_effective_cost is null)
            then 'rate but not converted'
        when billing_currency = '{{ reporting }}' and (x_fx_rate is null or x_fx_rate <> 1)
            then 'reporting currency not at rate 1'
        when billing_currency <> '{{ reporting }}' and x_fx_rate_source = 'same currency'
            then 'foreign currency converted as the reporting currency'
        when x_reporting_currency <> '{{ reporting }}' then 'wrong reporting currency'
        when x_reporting_billed_cost <> {{ money_mul('billed_cost', 'x_fx_rate') }}
             or x_reporting_effective_cost <> {{ money_mul('effective_cost', 'x_fx_rate') }}
            then 'amount <> cost x rate'
    end as problem,
    count(*) as row_count
from {{ ref('fct_charges') }}
where x_fx_rate <= 0
   or (x_fx_rate is null and not x_fx_rate_missing)
   or (x_fx_rate_missing and (x_reporting_billed_cost is not null or x_reporting_effective_cost is not null))
   or (x_fx_rate is not null and (x_reporting_billed_cost is null or x_reporting_effective_cost is null))
   or (billing_currency = '{{ reporting }}' and (x_fx_rate is null or x_fx_rate <> 1))
   or (billing_currency <> '{{ reporting }}' and x_fx_rate_source = 'same currency')
   or x_reporting_currency <> '{{ reporting }}'
   or x_reporting_billed_cost <> {{ money_mul('billed_cost', 'x_fx_rate') }}
   or x_reporting_effective_cost <> {{ money_mul('effective_cost', 'x_fx_rate') }}
group by 1, 2, 3, 4, 5
