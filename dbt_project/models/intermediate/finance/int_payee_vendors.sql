{#- Every distinct free-text payee the warehouse sees - card and expense merchants, AP suppliers and AP line
    descriptions, ledger vendors, FOCUS provider and invoice-issuer names, SaaS invoice vendors - resolved to a
    catalogue vendor (seed ai_vendor_catalogue). A payee equal to a vendor's canonical name resolves to it directly;
    otherwise aliases are matched as whole words (payee_matches on normalize_payee text) and the highest priority,
    then the longest alias, wins. Payees no alias matches keep vendor null (not a known AI or cloud vendor). Join
    on payee. -#}

with payees as (
    select merchant as payee from {{ ref('stg_finance__card_transactions') }}
    union
    select supplier_name from {{ ref('stg_finance__ap_invoice_lines') }}
    union
    -- AP line descriptions: a product bought from a supplier whose own name is no AI alias ("GitHub, Inc." /
    -- "GitHub Copilot Business - 200 seats"); fct_shadow_ai_spend decides when the description wins
    select line_description from {{ ref('stg_finance__ap_invoice_lines') }}
    union
    select vendor_name from {{ ref('stg_finance__gl_journal_lines') }}
    where vendor_name is not null
    union
    select vendor from {{ ref('stg_saas_invoices__invoices') }}
    union
    select distinct provider_name from {{ ref('int_charges_unioned') }}
    union
    select distinct invoice_issuer_name from {{ ref('int_charges_unioned') }}
)

select * from ({{ resolve_payee_vendors('payees', ref('ai_vendor_catalogue')) }}) as resolved
