{#- Every row's model id (column_name) resolves in the price book (price_book: the relation of seed model_prices_list,
    given as `"{{ ref('model_prices_list') }}"`) for its vendor with the vendor's LIKE patterns
    (price_book_model_matches). Returns the rows that resolve to nothing. -#}
{% test ai_model_alias_in_price_book(model, column_name, price_book, vendor_column='vendor') %}
with aliases as (
    select * from {{ model }} where {{ column_name }} is not null
),

resolved as (
    select distinct al.{{ vendor_column }} as vendor, al.{{ column_name }} as model_name
    from aliases as al
    inner join {{ price_book }} as prices
        on prices.vendor = al.{{ vendor_column }}
        and {{ price_book_model_matches('al.' ~ column_name, 'prices.model_match') }}
)

select al.*
from aliases as al
left join resolved as r
    on r.vendor = al.{{ vendor_column }} and r.model_name = al.{{ column_name }}
where r.model_name is null
{% endtest %}
