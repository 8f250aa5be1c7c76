{#- The price book, slowly changing: one row per vendor x model_id x token_type x [valid_from, valid_to) (built
    in intermediate/ai/int_model_prices.sql). -#}
select * from {{ ref('int_model_prices') }}
