{#- Corporate-card and expense-report lines, one row per (channel, transaction_id). merchant keeps the payee as
    printed (for display); merchant_normalized is lower case with runs of blanks collapsed (for vendor matching). -#}

with source as (
    select * from {{ source('finance', 'card_transactions') }}
)

select
    channel,
    trim(transaction_id) as transaction_id,
    cast(transaction_date as date) as transaction_date,
    nullif(trim(employee_id), '') as employee_id,
    nullif(trim(employee_name), '') as employee_name,
    trim(merchant) as merchant,
    {{ normalize_payee('merchant') }} as merchant_normalized,
    nullif(trim(description), '') as description,
    cast(amount as {{ type_money() }}) as amount,
    upper(trim(currency)) as currency,
    upper(nullif(trim(cost_center), '')) as cost_center,
    nullif(trim(expense_category), '') as expense_category,
    source_file,
    source_row,
    loaded_at,
    _dlt_load_id as x_load_id
from source
