{#- General-ledger journal lines from the ITFM extract: debit positive, credit negative. One row per
    (journal_id, line_number). -#}

with source as (
    select * from {{ source('finance', 'gl_journal_lines') }}
)

select
    trim(journal_id) as journal_id,
    cast(line_number as {{ dbt.type_bigint() }}) as line_number,
    trim(period) as period,
    cast(posting_date as date) as posting_date,
    trim(gl_account) as gl_account,
    upper(nullif(trim(cost_center), '')) as cost_center,
    nullif(trim(vendor_name), '') as vendor_name,
    nullif(trim(vendor_id), '') as vendor_id,
    cast(amount as {{ type_money() }}) as amount,
    upper(trim(currency)) as currency,
    nullif(trim(reference), '') as reference,
    nullif(trim(description), '') as description,
    source_updated_at,
    loaded_at,
    _dlt_load_id as x_load_id
from source
