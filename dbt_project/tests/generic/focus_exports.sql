{#- Data test on a cost column: cost = unit price x PricingQuantity exactly (DECIMAL(38,10)) where both are set, outside
    corrections. -#}
{% test focus_exports_cost_identity(model, column_name, price_column, quantity_column='pricing_quantity') %}
select *
from {{ model }}
where {{ price_column }} is not null
  and {{ quantity_column }} is not null
  and charge_class is null
  and {{ quantity_column }} <> 0
  and {{ column_name }} <> cast({{ price_column }} * {{ quantity_column }} as {{ type_money() }})
{% endtest %}
