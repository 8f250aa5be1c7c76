{#- Generic tests of the price book seeds and model, also used as general key / interval tests. -#}

{#- Rows of one partition must have non-empty, non-overlapping [valid_from, valid_to) intervals (null = open). -#}
{% test price_book_no_overlapping_intervals(model, partition_by, valid_from='valid_from', valid_to='valid_to') %}
{%- set parts = partition_by | join(', ') %}
with ordered as (
    select {{ parts }}, {{ valid_from }} as valid_from, {{ valid_to }} as valid_to,
           lead({{ valid_from }}) over (partition by {{ parts }} order by {{ valid_from }}) as next_valid_from
    from {{ model }}
)
select *
from ordered
where (valid_to is not null and valid_to <= valid_from)
   or (next_valid_from is not null and (valid_to is null or valid_to > next_valid_from))
{% endtest %}

{#- The combination of columns is unique. -#}
{% test price_book_unique_key(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- Exactly one of the columns is not null on every row. -#}
{% test price_book_exactly_one_of(model, columns) %}
select *
from {{ model }}
where ({% for c in columns %}case when {{ c }} is null then 0 else 1 end{% if not loop.last %} + {% endif %}{% endfor %}) <> 1
{% endtest %}

{#- valid_to (if set) is after valid_from. -#}
{% test price_book_valid_interval(model, valid_from='valid_from', valid_to='valid_to') %}
select *
from {{ model }}
where {{ valid_to }} is not null and {{ valid_to }} <= {{ valid_from }}
{% endtest %}
