{#- Helpers of the three-way invoice reconciliation (marts.fct_invoice_reconciliation). -#}

{#- amount (in from_currency) in to_currency through the reporting currency: amount x rate(from) / rate(to), the two
    rates being int_fx_rates_daily rows joined as from_fx and to_fx (same day). Unchanged when the currencies are
    equal; null when a rate is missing (never converted at 0 or 1). -#}
{% macro recon_convert(amount, from_currency, to_currency, from_fx, to_fx) -%}
case
    when {{ from_currency }} = {{ to_currency }} then {{ amount }}
    when {{ from_fx }}.rate is not null and {{ to_fx }}.rate is not null
        then {{ recon_money_div(money_mul(amount, from_fx ~ '.rate'), to_fx ~ '.rate') }}
end
{%- endmacro %}

{#- a / b as money, rounded half away from zero to the 10th decimal; null when b is 0 or null. DuckDB divides
    DECIMALs in DOUBLE, so there the quotient is computed exactly on HUGEINTs scaled by 10^10 (|a| up to ~10^18). -#}
{% macro recon_money_div(a, b) -%}
    {{ return(adapter.dispatch('recon_money_div')(a, b)) }}
{%- endmacro %}
{% macro default__recon_money_div(a, b) -%}
{%- set ai = 'cast(abs(cast(' ~ a ~ ' as ' ~ type_money() ~ ')) * 10000000000 as hugeint)' -%}
{%- set bi = 'cast(abs(cast(' ~ b ~ ' as ' ~ type_money() ~ ')) * 10000000000 as hugeint)' -%}
case when ({{ b }}) <> 0 then cast(
    cast(sign({{ a }}) * sign({{ b }}) * ((2 * {{ ai }} * 10000000000 + {{ bi }}) // (2 * {{ bi }})) as decimal(38, 0))
    * cast(0.0000000001 as decimal(11, 10)) as {{ type_money() }}) end
{%- endmacro %}

{#- Spark: the same rounding on DECIMAL(38,0) integers A = |a| x 10^10 and B = |b| x 10^10 (Spark's DECIMAL division
    keeps no more than 38 digits of which the scale takes most, and its `div` returns a BIGINT): the integer part
    A div B, then the ten decimals from the remainder, (2 x R x 10^10 + B) div 2B - each quotient fits a BIGINT. -#}
{% macro spark__recon_money_div(a, b) -%}
{%- set ai = 'cast(abs(cast(' ~ a ~ ' as ' ~ type_money() ~ ')) * 10000000000 as decimal(38, 0))' -%}
{%- set bi = 'cast(abs(cast(' ~ b ~ ' as ' ~ type_money() ~ ')) * 10000000000 as decimal(38, 0))' -%}
{%- set whole = 'cast(' ~ ai ~ ' div ' ~ bi ~ ' as decimal(38, 0))' -%}
case when ({{ b }}) <> 0 then cast(
    cast(sign({{ a }}) as int) * cast(sign({{ b }}) as int) * (
        {{ whole }}
        + cast((2 * ({{ ai }} - {{ whole }} * {{ bi }}) * 10000000000 + {{ bi }}) div (2 * {{ bi }}) as decimal(38, 0))
        * cast(0.0000000001 as decimal(11, 10))
    ) as {{ type_money() }}) end
{%- endmacro %}

{#- 1 from_currency in to_currency (from_fx / to_fx as in recon_convert); null when the currencies are equal. -#}
{% macro recon_cross_rate(from_currency, to_currency, from_fx, to_fx) -%}
case when {{ from_currency }} <> {{ to_currency }} then {{ recon_money_div(from_fx ~ '.rate', to_fx ~ '.rate') }} end
{%- endmacro %}

{#- A money amount as text with `scale` decimals, for explanation strings. -#}
{% macro recon_amount_text(amount, scale=2) -%}
cast(cast({{ amount }} as decimal(38, {{ scale }})) as {{ dbt.type_string() }})
{%- endmacro %}
