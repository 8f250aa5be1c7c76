{#- Generic test: the column holds ISO 4217-shaped codes (three upper-case letters). -#}
{% test iso_currency_code(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (length({{ column_name }}) <> 3 or upper({{ column_name }}) <> {{ column_name }}
       or lower({{ column_name }}) = {{ column_name }})
{% endtest %}
